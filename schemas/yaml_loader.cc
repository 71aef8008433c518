#include "schemas/yaml_loader.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <istream>
#include <memory>
#include <streambuf>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "schemas/yaml_resolve.h"

namespace flamingo {
namespace {

// Thrown by the builder to stop the parser when a limit is hit.
struct LimitHit {
  YAML::Mark mark;
  std::string message;
};

// Builds the Value tree straight from yaml-cpp's parser events (no
// YAML::Node in between: that is several times slower on big configs).
// Aliases are expanded by copying the anchored value; every node created,
// copies included, counts against the node limit, so expansion is bounded.
class Builder : public YAML::EventHandler {
 public:
  Builder(std::shared_ptr<const std::string> file, YamlLoadLimits limits)
      : file_(std::move(file)), limits_(limits) {}

  bool done() const { return done_; }
  Value TakeRoot() { return std::move(root_); }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Value v;
    Start(mark, &v);
    Finish(std::move(v), anchor, 1);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) {
      throw LimitHit{mark, "invalid YAML: alias to an unknown anchor"};
    }
    Count(mark, it->second.nodes);
    Value v = it->second.value;  // keeps the anchored text's positions
    if (!ExpectingKey()) {
      SetNextPath(&v);
      v.RepathChildren();
    }
    Finish(std::move(v), 0, it->second.nodes);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag,
                YAML::anchor_t anchor, const std::string& text) override {
    // yaml-cpp decodes some escapes ("\_", "\xNN") to raw Latin-1 bytes;
    // PyYAML gives the code points: U+00A0, U+00NN. Every string in the
    // tree stays valid UTF-8 (JSON output, messages).
    Value v = ResolveTaggedScalar(LatinBytesToUtf8(text), tag);
    Start(mark, &v);
    if (tag == "?" && text == "<<") merge_key_candidate_ = true;
    Finish(std::move(v), anchor, 1);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&,
                       YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, anchor, Value::List());
  }

  void OnMapStart(const YAML::Mark& mark, const std::string&,
                  YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
    Open(mark, anchor, Value::Map());
  }

  void OnSequenceEnd() override { Close(); }

  void OnMapEnd() override {
    Frame& f = stack_.back();
    for (Value& m : f.merges) Merge(std::move(m), &f);
    Close();
  }

 private:
  struct Frame {
    Value value;
    YAML::anchor_t anchor = 0;
    size_t nodes_before = 0;  // nodes_ when this collection started
    // Maps: the key waiting for its value, and the key index.
    bool have_key = false;
    bool key_is_merge = false;
    std::string key;
    YAML::Mark key_mark;
    std::unordered_map<std::string, size_t> index;
    std::vector<Value> merges;
    // The list under limits_.item_sink's key: its items go to the sink.
    bool to_sink = false;
    size_t streamed = 0;  // items handed to the sink so far
  };

  struct Anchored {
    Value value;
    size_t nodes;
  };

  void Count(const YAML::Mark& mark, size_t n) {
    nodes_ += n;
    if (nodes_ > limits_.max_nodes) {
      throw LimitHit{mark,
                     "document too large after alias expansion (more than " +
                         std::to_string(limits_.max_nodes) + " nodes)"};
    }
  }

  bool ExpectingKey() const {
    return !stack_.empty() && stack_.back().value.is_map() &&
           !stack_.back().have_key;
  }

  static YAML::Mark MarkOf(const Value& v) {
    YAML::Mark m;
    m.line = v.line() - 1;
    m.column = v.col() - 1;
    return m;
  }

  // Sets the config path of the next item or value (the root's: "").
  void SetNextPath(Value* v) const {
    if (stack_.empty()) return v->SetPath("");
    const Frame& f = stack_.back();
    if (f.value.is_list()) {
      return v->SetChildPath(f.value, f.value.items().size() + f.streamed);
    }
    v->SetChildPath(f.value, f.key);
  }

  // Gives a new node its origin and path.
  void Start(const YAML::Mark& mark, Value* v) {
    Count(mark, 1);
    if (mark.is_null()) {  // yaml-cpp has no place for some empty nodes
      if (!stack_.empty()) {
        const Value& parent = stack_.back().value;
        v->SetOrigin(file_, parent.line(), parent.col());
      }
    } else {
      v->SetOrigin(file_, mark.line + 1, mark.column + 1);
    }
    if (!ExpectingKey()) SetNextPath(v);
  }

  void Open(const YAML::Mark& mark, YAML::anchor_t anchor, Value v) {
    if (ExpectingKey()) {
      throw LimitHit{mark, "invalid YAML: a mapping key must be a scalar"};
    }
    if (static_cast<int>(stack_.size()) >= limits_.max_depth) {
      throw LimitHit{mark, "document nested too deeply (more than " +
                               std::to_string(limits_.max_depth) + " levels)"};
    }
    Start(mark, &v);
    Frame f;
    f.to_sink = SinksInto(v);
    if (f.to_sink) limits_.item_sink->Begin();
    f.value = std::move(v);
    f.anchor = anchor;
    f.nodes_before = nodes_ - 1;
    stack_.push_back(std::move(f));
  }

  // Whether the list `v`, about to open, is the one under the sink's key in
  // the root mapping.
  bool SinksInto(const Value& v) const {
    return limits_.item_sink != nullptr && v.is_list() && stack_.size() == 1 &&
           stack_[0].value.is_map() && stack_[0].have_key &&
           stack_[0].key == limits_.item_sink->key();
  }

  void Close() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    if (f.streamed > 0) f.value.MarkStreamed();
    // A complete collection keeps no spare capacity: a map of three keys
    // would hold room for four Values (10,000 write_files entries: 2 MB).
    f.value.mutable_items().shrink_to_fit();
    f.value.mutable_entries().shrink_to_fit();
    Finish(std::move(f.value), f.anchor, nodes_ - f.nodes_before);
  }

  // A complete node (`nodes` of them counting its children): remember its
  // anchor, then hand it to the parent as item, key or value.
  void Finish(Value v, YAML::anchor_t anchor, size_t nodes) {
    if (anchor != 0) {
      Count(MarkOf(v), nodes);  // the copy kept for aliases
      anchors_[anchor] = Anchored{v, nodes};
    }
    bool merge_key = merge_key_candidate_;
    merge_key_candidate_ = false;
    if (stack_.empty()) {
      root_ = std::move(v);
      done_ = true;
      return;
    }
    Frame& f = stack_.back();
    if (f.value.is_list()) {
      if (f.to_sink) {
        limits_.item_sink->Take(std::move(v));
        ++f.streamed;
        return;
      }
      f.value.Append(std::move(v));
      return;
    }
    if (!f.have_key) {
      if (!v.is_scalar()) {  // an alias to a collection
        throw LimitHit{MarkOf(v),
                       "invalid YAML: a mapping key must be a scalar"};
      }
      f.key = v.is_null() ? "null" : v.text();
      f.key_mark = YAML::Mark();
      f.key_mark.line = v.line() - 1;
      f.key_mark.column = v.col() - 1;
      f.key_is_merge = merge_key;
      f.have_key = true;
      return;
    }
    f.have_key = false;
    // An empty value ("key:") is null and yaml-cpp marks it at the next
    // token; it carries the key's position instead.
    if (v.is_null() && v.line() != f.key_mark.line + 1) {
      v.SetOrigin(file_, f.key_mark.line + 1, f.key_mark.column + 1);
    }
    v.SetKeyOrigin(f.key_mark.line + 1, f.key_mark.column + 1);
    if (f.key_is_merge && IsMergeable(v)) {
      f.merges.push_back(std::move(v));
      return;
    }
    Put(&f, std::move(f.key), std::move(v));
  }

  // Sets key (a later duplicate replaces the earlier value, as in PyYAML).
  static void Put(Frame* f, std::string key, Value v) {
    auto [it, fresh] = f->index.emplace(key, f->value.entries().size());
    if (fresh) {
      f->value.mutable_entries().emplace_back(std::move(key), std::move(v));
    } else {
      f->value.mutable_entries()[it->second].second = std::move(v);
    }
  }

  // A YAML 1.1 merge key ("<<: *base" or "<<: [*a, *b]") takes a mapping or
  // a list of mappings; anything else stays an ordinary "<<" key.
  static bool IsMergeable(const Value& v) {
    if (v.is_map()) return true;
    if (!v.is_list()) return false;
    return std::all_of(v.items().begin(), v.items().end(),
                       [](const Value& item) { return item.is_map(); });
  }

  // Adds the merged keys the mapping does not set itself; an earlier mapping
  // in a merge list wins over a later one (as PyYAML does).
  static void Merge(Value from, Frame* f) {
    std::vector<Value> maps;
    if (from.is_map()) {
      maps.push_back(std::move(from));
    } else {
      maps = std::move(from.mutable_items());
    }
    for (Value& m : maps) {
      for (auto& [k, v] : m.mutable_entries()) {
        if (f->index.count(k) > 0) continue;
        v.SetChildPath(f->value, k);
        v.RepathChildren();
        Put(f, k, std::move(v));
      }
    }
  }

  std::shared_ptr<const std::string> file_;
  YamlLoadLimits limits_;
  size_t nodes_ = 0;
  std::vector<Frame> stack_;
  std::unordered_map<YAML::anchor_t, Anchored> anchors_;
  bool merge_key_candidate_ = false;
  bool done_ = false;
  Value root_;
};

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool IsWordChar(char c) { return IsKeyChar(c) || c == '.' || c == '/'; }

