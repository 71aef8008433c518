// Small ASCII text helpers shared by the parsers (HTTP, MIME, user-data,
// datasource detection). Byte-oriented and locale-independent in effect:
// bytes outside ASCII are never changed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace flamingo {

// The whitespace TrimSpace strips by default: space, tab, CR, LF.
inline constexpr std::string_view kAsciiSpace = " \t\r\n";

// `s` with every ASCII upper-case letter A-Z turned into a-z; every other
// byte (including bytes >= 0x80) is kept as is.
std::string AsciiLower(std::string_view s);

// `s` without the leading and trailing bytes that occur in `set` (by default
// space, tab, CR, LF; pass " \t" for HTTP's optional whitespace). Bytes in
// the middle are kept. A string made only of such bytes gives "".
std::string TrimSpace(std::string_view s, std::string_view set = kAsciiSpace);

// Whether `s` is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), as JSON text must be.
bool IsValidUtf8(std::string_view s);
// The length of the well-formed UTF-8 sequence `s` starts with (1 for
// ASCII, up to 4), or 0 when it starts with none (or is empty).
size_t Utf8SequenceLength(std::string_view s);

// The lines of `text`, split at '\n' (which belongs to no line): a last
// line without '\n' counts, a text ending in '\n' has no empty line after
// it, and "" has no lines. Views into `text`.
std::vector<std::string_view> SplitLines(std::string_view text);

// The pieces of `text` between occurrences of `sep` (non-empty), empty
// pieces kept: "a::b" by ":" is {"a", "", "b"}, "" is {""}. Views into
// `text`.
std::vector<std::string_view> SplitString(std::string_view text,
                                          std::string_view sep);

// SplitLines without each line's trailing bytes that occur in `strip` (by
// default CR, for CRLF text), leaving out the lines that end up empty.
std::vector<std::string_view> NonEmptyLines(std::string_view text,
                                            std::string_view strip = "\r");

// The strings of `items` (a vector, set...) with `sep` between them.
template <typename Strings>
std::string JoinStrings(const Strings& items, std::string_view sep) {
  std::string out;
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += sep;
    out += item;
    first = false;
  }
  return out;
}

// The first line of `text` that is neither blank nor a '#' comment, with
// spaces, tabs and CR trimmed ("" when none): the value of one-value files
// such as /etc/hostname and /etc/timezone.
std::string FirstContentLine(std::string_view text);

// `epoch_seconds` in UTC, formatted by strftime(3) `format` (at most 63
// bytes of output), e.g. "%Y-%m-%dT%H:%M:%SZ".
std::string FormatUtcTime(int64_t epoch_seconds, const char* format)
    __attribute__((format(strftime, 2, 0)));

}  // namespace flamingo
