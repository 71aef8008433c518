#include "engine/text.h"

#include <time.h>

namespace flamingo {

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  // Explicit A-Z range rather than std::tolower: the same result in the "C"
  // locale flamingo runs in, and independent of any locale.
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string TrimSpace(std::string_view s, std::string_view set) {
  size_t b = s.find_first_not_of(set);
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(set);
  return std::string(s.substr(b, e - b + 1));
}

size_t Utf8SequenceLength(std::string_view s) {
  if (s.empty()) return 0;
  const auto c = static_cast<unsigned char>(s[0]);
  if (c < 0x80) return 1;
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the 2nd byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;  // no overlong forms
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;  // no overlong forms
    if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;  // a continuation byte, 0xC0/0xC1, or 0xF5..0xFF
  }
  if (len > s.size()) return 0;
  const auto second = static_cast<unsigned char>(s[1]);
  if (second < lo || second > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[k]);
    if (b < 0x80 || b > 0xBF) return 0;
  }
  return len;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const size_t len = Utf8SequenceLength(s.substr(i));
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return lines;
}

std::vector<std::string_view> SplitString(std::string_view text,
                                          std::string_view sep) {
  std::vector<std::string_view> pieces;
  for (;;) {
    size_t end = text.find(sep);
    pieces.push_back(text.substr(0, end));
    if (end == std::string_view::npos) return pieces;
    text.remove_prefix(end + sep.size());
  }
}

std::vector<std::string_view> NonEmptyLines(std::string_view text,
                                            std::string_view strip) {
  std::vector<std::string_view> lines;
  for (std::string_view line : SplitLines(text)) {
    size_t keep = line.find_last_not_of(strip);
    if (keep != std::string_view::npos)
      lines.push_back(line.substr(0, keep + 1));
  }
  return lines;
}

std::string FirstContentLine(std::string_view text) {
  for (std::string_view line : SplitLines(text)) {
    std::string trimmed = TrimSpace(line);
    if (!trimmed.empty() && trimmed[0] != '#') return trimmed;
  }
  return "";
}

std::string FormatUtcTime(int64_t epoch_seconds, const char* format) {
  time_t t = static_cast<time_t>(epoch_seconds);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[64];
  // The callers' formats are checked where they are written (the format
  // attribute in text.h); this is the one place that passes one on.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  size_t n = strftime(buf, sizeof buf, format, &tm);
#pragma GCC diagnostic pop
  return std::string(buf, n);
}

}  // namespace flamingo
