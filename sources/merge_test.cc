#include "sources/merge.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "schemas/yaml_loader.h"

namespace flamingo {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

Value Load(const std::string& text, const std::string& name = "t") {
  Diagnostics d;
  std::optional<Value> v = LoadYaml(text, name, &d);
  EXPECT_TRUE(v.has_value()) << name;
  EXPECT_FALSE(d.HasErrors()) << name;
  return v ? *v : Value();
}

// Every merge case of cloud-init's test corpus: sourceN-*.yaml merged in
// order gives expectedN.yaml.
TEST(CloudInitMerge, CorpusCases) {
  fs::path dir = fs::path(FLAMINGO_SHARED_DIR) / "corpus/cloud-init/merge";
  if (!fs::exists(dir)) GTEST_SKIP() << "corpus not found at " << dir;
  int cases = 0;
  for (int n = 1; n < 100; ++n) {
    fs::path expected = dir / ("expected" + std::to_string(n) + ".yaml");
    if (!fs::exists(expected)) continue;
    std::vector<Value> parts;
    for (int i = 1; i < 20; ++i) {
      fs::path src = dir / ("source" + std::to_string(n) + "-" +
                            std::to_string(i) + ".yaml");
      if (!fs::exists(src)) break;
      parts.push_back(Load(ReadAll(src), src.string()));
    }
    ASSERT_FALSE(parts.empty()) << n;
    Diagnostics d;
    Value merged = MergeCloudConfigParts(parts, {}, &d);
    EXPECT_FALSE(d.HasErrors()) << n;
    Value want = Load(ReadAll(expected));
    EXPECT_EQ(merged.ToJson(), want.ToJson()) << "case " << n;
    ++cases;
  }
  EXPECT_EQ(cases, 12);
}

TEST(CloudInitMerge, DefaultPartMergeReplacesWholeKeys) {
  Diagnostics d;
  Value m = MergeCloudConfigParts(
      {Load("a: {x: 1, y: 2}\nl: [1, 2]\n"), Load("a: {x: 3}\nl: [9]\n")}, {},
      &d);
  EXPECT_EQ(m.ToJson().dump(), R"({"a":{"x":3},"l":[9]})");
}

TEST(CloudInitMerge, HeaderMergeType) {
  Diagnostics d;
  Value m = MergeCloudConfigParts({Load("l: [1]\n"), Load("l: [2]\n")},
                                  {"", "list(append)+dict(recurse_array)"}, &d);
  EXPECT_EQ(m.ToJson().dump(), R"({"l":[1,2]})");
}

TEST(CloudInitMerge, ListFormOfMergeHow) {
  Diagnostics d;
  Value m = MergeCloudConfigParts(
      {Load("l: [1]\n"), Load("l: [2]\nmerge_how:\n - name: list\n   settings: "
                              "[append]\n - name: dict\n   "
                              "settings: [no_replace, recurse_list]\n")},
      {}, &d);
  EXPECT_FALSE(d.HasErrors());
  EXPECT_EQ(m.ToJson().dump(), R"({"l":[1,2]})");
}

TEST(CloudInitMerge, UnknownMergerIsAnErrorAtItsPosition) {
  Diagnostics d;
  MergeCloudConfigParts({Load("a: 1\nmerge_how: 'json(x)'\n", "user-data")}, {},
                        &d);
  ASSERT_TRUE(d.HasErrors());
  EXPECT_EQ(d.items()[0].ToString().rfind("user-data:2:", 0), 0u)
      << d.items()[0].ToString();
  EXPECT_NE(d.items()[0].message.find("json"), std::string::npos);
}

TEST(CloudInitMerge, MalformedMergerString) {
  EXPECT_FALSE(ParseMergers("dict(").ok());
  EXPECT_FALSE(ParseMergers("(x)").ok());
  ASSERT_TRUE(ParseMergers(" Dict( Replace ) + LIST() ").ok());
  auto r = ParseMergers(" Dict( Replace ) + LIST() ");
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].name, "dict");
  EXPECT_EQ((*r)[0].opts, std::vector<std::string>{"replace"});
}

TEST(CloudInitMerge, PositionsKept) {
  Diagnostics d;
  Value m = MergeCloudConfigParts(
      {Load("a: 1\n", "one"), Load("\n\nb: 2\n", "two")}, {}, &d);
  ASSERT_NE(m.Get("b"), nullptr);
  EXPECT_EQ(m.Get("b")->file(), "two");
  EXPECT_EQ(m.Get("b")->line(), 3);
  EXPECT_EQ(m.Get("a")->file(), "one");
}

}  // namespace
}  // namespace flamingo
