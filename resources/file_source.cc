#include "resources/file_source.h"

#include <chrono>

#include "sources/http_client.h"

namespace flamingo {

Result<std::string> ReadSource(
    const SystemReader& sys, std::string_view uri,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  if (uri.rfind("file://", 0) == 0) {
    std::string path = NormalizePath(uri.substr(7));
    if (path.empty()) {
      return Status::Error("file:// URI must name an absolute path");
    }
    return sys.ReadFile(path);
  }
  if (uri.rfind("http://", 0) == 0 || uri.rfind("https://", 0) == 0) {
    Fetcher* fetcher = sys.fetcher();
    if (fetcher == nullptr) return Status::Error("no HTTP fetcher available");
    // Files may be large and servers slow: more patient than the metadata
    // probes, still bounded.
    FetchPolicy policy;
    policy.timeout = std::chrono::seconds(30);
    policy.total_budget = std::chrono::seconds(60);
    policy.max_bytes = 64u << 20;
    return FetchBody(fetcher, std::string(uri), policy, headers);
  }
  return Status::Error("unsupported URI");
}

}  // namespace flamingo
