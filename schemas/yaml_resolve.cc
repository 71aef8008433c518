// YAML 1.1 scalar typing as PyYAML does it, and PyYAML's character rules.
#include "schemas/yaml_resolve.h"

#include <cstdint>
#include <cstdio>

namespace flamingo {
namespace {

bool IsOneOf(const std::string& s, std::initializer_list<const char*> words) {
  for (const char* w : words) {
    if (s == w) return true;
  }
  return false;
}

// Parses digits (ignoring '_') in `base`; false on overflow or bad digit.
bool ParseInt(std::string_view digits, int base, bool negative, int64_t* out) {
  if (digits.empty()) return false;
  uint64_t acc = 0;
  const uint64_t limit = static_cast<uint64_t>(INT64_MAX) + 1;
  bool any = false;
  for (char c : digits) {
    if (c == '_') continue;
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return false;
    }
    if (d >= base) return false;
    if (acc >
        (limit - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) {
      return false;
    }
    acc = acc * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    any = true;
  }
  if (!any) return false;
  if (!negative && acc == limit) {
    return false;
  }
  *out =
      negative ? -static_cast<int64_t>(acc - 1) - 1 : static_cast<int64_t>(acc);
  return true;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// "[0-5]?[0-9]" groups after the first of a sexagesimal number; returns the
// value of `v` ("190:20:30") or false. YAML 1.1 base 60, as PyYAML has it.
bool ParseSexagesimal(std::string_view v, bool negative, int64_t* out) {
  size_t colon = v.find(':');
  int64_t acc;
  if (!ParseInt(v.substr(0, colon), 10, false, &acc)) return false;
  while (colon != std::string_view::npos) {
    v.remove_prefix(colon + 1);
    colon = v.find(':');
    std::string_view part = v.substr(0, colon);
    if (part.empty() || part.size() > 2 || !IsDigit(part.back()) ||
        (part.size() == 2 && (part[0] < '0' || part[0] > '5'))) {
      return false;
    }
    int d = 0;
    for (char c : part) d = d * 10 + (c - '0');
    if (acc > (INT64_MAX - d) / 60) return false;
    acc = acc * 60 + d;
  }
  *out = negative ? -acc : acc;
  return true;
}

// PyYAML's YAML 1.1 int: [-+]?0b[01_]+ | [-+]?0[0-7_]+ | [-+]?(0|[1-9][0-9_]*)
// | [-+]?0x[0-9a-fA-F_]+ | [-+]?[1-9][0-9_]*(:[0-5]?[0-9])+ .
bool ResolveInt(const std::string& s, int64_t* out) {
  std::string_view v = s;
  bool neg = false;
  if (!v.empty() && (v[0] == '-' || v[0] == '+')) {
    neg = v[0] == '-';
    v.remove_prefix(1);
  }
  if (v.empty() || !IsDigit(v[0])) return false;
  if (v == "0") {
    *out = 0;
    return true;
  }
  if (v.size() > 2 && v[0] == '0' && v[1] == 'x') {
    return ParseInt(v.substr(2), 16, neg, out);
  }
  if (v.size() > 2 && v[0] == '0' && v[1] == 'b') {
    return ParseInt(v.substr(2), 2, neg, out);
  }
  if (v[0] == '0') return ParseInt(v.substr(1), 8, neg, out);
  if (v.find(':') != std::string_view::npos) {
    return ParseSexagesimal(v, neg, out);
  }
  return ParseInt(v, 10, neg, out);
}

// PyYAML's YAML 1.1 float: [-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?
// | [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]* | [-+]?\.(inf|Inf|INF)
// | \.(nan|NaN|NAN)  (PyYAML 5.1+, which allows "1.5" and ".5" but wants a
// signed exponent).
bool LooksLikeFloat(const std::string& s) {
  if (IsOneOf(s, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
                  "-.Inf", "-.INF", ".nan", ".NaN", ".NAN"})) {
    return true;
  }
  std::string_view v = s;
  bool sign = false;
  if (!v.empty() && (v[0] == '-' || v[0] == '+')) {
    v.remove_prefix(1);
    sign = true;
  }
  size_t dot = v.find('.');
  if (dot == std::string_view::npos) return false;
  std::string_view whole = v.substr(0, dot);
  std::string_view frac = v.substr(dot + 1);
  if (whole.empty()) {  // "\.[0-9_]+(...)": no sign, a digit after the dot
    if (sign || frac.empty() || (!IsDigit(frac[0]) && frac[0] != '_')) {
      return false;
    }
  }
  if (whole.find(':') != std::string_view::npos) {
    int64_t ignored;
    if (!ParseSexagesimal(whole, false, &ignored)) return false;
  } else {
    if (!whole.empty() && !IsDigit(whole[0])) return false;
    for (char c : whole) {
      if (!IsDigit(c) && c != '_') return false;
    }
  }
  size_t i = 0;
  while (i < frac.size() && (IsDigit(frac[i]) || frac[i] == '_')) ++i;
  if (i == frac.size()) return true;
  if (whole.find(':') != std::string_view::npos) return false;
  if (frac[i] != 'e' && frac[i] != 'E') return false;
  ++i;
  if (i >= frac.size() || (frac[i] != '-' && frac[i] != '+')) return false;
  ++i;
  if (i >= frac.size()) return false;
  for (; i < frac.size(); ++i) {
    if (!IsDigit(frac[i])) return false;
  }
  return true;
}

}  // namespace

// PyYAML reads only valid UTF-8 made of printable characters (tab, LF, CR,
// U+0020-U+007E, U+0085, U+00A0-U+D7FF, U+E000-U+FFFD, U+10000-U+10FFFF).
// Returns "" when `text` qualifies, else the problem and its 1-based place.
std::string CheckYamlCharacters(std::string_view text, int* line, int* col) {
  *line = 1;
  *col = 1;
  size_t i = 0;
  while (i < text.size()) {
    const auto b = static_cast<unsigned char>(text[i]);
    uint32_t cp;
    size_t len;
    if (b < 0x80) {
      cp = b;
      len = 1;
    } else if ((b & 0xE0) == 0xC0) {
      cp = b & 0x1Fu;
      len = 2;
    } else if ((b & 0xF0) == 0xE0) {
      cp = b & 0x0Fu;
      len = 3;
    } else if ((b & 0xF8) == 0xF0) {
      cp = b & 0x07u;
      len = 4;
    } else {
      return "not valid UTF-8";
    }
    if (i + len > text.size()) return "not valid UTF-8";
    for (size_t k = 1; k < len; ++k) {
      const auto c = static_cast<unsigned char>(text[i + k]);
      if ((c & 0xC0) != 0x80) return "not valid UTF-8";
      cp = (cp << 6) | (c & 0x3Fu);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return "not valid UTF-8";
    }
    const bool printable = cp == 0x09 || cp == 0x0A || cp == 0x0D ||
                           (cp >= 0x20 && cp <= 0x7E) || cp == 0x85 ||
                           (cp >= 0xA0 && cp <= 0xD7FF) ||
                           (cp >= 0xE000 && cp <= 0xFFFD) || cp >= 0x10000;
    if (!printable) {
      char buf[40];
      std::snprintf(buf, sizeof(buf), "control character U+%04X is not allowed",
                    static_cast<unsigned>(cp));
      return buf;
    }
    if (cp == 0x0A) {
      ++*line;
      *col = 1;
    } else {
      ++*col;
    }
    i += len;
  }
  return "";
}

Value ResolvePlainScalar(std::string text) {
  Value v;
  if (IsOneOf(text, {"", "~", "null", "Null", "NULL"})) {
    v.SetScalar(Value::Type::kNull, std::move(text), false, 0);
  } else if (IsOneOf(text, {"true", "True", "TRUE", "yes", "Yes", "YES", "on",
                            "On", "ON"})) {
    v.SetScalar(Value::Type::kBool, std::move(text), true, 0);
  } else if (IsOneOf(text, {"false", "False", "FALSE", "no", "No", "NO", "off",
                            "Off", "OFF"})) {
    v.SetScalar(Value::Type::kBool, std::move(text), false, 0);
  } else {
    int64_t i;
    if (ResolveInt(text, &i)) {
      v.SetScalar(Value::Type::kInt, std::move(text), false, i);
    } else if (LooksLikeFloat(text)) {
      v.SetScalar(Value::Type::kFloat, std::move(text), false, 0);
    } else {
      v.SetScalar(Value::Type::kString, std::move(text), false, 0);
    }
  }
  return v;
}

Value ResolveTaggedScalar(std::string text, const std::string& tag) {
  Value v;
  if (tag == "?") {
    v = ResolvePlainScalar(std::move(text));
  } else if (tag == "tag:yaml.org,2002:int") {
    int64_t i;
    v = ResolveInt(text, &i) ? Value::Int(i) : Value::String(text);
  } else if (tag == "tag:yaml.org,2002:bool" ||
             tag == "tag:yaml.org,2002:null" ||
             tag == "tag:yaml.org,2002:float") {
    v = ResolvePlainScalar(std::move(text));
  } else {
    v = Value::String(std::move(text));  // quoted, !!str, !!binary, custom
    if (tag != "!") v.SetTag(tag);
  }
  return v;
}

std::string LatinBytesToUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    bool valid = len > 0 && i + len <= text.size();
    for (size_t k = 1; valid && k < len; ++k) {
      valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    }
    if (valid && len == 2 && c < 0xC2) valid = false;  // overlong
    if (valid) {
      out.append(text.substr(i, len));
      i += len;
      continue;
    }
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
    ++i;
  }
  return out;
}

}  // namespace flamingo
