// AccountTable: one of /etc/passwd, /etc/shadow, /etc/group, /etc/gshadow,
// parsed for in-place editing. Every line is kept: entries (colon-separated
// fields, keyed by the first) and anything else (comments, blank lines, NIS
// "+"/"-" lines, malformed lines) verbatim, in their original order, so that
// Serialize(Parse(text)) == text when nothing was edited (a missing final
// newline is added). Edits change an
// entry's fields in place, append new entries at the end, or drop entries.
//
// Compact: a line is its text and the offsets where its fields end (no
// string per field), so a table costs about its file's size plus ~80
// bytes a line (thousands of users are parsed on every plan).
//
// Pure data: no I/O (identity_files.h reads and writes the tables through
// System).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace flamingo::identity {

// Field counts of the four formats.
inline constexpr size_t kPasswdFields = 7;  // name:pw:uid:gid:gecos:home:shell
inline constexpr size_t kShadowFields =
    9;  // name:hash:lastchg:min:max:warn:inactive:expire:reserved
inline constexpr size_t kGroupFields = 4;    // name:pw:gid:members
inline constexpr size_t kGshadowFields = 4;  // name:pw:admins:members
inline constexpr size_t kMaxAccountFields = 9;

// One line of a table: an entry's fields, or (size() == 0) a line kept
// verbatim. The views it gives are valid until the table is edited.
class AccountEntry {
 public:
  size_t size() const { return count_; }
  // Field `i` (i < size()).
  std::string_view operator[](size_t i) const {
    size_t begin = i == 0 ? 0 : ends_[i - 1] + 1;
    return std::string_view(text_).substr(begin, ends_[i] - begin);
  }
  // The line as written (without its newline).
  const std::string& text() const { return text_; }
  std::vector<std::string> ToVector() const;

 private:
  friend class AccountTable;
  // Splits text_ into exactly `field_count` fields; false (and a verbatim
  // line) when it has another number of fields.
  bool Split(size_t field_count);
  // Replaces the bytes of field i with `value`.
  void Splice(size_t i, size_t from, size_t to, std::string_view value);

  std::string text_;
  std::array<uint32_t, kMaxAccountFields> ends_{};  // end offset of each
  uint8_t count_ = 0;
};

class AccountTable {
 public:
  // `field_count` is the number of fields an entry must have (at most
  // kMaxAccountFields).
  explicit AccountTable(size_t field_count) : field_count_(field_count) {}

  // Parses `text`. Lines that are not entries (wrong field count, empty name,
  // comments, NIS lines) are kept verbatim and never edited.
  static AccountTable Parse(std::string_view text, size_t field_count);
  // The text, ending with a newline when there is at least one line.
  std::string Serialize() const;

  size_t field_count() const { return field_count_; }
  // The entry named `name`, or null.
  const AccountEntry* Find(std::string_view name) const;
  // Sets the entry's fields (replacing in place, or appending). REQUIRES:
  // fields.size() == field_count(), fields[0] is the name and no field holds
  // ':' or '\n'.
  void Put(const std::vector<std::string>& fields);
  // Sets one field of an existing entry; false when there is no such entry
  // or field (index 0, the name, is never set).
  bool SetField(std::string_view name, size_t index, std::string_view value);
  // Appends `value` to one field of an existing entry (a member list grows
  // by one name at a time: O(length of value) for the last field).
  bool AppendToField(std::string_view name, size_t index,
                     std::string_view value);
  // Drops the entry; false when absent.
  bool Remove(std::string_view name);
  // Entries in file order.
  std::vector<const AccountEntry*> Entries() const;
  // 1-based line number of the entry, 0 when absent (for messages).
  size_t LineOf(std::string_view name) const;

 private:
  // The line of the entry named `name` (the first of duplicates), or -1.
  long IndexOf(std::string_view name) const;
  // Adds line `pos` to the index unless its name is there already.
  void IndexInsert(size_t pos) const;
  void RebuildIndex() const;
  AccountEntry* MutableEntry(std::string_view name, size_t index);

  size_t field_count_;
  std::vector<AccountEntry> lines_;
  // The index of entry lines by name: open addressing, linear probing; a
  // slot holds a line's position + 1 (0: empty), and there are at least
  // twice as many slots as entries (a power of two). Four bytes a slot,
  // not a node and a copy of each name: at thousands of accounts, a
  // quarter of the memory. Kept up to date by Put, rebuilt lazily after
  // Remove and when full.
  mutable std::vector<uint32_t> slots_;
  mutable size_t indexed_ = 0;  // entries in slots_
  mutable bool index_valid_ = false;
};

// Splits on ':' (every field, empty ones included).
std::vector<std::string> SplitFields(std::string_view line, char sep = ':');
// Comma-separated member list; empty string gives no members.
std::vector<std::string> SplitList(std::string_view s);
std::string JoinList(const std::vector<std::string>& items);

}  // namespace flamingo::identity