bool IsWordStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_';
}

// The Value the Builder makes of a document that is only lines "KEY: WORD"
// (KEY a letter or '_' then [A-Za-z0-9_-]; WORD a letter, digit or '_' then
// [A-Za-z0-9_./-]; one space after the colon; no other spaces, tabs, CRs,
// comments, blank lines or repeated keys), or nullopt for anything else.
// Such lines are plain scalars to yaml-cpp: a block mapping at line 1,
// column 1, each key at column 1 and each value after ": ", typed by
// ResolveTaggedScalar(text, "?") as the Builder types them.
std::optional<Value> LoadFlatMapping(
    std::string_view text, const std::shared_ptr<const std::string>& file) {
  Value map = Value::Map();
  map.SetOrigin(file, 1, 1);
  map.SetPath("");                       // its values share one path table
  std::unordered_set<std::string> seen;  // linear in the keys, as Put is
  int line = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    ++line;
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(pos, end - pos);
    pos = end + 1;
    if (l.empty() || !IsWordStart(l[0]) || (l[0] >= '0' && l[0] <= '9')) {
      return std::nullopt;
    }
    size_t colon = 0;
    while (colon < l.size() && IsKeyChar(l[colon])) ++colon;
    if (colon + 2 >= l.size() || l[colon] != ':' || l[colon + 1] != ' ' ||
        !IsWordStart(l[colon + 2])) {
      return std::nullopt;
    }
    for (size_t i = colon + 3; i < l.size(); ++i) {
      if (!IsWordChar(l[i])) return std::nullopt;
    }
    Value key = ResolveTaggedScalar(std::string(l.substr(0, colon)), "?");
    std::string name = key.is_null() ? "null" : key.text();
    if (!seen.insert(name).second) {
      return std::nullopt;  // the Builder's rules for repeats
    }
    Value v = ResolveTaggedScalar(std::string(l.substr(colon + 2)), "?");
    if (v.is_null()) v = Value();  // yaml-cpp's OnNull: no text ("Null")
    v.SetOrigin(file, line, static_cast<int>(colon) + 3);
    v.SetChildPath(map, name);
    v.SetKeyOrigin(line, 1);
    map.mutable_entries().emplace_back(std::move(name), std::move(v));
  }
  if (map.entries().empty()) return std::nullopt;
  return map;
}

