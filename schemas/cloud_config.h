// Cloud-config loading and validation: the front door of every config.
//
//   Diagnostics diags;
//   auto config = LoadCloudConfig(text, "user-data", &diags);
//   if (config) ValidateCloudConfig(*config, strict, &diags);
//   for (const auto& d : diags.items()) print(d.ToString());
//   if (!config || diags.HasErrors()) fail;
//
// Validation uses the schema fragments embedded in the binary
// (schemas/keys/*.json, one per module); nothing is read from disk.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/diagnostics.h"
#include "schemas/value.h"

namespace flamingo {

// Parses cloud-config YAML (the "#cloud-config" header line is a comment).
// The top level must be a mapping; an empty or null document is an empty
// mapping. On invalid YAML or another top level adds an error at its
// FILE:LINE:COL and returns nullopt.
std::optional<Value> LoadCloudConfig(std::string_view text,
                                     const std::string& file,
                                     Diagnostics* diags);

// Validates a loaded config (a mapping; anything else is an error). Every
// key with a schema fragment is checked against it and every problem is
// reported. A key cloud-init knows but flamingo does not implement gives the
// warning "'apt' is not implemented by flamingo; ignored"; any other key
// "unknown key 'foo'" (with a "did you mean" hint when one is close). With
// strict=true those two are errors instead of warnings.
//
// A streamed list (Value::is_streamed: its items went to a ListItemSink as
// they were parsed) is not checked again: `streamed` holds what
// ValidateStreamedItem gave its items, in order, and goes to `diags` in its
// place (an error without it).
void ValidateCloudConfig(const Value& config, bool strict, Diagnostics* diags,
                         const Diagnostics* streamed = nullptr);

// Checks one item of the top-level list `key`: what ValidateCloudConfig
// reports for that item when the list is not streamed. REQUIRES: the key's
// schema is a list whose own keywords hold for any list of at least one
// item (write_files: minItems 1; no maxItems, no uniqueItems). *item is
// left as it was; the messages name its path.
void ValidateStreamedItem(const std::string& key, Value* item,
                          Diagnostics* diags);

// One draft 2020-12 JSON schema of the whole cloud-config flamingo accepts:
// every fragment's properties and $defs, plus cloud-init's keys that
// flamingo ignores (described as such). For `flamingo schema` and the docs.
nlohmann::json CombinedSchema();

// Top-level keys that have a schema fragment (implemented), sorted.
std::vector<std::string> SchemaKeys();

// cloud-init's top-level keys (schemas/cloud_init_keys.txt), sorted.
std::vector<std::string> CloudInitKeys();

// Problems with the embedded fragments themselves (bad JSON, a keyword the
// validator does not support, conflicting $defs); parses and compiles
// everything. Empty in a good build: the build fails on the problems it can
// detect (schemas/embed.cmake), and ValidateCloudConfig reports the compile
// errors of the keys it checks as errors, so they are never silent.
std::vector<std::string> SchemaProblems();

}  // namespace flamingo
