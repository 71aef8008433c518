#include "schemas/value.h"

#include <nlohmann/json.hpp>

namespace flamingo {

namespace {
const std::string& EmptyString() {
  static const std::string* empty = new std::string();
  return *empty;
}
}  // namespace

Value::Value(const Value& o)
    : type_(o.type_),
      bool_(o.bool_),
      streamed_(o.streamed_),
      line_(o.line_),
      col_(o.col_),
      key_line_(o.key_line_),
      key_col_(o.key_col_),
      path_id_(o.path_id_),
      text_(o.text_),
      int_(o.int_),
      extra_(o.extra_ ? std::make_unique<Extra>(*o.extra_) : nullptr),
      file_(o.file_),
      paths_(o.paths_) {}

Value& Value::operator=(const Value& o) {
  if (this != &o) *this = Value(o);
  return *this;
}

const std::string& Value::tag() const {
  return extra_ && extra_->tag ? *extra_->tag : EmptyString();
}

const std::vector<Value>& Value::items() const {
  static const auto* none = new std::vector<Value>();
  return extra_ ? extra_->items : *none;
}

const std::vector<Value::Entry>& Value::entries() const {
  static const auto* none = new std::vector<Entry>();
  return extra_ ? extra_->entries : *none;
}

Value Value::String(std::string s) {
  Value v;
  v.SetScalar(Type::kString, std::move(s), false, 0);
  return v;
}
Value Value::Bool(bool b) {
  Value v;
  v.SetScalar(Type::kBool, b ? "true" : "false", b, 0);
  return v;
}
Value Value::Int(int64_t i) {
  Value v;
  v.SetScalar(Type::kInt, std::to_string(i), false, i);
  return v;
}
Value Value::List() {
  Value v;
  v.type_ = Type::kList;
  return v;
}
Value Value::Map() {
  Value v;
  v.type_ = Type::kMap;
  return v;
}

const char* Value::TypeName(Type t) {
  switch (t) {
    case Type::kNull:
      return "null";
    case Type::kBool:
      return "a boolean";
    case Type::kInt:
      return "an integer";
    case Type::kFloat:
      return "a number";
    case Type::kString:
      return "a string";
    case Type::kList:
      return "a list";
    case Type::kMap:
      return "a mapping";
  }
  return "?";
}

const Value* Value::Get(std::string_view key) const {
  for (const auto& [k, v] : entries()) {
    if (k == key) return &v;
  }
  return nullptr;
}

Value* Value::GetMutable(std::string_view key) {
  if (extra_ == nullptr) return nullptr;
  for (auto& [k, v] : extra_->entries) {
    if (k == key) return &v;
  }
  return nullptr;
}

void Value::Set(std::string key, Value v) {
  if (Value* existing = GetMutable(key)) {
    *existing = std::move(v);
    return;
  }
  MutableExtra().entries.emplace_back(std::move(key), std::move(v));
}

bool Value::Erase(std::string_view key) {
  if (extra_ == nullptr) return false;
  auto& entries = extra_->entries;
  for (auto it = entries.begin(); it != entries.end(); ++it) {
    if (it->first == key) {
      entries.erase(it);
      return true;
    }
  }
  return false;
}

const std::string& Value::file() const {
  return file_ ? *file_ : EmptyString();
}

std::string FormatPosition(const std::string& file, int line, int col) {
  std::string out = file.empty() ? "<input>" : file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (col > 0) out += ":" + std::to_string(col);
  }
  return out;
}

std::string SourcePosition::Format() const {
  return FormatPosition(file_ ? *file_ : std::string(), line_, col_);
}

std::string Value::Origin() const {
  return FormatPosition(file(), line_, col_);
}

void Value::SetOrigin(std::shared_ptr<const std::string> file, int line,
                      int col) {
  file_ = std::move(file);
  line_ = line;
  col_ = col;
}

PathTable::PathTable() {
  steps_.push_back({kRoot, 0, StepKind::kLiteral});
  strings_.emplace_back();
}

uint32_t PathTable::Add(Step s) {
  steps_.push_back(s);
  return static_cast<uint32_t>(steps_.size() - 1);
}

uint32_t PathTable::Literal(std::string path) {
  if (path.empty()) return kRoot;
  strings_.push_back(std::move(path));
  return Add(
      {kRoot, static_cast<uint32_t>(strings_.size() - 1), StepKind::kLiteral});
}

uint32_t PathTable::Index(uint32_t parent, size_t index) {
  return Add({parent, static_cast<uint32_t>(index), StepKind::kIndex});
}

uint32_t PathTable::Key(uint32_t parent, std::string_view key) {
  auto it = key_ids_.find(key);
  if (it == key_ids_.end()) {
    strings_.emplace_back(key);
    it = key_ids_
             .emplace(std::string(key),
                      static_cast<uint32_t>(strings_.size() - 1))
             .first;
  }
  return Add({parent, it->second, StepKind::kKey});
}

