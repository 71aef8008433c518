#include "resources/identity/sshd_config.h"

#include <fnmatch.h>
#include <strings.h>

namespace flamingo::identity {
namespace {

struct Line {
  std::string_view text;
  std::string keyword;  // "" for blank/comment
  std::string value;    // rest, trimmed
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::vector<Line> SplitLines(std::string_view text) {
  std::vector<Line> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    Line l;
    l.text = text.substr(start, nl - start);
    start = nl + 1;
    std::string_view t = l.text;
    while (!t.empty() && IsSpace(t.front())) t.remove_prefix(1);
    while (!t.empty() && IsSpace(t.back())) t.remove_suffix(1);
    if (!t.empty() && t[0] != '#') {
      size_t i = 0;
      while (i < t.size() && !IsSpace(t[i]) && t[i] != '=') ++i;
      l.keyword = std::string(t.substr(0, i));
      t.remove_prefix(i);
      while (!t.empty() && (IsSpace(t.front()) || t.front() == '=')) {
        t.remove_prefix(1);
      }
      l.value = std::string(t);
    }
    out.push_back(std::move(l));
  }
  return out;
}

bool KeyIs(const std::string& a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::vector<std::string> Words(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    size_t j = i;
    if (i < s.size() && s[i] == '"') {
      j = s.find('"', i + 1);
      if (j == std::string::npos) j = s.size();
      out.push_back(s.substr(i + 1, j - i - 1));
      i = j + 1;
      continue;
    }
    while (j < s.size() && !IsSpace(s[j])) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

bool IncludesDropIn(std::string_view config, std::string_view drop_in,
                    const std::vector<std::string>& keywords) {
  std::string target(drop_in);
  for (const auto& l : SplitLines(config)) {
    if (KeyIs(l.keyword, "Match")) return false;
    for (const auto& k : keywords) {
      if (KeyIs(l.keyword, k)) return false;
    }
    if (!KeyIs(l.keyword, "Include")) continue;
    for (auto pattern : Words(l.value)) {
      if (pattern.empty()) continue;
      if (pattern[0] != '/') pattern = "/etc/ssh/" + pattern;
      if (fnmatch(pattern.c_str(), target.c_str(), FNM_PATHNAME) == 0) {
        return true;
      }
    }
  }
  return false;
}

std::optional<std::string> GetOption(std::string_view config,
                                     std::string_view keyword) {
  for (const auto& l : SplitLines(config)) {
    if (KeyIs(l.keyword, "Match")) break;
    if (KeyIs(l.keyword, keyword)) return l.value;
  }
  return std::nullopt;
}

std::string SetOption(std::string_view config, std::string_view keyword,
                      std::string_view value) {
  auto lines = SplitLines(config);
  std::string setting = std::string(keyword) + " " + std::string(value);
  size_t insert_at = lines.size();
  bool replaced = false;
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (KeyIs(lines[i].keyword, "Match") && insert_at == lines.size()) {
      insert_at = i;
    }
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!replaced && i == insert_at) {
      out += setting + "\n";
      replaced = true;
    }
    if (!replaced && i < insert_at && KeyIs(lines[i].keyword, keyword)) {
      out += setting + "\n";
      replaced = true;
      continue;
    }
    out += lines[i].text;
    out += '\n';
  }
  if (!replaced) out += setting + "\n";
  return out;
}

}  // namespace flamingo::identity
