// Record: what flamingo remembers about one resource between runs (in the
// state file), a few string fields by name. Keys are the kind's own, except
// "created", which the engine owns: "true" when flamingo created the
// object, so it may delete it later.
//
// A flat map: the fields in a vector sorted by name. Records hold one to
// three fields, and a run keeps one per resource: at thousands of
// resources std::map's nodes cost twice the fields themselves. The subset
// of std::map's interface the kinds use, with the same meaning; iterators
// and references are invalidated by any insertion or erasure.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flamingo {

class Record {
 public:
  using value_type = std::pair<std::string, std::string>;
  using iterator = std::vector<value_type>::iterator;
  using const_iterator = std::vector<value_type>::const_iterator;

  Record() = default;
  // As std::map: a key given twice keeps its first value.
  Record(std::initializer_list<value_type> fields);

  // The value of `key`, inserted empty when missing.
  std::string& operator[](std::string_view key);
  // Throws std::out_of_range when missing.
  const std::string& at(std::string_view key) const;
  iterator find(std::string_view key);
  const_iterator find(std::string_view key) const;
  size_t count(std::string_view key) const { return find(key) != end(); }
  size_t erase(std::string_view key);

  iterator begin() { return fields_.begin(); }
  iterator end() { return fields_.end(); }
  const_iterator begin() const { return fields_.begin(); }
  const_iterator end() const { return fields_.end(); }
  size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  void clear() { fields_.clear(); }

  bool operator==(const Record&) const = default;

 private:
  // The first field whose name is not less than `key`.
  const_iterator LowerBound(std::string_view key) const;

  std::vector<value_type> fields_;  // sorted by name, unique
};

}  // namespace flamingo
