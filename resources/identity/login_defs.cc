#include "resources/identity/login_defs.h"

#include <charconv>
#include <map>
#include <optional>

#include "engine/text.h"

namespace flamingo::identity {
namespace {

std::optional<uint32_t> ParseNumber(const std::string& s, int base) {
  uint32_t v = 0;
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  if (base == 8 && s.size() > 1 && s[0] == '0') ++begin;
  auto [p, ec] = std::from_chars(begin, end, v, base);
  if (ec != std::errc() || p != end) return std::nullopt;
  return v;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

}  // namespace

LoginDefs ParseLoginDefs(std::string_view text) {
  std::map<std::string, std::string> kv;
  for (std::string_view line : SplitLines(text)) {
    size_t i = 0;
    while (i < line.size() && IsSpace(line[i])) ++i;
    if (i >= line.size() || line[i] == '#') continue;
    size_t k = i;
    while (i < line.size() && !IsSpace(line[i])) ++i;
    std::string key(line.substr(k, i - k));
    while (i < line.size() && IsSpace(line[i])) ++i;
    size_t v = i;
    while (i < line.size() && !IsSpace(line[i])) ++i;
    kv[key] = std::string(line.substr(v, i - v));
  }
  LoginDefs d;
  auto num = [&](const char* key, uint32_t* out, int base = 10) {
    auto it = kv.find(key);
    if (it == kv.end()) return false;
    auto n = ParseNumber(it->second, base);
    if (n) *out = *n;
    return n.has_value();
  };
  num("UID_MIN", &d.uid_min);
  num("UID_MAX", &d.uid_max);
  num("GID_MIN", &d.gid_min);
  num("GID_MAX", &d.gid_max);
  num("SYS_UID_MIN", &d.sys_uid_min);
  if (!num("SYS_UID_MAX", &d.sys_uid_max)) {
    d.sys_uid_max = d.uid_min > 0 ? d.uid_min - 1 : 0;
  }
  num("SYS_GID_MIN", &d.sys_gid_min);
  if (!num("SYS_GID_MAX", &d.sys_gid_max)) {
    d.sys_gid_max = d.gid_min > 0 ? d.gid_min - 1 : 0;
  }
  if (auto it = kv.find("ENCRYPT_METHOD"); it != kv.end()) {
    for (char c : it->second) {
      d.encrypt_method +=
          static_cast<char>((c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c);
    }
  }
  uint32_t umask = 022;
  num("UMASK", &umask, 8);
  d.home_mode = 0777 & ~umask;
  num("HOME_MODE", &d.home_mode, 8);
  d.home_mode &= 07777;
  if (auto it = kv.find("USERGROUPS_ENAB"); it != kv.end()) {
    d.usergroups = it->second == "yes";
  }
  auto copy = [&](const char* key, std::string* out) {
    auto it = kv.find(key);
    if (it != kv.end() && ParseNumber(it->second, 10)) *out = it->second;
  };
  copy("PASS_MIN_DAYS", &d.pass_min_days);
  copy("PASS_MAX_DAYS", &d.pass_max_days);
  copy("PASS_WARN_AGE", &d.pass_warn_age);
  return d;
}

}  // namespace flamingo::identity
