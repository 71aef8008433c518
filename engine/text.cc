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

}  // namespace flamingo
