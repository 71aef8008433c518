#include "engine/record_table.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

namespace flamingo {

namespace {

// An entry: varint(id size) id varint(field count) then per field
// varint(name size) name varint(value size) value.
void PutVarint(size_t n, std::string* out) {
  while (n >= 0x80) {
    out->push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out->push_back(static_cast<char>(n));
}

size_t GetVarint(const char** p) {
  size_t n = 0;
  for (int shift = 0;; shift += 7) {
    const auto byte = static_cast<unsigned char>(*(*p)++);
    n |= static_cast<size_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return n;
  }
}

std::string_view GetBytes(const char** p) {
  const size_t n = GetVarint(p);
  std::string_view s(*p, n);
  *p += n;
  return s;
}

void PutBytes(std::string_view s, std::string* out) {
  PutVarint(s.size(), out);
  out->append(s);
}

std::string Encode(std::string_view id, const Record& record) {
  std::string out;
  PutBytes(id, &out);
  PutVarint(record.size(), &out);
  for (const auto& [name, value] : record) {
    PutBytes(name, &out);
    PutBytes(value, &out);
  }
  return out;
}

// The fields after the id at `p`.
Record DecodeFields(const char* p) {
  Record record;
  const size_t n = GetVarint(&p);
  for (size_t i = 0; i < n; ++i) {
    std::string_view name = GetBytes(&p);
    std::string_view value = GetBytes(&p);
    record[name] = std::string(value);
  }
  return record;
}

size_t HashId(std::string_view id) { return std::hash<std::string_view>()(id); }

}  // namespace

void RecordTable::FreeDeleter::operator()(char* p) const { std::free(p); }

RecordTable::RecordTable(const RecordTable& other) { *this = other; }

RecordTable& RecordTable::operator=(const RecordTable& other) {
  if (this == &other) return *this;
  clear();
  Reserve(other.used_);
  if (other.used_ != 0)
    std::memcpy(data_.get(), other.data_.get(), other.used_);
  used_ = other.used_;
  garbage_ = other.garbage_;
  slots_ = other.slots_;
  live_ = other.live_;
  erased_ = other.erased_;
  return *this;
}

RecordTable::RecordTable(RecordTable&& other) noexcept {
  *this = std::move(other);
}

RecordTable& RecordTable::operator=(RecordTable&& other) noexcept {
  if (this == &other) return *this;
  data_ = std::move(other.data_);
  used_ = std::exchange(other.used_, 0);
  capacity_ = std::exchange(other.capacity_, 0);
  garbage_ = std::exchange(other.garbage_, 0);
  slots_ = std::move(other.slots_);
  other.slots_.clear();
  live_ = std::exchange(other.live_, 0);
  erased_ = std::exchange(other.erased_, 0);
  return *this;
}

std::string_view RecordTable::IdAt(uint32_t offset) const {
  const char* p = data_.get() + offset;
  return GetBytes(&p);
}

size_t RecordTable::EntrySize(uint32_t offset) const {
  const char* begin = data_.get() + offset;
  const char* p = begin;
  GetBytes(&p);
  const size_t n = GetVarint(&p);
  for (size_t i = 0; i < 2 * n; ++i) GetBytes(&p);
  return static_cast<size_t>(p - begin);
}

long RecordTable::FindSlot(std::string_view id) const {
  if (slots_.empty()) return -1;
  const size_t mask = slots_.size() - 1;
  for (size_t i = HashId(id) & mask;; i = (i + 1) & mask) {
    const uint32_t s = slots_[i];
    if (s == kEmpty) return -1;
    if (s != kErased && IdAt(s - 1) == id) return static_cast<long>(i);
  }
}

void RecordTable::Reserve(size_t bytes) {
  if (bytes <= capacity_) return;
  if (bytes > UINT32_MAX - 1) throw std::length_error("record table is full");
  // Grown by half: realloc moves a large buffer by remapping its pages,
  // so growing costs no second copy of it.
  size_t capacity = std::max({bytes, capacity_ + capacity_ / 2, size_t{256}});
  capacity = std::min<size_t>(capacity, UINT32_MAX - 1);
  void* p = std::realloc(data_.get(), capacity);
  if (p == nullptr) throw std::bad_alloc();
  data_.release();
  data_.reset(static_cast<char*>(p));
  capacity_ = capacity;
}

uint32_t RecordTable::Append(std::string_view encoded) {
  Reserve(used_ + encoded.size());
  std::memcpy(data_.get() + used_, encoded.data(), encoded.size());
  const auto offset = static_cast<uint32_t>(used_);
  used_ += encoded.size();
  return offset;
}

void RecordTable::Rebuild(size_t capacity, bool compact) {
  std::vector<uint32_t> offsets;
  offsets.reserve(live_);
  for (uint32_t s : slots_) {
    if (s != kEmpty && s != kErased) offsets.push_back(s - 1);
  }
  if (compact) {
    // Kept in offset order: each entry moves down, never over one not yet
    // moved.
    std::sort(offsets.begin(), offsets.end());
    size_t to = 0;
    for (uint32_t& off : offsets) {
      const size_t n = EntrySize(off);
      std::memmove(data_.get() + to, data_.get() + off, n);
      off = static_cast<uint32_t>(to);
      to += n;
    }
    used_ = to;
    garbage_ = 0;
  }
  std::vector<uint32_t>(capacity, kEmpty).swap(slots_);
  erased_ = 0;
  const size_t mask = capacity - 1;
  for (uint32_t off : offsets) {
    size_t i = HashId(IdAt(off)) & mask;
    while (slots_[i] != kEmpty) i = (i + 1) & mask;
    slots_[i] = off + 1;
  }
}

std::optional<Record> RecordTable::Get(std::string_view id) const {
  const long slot = FindSlot(id);
  if (slot < 0) return std::nullopt;
  const char* p = data_.get() + (slots_[static_cast<size_t>(slot)] - 1);
  GetBytes(&p);
  return DecodeFields(p);
}

Record RecordTable::at(std::string_view id) const {
  auto record = Get(id);
  if (!record) {
    throw std::out_of_range("no record for " + std::string(id));
  }
  return std::move(*record);
}

bool RecordTable::contains(std::string_view id) const {
  return FindSlot(id) >= 0;
}

void RecordTable::Set(std::string_view id, const Record& record) {
  const std::string encoded = Encode(id, record);
  const long slot = FindSlot(id);
  if (slot >= 0) {
    uint32_t& s = slots_[static_cast<size_t>(slot)];
    const size_t old_size = EntrySize(s - 1);
    if (std::string_view(data_.get() + (s - 1), old_size) == encoded) return;
    if (old_size >= encoded.size()) {
      // In place; the tail it no longer needs is garbage.
      std::memcpy(data_.get() + (s - 1), encoded.data(), encoded.size());
      garbage_ += old_size - encoded.size();
    } else {
      garbage_ += old_size;
      s = Append(encoded) + 1;
    }
  } else {
    if ((live_ + erased_ + 1) * 10 > slots_.size() * 7) {
      size_t capacity = 16;
      while (capacity * 7 < (live_ + 1) * 10 * 2) capacity *= 2;
      Rebuild(capacity, /*compact=*/false);
    }
    const uint32_t offset = Append(encoded);
    const size_t mask = slots_.size() - 1;
    size_t i = HashId(id) & mask;
    while (slots_[i] != kEmpty && slots_[i] != kErased) i = (i + 1) & mask;
    if (slots_[i] == kErased) --erased_;
    slots_[i] = offset + 1;
    ++live_;
  }
  if (garbage_ > 4096 && garbage_ > used_ / 2) Rebuild(slots_.size(), true);
}

void RecordTable::Touch(std::string_view id) {
  if (!contains(id)) Set(id, Record());
}

bool RecordTable::Erase(std::string_view id) {
  const long slot = FindSlot(id);
  if (slot < 0) return false;
  uint32_t& s = slots_[static_cast<size_t>(slot)];
  garbage_ += EntrySize(s - 1);
  s = kErased;
  ++erased_;
  --live_;
  if (live_ == 0) {
    clear();
  } else if (garbage_ > 4096 && garbage_ > used_ / 2) {
    Rebuild(slots_.size(), true);
  }
  return true;
}

void RecordTable::clear() {
  data_.reset();
  used_ = capacity_ = garbage_ = 0;
  std::vector<uint32_t>().swap(slots_);
  live_ = erased_ = 0;
}

std::vector<uint32_t> RecordTable::SortedOffsets() const {
  std::vector<uint32_t> offsets;
  offsets.reserve(live_);
  for (uint32_t s : slots_) {
    if (s != kEmpty && s != kErased) offsets.push_back(s - 1);
  }
  std::sort(offsets.begin(), offsets.end(),
            [this](uint32_t a, uint32_t b) { return IdAt(a) < IdAt(b); });
  return offsets;
}

void RecordTable::ForEachId(const std::function<void(std::string_view)>& fn,
                            bool descending) const {
  std::vector<uint32_t> offsets = SortedOffsets();
  if (descending) std::reverse(offsets.begin(), offsets.end());
  for (uint32_t off : offsets) fn(IdAt(off));
}

void RecordTable::ForEach(
    const std::function<void(std::string_view, const Record&)>& fn) const {
  for (uint32_t off : SortedOffsets()) {
    const char* p = data_.get() + off;
    std::string_view id = GetBytes(&p);
    fn(id, DecodeFields(p));
  }
}

bool RecordTable::operator==(const RecordTable& other) const {
  if (live_ != other.live_) return false;
  for (uint32_t s : slots_) {
    if (s == kEmpty || s == kErased) continue;
    const char* p = data_.get() + (s - 1);
    std::string_view id = GetBytes(&p);
    auto theirs = other.Get(id);
    if (!theirs || *theirs != DecodeFields(p)) return false;
  }
  return true;
}

size_t RecordTable::MemoryUsage() const {
  return capacity_ + slots_.capacity() * sizeof(uint32_t);
}

}  // namespace flamingo
