// Loads YAML text into a Value tree with source positions.
// yaml-cpp throws; nothing escapes this module: every failure becomes a
// diagnostic at FILE:LINE:COL. Alias expansion is bounded (billion laughs)
// and so is nesting depth, so no input can exhaust memory or the stack.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "schemas/diagnostics.h"
#include "schemas/value.h"

namespace flamingo {

// Takes the items of one top-level list of a mapping document as each is
// parsed, so that a large list (10,000 write_files entries) is never held
// whole. LoadYaml hands over every complete item of the list under key()
// (a sequence written at the root mapping's key, not an alias to one), in
// order, with its path ("write_files[3]") and positions set, and keeps
// nothing of it; the list in the tree stays empty and is marked streamed
// (Value::is_streamed). A sink serves one document.
class ListItemSink {
 public:
  virtual ~ListItemSink() = default;
  virtual const std::string& key() const = 0;
  // The list under key() starts: a later one replaces an earlier one (a
  // repeated key, as PyYAML), so whatever an earlier one gave is dropped.
  virtual void Begin() = 0;
  virtual void Take(Value item) = 0;
};

struct YamlLoadLimits {
  // After alias expansion; the effective cap is also at most
  // 100000 + 16 * text size, which no alias-free document reaches.
  size_t max_nodes = 2'000'000;
  int max_depth = 200;
  // A document of "key: word" lines only (as most meta-data is) is read
  // without yaml-cpp, into the same Value, positions and all: yaml-cpp's
  // first use costs a short run ~80 us (its code paged in, its tables
  // built). Off: yaml-cpp reads everything (tests compare the two).
  bool flat_shortcut = true;
  // Null: every list is kept in the tree.
  ListItemSink* item_sink = nullptr;
};

// Parses the first YAML document of `text`, which must be UTF-8 of printable
// characters as PyYAML demands (so every string in the tree is valid UTF-8).
// `file` names the source in diagnostics and node origins. On a syntax error
// adds one diagnostic and returns nullopt. An empty document gives a null
// Value. YAML 1.1 merge keys ("<<: *base") are applied as PyYAML applies
// them. Map keys must be scalars (PyYAML rejects unhashable keys).
std::optional<Value> LoadYaml(std::string_view text, const std::string& file,
                              Diagnostics* diags, YamlLoadLimits limits = {});

// The shortcut of YamlLoadLimits::flat_shortcut: for a document of lines
// "KEY: WORD" only (KEY a letter or '_' then [A-Za-z0-9_-], WORD a letter,
// digit or '_' then [A-Za-z0-9_./-], one space after the colon, no blank
// lines, comments or repeated keys) the Value LoadYaml's parser gives it,
// positions and paths included; nullopt for any other text.
std::optional<Value> LoadFlatMapping(std::string_view text,
                                     const std::string& file);

// Types a plain (unquoted) scalar as YAML 1.1 does (PyYAML's resolver):
// null, bool (yes/no/on/off/true/false), int (decimal, 0octal, 0x, 0b,
// base 60 "1:30"), float ("1.5", ".5", "1.0e+3"); anything else ("0o17",
// "1e3", "08") is a string.
Value ResolvePlainScalar(std::string text);

}  // namespace flamingo
