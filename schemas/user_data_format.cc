#include "schemas/user_data_format.h"

namespace flamingo {

UserDataFormat DetectUserDataFormat(std::string_view text) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF")
    text.remove_prefix(3);
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return UserDataFormat::kEmpty;
  }
  // Like cloud-init, the header must start the text (no leading blank line).
  std::string_view line = text.substr(0, text.find('\n'));
  while (!line.empty() &&
         (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
    line.remove_suffix(1);
  }
  auto starts = [&](std::string_view p) {
    return line.substr(0, p.size()) == p;
  };
  if (line == "#cloud-config-archive")
    return UserDataFormat::kCloudConfigArchive;
  if (line == "#cloud-config-jsonp") return UserDataFormat::kCloudConfigJsonp;
  if (line == "#cloud-config" || starts("#cloud-config ")) {
    return UserDataFormat::kCloudConfig;
  }
  if (starts("## template:") && line.find("jinja") != std::string_view::npos) {
    return UserDataFormat::kJinjaTemplate;
  }
  if (starts("#!")) return UserDataFormat::kScript;
  if (line == "#cloud-boothook") return UserDataFormat::kBoothook;
  if (starts("#include")) return UserDataFormat::kInclude;
  if (line == "#part-handler") return UserDataFormat::kPartHandler;
  if (starts("Content-Type:") || starts("MIME-Version:"))
    return UserDataFormat::kMime;
  return UserDataFormat::kUnknown;
}

const char* UserDataFormatName(UserDataFormat f) {
  switch (f) {
    case UserDataFormat::kEmpty:
      return "empty";
    case UserDataFormat::kCloudConfig:
      return "cloud-config";
    case UserDataFormat::kCloudConfigArchive:
      return "cloud-config-archive";
    case UserDataFormat::kCloudConfigJsonp:
      return "cloud-config-jsonp";
    case UserDataFormat::kJinjaTemplate:
      return "jinja template";
    case UserDataFormat::kScript:
      return "script";
    case UserDataFormat::kBoothook:
      return "boothook";
    case UserDataFormat::kInclude:
      return "include";
    case UserDataFormat::kPartHandler:
      return "part-handler";
    case UserDataFormat::kMime:
      return "MIME multipart";
    case UserDataFormat::kUnknown:
      return "unknown";
  }
  return "unknown";
}

}  // namespace flamingo
