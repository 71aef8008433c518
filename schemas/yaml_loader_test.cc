#include "schemas/yaml_loader.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace flamingo {
namespace {

Value Load(const std::string& text) {
  Diagnostics diags;
  auto v = LoadYaml(text, "user-data", &diags);
  EXPECT_TRUE(v.has_value())
      << (diags.empty() ? "" : diags.items()[0].ToString());
  EXPECT_TRUE(diags.empty());
  return v ? *v : Value();
}

std::string LoadError(const std::string& text, YamlLoadLimits limits = {}) {
  Diagnostics diags;
  auto v = LoadYaml(text, "user-data", &diags, limits);
  EXPECT_FALSE(v.has_value());
  EXPECT_EQ(diags.items().size(), 1u);
  return diags.empty() ? "" : diags.items()[0].ToString();
}

// Found by the fuzzer: "\_" (and "\xNN") came back from yaml-cpp as a raw
// Latin-1 byte, which made JSON output throw. PyYAML gives U+00A0.
TEST(YamlLoader, EscapesGiveValidUtf8AsPyYaml) {
  Diagnostics d;
  auto v = LoadYaml("{\"a\\_b\": \"x\\xffy\"}\n", "f", &d);
  ASSERT_TRUE(v.has_value()) << (d.empty() ? "" : d.items()[0].ToString());
  ASSERT_EQ(v->entries().size(), 1u);
  EXPECT_EQ(v->entries()[0].first,
            "a\xC2\xA0"
            "b");
  EXPECT_EQ(v->entries()[0].second.text(), "x\xC3\xBFy");
  EXPECT_NO_THROW(v->ToJson().dump());
}

TEST(YamlLoader, PositionsAreOneBasedLineAndColumn) {
  Value v = Load(
      "#cloud-config\nhostname: web\nwrite_files:\n  - path: /etc/x\n    "
      "content: hi\n");
  const Value* host = v.Get("hostname");
  ASSERT_NE(host, nullptr);
  EXPECT_EQ(host->line(), 2);
  EXPECT_EQ(host->col(), 11);
  EXPECT_EQ(host->file(), "user-data");
  EXPECT_EQ(host->path(), "hostname");
  EXPECT_EQ(host->key_line(), 2);
  EXPECT_EQ(host->key_col(), 1);
  const Value& item = v.Get("write_files")->items()[0];
  EXPECT_EQ(item.line(), 4);
  EXPECT_EQ(item.col(), 5);
  const Value* content = item.Get("content");
  EXPECT_EQ(content->line(), 5);
  EXPECT_EQ(content->col(), 14);
  EXPECT_EQ(content->path(), "write_files[0].content");
}

TEST(YamlLoader, NullValueCarriesTheKeyPosition) {
  Value v = Load("a: 1\nempty:\n");
  const Value* e = v.Get("empty");
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(e->is_null());
  EXPECT_EQ(e->line(), 2);
  EXPECT_EQ(e->col(), 1);
}

TEST(YamlLoader, Yaml11TypingAsPyYaml) {
  Value v = Load(
      "b1: yes\nb2: No\nb3: on\nb4: OFF\nb5: true\ny: y\nn: n\n"
      "oct: 0644\nstr: \"0644\"\nsq: '0644'\ndec: 644\nhex: 0x1F\nbin: 0b101\n"
      "o12: 0o17\nbad_oct: 0800\nsexa: 1:30\nmac: 52:54:00:12:34:56\n"
      "f1: 1.5\nf2: .5\nf3: 1.0e+3\ne_nosign: 1.0e3\nexp_only: 1e3\n"
      "neg_dot: -.5\ninf: .inf\nnul: ~\nnul2: null\nunder: 1_000\n");
  for (const char* key : {"b1", "b3", "b5"}) {
    ASSERT_TRUE(v.Get(key)->is_bool()) << key;
    EXPECT_TRUE(v.Get(key)->as_bool()) << key;
  }
  for (const char* key : {"b2", "b4"}) {
    ASSERT_TRUE(v.Get(key)->is_bool()) << key;
    EXPECT_FALSE(v.Get(key)->as_bool()) << key;
  }
  EXPECT_TRUE(v.Get("y")->is_string());  // PyYAML: y/n are strings
  EXPECT_TRUE(v.Get("n")->is_string());
  ASSERT_TRUE(v.Get("oct")->is_int());
  EXPECT_EQ(v.Get("oct")->as_int(), 0644);
  EXPECT_EQ(v.Get("oct")->text(), "0644");
  EXPECT_TRUE(v.Get("str")->is_string());
  EXPECT_EQ(v.Get("str")->text(), "0644");
  EXPECT_TRUE(v.Get("sq")->is_string());
  EXPECT_EQ(v.Get("dec")->as_int(), 644);
  EXPECT_EQ(v.Get("hex")->as_int(), 31);
  EXPECT_EQ(v.Get("bin")->as_int(), 5);
  EXPECT_TRUE(v.Get("o12")->is_string());      // 0o is YAML 1.2 only
  EXPECT_TRUE(v.Get("bad_oct")->is_string());  // 8 is no octal digit
  ASSERT_TRUE(v.Get("sexa")->is_int());
  EXPECT_EQ(v.Get("sexa")->as_int(), 90);
  ASSERT_TRUE(v.Get("mac")->is_int());  // the YAML 1.1 base-60 trap
  EXPECT_EQ(v.Get("mac")->text(), "52:54:00:12:34:56");
  for (const char* key : {"f1", "f2", "f3", "inf"}) {
    EXPECT_EQ(v.Get(key)->type(), Value::Type::kFloat) << key;
  }
  for (const char* key : {"e_nosign", "exp_only", "neg_dot"}) {
    EXPECT_TRUE(v.Get(key)->is_string()) << key;
  }
  EXPECT_TRUE(v.Get("nul")->is_null());
  EXPECT_TRUE(v.Get("nul2")->is_null());
  EXPECT_EQ(v.Get("under")->as_int(), 1000);
}

TEST(YamlLoader, ResolvePlainScalarEdgeCases) {
  EXPECT_EQ(ResolvePlainScalar("-0x10").as_int(), -16);
  EXPECT_EQ(ResolvePlainScalar("+12").as_int(), 12);
  EXPECT_EQ(ResolvePlainScalar("9223372036854775807").as_int(), INT64_MAX);
  EXPECT_EQ(ResolvePlainScalar("-9223372036854775808").as_int(), INT64_MIN);
  // Out of range stays text rather than wrapping.
  EXPECT_FALSE(ResolvePlainScalar("9223372036854775808").is_int());
  EXPECT_TRUE(ResolvePlainScalar("0X10").is_string());
  EXPECT_TRUE(ResolvePlainScalar("1:60").is_string());
  EXPECT_TRUE(ResolvePlainScalar(".").is_string());
  EXPECT_TRUE(ResolvePlainScalar("1.2.3").is_string());
  EXPECT_EQ(ResolvePlainScalar("1.").type(), Value::Type::kFloat);
  EXPECT_TRUE(ResolvePlainScalar("Yes").is_bool());
  EXPECT_TRUE(ResolvePlainScalar("yES").is_string());
}

TEST(YamlLoader, BinaryKeepsItsTag) {
  Value v = Load("data: !!binary aGVsbG8=\ns: !!str 12\nplain: x\n");
  EXPECT_TRUE(v.Get("data")->is_string());
  EXPECT_EQ(v.Get("data")->tag(), "tag:yaml.org,2002:binary");
  EXPECT_EQ(v.Get("data")->text(), "aGVsbG8=");
  EXPECT_TRUE(v.Get("s")->is_string());
  EXPECT_EQ(v.Get("s")->text(), "12");
  EXPECT_EQ(v.Get("plain")->tag(), "");
}

TEST(YamlLoader, MergeKeysAsPyYaml) {
  Value v = Load(
      "base: &b {owner: root, permissions: '0600'}\n"
      "other: &o {owner: nobody, append: true}\n"
      "file:\n  <<: [*b, *o]\n  permissions: '0644'\n  path: /x\n");
  const Value* f = v.Get("file");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->Get("<<"), nullptr);
  EXPECT_EQ(f->Get("permissions")->text(), "0644");  // explicit wins
  EXPECT_EQ(f->Get("owner")->text(), "root");        // first merge wins
  EXPECT_TRUE(f->Get("append")->as_bool());
  EXPECT_EQ(f->Get("owner")->path(), "file.owner");
}

