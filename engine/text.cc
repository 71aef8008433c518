#include "engine/text.h"

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

}  // namespace flamingo