std::string PathTable::Format(uint32_t id) const {
  // The steps from the top down to id, then ChildPath's text of each.
  std::vector<uint32_t> chain;
  for (uint32_t at = id;; at = steps_[at].parent) {
    chain.push_back(at);
    if (steps_[at].kind == StepKind::kLiteral) break;
  }
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const Step& s = steps_[*it];
    switch (s.kind) {
      case StepKind::kLiteral:
        out = strings_[s.arg];
        break;
      case StepKind::kIndex:
        out = ChildPath(out, s.arg);
        break;
      case StepKind::kKey:
        out = ChildPath(out, strings_[s.arg]);
        break;
    }
  }
  return out;
}

std::string Value::path() const {
  return paths_ ? paths_->Format(path_id_) : std::string();
}

void Value::SetPath(std::string path) {
  // A table even for "": the children Repath gives it share it.
  if (!paths_) paths_ = std::make_shared<PathTable>();
  path_id_ = paths_->Literal(std::move(path));
}

uint32_t Value::SharePathTable(const Value& parent) {
  if (parent.paths_ == nullptr) {
    paths_ = std::make_shared<PathTable>();
    return PathTable::kRoot;
  }
  paths_ = parent.paths_;
  return parent.path_id_;
}

void Value::SetChildPath(const Value& parent, size_t index) {
  const uint32_t base = SharePathTable(parent);
  path_id_ = paths_->Index(base, index);
}

void Value::SetChildPath(const Value& parent, std::string_view key) {
  const uint32_t base = SharePathTable(parent);
  path_id_ = paths_->Key(base, key);
}

void Value::Repath(const std::string& root_path) {
  SetPath(root_path);
  RepathChildren();
}

void Value::RepathChildren() {
  if (extra_ == nullptr) return;
  for (size_t i = 0; i < extra_->items.size(); ++i) {
    extra_->items[i].SetChildPath(*this, i);
    extra_->items[i].RepathChildren();
  }
  for (auto& [k, v] : extra_->entries) {
    v.SetChildPath(*this, k);
    v.RepathChildren();
  }
}

std::string Value::ScalarText() const {
  if (is_null() || !is_scalar()) return "";
  return text_;
}

void Value::SetScalar(Type t, std::string text, bool b, int64_t i) {
  type_ = t;
  text_ = std::move(text);
  bool_ = b;
  int_ = i;
}

nlohmann::json Value::ToJson() const {
  switch (type_) {
    case Type::kNull:
      return nullptr;
    case Type::kBool:
      return bool_;
    case Type::kInt:
      return int_;
    case Type::kFloat: {
      try {
        return std::stod(text_);
      } catch (...) {
        return text_;
      }
    }
    case Type::kString:
      return text_;
    case Type::kList: {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& item : items()) j.push_back(item.ToJson());
      return j;
    }
    case Type::kMap: {
      nlohmann::json j = nlohmann::json::object();
      for (const auto& [k, v] : entries()) j[k] = v.ToJson();
      return j;
    }
  }
  return nullptr;
}

Value Value::FromJson(const nlohmann::json& j,
                      std::shared_ptr<const std::string> file) {
  Value v;
  v.file_ = file;
  if (j.is_null()) {
    v.type_ = Type::kNull;
  } else if (j.is_boolean()) {
    bool b = j.get<bool>();
    v.SetScalar(Type::kBool, b ? "true" : "false", b, 0);
  } else if (j.is_number_integer() || j.is_number_unsigned()) {
    int64_t i = j.is_number_unsigned() ? static_cast<int64_t>(j.get<uint64_t>())
                                       : j.get<int64_t>();
    v.SetScalar(Type::kInt, std::to_string(i), false, i);
  } else if (j.is_number_float()) {
    v.SetScalar(Type::kFloat, j.dump(), false, 0);
  } else if (j.is_string()) {
    v.SetScalar(Type::kString, j.get<std::string>(), false, 0);
  } else if (j.is_array()) {
    v.type_ = Type::kList;
    for (const auto& item : j) v.Append(FromJson(item, file));
  } else if (j.is_object()) {
    v.type_ = Type::kMap;
    for (auto it = j.begin(); it != j.end(); ++it) {
      v.mutable_entries().emplace_back(it.key(), FromJson(it.value(), file));
    }
  }
  return v;
}

bool Value::operator==(const Value& o) const {
  if (type_ != o.type_) return false;
  switch (type_) {
    case Type::kNull:
      return true;
    case Type::kBool:
      return bool_ == o.bool_;
    case Type::kInt:
      return int_ == o.int_;
    case Type::kFloat:
    case Type::kString:
      return text_ == o.text_;
    case Type::kList:
      return streamed_ == o.streamed_ && items() == o.items();
    case Type::kMap:
      return entries() == o.entries();
  }
  return false;
}

std::string ChildPath(const std::string& parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

std::string ChildPath(const std::string& parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string out = parent;
  out += '.';
  out += key;
  return out;
}

}  // namespace flamingo