TEST(YamlLoader, AliasesAreExpanded) {
  Value v = Load("a: &x [1, 2]\nb: *x\n");
  ASSERT_TRUE(v.Get("b")->is_list());
  EXPECT_EQ(v.Get("b")->items().size(), 2u);
  EXPECT_EQ(v.Get("b")->items()[1].path(), "b[1]");
}

TEST(YamlLoader, DuplicateKeysLastWinsInPlace) {
  Value v = Load("a: 1\nb: 2\na: 3\n");
  ASSERT_EQ(v.entries().size(), 2u);
  EXPECT_EQ(v.entries()[0].first, "a");
  EXPECT_EQ(v.entries()[0].second.as_int(), 3);
  EXPECT_EQ(v.entries()[0].second.line(), 3);
}

TEST(YamlLoader, KeysMustBeScalars) {
  EXPECT_EQ(LoadError("? [a, b]\n: x\n"),
            "user-data:1:3: invalid YAML: a mapping key must be a scalar");
  EXPECT_EQ(LoadError("a: &m {x: 1}\n*m : y\n"),
            "user-data:1:4: invalid YAML: a mapping key must be a scalar");
  Value v = Load("1: a\nyes: b\n~: c\n");
  EXPECT_NE(v.Get("1"), nullptr);
  EXPECT_NE(v.Get("yes"), nullptr);
  EXPECT_NE(v.Get("null"), nullptr);
}

