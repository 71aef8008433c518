// Internal to schemas/: the combined cloud-config schema, built from the
// embedded fragments once per process (thread-safe static) and immutable.
// Other modules use schemas/cloud_config.h.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/validator.h"

namespace flamingo {

struct SchemaRegistry {
  nlohmann::json combined;                   // CombinedSchema()
  std::unique_ptr<Schema> schema;            // compiled fragments, never null
  std::vector<std::string> implemented;      // keys with a fragment, sorted
  std::vector<std::string> cloud_init_keys;  // sorted
  std::vector<std::string> problems;         // SchemaProblems()

  bool IsImplemented(std::string_view key) const;
  bool IsCloudInitKey(std::string_view key) const;
};

const SchemaRegistry& GetSchemaRegistry();

}  // namespace flamingo
