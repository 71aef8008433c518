#include "resources/file_source.h"

namespace flamingo {

Result<std::string> ReadSource(const SystemReader& sys, std::string_view uri) {
  if (uri.rfind("file://", 0) == 0) {
    std::string path = NormalizePath(uri.substr(7));
    if (path.empty()) {
      return Status::Error("file:// URI must name an absolute path");
    }
    return sys.ReadFile(path);
  }
  if (uri.rfind("http://", 0) == 0 || uri.rfind("https://", 0) == 0) {
    return Status::Error("http(s) sources are not supported yet");
  }
  return Status::Error("unsupported URI");
}

}  // namespace flamingo