TEST(YamlLoader, EmptyDocumentIsNull) {
  Value v = Load("");
  EXPECT_TRUE(v.is_null());
  v = Load("#cloud-config\n");
  EXPECT_TRUE(v.is_null());
}

TEST(YamlLoader, SyntaxErrorHasPosition) {
  EXPECT_EQ(LoadError("a: 1\nb: [1, 2\n"),
            "user-data:3:1: invalid YAML: end of sequence flow not found");
  EXPECT_EQ(LoadError("a: 1\n b: 2\n"),
            "user-data:2:3: invalid YAML: illegal map value");
}

TEST(YamlLoader, RejectsWhatPyYamlCannotRead) {
  EXPECT_EQ(LoadError("a: b\nc: \xff\xfe\n"),
            "user-data:2:4: invalid YAML: not valid UTF-8");
  EXPECT_EQ(
      LoadError("a: \xc3\xa9\x7f\n"),
      "user-data:1:5: invalid YAML: control character U+007F is not allowed");
  EXPECT_EQ(
      LoadError(std::string("a: \0\n", 6)),
      "user-data:1:4: invalid YAML: control character U+0000 is not allowed");
  EXPECT_EQ(LoadError("a: \xed\xa0\x80\n"),  // a UTF-16 surrogate
            "user-data:1:4: invalid YAML: not valid UTF-8");
  EXPECT_EQ(LoadError("a: \xc0\xaf\n"),  // overlong
            "user-data:1:4: invalid YAML: not valid UTF-8");
  Value v = Load("\xef\xbb\xbfname: caf\xc3\xa9 \xf0\x9f\x90\xa6\ttab\r\n");
  EXPECT_EQ(v.Get("name")->text(), "caf\xc3\xa9 \xf0\x9f\x90\xa6\ttab");
}

TEST(YamlLoader, AliasBombGivesADiagnostic) {
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 12; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int j = 0; j < 9; ++j) text += ", " + prev;
    text += "]\n";
  }
  std::string err = LoadError(text);
  EXPECT_NE(err.find("document too large after alias expansion"),
            std::string::npos)
      << err;
}

TEST(YamlLoader, DeepNestingGivesADiagnostic) {
  std::string flow(5000, '[');
  flow += std::string(5000, ']');
  std::string err = LoadError(flow);
  EXPECT_NE(err.find("user-data:"), std::string::npos) << err;
  std::string nested;
  for (int i = 0; i < 300; ++i) nested += "[";
  for (int i = 0; i < 300; ++i) nested += "]";
  EXPECT_EQ(
      LoadError(nested),
      "user-data:1:201: document nested too deeply (more than 200 levels)");
}

TEST(YamlLoader, SelfReferenceDoesNotLoop) {
  Diagnostics diags;
  auto v = LoadYaml("a: &x [*x]\n", "user-data", &diags);
  // Either rejected as an unknown alias or cut off by the depth limit.
  EXPECT_FALSE(v.has_value());
  EXPECT_EQ(diags.items().size(), 1u);
}

// Records what a ListItemSink is handed.
class RecordingSink : public ListItemSink {
 public:
  explicit RecordingSink(std::string key) : key_(std::move(key)) {}
  const std::string& key() const override { return key_; }
  void Begin() override {
    ++begins;
    items.clear();
  }
  void Take(Value item) override {
    items.push_back(item.path() + "@" + std::to_string(item.line()) + ":" +
                    std::to_string(item.col()) + "=" + item.ToJson().dump());
  }
  int begins = 0;
  std::vector<std::string> items;

 private:
  std::string key_;
};

Value LoadInto(const std::string& text, ListItemSink* sink) {
  Diagnostics diags;
  YamlLoadLimits limits;
  limits.item_sink = sink;
  auto v = LoadYaml(text, "user-data", &diags, limits);
  EXPECT_TRUE(v.has_value())
      << (diags.empty() ? "" : diags.items()[0].ToString());
  return v ? *v : Value();
}

