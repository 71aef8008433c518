// Small ASCII text helpers shared by the parsers (HTTP, MIME, user-data,
// datasource detection). Byte-oriented and locale-independent in effect:
// bytes outside ASCII are never changed.
#pragma once

#include <string>
#include <string_view>

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

}  // namespace flamingo
