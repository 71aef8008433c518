// AccountTable: one of /etc/passwd, /etc/shadow, /etc/group, /etc/gshadow,
// parsed for in-place editing. Every line is kept: entries (colon-separated
// fields, keyed by the first) and anything else (comments, blank lines, NIS
// "+"/"-" lines, malformed lines) verbatim, in their original order, so that
// Serialize(Parse(text)) == text when nothing was edited (a missing final
// newline is added). Edits change an
// entry's fields in place, append new entries at the end, or drop entries.
//
// Pure data: no I/O (identity_files.h reads and writes the tables through
// System).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace flamingo::identity {

// Field counts of the four formats.
inline constexpr size_t kPasswdFields = 7;  // name:pw:uid:gid:gecos:home:shell
inline constexpr size_t kShadowFields =
    9;  // name:hash:lastchg:min:max:warn:inactive:expire:reserved
inline constexpr size_t kGroupFields = 4;    // name:pw:gid:members
inline constexpr size_t kGshadowFields = 4;  // name:pw:admins:members

class AccountTable {
 public:
  // `field_count` is the number of fields an entry must have.
  explicit AccountTable(size_t field_count) : field_count_(field_count) {}

  // Parses `text`. Lines that are not entries (wrong field count, empty name,
  // comments, NIS lines) are kept verbatim and never edited.
  static AccountTable Parse(std::string_view text, size_t field_count);
  // The text, ending with a newline when there is at least one line.
  std::string Serialize() const;

  size_t field_count() const { return field_count_; }
  // Fields of the entry named `name`, or null.
  const std::vector<std::string>* Find(std::string_view name) const;
  // Sets the entry's fields (replacing in place, or appending). REQUIRES:
  // fields.size() == field_count() and fields[0] is the name.
  void Put(std::vector<std::string> fields);
  // Sets one field of an existing entry; false when there is no such entry.
  bool SetField(std::string_view name, size_t index, std::string value);
  // One field of an existing entry, to edit in place (index >= 1); null when
  // there is no such entry or field.
  std::string* MutableField(std::string_view name, size_t index);
  // Drops the entry; false when absent.
  bool Remove(std::string_view name);
  // Entries in file order (each a field vector).
  std::vector<const std::vector<std::string>*> Entries() const;
  // 1-based line number of the entry, 0 when absent (for messages).
  size_t LineOf(std::string_view name) const;

 private:
  struct Line {
    bool is_entry = false;
    std::string raw;                  // when !is_entry
    std::vector<std::string> fields;  // when is_entry
  };
  // Index of entry lines by name (the first of duplicates); kept up to date
  // by Put, rebuilt lazily after Remove.
  long IndexOf(std::string_view name) const;
  size_t field_count_;
  std::vector<Line> lines_;
  mutable std::unordered_map<std::string, size_t> index_;
  mutable bool index_valid_ = false;
};

// Splits on ':' (every field, empty ones included).
std::vector<std::string> SplitFields(std::string_view line, char sep = ':');
// Comma-separated member list; empty string gives no members.
std::vector<std::string> SplitList(std::string_view s);
std::string JoinList(const std::vector<std::string>& items);

}  // namespace flamingo::identity
