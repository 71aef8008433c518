// Compiles a JSON schema document into schema_internal::Node form.
#include <map>
#include <set>
#include <string_view>

#include "schemas/schema_internal.h"

namespace flamingo {
namespace {

using nlohmann::json;
using schema_internal::Node;
using schema_internal::Pattern;
using schema_internal::TypeMask;
namespace si = schema_internal;

bool IsAnnotation(const std::string& key) {
  static const std::set<std::string, std::less<>> kAnnotations = {
      "$schema",
      "$id",
      "$comment",
      "title",
      "description",
      "default",
      "examples",
      "format",
      "readOnly",
      "writeOnly",
      "$defs",
      "definitions",
      "markdownDescription",
      "contentEncoding",
      "contentMediaType"};
  return kAnnotations.count(key) > 0 || key.rfind("x-", 0) == 0;
}

TypeMask JsonTypeBit(const json& j) {
  if (j.is_null()) return si::kNullBit;
  if (j.is_boolean()) return si::kBoolBit;
  if (j.is_number_integer() || j.is_number_unsigned()) return si::kIntBit;
  if (j.is_number()) return si::kFloatBit;
  if (j.is_string()) return si::kStringBit;
  if (j.is_array()) return si::kListBit;
  return si::kMapBit;
}

class Compiler {
 public:
  Compiler(const json& doc, Schema::Impl* impl) : doc_(doc), impl_(impl) {}

  bool Run(std::string* error) { return Run(doc_, error); }

  bool Run(const json& start, std::string* error) {
    int root = Compile(start, "");
    if (root < 0) {
      *error = error_;
      return false;
    }
    std::vector<int> state(impl_->nodes.size(), 0);
    for (size_t i = 0; i < impl_->nodes.size(); ++i) {
      Accepted(static_cast<int>(i), &state);
    }
    return true;
  }

 private:
  bool Fail(const std::string& where, const std::string& msg) {
    if (error_.empty())
      error_ = "at " + (where.empty() ? "/" : where) + ": " + msg;
    return false;
  }

  // Returns the node index or -1 (error_ set).
  int Compile(const json& j, const std::string& where) {
    int index = static_cast<int>(impl_->nodes.size());
    impl_->nodes.emplace_back();
    Node node;
    if (j.is_boolean()) {
      node.always_false = !j.get<bool>();
    } else if (!j.is_object()) {
      Fail(where, "a schema must be an object or a boolean");
      return -1;
    } else {
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (!Keyword(it.key(), it.value(), where + "/" + it.key(), &node)) {
          return -1;
        }
      }
    }
    impl_->nodes[static_cast<size_t>(index)] = std::move(node);
    return index;
  }

  bool Sub(const json& j, const std::string& where, int* out) {
    *out = Compile(j, where);
    return *out >= 0;
  }

  bool SubList(const json& j, const std::string& where, std::vector<int>* out) {
    if (!j.is_array() || j.empty()) {
      return Fail(where, "must be a non-empty array of schemas");
    }
    for (size_t i = 0; i < j.size(); ++i) {
      int idx;
      if (!Sub(j[i], where + "/" + std::to_string(i), &idx)) return false;
      out->push_back(idx);
    }
    return true;
  }

  bool Count(const json& j, const std::string& where,
             std::optional<size_t>* out) {
    if (!j.is_number_unsigned() && !(j.is_number_integer() && j >= 0)) {
      return Fail(where, "must be a non-negative integer");
    }
    *out = j.get<size_t>();
    return true;
  }

  bool Number(const json& j, const std::string& where,
              std::optional<double>* out) {
    if (!j.is_number()) return Fail(where, "must be a number");
    *out = j.get<double>();
    return true;
  }

