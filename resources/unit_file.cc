#include "resources/unit_file.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace flamingo {
namespace {

constexpr std::array<std::string_view, 11> kUnitTypes = {
    "service", "socket", "device", "mount", "automount", "swap",
    "target",  "path",   "timer",  "slice", "scope"};

bool ValidPrefixChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == ':' || c == '-' ||
         c == '_' || c == '.' || c == '\\';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

bool ValidKey(std::string_view k) {
  if (k.empty()) return false;
  return std::all_of(k.begin(), k.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' ||
           c == '_' || c == '.';
  });
}

bool ValidSection(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return std::isprint(u) && c != '[' && c != ']';
  });
}

std::vector<std::string> SplitWords(std::string_view v) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < v.size()) {
    while (i < v.size() && std::isspace(static_cast<unsigned char>(v[i]))) ++i;
    size_t j = i;
    while (j < v.size() && !std::isspace(static_cast<unsigned char>(v[j]))) ++j;
    if (j > i) out.emplace_back(v.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

std::string UnitNameError(std::string_view name) {
  if (name.empty()) return "empty unit name";
  if (name.size() > 255) return "unit name longer than 255 characters";
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) {
    return "a unit name needs a type suffix such as .service";
  }
  std::string_view type = name.substr(dot + 1);
  if (std::find(kUnitTypes.begin(), kUnitTypes.end(), type) ==
      kUnitTypes.end()) {
    return "unknown unit type \"." + std::string(type) +
           "\" (service, socket, device, mount, automount, swap, target, "
           "path, timer, slice or scope)";
  }
  size_t at = std::string_view::npos;
  for (size_t i = 0; i < dot; ++i) {
    char c = name[i];
    if (c == '@') {
      if (at == std::string_view::npos) at = i;
      continue;
    }
    if (!ValidPrefixChar(c)) {
      return std::string("invalid character '") + c +
             "' in unit name (allowed: letters, digits, \":-_.\\\" and one "
             "\"@\")";
    }
  }
  if (at == 0) return "a unit name cannot start with \"@\"";
  return "";
}

std::string UnitTemplateOf(std::string_view name) {
  size_t at = name.find('@');
  size_t dot = name.rfind('.');
  if (at == std::string_view::npos || dot == std::string_view::npos ||
      dot <= at + 1) {
    return "";
  }
  return std::string(name.substr(0, at + 1)) + std::string(name.substr(dot));
}

bool IsUnitTemplate(std::string_view name) {
  size_t at = name.find('@');
  size_t dot = name.rfind('.');
  return at != std::string_view::npos && dot == at + 1;
}

std::string UnitInstance(std::string_view template_name,
                         std::string_view instance) {
  size_t at = template_name.find('@');
  return std::string(template_name.substr(0, at + 1)) + std::string(instance) +
         std::string(template_name.substr(at + 1));
}

ParsedUnit ParseUnitFile(std::string_view content) {
  ParsedUnit out;
  std::string section;
  int line_no = 0;
  size_t pos = 0;
  while (pos < content.size()) {
    size_t nl = content.find('\n', pos);
    if (nl == std::string_view::npos) nl = content.size();
    std::string_view raw = content.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    std::string_view line = Trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    int start_line = line_no;
    if (line[0] == '[') {
      if (line.back() != ']') {
        out.errors.push_back({start_line, "section header without \"]\""});
        continue;
      }
      std::string_view name = line.substr(1, line.size() - 2);
      if (!ValidSection(name)) {
        out.errors.push_back(
            {start_line, "invalid section name \"" + std::string(name) + "\""});
        continue;
      }
      section = std::string(name);
      out.sections.push_back(section);
      continue;
    }
    // Join continuation lines ("\" at the end); comment lines inside a
    // continuation are skipped as systemd does.
    std::string joined;
    std::string_view cur = line;
    while (!cur.empty() && cur.back() == '\\' && pos <= content.size()) {
      joined.append(cur.substr(0, cur.size() - 1));
      joined.push_back(' ');
      if (pos >= content.size()) {
        cur = "";
        break;
      }
      size_t n2 = content.find('\n', pos);
      if (n2 == std::string_view::npos) n2 = content.size();
      cur = Trim(content.substr(pos, n2 - pos));
      pos = n2 + 1;
      ++line_no;
      while ((!cur.empty() && (cur[0] == '#' || cur[0] == ';')) &&
             pos < content.size()) {
        n2 = content.find('\n', pos);
        if (n2 == std::string_view::npos) n2 = content.size();
        cur = Trim(content.substr(pos, n2 - pos));
        pos = n2 + 1;
        ++line_no;
      }
    }
    joined.append(cur);
    size_t eq = joined.find('=');
    if (eq == std::string::npos) {
      out.errors.push_back(
          {start_line, "expected \"[Section]\" or \"Key=Value\", got \"" +
                           std::string(Trim(joined)) + "\""});
      continue;
    }
    std::string key(Trim(std::string_view(joined).substr(0, eq)));
    std::string value(Trim(std::string_view(joined).substr(eq + 1)));
    if (!ValidKey(key)) {
      out.errors.push_back({start_line, "invalid key \"" + key + "\""});
      continue;
    }
    if (section.empty()) {
      out.errors.push_back(
          {start_line, "assignment \"" + key + "=\" outside of any section"});
      continue;
    }
    out.entries.push_back({section, key, value, start_line});
  }
  return out;
}

InstallInfo ParseInstall(const ParsedUnit& unit) {
  InstallInfo info;
  for (const auto& e : unit.entries) {
    if (e.section != "Install") continue;
    std::vector<std::string>* list = nullptr;
    if (e.key == "WantedBy") list = &info.wanted_by;
    if (e.key == "RequiredBy") list = &info.required_by;
    if (e.key == "Alias") list = &info.alias;
    if (e.key == "Also") list = &info.also;
    if (e.key == "DefaultInstance") info.default_instance = e.value;
    if (list == nullptr) continue;
    auto words = SplitWords(e.value);
    if (words.empty()) {
      list->clear();
    } else {
      list->insert(list->end(), words.begin(), words.end());
    }
  }
  return info;
}

}  // namespace flamingo
