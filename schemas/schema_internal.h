// Internal to the validator: the compiled form of a JSON schema
// (schema_compile.cc builds it, validator.cc walks it). Not for other modules.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "schemas/validator.h"

namespace flamingo::schema_internal {

// Bit per Value::Type.
using TypeMask = uint8_t;
constexpr TypeMask kNullBit = 1, kBoolBit = 2, kIntBit = 4, kFloatBit = 8,
                   kStringBit = 16, kListBit = 32, kMapBit = 64, kAnyType = 127;

inline TypeMask BitOf(Value::Type t) {
  return static_cast<TypeMask>(1u << static_cast<unsigned>(t));
}

struct Pattern {
  std::string source;
  std::regex re;
};

// One schema object. Child schemas are indexes into Impl::nodes.
struct Node {
  bool always_false = false;  // the schema `false`
  TypeMask types = kAnyType;
  int ref = -1;
  std::unordered_map<std::string, int> properties;
  std::vector<std::string> property_names;  // in schema order, for hints
  bool additional_allowed = true;
  int additional = -1;  // schema for additional properties, -1 = any
  std::vector<std::pair<Pattern, int>> pattern_properties;
  std::vector<std::string> required;
  std::optional<size_t> min_properties, max_properties;
  int items = -1;
  std::optional<size_t> min_items, max_items;
  bool unique_items = false;
  std::optional<std::vector<nlohmann::json>> enum_values;  // enum or const
  std::optional<Pattern> pattern;
  std::optional<size_t> min_length, max_length;
  std::optional<double> minimum, maximum, exclusive_minimum, exclusive_maximum;
  std::vector<int> one_of, any_of, all_of;
  int not_schema = -1;
  bool deprecated = false;
  std::string deprecated_message;
  // Derived after compiling: the types this node can accept at all
  // (types, enum, $ref and branches combined).
  TypeMask accepted = kAnyType;
};

}  // namespace flamingo::schema_internal

namespace flamingo {

struct Schema::Impl {
  std::vector<schema_internal::Node> nodes;  // nodes[0] is the root
};

}  // namespace flamingo
