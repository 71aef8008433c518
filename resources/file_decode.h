// Decoding of single write_files properties, as cloud-init reads them:
// permissions (octal string or the integer PyYAML made of an unquoted 0644),
// owner ("user:group"), encoding (text/plain, b64, gz, gz+b64, ...) and
// content (with YAML !!binary). Pure; errors are messages without a place:
// the caller attaches the config position.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"
#include "schemas/value.h"

namespace flamingo {

// The default mode of a written file.
inline constexpr uint32_t kDefaultFileMode = 0644;

// An integer is taken as the mode itself (PyYAML already turned an unquoted
// 0644 into 420); a string is octal digits, optionally prefixed "0o"/"0O"
// ("0644", "0o644", "644"), surrounding blanks ignored. Range 0..07777.
// Errors: `invalid permissions "rw-r--r--": expected an octal number such as
// "0644"`, "invalid permissions 4096: more than 0o7777", `invalid
// permissions: expected an octal string such as "0644" or an integer`.
Result<uint32_t> ParsePermissions(const Value& v);

// Mode as cloud-init users write it: "0644", "04755".
std::string FormatMode(uint32_t mode);

// "user:group" split at the first ':' with blanks trimmed. A missing, empty,
// "-1" or "none" part means root (cloud-init leaves it to the writing
// process, which is root). "alice" alone is alice:root.
struct OwnerSpec {
  std::string user = "root";
  std::string group = "root";
};
OwnerSpec ParseOwner(std::string_view text);

// The decoding steps of an encoding, in order, each "base64" or "gzip".
// Case and surrounding blanks are ignored; "" and "text/plain" decode
// nothing. nullopt for an unknown encoding.
std::optional<std::vector<std::string>> EncodingSteps(
    std::string_view encoding);

// "text/plain, b64, base64, gz, gzip, gz+b64, gz+base64, gzip+b64,
// gzip+base64": for messages.
const char* KnownEncodings();

// The bytes to write for `content` with `encoding`: a !!binary scalar is
// base64-decoded first (as YAML does), then the encoding's steps apply.
// REQUIRES: content is a scalar; EncodingSteps(encoding) is not nullopt.
// Errors: "invalid !!binary data: invalid base64: ...", "invalid base64:
// ...", "invalid gzip data: ...", "gzip data expands beyond N bytes".
Result<std::string> DecodeContent(const Value& content,
                                  std::string_view encoding);

}  // namespace flamingo
