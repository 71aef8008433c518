// Recognises the format of a user-data blob by its first line, as cloud-init
// does: "#cloud-config" and "#cloud-config-archive" are different formats
// (the archive is a YAML list of parts, not cloud-config), so a plain prefix
// test on "#cloud-config" is wrong. The header must be the first line (a
// UTF-8 BOM is skipped); trailing spaces and CR are ignored.
#pragma once

#include <string_view>

namespace flamingo {

enum class UserDataFormat {
  kEmpty,               // nothing but whitespace
  kCloudConfig,         // "#cloud-config"
  kCloudConfigArchive,  // "#cloud-config-archive"
  kCloudConfigJsonp,    // "#cloud-config-jsonp"
  kJinjaTemplate,       // "## template: jinja" (cloud-config or script after)
  kScript,              // "#!"
  kBoothook,            // "#cloud-boothook"
  kInclude,             // "#include" / "#include-once"
  kPartHandler,         // "#part-handler"
  kMime,                // "Content-Type:" / "MIME-Version:" (multipart)
  kUnknown,
};

UserDataFormat DetectUserDataFormat(std::string_view text);

// "cloud-config", "cloud-config-archive", ... for messages.
const char* UserDataFormatName(UserDataFormat f);

}  // namespace flamingo