// A read-only stream buffer over text that stays where it is (an
// istringstream would copy it).
class ViewBuffer : public std::streambuf {
 public:
  explicit ViewBuffer(std::string_view text) {
    // The get area is only read from: std::streambuf's interface is not
    // const, the bytes are never written.
    char* p = const_cast<char*>(text.data());
    setg(p, p, p + text.size());
  }
};

}  // namespace

std::optional<Value> LoadFlatMapping(std::string_view text,
                                     const std::string& file) {
  return LoadFlatMapping(text, std::make_shared<const std::string>(file));
}

std::optional<Value> LoadYaml(std::string_view text, const std::string& file,
                              Diagnostics* diags, YamlLoadLimits limits) {
  auto fail = [&](int line, int col, std::string msg) -> std::optional<Value> {
    Diagnostic d;
    d.file = file;
    d.line = line;
    d.col = col;
    d.message = std::move(msg);
    diags->Add(std::move(d));
    return std::nullopt;
  };
  int bad_line, bad_col;
  std::string bad = CheckYamlCharacters(text, &bad_line, &bad_col);
  if (!bad.empty()) return fail(bad_line, bad_col, "invalid YAML: " + bad);
  // A document without aliases has fewer nodes than bytes; the cap only
  // bites on alias expansion ("billion laughs").
  limits.max_nodes = std::min(limits.max_nodes, 100'000 + 16 * text.size());
  auto file_name = std::make_shared<const std::string>(file);
  if (limits.flat_shortcut) {
    if (auto flat = LoadFlatMapping(text, file_name)) return flat;
  }
  Builder builder(file_name, limits);
  try {
    ViewBuffer buffer(text);  // the parser reads the text where it is
    std::istream in(&buffer);
    YAML::Parser parser(in);
    parser.HandleNextDocument(builder);
  } catch (const LimitHit& e) {
    return fail(e.mark.line + 1, e.mark.column + 1, e.message);
  } catch (const YAML::Exception& e) {
    return fail(e.mark.is_null() ? 0 : e.mark.line + 1,
                e.mark.is_null() ? 0 : e.mark.column + 1,
                "invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    return fail(0, 0, std::string("invalid YAML: ") + e.what());
  }
  if (!builder.done()) {  // empty document
    Value empty;
    empty.SetOrigin(file_name, 1, 1);
    return empty;
  }
  Value out = builder.TakeRoot();
  if (out.line() == 0) out.SetOrigin(file_name, 1, 1);
  return out;
}

}  // namespace flamingo
