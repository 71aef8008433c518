#include "resources/identity/config_util.h"

#include <algorithm>
#include <charconv>

namespace flamingo::identity {

const Value* GetKey(const Value& map, const std::string& key) {
  if (const Value* v = map.Get(key)) return v;
  std::string dashed = key;
  std::replace(dashed.begin(), dashed.end(), '_', '-');
  return map.Get(dashed);
}

std::optional<std::string> ReadString(const Value& v, Diagnostics* diags) {
  if (v.is_string()) return v.text();
  if (v.is_int() || v.is_number()) return v.text();
  diags->Error(
      v, std::string("expected a string, got ") + Value::TypeName(v.type()));
  return std::nullopt;
}

std::optional<bool> ReadBool(const Value& v, Diagnostics* diags) {
  if (v.is_bool()) return v.as_bool();
  diags->Error(
      v, std::string("expected a boolean, got ") + Value::TypeName(v.type()));
  return std::nullopt;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> ReadNameList(const Value& v, Diagnostics* diags) {
  std::vector<std::string> out;
  auto add = [&](const std::string& s) {
    std::string t = Trim(s);
    if (!t.empty()) out.push_back(t);
  };
  if (v.is_string()) {
    size_t start = 0;
    const std::string& s = v.text();
    while (start <= s.size()) {
      size_t comma = s.find(',', start);
      if (comma == std::string::npos) comma = s.size();
      add(s.substr(start, comma - start));
      start = comma + 1;
    }
  } else if (v.is_list()) {
    for (const auto& item : v.items()) {
      if (item.is_string()) {
        add(item.text());
      } else {
        diags->Error(item, std::string("expected a name, got ") +
                               Value::TypeName(item.type()));
      }
    }
  } else if (v.is_map()) {  // deprecated {group: null} form
    for (const auto& [k, _] : v.entries()) add(k);
  } else {
    diags->Error(v, std::string("expected a string or a list, got ") +
                        Value::TypeName(v.type()));
  }
  return out;
}

std::vector<SshKey> ReadKeys(const Value& v, Diagnostics* diags) {
  std::vector<SshKey> out;
  std::vector<const Value*> items;
  if (v.is_list()) {
    for (const auto& i : v.items()) items.push_back(&i);
  } else if (v.is_string()) {
    items.push_back(&v);
  } else {
    diags->Error(v, std::string("expected a list of keys, got ") +
                        Value::TypeName(v.type()));
    return out;
  }
  for (const Value* item : items) {
    if (!item->is_string()) {
      diags->Error(*item, std::string("expected a key, got ") +
                              Value::TypeName(item->type()));
      continue;
    }
    std::string error;
    auto key = ParseSshKey(item->text(), &error);
    if (!key) {
      diags->Error(*item, "malformed SSH key: " + error);
      continue;
    }
    out.push_back(std::move(*key));
  }
  return out;
}

std::optional<int64_t> ParseDate(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto num = [&](size_t pos, size_t len) -> std::optional<int> {
    int v = 0;
    auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + len, v);
    if (ec != std::errc() || p != s.data() + pos + len) return std::nullopt;
    return v;
  };
  auto y = num(0, 4), m = num(5, 2), d = num(8, 2);
  if (!y || !m || !d || *m < 1 || *m > 12 || *d < 1 || *d > 31) {
    return std::nullopt;
  }
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
  if (*d > kDays[*m - 1] + (*m == 2 && leap ? 1 : 0)) return std::nullopt;
  // days_from_civil (Howard Hinnant's algorithm).
  int64_t yy = *y - (*m <= 2 ? 1 : 0);
  int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  int64_t yoe = yy - era * 400;
  int64_t mp = (*m + 9) % 12;
  int64_t doy = (153 * mp + 2) / 5 + *d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace flamingo::identity
