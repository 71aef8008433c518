#include "engine/record.h"

#include <algorithm>
#include <stdexcept>

namespace flamingo {

Record::Record(std::initializer_list<value_type> fields) {
  for (const auto& [key, value] : fields) {
    if (find(key) == end()) (*this)[key] = value;
  }
}

Record::const_iterator Record::LowerBound(std::string_view key) const {
  return std::lower_bound(
      fields_.begin(), fields_.end(), key,
      [](const value_type& f, std::string_view k) { return f.first < k; });
}

std::string& Record::operator[](std::string_view key) {
  auto at = fields_.begin() + (LowerBound(key) - fields_.cbegin());
  if (at != fields_.end() && at->first == key) return at->second;
  return fields_.emplace(at, std::string(key), std::string())->second;
}

const std::string& Record::at(std::string_view key) const {
  auto it = find(key);
  if (it == end()) {
    throw std::out_of_range("record has no field " + std::string(key));
  }
  return it->second;
}

Record::iterator Record::find(std::string_view key) {
  auto at = fields_.begin() + (LowerBound(key) - fields_.cbegin());
  return at != fields_.end() && at->first == key ? at : fields_.end();
}

Record::const_iterator Record::find(std::string_view key) const {
  auto at = LowerBound(key);
  return at != fields_.end() && at->first == key ? at : fields_.end();
}

size_t Record::erase(std::string_view key) {
  auto it = find(key);
  if (it == end()) return 0;
  fields_.erase(it);
  return 1;
}

}  // namespace flamingo
