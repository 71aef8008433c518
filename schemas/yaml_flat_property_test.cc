// LoadFlatMapping (the shortcut LoadYaml takes for "key: word" documents)
// against yaml-cpp: the same Value, positions and paths included.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

#include "schemas/yaml_loader.h"

namespace flamingo {
namespace {

// Every field a Value has, recursively; "" when they are the same.
std::string Difference(const Value& a, const Value& b, const std::string& at) {
  auto pos = [](const Value& v) {
    return v.file() + ":" + std::to_string(v.line()) + ":" +
           std::to_string(v.col()) + " key " + std::to_string(v.key_line()) +
           ":" + std::to_string(v.key_col()) + " path '" + v.path() + "'";
  };
  if (a.type() != b.type()) return at + ": type differs";
  if (a.text() != b.text() || a.tag() != b.tag()) return at + ": text differs";
  if (a.is_bool() && a.as_bool() != b.as_bool()) return at + ": bool differs";
  if (a.is_int() && a.as_int() != b.as_int()) return at + ": int differs";
  if (pos(a) != pos(b)) return at + ": " + pos(a) + " vs " + pos(b);
  if (a.items().size() != b.items().size()) return at + ": items differ";
  for (size_t i = 0; i < a.items().size(); ++i) {
    std::string d = Difference(a.items()[i], b.items()[i], at + "[]");
    if (!d.empty()) return d;
  }
  if (a.entries().size() != b.entries().size()) return at + ": keys differ";
  for (size_t i = 0; i < a.entries().size(); ++i) {
    if (a.entries()[i].first != b.entries()[i].first) return at + ": key name";
    std::string d = Difference(a.entries()[i].second, b.entries()[i].second,
                               at + "." + a.entries()[i].first);
    if (!d.empty()) return d;
  }
  return "";
}

std::optional<Value> Parsed(const std::string& text) {
  Diagnostics diags;
  YamlLoadLimits no_shortcut;
  no_shortcut.flat_shortcut = false;
  return LoadYaml(text, "meta-data", &diags, no_shortcut);
}

// Words made of the shortcut's characters, and the YAML 1.1 words that type
// as something else (bool, null, int in every base, float).
rc::Gen<std::string> Word(const std::string& first, const std::string& rest,
                          std::vector<std::string> special) {
  return rc::gen::oneOf(
      rc::gen::map(rc::gen::pair(rc::gen::elementOf(first),
                                 rc::gen::container<std::string>(
                                     rc::gen::elementOf(rest))),
                   [](const std::pair<char, std::string>& p) {
                     return std::string(1, p.first) + p.second.substr(0, 10);
                   }),
      rc::gen::elementOf(std::move(special)));
}

// YAML 1.1 words that type as bool or null, allowed as keys and values...
const std::vector<std::string> kKeyWords = {"yes",  "No",   "on",   "OFF",
                                            "true", "null", "Null", "y",
                                            "n",    "nan",  "inf",  "_1"};
// ...and the values' numbers in every base and float.
std::vector<std::string> ValueWords() {
  std::vector<std::string> w = kKeyWords;
  for (const char* n : {"0x1F", "017", "08", "1_000", "1.5", "1e3", "0b101",
                        "10/20", "i-0abc.def", "0", "0o17", "1.0"}) {
    w.push_back(n);
  }
  return w;
}

const std::string kLetters =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
const std::string kDigits = "0123456789";

// Any such document: the shortcut takes it (no repeated key) and gives what
// yaml-cpp gives; with a repeated key it declines.
RC_GTEST_PROP(YamlFlatProperty, SameValueAsTheParser, ()) {
  const auto lines = *rc::gen::nonEmpty(
      rc::gen::container<std::vector<std::pair<std::string, std::string>>>(
          rc::gen::pair(Word(kLetters, kLetters + kDigits + "-", kKeyWords),
                        Word(kLetters + kDigits, kLetters + kDigits + "-./",
                             ValueWords()))));
  const bool final_newline = *rc::gen::arbitrary<bool>();
  std::string text;
  std::vector<std::string> keys;
  bool repeated = false;
  for (const auto& [k, v] : lines) {
    if (!text.empty()) text += "\n";
    text += k + ": " + v;
    Value key = ResolvePlainScalar(k);
    std::string name = key.is_null() ? "null" : key.text();
    for (const auto& seen : keys) repeated = repeated || seen == name;
    keys.push_back(name);
  }
  if (final_newline) text += "\n";
  auto flat = LoadFlatMapping(text, "meta-data");
  if (repeated) {
    RC_ASSERT(!flat.has_value());
    return;
  }
  RC_ASSERT(flat.has_value());
  auto parsed = Parsed(text);
  RC_ASSERT(parsed.has_value());
  RC_ASSERT(Difference(*flat, *parsed, "$") == std::string());
}

// Anything else goes to the parser.
TEST(YamlFlatTest, DeclinesWhatItDoesNotKnow) {
  for (const char* text :
       {"",         "\n",       "a: b\n\nc: d", "# comment\na: b", "a: b # c",
        "a:  b",    "a : b",    "a:b",          " a: b",           "a: 'b'",
        "a: \"b\"", "a: b\r\n", "a: b c",       "a: -1",           "a: .5",
        "1a: b",    "a: [b]",   "a:\n  b: c",   "---\na: b",       "a: b\n...",
        "<<: b",    "a: b:c",   "a: ~",         "a: b\nb: c\na: d"}) {
    EXPECT_FALSE(LoadFlatMapping(text, "m").has_value()) << text;
  }
  auto v = LoadFlatMapping("instance-id: iid-1\nlocal-hostname: h1\n", "m");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->Get("local-hostname")->Origin(), "m:2:17");
  EXPECT_EQ(v->Get("instance-id")->path(), "instance-id");
}

}  // namespace
}  // namespace flamingo