  bool Regex(const json& j, const std::string& where, Pattern* out) {
    if (!j.is_string()) return Fail(where, "must be a string");
    out->source = j.get<std::string>();
    try {
      out->re = std::regex(out->source, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return Fail(where, std::string("bad regular expression: ") + e.what());
    }
    return true;
  }

  bool Types(const json& j, const std::string& where, TypeMask* out) {
    static const std::map<std::string, TypeMask, std::less<>> kTypes = {
        {"null", si::kNullBit},     {"boolean", si::kBoolBit},
        {"integer", si::kIntBit},   {"number", si::kIntBit | si::kFloatBit},
        {"string", si::kStringBit}, {"array", si::kListBit},
        {"object", si::kMapBit}};
    std::vector<json> names;
    if (j.is_string()) {
      names.push_back(j);
    } else if (j.is_array() && !j.empty()) {
      names.assign(j.begin(), j.end());
    } else {
      return Fail(where, "must be a type name or a list of them");
    }
    *out = 0;
    for (const json& n : names) {
      auto it =
          n.is_string() ? kTypes.find(n.get<std::string>()) : kTypes.end();
      if (it == kTypes.end()) return Fail(where, "unknown type " + n.dump());
      *out = static_cast<TypeMask>(*out | it->second);
    }
    return true;
  }

  bool Ref(const json& j, const std::string& where, int* out) {
    if (!j.is_string()) return Fail(where, "must be a string");
    const std::string ref = j.get<std::string>();
    if (ref == "#") {
      *out = 0;
      return true;
    }
    std::string name, container;
    for (const char* prefix : {"#/$defs/", "#/definitions/"}) {
      std::string_view p = prefix;
      if (ref.rfind(p, 0) == 0) {
        container = std::string(p.substr(2, p.size() - 3));
        name = ref.substr(p.size());
      }
    }
    if (name.empty() || name.find('/') != std::string::npos) {
      return Fail(where, "unsupported $ref '" + ref +
                             "' (only \"#/$defs/NAME\" is supported)");
    }
    auto cached = refs_.find(ref);
    if (cached != refs_.end()) {
      *out = cached->second;
      return true;
    }
    if (!doc_.is_object() || !doc_.contains(container) ||
        !doc_[container].is_object() || !doc_[container].contains(name)) {
      return Fail(where, "$ref '" + ref + "' names no definition");
    }
    // Reserve the index first so recursive definitions terminate.
    refs_[ref] = static_cast<int>(impl_->nodes.size());
    return Sub(doc_[container][name], "/" + container + "/" + name, out);
  }

  bool Keyword(const std::string& key, const json& v, const std::string& where,
               Node* node) {
    if (key == "type") return Types(v, where, &node->types);
    if (key == "$ref") return Ref(v, where, &node->ref);
    if (key == "properties") {
      if (!v.is_object()) return Fail(where, "must be an object");
      for (auto it = v.begin(); it != v.end(); ++it) {
        int idx;
        if (!Sub(it.value(), where + "/" + it.key(), &idx)) return false;
        node->properties[it.key()] = idx;
        node->property_names.push_back(it.key());
      }
      return true;
    }
    if (key == "additionalProperties") {
      if (v.is_boolean()) {
        node->additional_allowed = v.get<bool>();
        return true;
      }
      return Sub(v, where, &node->additional);
    }
    if (key == "patternProperties") {
      if (!v.is_object()) return Fail(where, "must be an object");
      for (auto it = v.begin(); it != v.end(); ++it) {
        Pattern p;
        int idx;
        if (!Regex(it.key(), where, &p)) return false;
        if (!Sub(it.value(), where + "/" + it.key(), &idx)) return false;
        node->pattern_properties.emplace_back(std::move(p), idx);
      }
      return true;
    }
    if (key == "required") {
      if (!v.is_array()) return Fail(where, "must be an array of names");
      for (const json& n : v) {
        if (!n.is_string()) return Fail(where, "must be an array of names");
        node->required.push_back(n.get<std::string>());
      }
      return true;
    }
    if (key == "minProperties") return Count(v, where, &node->min_properties);
    if (key == "maxProperties") return Count(v, where, &node->max_properties);
    if (key == "items") {
      if (v.is_array()) {
        return Fail(where, "tuple form of items is not supported");
      }
      return Sub(v, where, &node->items);
    }
    if (key == "minItems") return Count(v, where, &node->min_items);
    if (key == "maxItems") return Count(v, where, &node->max_items);
    if (key == "uniqueItems") {
      if (!v.is_boolean()) return Fail(where, "must be a boolean");
      node->unique_items = v.get<bool>();
      return true;
    }
    if (key == "enum") {
      if (!v.is_array() || v.empty()) {
        return Fail(where, "must be a non-empty array");
      }
      node->enum_values.emplace(v.begin(), v.end());
      return true;
    }
    if (key == "const") {
      node->enum_values.emplace(std::vector<json>{v});
      return true;
    }
    if (key == "pattern") {
      node->pattern.emplace();
      return Regex(v, where, &*node->pattern);
    }
    if (key == "minLength") return Count(v, where, &node->min_length);
    if (key == "maxLength") return Count(v, where, &node->max_length);
    if (key == "minimum") return Number(v, where, &node->minimum);
    if (key == "maximum") return Number(v, where, &node->maximum);
    if (key == "exclusiveMinimum") {
      return Number(v, where, &node->exclusive_minimum);
    }
    if (key == "exclusiveMaximum") {
      return Number(v, where, &node->exclusive_maximum);
    }
    if (key == "oneOf") return SubList(v, where, &node->one_of);
    if (key == "anyOf") return SubList(v, where, &node->any_of);
    if (key == "allOf") return SubList(v, where, &node->all_of);
    if (key == "not") return Sub(v, where, &node->not_schema);
    if (key == "deprecated") {
      if (!v.is_boolean()) return Fail(where, "must be a boolean");
      node->deprecated = v.get<bool>();
      return true;
    }
    if (key == "x-deprecated") {
      if (!v.is_string()) return Fail(where, "must be a string");
      node->deprecated_message = v.get<std::string>();
      return true;
    }
    if (IsAnnotation(key)) return true;
    return Fail(where, "unsupported keyword '" + key + "'");
  }

  // Types `index` can accept at all; state: 0 new, 1 in progress, 2 done.
  TypeMask Accepted(int index, std::vector<int>* state) {
    Node& n = impl_->nodes[static_cast<size_t>(index)];
    int& s = (*state)[static_cast<size_t>(index)];
    if (s == 2) return n.accepted;
    if (s == 1) return si::kAnyType;  // recursion: assume anything
    s = 1;
    TypeMask mask = n.always_false ? 0 : n.types;
    if (n.enum_values) {
      TypeMask e = 0;
      for (const json& j : *n.enum_values)
        e = static_cast<TypeMask>(e | JsonTypeBit(j));
      if (e & si::kIntBit) e = static_cast<TypeMask>(e | si::kFloatBit);
      mask &= e;
    }
    if (n.ref >= 0) mask &= Accepted(n.ref, state);
    for (int b : n.all_of) mask &= Accepted(b, state);
    for (const auto* list : {&n.one_of, &n.any_of}) {
      if (list->empty()) continue;
      TypeMask any = 0;
      for (int b : *list) any = static_cast<TypeMask>(any | Accepted(b, state));
      mask &= any;
    }
    // `nodes` does not grow here, so `n` stays valid.
    n.accepted = mask;
    s = 2;
    return mask;
  }

  const json& doc_;
  Schema::Impl* impl_;
  std::map<std::string, int> refs_;
  std::string error_;
};

}  // namespace

Schema::Schema(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Schema::~Schema() = default;

std::unique_ptr<Schema> Schema::Compile(const nlohmann::json& doc,
                                        std::string* error) {
  auto impl = std::make_unique<Impl>();
  Compiler compiler(doc, impl.get());
  if (!compiler.Run(error)) return nullptr;
  return std::unique_ptr<Schema>(new Schema(std::move(impl)));
}

std::unique_ptr<Schema> Schema::CompileWithin(const nlohmann::json& root,
                                              const nlohmann::json& sub,
                                              std::string* error) {
  auto impl = std::make_unique<Impl>();
  Compiler compiler(root, impl.get());
  if (!compiler.Run(sub, error)) return nullptr;
  return std::unique_ptr<Schema>(new Schema(std::move(impl)));
}

}  // namespace flamingo
