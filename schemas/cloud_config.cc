#include "schemas/cloud_config.h"

#include "schemas/schema_registry.h"
#include "schemas/validator.h"
#include "schemas/yaml_loader.h"

namespace flamingo {

std::optional<Value> LoadCloudConfig(std::string_view text,
                                     const std::string& file,
                                     Diagnostics* diags) {
  std::optional<Value> doc = LoadYaml(text, file, diags);
  if (!doc) return std::nullopt;
  if (doc->is_null()) {
    Value empty = Value::Map();
    empty.SetOrigin(std::make_shared<const std::string>(file), doc->line(),
                    doc->col());
    return empty;
  }
  if (!doc->is_map()) {
    diags->Error(*doc,
                 std::string("cloud-config must be a mapping of keys, got ") +
                     Value::TypeName(doc->type()));
    return std::nullopt;
  }
  return doc;
}

void ValidateCloudConfig(const Value& config, bool strict, Diagnostics* diags,
                         const Diagnostics* streamed) {
  // Fragment problems fail the build (schema_registry.h); a key's compile
  // error is reported below for the keys the config has.
  const SchemaRegistry& registry = GetSchemaRegistry();
  if (!config.is_map()) {
    diags->Error(config,
                 std::string("cloud-config must be a mapping of keys, got ") +
                     Value::TypeName(config.type()));
    return;
  }
  auto report = [&](const Value& at, std::string message) {
    diags->AddAtKey(at, strict ? Severity::kError : Severity::kWarning, "",
                    std::move(message));
  };
  for (const auto& [key, value] : config.entries()) {
    if (value.is_streamed()) {
      // Checked item by item as it was parsed (ValidateStreamedItem): a
      // list of at least one item; what its items gave, in order.
      if (streamed == nullptr) {
        diags->Error(value,
                     "internal error: a streamed list without its "
                     "diagnostics");
        continue;
      }
      for (const Diagnostic& d : streamed->items()) diags->Add(d);
    } else if (registry.IsImplemented(key)) {
      std::string error;
      if (const Schema* schema = registry.KeySchema(key, &error)) {
        schema->Validate(value, diags);
      } else {
        diags->Error(value, "internal error in the embedded schema: " + error);
      }
    } else if (registry.IsCloudInitKey(key)) {
      report(value, "'" + key + "' is not implemented by flamingo; ignored");
    } else {
      std::string msg = "unknown key '" + key + "'";
      std::vector<std::string> candidates = registry.implemented();
      candidates.insert(candidates.end(), registry.cloud_init_keys().begin(),
                        registry.cloud_init_keys().end());
      if (auto hint = ClosestMatch(key, candidates)) {
        msg += " (did you mean '" + *hint + "'?)";
      }
      report(value, std::move(msg));
    }
  }
}

void ValidateStreamedItem(const std::string& key, Value* item,
                          Diagnostics* diags) {
  std::string error;
  const Schema* schema = GetSchemaRegistry().KeySchema(key, &error);
  if (schema == nullptr) {
    diags->Error(*item, "internal error in the embedded schema: " + error);
    return;
  }
  // Inside a list of one, so that the list's own keywords (minItems) hold
  // and the item is checked by the list's `items`; its messages carry its
  // own path and position. Moved in and out: nothing is copied.
  Value one = Value::List();
  one.Append(std::move(*item));
  schema->Validate(one, diags);
  *item = std::move(one.mutable_items()[0]);
}

nlohmann::json CombinedSchema() { return GetSchemaRegistry().Combined(); }

std::vector<std::string> SchemaKeys() {
  return GetSchemaRegistry().implemented();
}

std::vector<std::string> CloudInitKeys() {
  return GetSchemaRegistry().cloud_init_keys();
}

std::vector<std::string> SchemaProblems() {
  return GetSchemaRegistry().AllProblems();
}

}  // namespace flamingo
