#include "resources/identity/account_table.h"

namespace flamingo::identity {

std::vector<std::string> SplitFields(std::string_view line, char sep) {
  std::vector<std::string> out;
  out.reserve(9);
  size_t start = 0;
  while (true) {
    size_t pos = line.find(sep, start);
    if (pos == std::string_view::npos) {
      out.emplace_back(line.substr(start));
      return out;
    }
    out.emplace_back(line.substr(start, pos - start));
    start = pos + 1;
  }
}

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  for (auto& item : SplitFields(s, ',')) {
    if (!item.empty()) out.push_back(std::move(item));
  }
  return out;
}

std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += ',';
    out += i;
  }
  return out;
}

std::vector<std::string> AccountEntry::ToVector() const {
  std::vector<std::string> out;
  out.reserve(count_);
  for (size_t i = 0; i < count_; ++i) out.emplace_back((*this)[i]);
  return out;
}

bool AccountEntry::Split(size_t field_count) {
  count_ = 0;
  char first = text_.empty() ? '\0' : text_[0];
  if (first == '#' || first == '+' || first == '-' || first == ':' ||
      first == '\0' || field_count > kMaxAccountFields) {
    return false;
  }
  size_t n = 0;
  for (size_t pos = 0;; ++pos) {
    pos = text_.find(':', pos);
    if (pos == std::string::npos) break;
    if (n + 1 >= field_count) return false;  // too many fields
    ends_[n++] = static_cast<uint32_t>(pos);
  }
  if (n + 1 != field_count) return false;
  ends_[n] = static_cast<uint32_t>(text_.size());
  count_ = static_cast<uint8_t>(field_count);
  return true;
}

void AccountEntry::Splice(size_t i, size_t from, size_t to,
                          std::string_view value) {
  text_.replace(from, to - from, value);
  auto delta =
      static_cast<int64_t>(value.size()) - static_cast<int64_t>(to - from);
  for (size_t j = i; j < count_; ++j) {
    ends_[j] = static_cast<uint32_t>(ends_[j] + delta);
  }
}

AccountTable AccountTable::Parse(std::string_view text, size_t field_count) {
  AccountTable t(field_count);
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  t.lines_.reserve(lines + 1);
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view line =
        text.substr(start, nl == std::string_view::npos ? std::string_view::npos
                                                        : nl - start);
    start = nl == std::string_view::npos ? text.size() : nl + 1;
    AccountEntry& e = t.lines_.emplace_back();
    e.text_ = std::string(line);
    e.Split(field_count);
  }
  return t;
}

std::string AccountTable::Serialize() const {
  size_t size = 0;
  for (const auto& l : lines_) size += l.text_.size() + 1;
  std::string out;
  out.reserve(size);
  for (const auto& l : lines_) {
    out += l.text_;
    out += '\n';
  }
  return out;
}

namespace {

size_t NameHash(std::string_view name) {
  return std::hash<std::string_view>()(name);
}

}  // namespace

void AccountTable::RebuildIndex() const {
  size_t entries = 0;
  for (const auto& l : lines_) entries += l.count_ > 0;
  size_t size = 8;
  while (size < 4 * (entries + 1)) size *= 2;  // half full at the most
  slots_.assign(size, 0);
  indexed_ = 0;
  for (size_t i = 0; i < lines_.size(); ++i) {
    if (lines_[i].count_ > 0) IndexInsert(i);
  }
  index_valid_ = true;
}

void AccountTable::IndexInsert(size_t pos) const {
  const std::string_view name = lines_[pos][0];
  const size_t mask = slots_.size() - 1;
  for (size_t s = NameHash(name) & mask;; s = (s + 1) & mask) {
    if (slots_[s] == 0) {
      slots_[s] = static_cast<uint32_t>(pos + 1);
      ++indexed_;
      return;
    }
    if (lines_[slots_[s] - 1][0] == name) return;  // the first one stays
  }
}

long AccountTable::IndexOf(std::string_view name) const {
  if (!index_valid_) RebuildIndex();
  const size_t mask = slots_.size() - 1;
  for (size_t s = NameHash(name) & mask;; s = (s + 1) & mask) {
    const uint32_t v = slots_[s];
    if (v == 0) return -1;
    if (lines_[v - 1][0] == name) return static_cast<long>(v - 1);
  }
}

const AccountEntry* AccountTable::Find(std::string_view name) const {
  long i = IndexOf(name);
  return i < 0 ? nullptr : &lines_[static_cast<size_t>(i)];
}

AccountEntry* AccountTable::MutableEntry(std::string_view name, size_t index) {
  long i = IndexOf(name);
  if (i < 0 || index == 0) return nullptr;
  AccountEntry& e = lines_[static_cast<size_t>(i)];
  return index < e.count_ ? &e : nullptr;
}

void AccountTable::Put(const std::vector<std::string>& fields) {
  AccountEntry e;
  size_t size = fields.size();
  for (const auto& f : fields) size += f.size();
  e.text_.reserve(size);
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) e.text_ += ':';
    e.text_ += fields[i];
    e.ends_[i] = static_cast<uint32_t>(e.text_.size());
  }
  e.count_ = static_cast<uint8_t>(fields.size());
  if (long i = IndexOf(fields[0]); i >= 0) {
    lines_[static_cast<size_t>(i)] = std::move(e);
    return;
  }
  // Append after the last non-empty line (keep trailing blank lines last).
  size_t pos = lines_.size();
  while (pos > 0 && lines_[pos - 1].count_ == 0 &&
         lines_[pos - 1].text_.empty()) {
    --pos;
  }
  // Only blank lines follow `pos`: no entry moves, the index stays valid.
  lines_.insert(lines_.begin() + static_cast<std::ptrdiff_t>(pos),
                std::move(e));
  if (!index_valid_) return;
  if (2 * (indexed_ + 2) > slots_.size()) {
    index_valid_ = false;  // full: rebuilt twice as large when next used
  } else {
    IndexInsert(pos);
  }
}

bool AccountTable::SetField(std::string_view name, size_t index,
                            std::string_view value) {
  AccountEntry* e = MutableEntry(name, index);
  if (e == nullptr) return false;
  size_t from = e->ends_[index - 1] + 1;
  e->Splice(index, from, e->ends_[index], value);
  return true;
}

bool AccountTable::AppendToField(std::string_view name, size_t index,
                                 std::string_view value) {
  AccountEntry* e = MutableEntry(name, index);
  if (e == nullptr) return false;
  e->Splice(index, e->ends_[index], e->ends_[index], value);
  return true;
}

bool AccountTable::Remove(std::string_view name) {
  long i = IndexOf(name);
  if (i < 0) return false;
  lines_.erase(lines_.begin() + i);
  index_valid_ = false;  // the lines after it moved
  return true;
}

std::vector<const AccountEntry*> AccountTable::Entries() const {
  std::vector<const AccountEntry*> out;
  for (const auto& l : lines_) {
    if (l.count_ > 0) out.push_back(&l);
  }
  return out;
}

size_t AccountTable::LineOf(std::string_view name) const {
  long i = IndexOf(name);
  return i < 0 ? 0 : static_cast<size_t>(i) + 1;
}

}  // namespace flamingo::identity
