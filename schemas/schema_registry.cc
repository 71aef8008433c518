// Builds the combined cloud-config schema from the embedded fragments, once
// per process, and answers the key questions of cloud_config.h.
#include "schemas/schema_registry.h"

#include <algorithm>
#include <map>
#include <set>

#include "schemas/embedded.h"

namespace flamingo {
namespace {

using nlohmann::json;

constexpr const char* kNotImplemented =
    "cloud-init key that flamingo does not implement; ignored with a warning.";

std::vector<std::string> ParseKeyList(std::string_view text) {
  std::vector<std::string> keys;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) {
      line.remove_suffix(1);
    }
    if (!line.empty() && line[0] != '#') keys.emplace_back(line);
    start = end + 1;
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

// Adds one fragment to `combined`; problems go to `problems`.
void AddFragment(std::string_view name, std::string_view text, json* combined,
                 std::map<std::string, std::string>* def_owner,
                 std::vector<std::string>* problems) {
  const std::string where = "schemas/keys/" + std::string(name) + ".json: ";
  json fragment = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (fragment.is_discarded() || !fragment.is_object()) {
    problems->push_back(where + "not a JSON object");
    return;
  }
  for (auto it = fragment.begin(); it != fragment.end(); ++it) {
    const std::string& k = it.key();
    if (k != "properties" && k != "$defs" && k != "$comment") {
      problems->push_back(where + "unexpected member '" + k + "'");
    }
  }
  if (fragment.contains("$defs")) {
    if (!fragment["$defs"].is_object()) {
      problems->push_back(where + "$defs must be an object");
    } else {
      json& defs = (*combined)["$defs"];
      for (auto it = fragment["$defs"].begin(); it != fragment["$defs"].end();
           ++it) {
        auto [owner, fresh] = def_owner->emplace(it.key(), std::string(name));
        if (!fresh && defs[it.key()] != it.value()) {
          problems->push_back(where + "$defs/" + it.key() +
                              " differs from the one in " + owner->second +
                              ".json");
          continue;
        }
        defs[it.key()] = it.value();
      }
    }
  }
  if (!fragment.contains("properties") || !fragment["properties"].is_object()) {
    problems->push_back(where + "needs a \"properties\" object");
    return;
  }
  json& props = (*combined)["properties"];
  for (auto it = fragment["properties"].begin();
       it != fragment["properties"].end(); ++it) {
    if (!props.contains(it.key())) {
      props[it.key()] = it.value();
    } else if (props[it.key()] != it.value()) {
      // Two modules read the same key: the config must satisfy both.
      json& existing = props[it.key()];
      if (!existing.contains("allOf") || existing.size() != 1) {
        existing = json{{"allOf", json::array({existing})}};
      }
      existing["allOf"].push_back(it.value());
    }
  }
}

SchemaRegistry* Build() {
  auto* r = new SchemaRegistry();
  json combined = {
      {"$schema", "https://json-schema.org/draft/2020-12/schema"},
      {"title", "flamingo cloud-config"},
      {"description",
       "Cloud-config accepted by flamingo. Unknown keys and cloud-init keys "
       "flamingo does not implement are warnings (errors with --strict)."},
      {"type", "object"},
      {"properties", json::object()},
      {"$defs", json::object()},
  };
  std::map<std::string, std::string> def_owner;
  for (const auto& [name, text] : EmbeddedSchemaFragments()) {
    AddFragment(name, text, &combined, &def_owner, &r->problems);
  }
  for (auto it = combined["properties"].begin();
       it != combined["properties"].end(); ++it) {
    r->implemented.push_back(it.key());
  }
  std::sort(r->implemented.begin(), r->implemented.end());
  r->cloud_init_keys = ParseKeyList(EmbeddedCloudInitKeys());
  for (const std::string& key : r->cloud_init_keys) {
    if (!combined["properties"].contains(key)) {
      combined["properties"][key] = {{"description", kNotImplemented}};
    }
  }
  combined["additionalProperties"] = true;
  r->combined = std::move(combined);
  return r;
}

}  // namespace

const SchemaRegistry& GetSchemaRegistry() {
  static const SchemaRegistry* registry = Build();  // immutable, never freed
  return *registry;
}

const Schema* SchemaRegistry::KeySchema(const std::string& key,
                                        std::string* error) const {
  std::lock_guard<std::mutex> hold(mu_);
  if (auto it = compiled_.find(key); it != compiled_.end()) {
    return it->second.get();
  }
  if (auto it = errors_.find(key); it != errors_.end()) {
    *error = it->second;
    return nullptr;
  }
  const json& props = combined.at("properties");
  auto prop = props.find(key);
  if (!IsImplemented(key) || prop == props.end()) {
    *error = "no schema for '" + key + "'";
    return nullptr;
  }
  std::string why;
  std::unique_ptr<Schema> s = Schema::CompileWithin(combined, *prop, &why);
  if (!s) {
    *error = "schema of '" + key + "': " + why;
    errors_[key] = *error;
    return nullptr;
  }
  return (compiled_[key] = std::move(s)).get();
}

std::vector<std::string> SchemaRegistry::AllProblems() const {
  std::vector<std::string> out = problems;
  for (const std::string& key : implemented) {
    std::string error;
    if (KeySchema(key, &error) == nullptr) out.push_back(error);
  }
  return out;
}

bool SchemaRegistry::IsImplemented(std::string_view key) const {
  return std::binary_search(implemented.begin(), implemented.end(), key);
}

bool SchemaRegistry::IsCloudInitKey(std::string_view key) const {
  return std::binary_search(cloud_init_keys.begin(), cloud_init_keys.end(),
                            key);
}

}  // namespace flamingo
