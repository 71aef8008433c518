// The cloud-config schema of the embedded fragments, parsed lazily: see
// schema_registry.h.
#include "schemas/schema_registry.h"

#include <algorithm>
#include <map>
#include <string_view>

#include "engine/text.h"

namespace flamingo {
namespace {

using nlohmann::json;

constexpr const char* kNotImplemented =
    "cloud-init key that flamingo does not implement; ignored with a warning.";

std::string Where(std::string_view name) {
  return "schemas/keys/" + std::string(name) + ".json: ";
}

// Adds to `problems` what is wrong with the shape of one parsed fragment
// (what embed.cmake also rejects, but $defs conflicts between fragments).
// False when it is not even an object.
bool CheckFragment(std::string_view name, const json& fragment,
                   std::vector<std::string>* problems) {
  if (fragment.is_discarded() || !fragment.is_object()) {
    problems->push_back(Where(name) + "not a JSON object");
    return false;
  }
  for (auto it = fragment.begin(); it != fragment.end(); ++it) {
    const std::string& k = it.key();
    if (k != "properties" && k != "$defs" && k != "$comment") {
      problems->push_back(Where(name) + "unexpected member '" + k + "'");
    }
  }
  if (auto defs = fragment.find("$defs");
      defs != fragment.end() && !defs->is_object()) {
    problems->push_back(Where(name) + "$defs must be an object");
  }
  if (auto props = fragment.find("properties");
      props == fragment.end() || !props->is_object()) {
    problems->push_back(Where(name) + "needs a \"properties\" object");
  }
  return true;
}

// Adds one parsed fragment to `doc` (its properties and $defs); problems go
// to `problems`. The one merge of the combined schema and of a key's
// partial document, so that both see the same schema of a key.
void AddFragment(std::string_view name, const json& fragment, json* doc,
                 std::map<std::string, std::string>* def_owner,
                 std::vector<std::string>* problems) {
  if (!CheckFragment(name, fragment, problems)) return;
  if (auto frag_defs = fragment.find("$defs");
      frag_defs != fragment.end() && frag_defs->is_object()) {
    json& defs = (*doc)["$defs"];
    for (auto it = frag_defs->begin(); it != frag_defs->end(); ++it) {
      auto [owner, fresh] = def_owner->emplace(it.key(), std::string(name));
      if (!fresh && defs[it.key()] != it.value()) {
        problems->push_back(Where(name) + "$defs/" + it.key() +
                            " differs from the one in " + owner->second +
                            ".json");
        continue;
      }
      defs[it.key()] = it.value();
    }
  }
  auto frag_props = fragment.find("properties");
  if (frag_props == fragment.end() || !frag_props->is_object()) return;
  json& props = (*doc)["properties"];
  for (auto it = frag_props->begin(); it != frag_props->end(); ++it) {
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

}  // namespace

std::vector<std::string> ParseCloudInitKeyList(std::string_view text) {
  std::vector<std::string> keys;
  for (std::string_view line : NonEmptyLines(text, " \r")) {
    if (line[0] != '#') keys.emplace_back(line);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

SchemaSources EmbeddedSchemaSources() {
  return {EmbeddedSchemaFragments(), EmbeddedSchemaKeys(),
          EmbeddedCloudInitKeys(), EmbeddedCloudInitKeyList()};
}

SchemaRegistry::SchemaRegistry(SchemaSources sources)
    : sources_(std::move(sources)) {
  for (const EmbeddedSchemaKey& k : sources_.keys) {
    implemented_.emplace_back(k.name);
  }
  for (std::string_view k : sources_.cloud_init_keys) {
    cloud_init_keys_.emplace_back(k);
  }
}

const EmbeddedSchemaKey* SchemaRegistry::FindKey(std::string_view key) const {
  std::span<const EmbeddedSchemaKey> keys = sources_.keys;
  auto it = std::lower_bound(keys.begin(), keys.end(), key,
                             [](const EmbeddedSchemaKey& k,
                                std::string_view v) { return k.name < v; });
  return it != keys.end() && it->name == key ? &*it : nullptr;
}

void SchemaRegistry::CheckIndex(const std::vector<const json*>& fragments,
                                const json& props,
                                std::vector<std::string>* problems) const {
  std::vector<std::string> merged;
  for (auto it = props.begin(); it != props.end(); ++it) {
    merged.push_back(it.key());
  }
  std::sort(merged.begin(), merged.end());
  if (merged != implemented_) {
    problems->push_back(
        "the build-time key index differs from the fragments' properties");
  }
  for (const EmbeddedSchemaKey& key : sources_.keys) {
    std::vector<int> defining;
    for (size_t i = 0; i < fragments.size(); ++i) {
      const json& f = *fragments[i];
      if (f.is_object() && f.contains("properties") &&
          f["properties"].is_object() &&
          f["properties"].contains(std::string(key.name))) {
        defining.push_back(static_cast<int>(i));
      }
    }
    if (!std::equal(defining.begin(), defining.end(), key.fragments.begin(),
                    key.fragments.end())) {
      problems->push_back(
          "the build-time index lists the wrong fragments for '" +
          std::string(key.name) + "'");
    }
  }
  if (ParseCloudInitKeyList(sources_.cloud_init_text) != cloud_init_keys_) {
    problems->push_back(
        "the build-time cloud-init key list differs from "
        "schemas/cloud_init_keys.txt");
  }
}

const SchemaRegistry& GetSchemaRegistry() {
  static const SchemaRegistry* registry = new SchemaRegistry();  // never freed
  return *registry;
}

const json& SchemaRegistry::Fragment(size_t index) const {
  auto it = parsed_.find(index);
  if (it == parsed_.end()) {
    it = parsed_
             .emplace(index,
                      json::parse(sources_.fragments[index].second, nullptr,
                                  /*allow_exceptions=*/false))
             .first;
  }
  return it->second;
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
  const EmbeddedSchemaKey* entry = FindKey(key);
  if (entry == nullptr) {
    *error = "no schema for '" + key + "'";
    return nullptr;
  }
  // The part of the combined schema that `key` reaches. The merge of one
  // fragment is that fragment (its properties and $defs; it has no other
  // member a compile reads), so it is compiled within it, without a copy.
  std::vector<std::string> problems;
  json merged;
  const json* doc = &merged;
  if (entry->fragments.size() == 1) {
    int index = entry->fragments[0];
    doc = &Fragment(index);
    CheckFragment(sources_.fragments[index].first, *doc, &problems);
  } else {
    merged = {{"properties", json::object()}, {"$defs", json::object()}};
    std::map<std::string, std::string> def_owner;
    for (int index : entry->fragments) {
      AddFragment(sources_.fragments[index].first, Fragment(index), &merged,
                  &def_owner, &problems);
    }
  }
  const json* prop = nullptr;
  if (problems.empty()) {
    const json& props = doc->at("properties");
    if (auto it = props.find(key); it != props.end()) prop = &*it;
  }
  std::string why;
  std::unique_ptr<Schema> s;
  if (!problems.empty()) {
    why = problems.front();  // the build rejects those: never silently less
  } else if (prop == nullptr) {
    why = "no fragment defines it";
  } else {
    s = Schema::CompileWithin(*doc, *prop, &why);
  }
  if (!s) {
    *error = "schema of '" + key + "': " + why;
    errors_[key] = *error;
    return nullptr;
  }
  return (compiled_[key] = std::move(s)).get();
}

const SchemaRegistry::Full& SchemaRegistry::GetFull() const {
  std::lock_guard<std::mutex> hold(mu_);
  if (full_) return *full_;
  auto full = std::make_unique<Full>();
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
  std::vector<const json*> parsed;
  for (size_t i = 0; i < sources_.fragments.size(); ++i) {
    parsed.push_back(&Fragment(i));
    AddFragment(sources_.fragments[i].first, *parsed.back(), &combined,
                &def_owner, &full->problems);
  }
  CheckIndex(parsed, combined["properties"], &full->problems);
  for (const std::string& key : cloud_init_keys_) {
    if (!combined["properties"].contains(key)) {
      combined["properties"][key] = {{"description", kNotImplemented}};
    }
  }
  combined["additionalProperties"] = true;
  full->combined = std::move(combined);
  full_ = std::move(full);
  return *full_;
}

const json& SchemaRegistry::Combined() const { return GetFull().combined; }

const std::vector<std::string>& SchemaRegistry::Problems() const {
  return GetFull().problems;
}

std::vector<std::string> SchemaRegistry::AllProblems() const {
  std::vector<std::string> out = Problems();
  for (const std::string& key : implemented_) {
    std::string error;
    if (KeySchema(key, &error) == nullptr) out.push_back(error);
  }
  return out;
}

std::vector<std::string> SchemaRegistry::ParsedFragments() const {
  std::lock_guard<std::mutex> hold(mu_);
  std::vector<std::string> out;
  for (const auto& entry : parsed_) {
    out.emplace_back(sources_.fragments[entry.first].first);
  }
  return out;  // sorted: sources_.fragments is sorted by name, parsed_ by index
}

bool SchemaRegistry::IsImplemented(std::string_view key) const {
  return std::binary_search(implemented_.begin(), implemented_.end(), key);
}

bool SchemaRegistry::IsCloudInitKey(std::string_view key) const {
  return std::binary_search(cloud_init_keys_.begin(), cloud_init_keys_.end(),
                            key);
}

}  // namespace flamingo
