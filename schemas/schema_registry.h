// Internal to schemas/: the combined cloud-config schema, built from the
// embedded fragments once per process (thread-safe static); each top-level
// key's part is compiled when first needed.
// Other modules use schemas/cloud_config.h.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/validator.h"

namespace flamingo {

struct SchemaRegistry {
  nlohmann::json combined;                   // CombinedSchema()
  std::vector<std::string> implemented;      // keys with a fragment, sorted
  std::vector<std::string> cloud_init_keys;  // sorted
  std::vector<std::string> problems;         // fragment problems

  bool IsImplemented(std::string_view key) const;
  bool IsCloudInitKey(std::string_view key) const;
  // The compiled schema of the implemented top-level `key`, compiled on
  // first use (a run pays only for the keys its config has); null with
  // *error set when that part of the schema does not compile. Thread-safe.
  const Schema* KeySchema(const std::string& key, std::string* error) const;
  // Every key compiled: the fragment problems plus each compile error.
  std::vector<std::string> AllProblems() const;

 private:
  mutable std::mutex mu_;
  mutable std::map<std::string, std::unique_ptr<Schema>, std::less<>> compiled_;
  mutable std::map<std::string, std::string, std::less<>> errors_;
};

const SchemaRegistry& GetSchemaRegistry();

}  // namespace flamingo
