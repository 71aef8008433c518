// Value: a YAML/JSON document tree that remembers where every node came from
// (file, line, column, config path). Cloud-config is loaded into this tree
// once; validation, merging and compilation to resources all work on it, so
// every error can name its place. Scalars keep their source text and are typed
// with YAML 1.1 rules as PyYAML (and so cloud-init) types them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace flamingo {

// "FILE:LINE:COL" of a position in an input: "<input>" for an unnamed
// file; COL, or LINE and COL, left out when unknown (0).
std::string FormatPosition(const std::string& file, int line, int col);

// Where a node was written, kept unformatted: the file name shared with the
// document's other nodes, its line and column (24 bytes, where the text
// "FILE:LINE:COL" is a string of its own). For what is kept per resource.
class SourcePosition {
 public:
  SourcePosition() = default;
  SourcePosition(std::shared_ptr<const std::string> file, int line, int col)
      : file_(std::move(file)), line_(line), col_(col) {}
  // FormatPosition of it: what Value::Origin() gives for the node.
  std::string Format() const;

 private:
  std::shared_ptr<const std::string> file_;
  int line_ = 0;
  int col_ = 0;
};

// The config paths of one document's nodes ("users[1].shell"), shared by
// its Values: each path is a step below another one ("[1]", ".shell"), a
// 12-byte entry with the keys interned, where a string per node took 32
// bytes and often a heap block (10,000 write_files entries: 2.5 MB). Only
// ever appended to: an id stays valid as long as the table. Not for
// concurrent use: a copy of a Value shares its document's table, and
// setting a child's path appends to it.
class PathTable {
 public:
  static constexpr uint32_t kRoot = 0;  // the path ""

  PathTable();
  // A path given whole.
  uint32_t Literal(std::string path);
  // parent's path + "[index]" / ".key" (just "key" below the root).
  uint32_t Index(uint32_t parent, size_t index);
  uint32_t Key(uint32_t parent, std::string_view key);
  std::string Format(uint32_t id) const;

 private:
  enum class StepKind : uint8_t { kLiteral, kIndex, kKey };
  struct Step {
    uint32_t parent;
    uint32_t arg;  // kIndex: the index; else: strings_[arg]
    StepKind kind;
  };
  uint32_t Add(Step s);
  std::vector<Step> steps_;
  std::vector<std::string> strings_;
  // Looked up by string_view (no string made for a key already seen).
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view k) const {
      return std::hash<std::string_view>()(k);
    }
  };
  std::unordered_map<std::string, uint32_t, KeyHash, std::equal_to<>>
      key_ids_;  // into strings_
};

class Value {
 public:
  enum class Type : uint8_t {
    kNull,
    kBool,
    kInt,
    kFloat,
    kString,
    kList,
    kMap
  };

  Value() = default;
  Value(const Value& o);
  Value& operator=(const Value& o);
  Value(Value&&) noexcept = default;
  Value& operator=(Value&&) noexcept = default;
  ~Value() = default;
  static Value Null() { return Value(); }
  static Value String(std::string s);
  static Value Bool(bool b);
  static Value Int(int64_t i);
  static Value List();
  static Value Map();

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_int() const { return type_ == Type::kInt; }
  bool is_number() const {
    return type_ == Type::kInt || type_ == Type::kFloat;
  }
  bool is_list() const { return type_ == Type::kList; }
  bool is_map() const { return type_ == Type::kMap; }
  bool is_scalar() const { return !is_list() && !is_map(); }
  // Name of the type for messages: "a string", "a list", ...
  static const char* TypeName(Type t);

  // Scalars. The text is the source text (for null: "" or "~" or "null").
  const std::string& text() const { return text_; }
  bool as_bool() const { return bool_; }
  int64_t as_int() const { return int_; }
  // YAML tag as written ("!!binary" -> "tag:yaml.org,2002:binary"), or "".
  const std::string& tag() const;

  // Lists.
  const std::vector<Value>& items() const;
  std::vector<Value>& mutable_items() { return MutableExtra().items; }
  void Append(Value v) { MutableExtra().items.push_back(std::move(v)); }
  // A list whose items were handed to a ListItemSink as they were parsed
  // (yaml_loader.h) instead of being kept: items() is empty, and whoever
  // consumes the list asks the sink. Copies keep the mark.
  bool is_streamed() const { return streamed_; }
  // REQUIRES: is_list().
  void MarkStreamed() { streamed_ = true; }

