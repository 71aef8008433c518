#include "schemas/validator.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <unordered_map>

#include "schemas/schema_internal.h"

namespace flamingo {
namespace {

using nlohmann::json;
using schema_internal::Node;
using schema_internal::TypeMask;
namespace si = schema_internal;

// std::regex matches recursively, so very long strings could exhaust the
// stack; patterns are for names and modes, never for bulk text.
constexpr size_t kMaxPatternInput = 4096;

std::string Quote(std::string_view s) {
  constexpr size_t kMax = 60;
  std::string out = "'";
  if (s.size() > kMax) {
    size_t cut = kMax;  // never split a UTF-8 sequence
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
      --cut;
    out += s.substr(0, cut);
    out += "...";
  } else {
    out += s;
  }
  return out + "'";
}

std::string Plural(size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string FormatNumber(double d) {
  if (std::floor(d) == d && std::fabs(d) < 1e15) {
    return std::to_string(static_cast<long long>(d));
  }
  json j = d;
  return j.dump();
}

// "a string", "a string or an integer", "a string, a list or a mapping".
std::string ExpectedTypes(TypeMask mask) {
  std::vector<const char*> names;
  if (mask & si::kStringBit) names.push_back("a string");
  if ((mask & si::kIntBit) && (mask & si::kFloatBit)) {
    names.push_back("a number");
  } else if (mask & si::kIntBit) {
    names.push_back("an integer");
  } else if (mask & si::kFloatBit) {
    names.push_back("a number");
  }
  if (mask & si::kBoolBit) names.push_back("a boolean");
  if (mask & si::kListBit) names.push_back("a list");
  if (mask & si::kMapBit) names.push_back("a mapping");
  if (mask & si::kNullBit) names.push_back("null");
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out.empty() ? "nothing" : out;
}

std::string EnumText(const json& j) {
  return j.is_string() ? j.get<std::string>() : j.dump();
}

// The value of a YAML number as a double (PyYAML spelling: "1_000.5",
// ".inf", ".nan").
double NumberOf(const Value& v) {
  if (v.is_int()) return static_cast<double>(v.as_int());
  std::string t;
  for (char c : v.text()) {
    if (c != '_')
      t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (t == ".inf" || t == "+.inf") return HUGE_VAL;
  if (t == "-.inf") return -HUGE_VAL;
  if (t == ".nan") return NAN;
  return std::strtod(t.c_str(), nullptr);
}

bool Equals(const Value& v, const json& j) {
  switch (v.type()) {
    case Value::Type::kNull:
      return j.is_null();
    case Value::Type::kBool:
      return j.is_boolean() && j.get<bool>() == v.as_bool();
    case Value::Type::kInt:
      if (j.is_number_integer()) return j.get<int64_t>() == v.as_int();
      if (j.is_number_unsigned()) {
        return v.as_int() >= 0 &&
               j.get<uint64_t>() == static_cast<uint64_t>(v.as_int());
      }
      return j.is_number() && j.get<double>() == NumberOf(v);
    case Value::Type::kFloat:
      return j.is_number() && j.get<double>() == NumberOf(v);
    case Value::Type::kString:
      return j.is_string() && j.get_ref<const std::string&>() == v.text();
    case Value::Type::kList:
    case Value::Type::kMap:
      return v.ToJson() == j;
  }
  return false;
}

size_t Utf8Length(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool Search(const si::Pattern& p, const std::string& s) {
  return std::regex_search(s, p.re);
}

// Collects the enum values of a node that is only an enum (directly, through
// $ref, or as oneOf/anyOf of enums). False for any other constraint.
bool CollectEnum(const std::vector<Node>& nodes, int index, int depth,
                 std::vector<json>* out) {
  const Node& n = nodes[static_cast<size_t>(index)];
  if (depth > 16) return false;
  if (n.enum_values) {
    out->insert(out->end(), n.enum_values->begin(), n.enum_values->end());
    return true;
  }
  if (n.ref >= 0) return CollectEnum(nodes, n.ref, depth + 1, out);
  const auto& branches = !n.one_of.empty() ? n.one_of : n.any_of;
  if (branches.empty()) return false;
  for (int b : branches) {
    if (!CollectEnum(nodes, b, depth + 1, out)) return false;
  }
  return true;
}

class Walker {
 public:
  explicit Walker(const std::vector<Node>& nodes) : nodes_(nodes) {}

  void Check(int index, const Value& v, Diagnostics* d) const {
    // A schema whose $refs loop without descending into the value
    // ({"$defs": {"a": {"$ref": "#/$defs/a"}}}) must not exhaust the stack.
    if (depth_ > kMaxSchemaDepth) {
      d->Error(v, "internal error: the schema recurses without end here");
      return;
    }
    ++depth_;
    CheckNode(nodes_[static_cast<size_t>(index)], v, d);
    --depth_;
  }

 private:
  static constexpr int kMaxSchemaDepth = 2000;

  void CheckNode(const Node& n, const Value& v, Diagnostics* d) const {
    if (n.always_false) {
      d->Error(v, "is not allowed here");
      return;
    }
    if (n.deprecated) {
      d->Warning(v, n.deprecated_message.empty() ? "is deprecated"
                                                 : n.deprecated_message);
    }
    if (!(n.types & si::BitOf(v.type()))) {
      d->Error(v, "expected " + ExpectedTypes(n.types) + ", got " +
                      Value::TypeName(v.type()));
      return;  // the other keywords would only repeat the point
    }
    if (n.ref >= 0) Check(n.ref, v, d);
    if (n.enum_values) CheckEnum(n, v, d);
    switch (v.type()) {
      case Value::Type::kString:
        CheckString(n, v, d);
        break;
      case Value::Type::kInt:
      case Value::Type::kFloat:
        CheckNumber(n, v, d);
        break;
      case Value::Type::kList:
        CheckList(n, v, d);
        break;
      case Value::Type::kMap:
        CheckMap(n, v, d);
        break;
      default:
        break;
    }
    for (int b : n.all_of) Check(b, v, d);
    if (!n.one_of.empty()) CheckBranches(n.one_of, true, v, d);
    if (!n.any_of.empty()) CheckBranches(n.any_of, false, v, d);
    if (n.not_schema >= 0) {
      Diagnostics scratch;
      Check(n.not_schema, v, &scratch);
      if (!scratch.HasErrors()) d->Error(v, "is not allowed here");
    }
  }

  void CheckEnum(const Node& n, const Value& v, Diagnostics* d) const {
    for (const json& j : *n.enum_values) {
      if (Equals(v, j)) return;
    }
    EnumError(*n.enum_values, v, d);
  }

  static void EnumError(const std::vector<json>& values, const Value& v,
                        Diagnostics* d) {
    std::string msg = values.size() == 1 ? "must be " : "must be one of: ";
    std::vector<std::string> strings;
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) msg += ", ";
      msg += EnumText(values[i]);
      if (values[i].is_string())
        strings.push_back(values[i].get<std::string>());
    }
    if (v.is_scalar() && !v.is_null()) {
      msg += " (got " + (v.is_string() ? Quote(v.text()) : v.text());
      if (v.is_string()) {
        if (auto hint = ClosestMatch(v.text(), strings)) {
          msg += "; did you mean '" + *hint + "'?";
        }
      }
      msg += ")";
    }
    d->Error(v, std::move(msg));
  }

  static void CheckString(const Node& n, const Value& v, Diagnostics* d) {
    if (n.min_length || n.max_length) {
      size_t len = Utf8Length(v.text());
      if (n.min_length && len < *n.min_length) {
        d->Error(v, *n.min_length == 1
                        ? std::string("must not be empty")
                        : "must be at least " +
                              Plural(*n.min_length, "character") + " long");
      }
      if (n.max_length && len > *n.max_length) {
        d->Error(v, "must be at most " + Plural(*n.max_length, "character") +
                        " long");
      }
    }
    if (n.pattern) {
      if (v.text().size() > kMaxPatternInput) {
        d->Error(v, "is too long to check (more than " +
                        std::to_string(kMaxPatternInput) + " characters)");
      } else if (!Search(*n.pattern, v.text())) {
        d->Error(v, "does not match the pattern " + n.pattern->source);
      }
    }
  }

  static void CheckNumber(const Node& n, const Value& v, Diagnostics* d) {
    if (!n.minimum && !n.maximum && !n.exclusive_minimum &&
        !n.exclusive_maximum) {
      return;
    }
    double x = NumberOf(v);
    std::string got = " (got " + v.text() + ")";
    if (n.minimum && !(x >= *n.minimum)) {
      d->Error(v, "must be at least " + FormatNumber(*n.minimum) + got);
    }
    if (n.maximum && !(x <= *n.maximum)) {
      d->Error(v, "must be at most " + FormatNumber(*n.maximum) + got);
    }
    if (n.exclusive_minimum && !(x > *n.exclusive_minimum)) {
      d->Error(v, "must be greater than " + FormatNumber(*n.exclusive_minimum) +
                      got);
    }
    if (n.exclusive_maximum && !(x < *n.exclusive_maximum)) {
      d->Error(v,
               "must be less than " + FormatNumber(*n.exclusive_maximum) + got);
    }
  }

  void CheckList(const Node& n, const Value& v, Diagnostics* d) const {
    const size_t size = v.items().size();
    if (n.min_items && size < *n.min_items) {
      d->Error(v, *n.min_items == 1
                      ? std::string("must not be empty")
                      : "must have at least " + Plural(*n.min_items, "item"));
    }
    if (n.max_items && size > *n.max_items) {
      d->Error(v, "must have at most " + Plural(*n.max_items, "item"));
    }
    if (n.unique_items) {
      std::unordered_map<std::string, size_t> seen;
      for (size_t i = 0; i < size; ++i) {
        auto [it, fresh] =
            seen.emplace(v.items()[i].ToJson().dump(
                             -1, ' ', false, json::error_handler_t::replace),
                         i);
        if (!fresh) {
          d->Error(v.items()[i], "duplicate item (same as item " +
                                     std::to_string(it->second) + ")");
        }
      }
    }
    if (n.items >= 0) {
      for (const Value& item : v.items()) Check(n.items, item, d);
    }
  }

  void CheckMap(const Node& n, const Value& v, Diagnostics* d) const {
    const size_t size = v.entries().size();
    if (n.min_properties && size < *n.min_properties) {
      d->Error(
          v, *n.min_properties == 1
                 ? std::string("must not be empty")
                 : "must have at least " + Plural(*n.min_properties, "entry"));
    }
    if (n.max_properties && size > *n.max_properties) {
      d->Error(v, "must have at most " + Plural(*n.max_properties, "entry"));
    }
    for (const std::string& name : n.required) {
      if (v.Get(name) == nullptr) {
        d->Error(v, "missing required property '" + name + "'");
      }
    }
    for (const auto& [key, child] : v.entries()) {
      bool known = false;
      if (auto it = n.properties.find(key); it != n.properties.end()) {
        Check(it->second, child, d);
        known = true;
      }
      for (const auto& [pattern, schema] : n.pattern_properties) {
        if (key.size() <= kMaxPatternInput && Search(pattern, key)) {
          Check(schema, child, d);
          known = true;
        }
      }
      if (known) continue;
      if (!n.additional_allowed) {
        std::string msg = "unknown property '" + key + "'";
        if (auto hint = ClosestMatch(key, n.property_names)) {
          msg += " (did you mean '" + *hint + "'?)";
        }
        d->AddAtKey(child, Severity::kError, v.path(), std::move(msg));
      } else if (n.additional >= 0) {
        Check(n.additional, child, d);
      }
    }
  }

  // oneOf (exactly one branch) or anyOf (at least one).
  void CheckBranches(const std::vector<int>& branches, bool exactly_one,
                     const Value& v, Diagnostics* d) const {
    std::vector<Diagnostics> results(branches.size());
    size_t passed = 0, first_pass = 0;
    for (size_t i = 0; i < branches.size(); ++i) {
      Check(branches[i], v, &results[i]);
      if (!results[i].HasErrors()) {
        if (passed == 0) first_pass = i;
        ++passed;
        if (!exactly_one) break;
      }
    }
    if (passed == 1 || (passed > 1 && !exactly_one)) {
      d->Append(results[first_pass]);  // its warnings
      return;
    }
    if (passed > 1) {
      d->Error(v, "matches more than one of the allowed forms");
      return;
    }
    // No branch passed: report the most relevant one.
    const TypeMask bit = si::BitOf(v.type());
    TypeMask all = 0;
    std::vector<size_t> candidates;
    for (size_t i = 0; i < branches.size(); ++i) {
      TypeMask acc = nodes_[static_cast<size_t>(branches[i])].accepted;
      all = static_cast<TypeMask>(all | acc);
      if (acc & bit) candidates.push_back(i);
    }
    if (candidates.empty()) {
      d->Error(v, "expected " + ExpectedTypes(all) + ", got " +
                      Value::TypeName(v.type()));
      return;
    }
    std::vector<json> values;
    bool all_enums = true;
    for (size_t i : candidates) {
      all_enums = all_enums && CollectEnum(nodes_, branches[i], 0, &values);
    }
    if (all_enums) {
      EnumError(values, v, d);
      return;
    }
    size_t best = candidates[0];
    for (size_t i : candidates) {
      if (results[i].ErrorCount() < results[best].ErrorCount()) best = i;
    }
    d->Append(results[best]);
  }

  const std::vector<Node>& nodes_;
  mutable int depth_ = 0;
};

// Optimal string alignment distance (edits and adjacent swaps).
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> dp(a.size() + 1,
                                      std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) dp[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) dp[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      dp[i][j] = std::min(
          {dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        dp[i][j] = std::min(dp[i][j], dp[i - 2][j - 2] + 1);
      }
    }
  }
  return dp[a.size()][b.size()];
}

std::string Normalize(std::string_view s) {
  std::string out;
  for (char c : s) {
    out += c == '-'
               ? '_'
               : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

std::optional<std::string> ClosestMatch(
    std::string_view word, const std::vector<std::string>& candidates) {
  constexpr size_t kMaxWord = 64;  // keeps hints cheap on hostile input
  if (word.empty() || word.size() > kMaxWord) return std::nullopt;
  const std::string w = Normalize(word);
  std::optional<std::string> best;
  size_t best_distance = 3;
  for (const std::string& c : candidates) {
    if (c.size() > kMaxWord || c == word) continue;
    size_t dist = EditDistance(w, Normalize(c));
    if (dist < best_distance && 2 * dist < std::max(w.size(), c.size())) {
      best = c;
      best_distance = dist;
    }
  }
  return best;
}

void Schema::Validate(const Value& value, Diagnostics* diags) const {
  Walker(impl_->nodes).Check(0, value, diags);
}

}  // namespace flamingo
