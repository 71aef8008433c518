// Internal to schemas/: the cloud-config schema of the embedded fragments,
// built lazily once per process (a thread-safe static) so that a run pays
// only for the keys its config has.
// Other modules use schemas/cloud_config.h.
//
// The key lists come from the build-time index (embedded.h): no JSON is
// parsed for them. KeySchema(key) parses only the fragments that define
// `key` (each fragment once per process), merges them as the combined schema
// does (a key two fragments define: allOf of both; their $defs) and compiles
// the key's schema within that partial document (a key of one fragment:
// within the parsed fragment itself, no copy); the build guarantees that
// a key's $refs name $defs of its own fragments, identical in every fragment
// that has them, so the result equals compiling the key within the combined
// schema (schema_registry_test.cc checks it).
//
// Fragment soundness: the build fails on every problem the merge can detect
// (embed.cmake), so a validating run does not look for them (before, every
// validation built the combined schema to report them); what only a compile
// finds (an unsupported keyword), or a merge problem in the fragments of a
// key (e.g. a fragment nlohmann cannot parse), is that key's KeySchema
// error, reported for the keys a config uses. Problems() and AllProblems()
// are the full check (the combined document is built for them) behind
// SchemaProblems() and the test CloudConfig.EmbeddedFragmentsAreSound.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/embedded.h"
#include "schemas/validator.h"

namespace flamingo {

// What a registry is built from: by default the embedded data (embedded.h),
// whose contracts these follow; tests pass their own.
struct SchemaSources {
  std::vector<std::pair<std::string_view, std::string_view>> fragments;
  std::span<const EmbeddedSchemaKey> keys;
  std::string_view cloud_init_text;
  std::span<const std::string_view> cloud_init_keys;
};
SchemaSources EmbeddedSchemaSources();

class SchemaRegistry {
 public:
  // Nothing is parsed here. `sources` (and the data it views) must outlive
  // the registry.
  explicit SchemaRegistry(SchemaSources sources = EmbeddedSchemaSources());

  const std::vector<std::string>& implemented() const {  // sorted
    return implemented_;
  }
  const std::vector<std::string>& cloud_init_keys() const {  // sorted
    return cloud_init_keys_;
  }
  bool IsImplemented(std::string_view key) const;
  bool IsCloudInitKey(std::string_view key) const;

  // The compiled schema of the implemented top-level `key`, compiled on
  // first use from the fragments that define it; null with *error set when
  // that part of the schema does not compile. Thread-safe.
  const Schema* KeySchema(const std::string& key, std::string* error) const;

  // The combined schema document (CombinedSchema()), built on first call by
  // parsing and merging every fragment. Thread-safe.
  const nlohmann::json& Combined() const;
  // Problems found merging every fragment (as Combined() does) and where the
  // build-time index disagrees with the fragments. Empty in a good build.
  const std::vector<std::string>& Problems() const;
  // Problems() plus each implemented key's compile error.
  std::vector<std::string> AllProblems() const;
  // Names of the fragments parsed so far, sorted (for tests of laziness).
  std::vector<std::string> ParsedFragments() const;

 private:
  struct Full {
    nlohmann::json combined;
    std::vector<std::string> problems;
  };
  const Full& GetFull() const;
  // The parsed fragment `index` of EmbeddedSchemaFragments(), parsed on first
  // use (discarded when not valid JSON). Caller holds mu_.
  const nlohmann::json& Fragment(size_t index) const;

  std::vector<std::string> implemented_;
  std::vector<std::string> cloud_init_keys_;
  const EmbeddedSchemaKey* FindKey(std::string_view key) const;
  // Where the index disagrees with the parsed fragments and merged `props`.
  void CheckIndex(const std::vector<const nlohmann::json*>& fragments,
                  const nlohmann::json& props,
                  std::vector<std::string>* problems) const;

  SchemaSources sources_;

  mutable std::mutex mu_;
  mutable std::map<size_t, nlohmann::json> parsed_;
  mutable std::unique_ptr<Full> full_;
  mutable std::map<std::string, std::unique_ptr<Schema>, std::less<>> compiled_;
  mutable std::map<std::string, std::string, std::less<>> errors_;
};

const SchemaRegistry& GetSchemaRegistry();

// For tests: the cloud-init key list parsed from its text at run time, as
// the build-time index should have it.
std::vector<std::string> ParseCloudInitKeyList(std::string_view text);

}  // namespace flamingo
