// RecordTable: every resource's Record by id, as the state file keeps them
// between runs; the table a plan reads and an apply updates.
//
// Compact: each record is one encoded entry (its id and fields,
// length-prefixed) in a single buffer, found through an open-addressing
// table of offsets. At 10,000 files a std::map of Records took 2.2 MB (a
// tree node, a vector and a heap id per record, for "created": "true"); the
// table takes about 0.6 MB. Records are decoded on access: Get returns a
// copy, which the caller may change and Set back.
//
// Lookups and changes cost O(1) on average; ForEach sorts the ids (a
// vector of 4 bytes per record). A replaced or erased entry is garbage
// until the buffer is compacted (when the garbage outgrows what is live).
// Ids and fields may hold any bytes. The buffer holds at most 4 GiB.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "engine/record.h"

namespace flamingo {

class RecordTable {
 public:
  RecordTable() = default;
  RecordTable(const RecordTable& other);
  RecordTable& operator=(const RecordTable& other);
  RecordTable(RecordTable&& other) noexcept;
  RecordTable& operator=(RecordTable&& other) noexcept;
  ~RecordTable() = default;

  // The record of `id`, decoded; nullopt when there is none.
  std::optional<Record> Get(std::string_view id) const;
  // The record of `id`; throws std::out_of_range when there is none.
  Record at(std::string_view id) const;
  bool contains(std::string_view id) const;
  size_t size() const { return live_; }
  bool empty() const { return live_ == 0; }

  // Records `record` for `id`, replacing any record it had (an equal one
  // is left as it is: no garbage).
  void Set(std::string_view id, const Record& record);
  // Records an empty record for `id` unless it has one.
  void Touch(std::string_view id);
  // Whether `id` had a record (now gone).
  bool Erase(std::string_view id);
  void clear();

  // Calls fn(id) for every id in ascending (or descending) byte order.
  // fn must not change the table; the views last until the next change.
  void ForEachId(const std::function<void(std::string_view id)>& fn,
                 bool descending = false) const;
  // Calls fn(id, record) for every id in ascending byte order.
  void ForEach(
      const std::function<void(std::string_view id, const Record&)>& fn) const;

  // The same ids with equal records.
  bool operator==(const RecordTable& other) const;

  // Bytes the buffer and the slots hold (for tests and measurements).
  size_t MemoryUsage() const;

 private:
  static constexpr uint32_t kEmpty = 0;
  static constexpr uint32_t kErased = UINT32_MAX;

  struct FreeDeleter {
    void operator()(char* p) const;
  };

  // The id of the entry at `offset`.
  std::string_view IdAt(uint32_t offset) const;
  // The slot holding `id`, or -1.
  long FindSlot(std::string_view id) const;
  // Appends the encoding of (id, record); returns its offset.
  uint32_t Append(std::string_view encoded);
  // The size of the entry at `offset`.
  size_t EntrySize(uint32_t offset) const;
  // Rebuilds the slots for `capacity` (a power of two), dropping erased
  // marks; with `compact`, the buffer keeps only live entries.
  void Rebuild(size_t capacity, bool compact);
  void Reserve(size_t bytes);
  // Sorted offsets of the live entries.
  std::vector<uint32_t> SortedOffsets() const;

  std::unique_ptr<char, FreeDeleter> data_;
  size_t used_ = 0;      // bytes of data_ in use
  size_t capacity_ = 0;  // bytes of data_ allocated
  size_t garbage_ = 0;   // bytes of replaced or erased entries
  // Open addressing, linear probing: offset + 1 of an entry, kEmpty, or
  // kErased. The size is a power of two (or zero).
  std::vector<uint32_t> slots_;
  size_t live_ = 0;
  size_t erased_ = 0;  // kErased slots
};

}  // namespace flamingo
