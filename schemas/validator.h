// Validator: checks a Value tree against a JSON schema (a subset of draft
// 2020-12) and reports EVERY problem as a Diagnostic at the offending node
// (FILE:LINE:COL: path: message), in words a person understands.
//
// Supported keywords: type (one or a list), properties, additionalProperties
// (bool or schema), patternProperties, required, minProperties,
// maxProperties, items, minItems, maxItems, uniqueItems, enum, const, pattern
// (ECMAScript, unanchored as JSON schema says), minLength, maxLength,
// minimum, maximum, exclusiveMinimum, exclusiveMaximum, oneOf, anyOf, allOf,
// not, $ref ("#", "#/$defs/NAME" or "#/definitions/NAME"), deprecated (a
// warning "is deprecated"; "x-deprecated" replaces that text). Annotations
// (description, title, default, examples, format, $comment, x-*) are ignored.
// Any other keyword is a compile error, so a schema never silently checks less
// than it says.
//
// For a failed oneOf/anyOf only the most relevant branch is reported: when no
// branch accepts the node's type, one "expected X or Y, got Z"; when all
// candidate branches are enums, one merged "must be one of"; otherwise the
// errors of the branch of the node's type with the fewest errors.
//
// A Schema is compiled once (Compile) and is immutable afterwards, so one
// instance may be shared; Validate is linear in the size of the value (times
// the schema's branching).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/diagnostics.h"
#include "schemas/value.h"

namespace flamingo {

class Schema {
 public:
  // Compiles `doc` (a schema object or a boolean). Returns null and sets
  // *error ("at /properties/x: unknown keyword 'foo'") on a schema this
  // validator cannot honour.
  static std::unique_ptr<Schema> Compile(const nlohmann::json& doc,
                                         std::string* error);
  // Compiles `sub`, a schema inside the document `root` (e.g. one of its
  // properties), resolving "#/$defs/NAME" references against `root`. Only
  // what `sub` reaches is compiled. Both must outlive the call only.
  static std::unique_ptr<Schema> CompileWithin(const nlohmann::json& root,
                                               const nlohmann::json& sub,
                                               std::string* error);
  ~Schema();
  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;

  // Validates `value` against the whole schema.
  void Validate(const Value& value, Diagnostics* diags) const;

  struct Impl;  // opaque: the compiled nodes (schemas/schema_internal.h)

 private:
  explicit Schema(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The candidate nearest to `word` when it is a plausible typo (edit distance
// at most 2 and less than half the word, ignoring case and '-' vs '_'), else
// nullopt. Used for "did you mean" hints.
std::optional<std::string> ClosestMatch(
    std::string_view word, const std::vector<std::string>& candidates);

}  // namespace flamingo
