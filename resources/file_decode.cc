#include "resources/file_decode.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "engine/codec.h"
#include "engine/text.h"

namespace flamingo {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

constexpr char kBinaryTag[] = "tag:yaml.org,2002:binary";

}  // namespace

Result<uint32_t> ParsePermissions(const Value& v) {
  if (v.is_int()) {
    int64_t m = v.as_int();
    if (m < 0) {
      return Status::Error("invalid permissions " + std::to_string(m) +
                           ": must not be negative");
    }
    if (m > 07777) {
      return Status::Error("invalid permissions " + std::to_string(m) +
                           ": more than 0o7777");
    }
    return static_cast<uint32_t>(m);
  }
  if (!v.is_string()) {
    return Status::Error(
        "invalid permissions: expected an octal string such as \"0644\" or an "
        "integer");
  }
  std::string_view s = Trim(v.text());
  std::string_view digits = s;
  if (digits.size() >= 2 && digits[0] == '0' &&
      (digits[1] == 'o' || digits[1] == 'O')) {
    digits.remove_prefix(2);
  }
  auto bad = [&] {
    return Status::Error("invalid permissions \"" + v.text() +
                         "\": expected an octal number such as \"0644\"");
  };
  if (digits.empty()) return bad();
  uint64_t m = 0;
  for (char c : digits) {
    if (c < '0' || c > '7') return bad();
    m = m * 8 + static_cast<uint64_t>(c - '0');
    if (m > 07777) {
      return Status::Error("invalid permissions \"" + v.text() +
                           "\": more than 0o7777");
    }
  }
  return static_cast<uint32_t>(m);
}

std::string FormatMode(uint32_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04o", mode & 07777);
  return buf;
}

OwnerSpec ParseOwner(std::string_view text) {
  OwnerSpec o;
  auto take = [](std::string_view part, std::string* out) {
    part = Trim(part);
    std::string low = AsciiLower(part);
    if (part.empty() || part == "-1" || low == "none") return;
    *out = std::string(part);
  };
  size_t colon = text.find(':');
  take(text.substr(0, colon), &o.user);
  if (colon != std::string_view::npos) take(text.substr(colon + 1), &o.group);
  return o;
}

std::optional<std::vector<std::string>> EncodingSteps(
    std::string_view encoding) {
  std::string e = AsciiLower(Trim(encoding));
  if (e.empty() || e == "text/plain") return std::vector<std::string>{};
  if (e == "b64" || e == "base64") return std::vector<std::string>{"base64"};
  if (e == "gz" || e == "gzip") return std::vector<std::string>{"gzip"};
  if (e == "gz+b64" || e == "gz+base64" || e == "gzip+b64" ||
      e == "gzip+base64") {
    return std::vector<std::string>{"base64", "gzip"};
  }
  return std::nullopt;
}

const char* KnownEncodings() {
  return "text/plain, b64, base64, gz, gzip, gz+b64, gz+base64, gzip+b64, "
         "gzip+base64";
}

Result<std::string> DecodeContent(const Value& content,
                                  std::string_view encoding) {
  std::string data = content.ScalarText();
  if (content.tag() == kBinaryTag) {
    auto raw = Base64Decode(data);
    if (!raw.ok()) {
      return raw.status().WithContext("invalid !!binary data");
    }
    data = std::move(*raw);
  }
  auto steps = EncodingSteps(encoding);
  if (!steps) return Status::Error("unknown encoding");
  for (const auto& step : *steps) {
    Result<std::string> next =
        step == "base64" ? Base64Decode(data) : GunzipLimited(data);
    if (!next.ok()) return next.status();
    data = std::move(*next);
  }
  return data;
}

}  // namespace flamingo
