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

AccountTable AccountTable::Parse(std::string_view text, size_t field_count) {
  AccountTable t(field_count);
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view line =
        text.substr(start, nl == std::string_view::npos ? std::string_view::npos
                                                        : nl - start);
    start = nl == std::string_view::npos ? text.size() : nl + 1;
    Line l;
    char first = line.empty() ? '\0' : line[0];
    auto fields = SplitFields(line);
    if (first != '#' && first != '+' && first != '-' &&
        fields.size() == field_count && !fields[0].empty()) {
      l.is_entry = true;
      l.fields = std::move(fields);
    } else {
      l.raw = std::string(line);
    }
    t.lines_.push_back(std::move(l));
  }
  return t;
}

std::string AccountTable::Serialize() const {
  std::string out;
  for (const auto& l : lines_) {
    if (l.is_entry) {
      for (size_t i = 0; i < l.fields.size(); ++i) {
        if (i > 0) out += ':';
        out += l.fields[i];
      }
    } else {
      out += l.raw;
    }
    out += '\n';
  }
  return out;
}

long AccountTable::IndexOf(std::string_view name) const {
  if (!index_valid_) {
    index_.clear();
    for (size_t i = 0; i < lines_.size(); ++i) {
      if (lines_[i].is_entry) index_.emplace(lines_[i].fields[0], i);
    }
    index_valid_ = true;
  }
  auto it = index_.find(std::string(name));
  return it == index_.end() ? -1 : static_cast<long>(it->second);
}

const std::vector<std::string>* AccountTable::Find(
    std::string_view name) const {
  long i = IndexOf(name);
  return i < 0 ? nullptr : &lines_[static_cast<size_t>(i)].fields;
}

void AccountTable::Put(std::vector<std::string> fields) {
  if (long i = IndexOf(fields[0]); i >= 0) {
    lines_[static_cast<size_t>(i)].fields = std::move(fields);
    return;
  }
  // Append after the last non-empty line (keep trailing blank lines last).
  size_t pos = lines_.size();
  while (pos > 0 && !lines_[pos - 1].is_entry && lines_[pos - 1].raw.empty()) {
    --pos;
  }
  // Only blank lines follow `pos`: no entry moves, the index stays valid.
  if (index_valid_) index_.emplace(fields[0], pos);
  Line l;
  l.is_entry = true;
  l.fields = std::move(fields);
  lines_.insert(lines_.begin() + static_cast<std::ptrdiff_t>(pos),
                std::move(l));
}

bool AccountTable::SetField(std::string_view name, size_t index,
                            std::string value) {
  long i = IndexOf(name);
  if (i < 0 || index == 0) return false;
  auto& fields = lines_[static_cast<size_t>(i)].fields;
  if (index >= fields.size()) return false;
  fields[index] = std::move(value);
  return true;
}

std::string* AccountTable::MutableField(std::string_view name, size_t index) {
  long i = IndexOf(name);
  if (i < 0 || index == 0) return nullptr;
  auto& fields = lines_[static_cast<size_t>(i)].fields;
  return index < fields.size() ? &fields[index] : nullptr;
}

bool AccountTable::Remove(std::string_view name) {
  for (auto it = lines_.begin(); it != lines_.end(); ++it) {
    if (it->is_entry && it->fields[0] == name) {
      lines_.erase(it);
      index_valid_ = false;
      return true;
    }
  }
  return false;
}

std::vector<const std::vector<std::string>*> AccountTable::Entries() const {
  std::vector<const std::vector<std::string>*> out;
  for (const auto& l : lines_) {
    if (l.is_entry) out.push_back(&l.fields);
  }
  return out;
}

size_t AccountTable::LineOf(std::string_view name) const {
  long i = IndexOf(name);
  return i < 0 ? 0 : static_cast<size_t>(i) + 1;
}

}  // namespace flamingo::identity