  // Maps keep insertion order; keys are strings (non-string YAML keys are
  // rendered to their text).
  using Entry = std::pair<std::string, Value>;
  const std::vector<Entry>& entries() const;
  std::vector<Entry>& mutable_entries() { return MutableExtra().entries; }
  const Value* Get(std::string_view key) const;
  Value* GetMutable(std::string_view key);
  // Sets key (replacing an existing entry in place).
  void Set(std::string key, Value v);
  bool Erase(std::string_view key);

  // Where the node came from. file may be shared by many nodes.
  const std::string& file() const;
  int line() const { return line_; }  // 1-based, 0 = unknown
  int col() const { return col_; }    // 1-based, 0 = unknown
  // For a mapping's value: where its key is written (0 = unknown). Messages
  // about the key itself ("unknown key 'x'") point here.
  int key_line() const { return key_line_; }
  int key_col() const { return key_col_; }
  void SetKeyOrigin(int line, int col) {
    key_line_ = line;
    key_col_ = col;
  }
  // "FILE:LINE:COL" (FormatPosition): where messages and a resource's
  // Origin() say it was written.
  std::string Origin() const;
  // The same place, unformatted.
  SourcePosition Position() const { return {file_, line_, col_}; }
  // The config path ("users[1].shell"; "" for a document's root), made on
  // request from the document's PathTable.
  std::string path() const;
  void SetOrigin(std::shared_ptr<const std::string> file, int line, int col);
  // Sets path() of this node only.
  void SetPath(std::string path);
  // Sets path() of this node only to parent's path + "[index]" / ".key",
  // in the parent's path table (the loader: no string is made).
  void SetChildPath(const Value& parent, size_t index);
  void SetChildPath(const Value& parent, std::string_view key);
  // Recomputes path() of every node below this one from `root_path`.
  void Repath(const std::string& root_path);
  // Recomputes path() of every node below this one from this one's.
  void RepathChildren();

  // Scalar as text for string-ish use: strings, numbers and bools give their
  // text; null gives "". Lists/maps give "".
  std::string ScalarText() const;

  nlohmann::json ToJson() const;
  static Value FromJson(const nlohmann::json& j,
                        std::shared_ptr<const std::string> file = nullptr);

  // Structural equality (ignores positions).
  bool operator==(const Value& o) const;

  // Internal: used by the loader to set a typed scalar.
  void SetScalar(Type t, std::string text, bool b, int64_t i);
  void SetTag(std::string tag) {
    MutableExtra().tag = std::make_unique<std::string>(std::move(tag));
  }

 private:
  // What only containers and tagged scalars have, out of line: a document
  // is mostly untagged scalars (120 bytes a node instead of 192). Tags are
  // rare even there: out of line too (a container's Extra is 56 bytes, a
  // 64-byte heap block instead of 96).
  struct Extra {
    Extra() = default;
    Extra(const Extra& o)
        : tag(o.tag ? std::make_unique<std::string>(*o.tag) : nullptr),
          items(o.items),
          entries(o.entries) {}
    std::unique_ptr<std::string> tag;  // null: untagged
    std::vector<Value> items;
    std::vector<Entry> entries;
  };
  // Takes parent's path table (a new one when it has none); returns the
  // parent's id in it.
  uint32_t SharePathTable(const Value& parent);
  Extra& MutableExtra() {
    if (extra_ == nullptr) extra_ = std::make_unique<Extra>();
    return *extra_;
  }

  Type type_ = Type::kNull;
  bool bool_ = false;      // beside type_: no padding of its own
  bool streamed_ = false;  // likewise
  int line_ = 0;
  int col_ = 0;
  int key_line_ = 0;
  int key_col_ = 0;
  uint32_t path_id_ =
      PathTable::kRoot;  // in paths_ (beside the ints: no padding)
  std::string text_;
  int64_t int_ = 0;
  std::unique_ptr<Extra> extra_;  // null: no tag, no items, no entries
  std::shared_ptr<const std::string> file_;
  std::shared_ptr<PathTable> paths_;  // null: the path ""
};

// Joins a config path: ChildPath("users", 1) = "users[1]",
// ChildPath("users[1]", "shell") = "users[1].shell".
std::string ChildPath(const std::string& parent, size_t index);
std::string ChildPath(const std::string& parent, std::string_view key);

}  // namespace flamingo