TEST(YamlLoaderSink, TakesEachItemOfTheKeysListWithItsPathAndPosition) {
  RecordingSink sink("write_files");
  Value v = LoadInto(
      "a: 1\n"
      "write_files:\n"
      "  - path: /x\n"
      "    content: hi\n"
      "  - {path: /y}\n"
      "b: [1, 2]\n",
      &sink);
  EXPECT_EQ(sink.begins, 1);
  EXPECT_EQ(sink.items,
            (std::vector<std::string>{
                R"(write_files[0]@3:5={"content":"hi","path":"/x"})",
                R"(write_files[1]@5:5={"path":"/y"})"}));
  const Value* list = v.Get("write_files");
  ASSERT_NE(list, nullptr);
  EXPECT_TRUE(list->is_list());
  EXPECT_TRUE(list->is_streamed());
  EXPECT_TRUE(list->items().empty());
  EXPECT_EQ(list->line(), 3);  // the list keeps its own position
  EXPECT_EQ(list->key_line(), 2);
  // Other lists stay in the tree.
  EXPECT_EQ(v.Get("b")->items().size(), 2u);
  EXPECT_FALSE(v.Get("b")->is_streamed());
}

TEST(YamlLoaderSink, AnchorsInsideItemsStillServeLaterAliases) {
  RecordingSink sink("write_files");
  Value v = LoadInto(
      "write_files:\n"
      "  - &f {path: /x, content: &c hello}\n"
      "  - *f\n"
      "other: *c\n"
      "again: *f\n",
      &sink);
  ASSERT_EQ(sink.items.size(), 2u);
  EXPECT_EQ(sink.items[1],
            R"(write_files[1]@2:5={"content":"hello","path":"/x"})");
  EXPECT_EQ(v.Get("other")->text(), "hello");
  EXPECT_EQ(v.Get("again")->Get("path")->text(), "/x");
  EXPECT_EQ(v.Get("again")->Get("path")->path(), "again.path");
}

TEST(YamlLoaderSink, OnlyTheRootMappingsOwnList) {
  RecordingSink sink("write_files");
  // An alias to a list, a nested key, a merged one, a scalar, an empty
  // list: all kept as they are.
  Value v = LoadInto(
      "base: &l [{path: /a}]\n"
      "nested: {write_files: [{path: /b}]}\n"
      "<<: {write_files: [{path: /c}]}\n",
      &sink);
  EXPECT_TRUE(sink.items.empty());
  EXPECT_EQ(sink.begins, 0);
  EXPECT_EQ(v.Get("write_files")->items().size(), 1u);
  EXPECT_FALSE(v.Get("write_files")->is_streamed());
  EXPECT_EQ(v.Get("nested")->Get("write_files")->items().size(), 1u);

  Value alias = LoadInto("base: &l [{path: /a}]\nwrite_files: *l\n", &sink);
  EXPECT_TRUE(sink.items.empty());
  EXPECT_EQ(alias.Get("write_files")->items().size(), 1u);

  Value empty = LoadInto("write_files: []\n", &sink);
  EXPECT_EQ(sink.begins, 1);
  EXPECT_FALSE(empty.Get("write_files")->is_streamed());
  Value scalar = LoadInto("write_files: x\n", &sink);
  EXPECT_TRUE(scalar.Get("write_files")->is_string());

  // A list at the root is not a mapping's list.
  RecordingSink root_sink("");
  Value list = LoadInto("- a\n- b\n", &root_sink);
  EXPECT_EQ(list.items().size(), 2u);
  EXPECT_TRUE(root_sink.items.empty());
}

TEST(YamlLoaderSink, ARepeatedKeyStartsTheSinkAgain) {
  RecordingSink sink("write_files");
  Value v = LoadInto(
      "write_files: [{path: /a}, {path: /b}]\n"
      "write_files: [{path: /c}]\n",
      &sink);
  EXPECT_EQ(sink.begins, 2);
  EXPECT_EQ(sink.items,
            (std::vector<std::string>{R"(write_files[0]@2:15={"path":"/c"})"}));
  EXPECT_TRUE(v.Get("write_files")->is_streamed());
}

TEST(YamlLoaderSink, AStreamedListCopiesAndComparesAsOne) {
  RecordingSink sink("k");
  Value v = LoadInto("k: [1]\n", &sink);
  Value copy = *v.Get("k");
  EXPECT_TRUE(copy.is_streamed());
  EXPECT_EQ(copy, *v.Get("k"));
  EXPECT_FALSE(copy == Value::List());  // not the empty list it looks like
}

}  // namespace
}  // namespace flamingo
