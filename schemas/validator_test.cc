#include "schemas/validator.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "schemas/yaml_loader.h"

namespace flamingo {
namespace {

using nlohmann::json;

const char* kSchema = R"({
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "files": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/file"}},
    "mode": {"type": ["string", "integer"]},
    "port": {"type": "integer", "minimum": 1, "maximum": 65535},
    "name": {"type": "string", "minLength": 1, "pattern": "^[a-z][a-z0-9-]*$"},
    "tags": {"type": "array", "uniqueItems": true, "maxItems": 3,
             "items": {"type": "string"}},
    "hosts": {"oneOf": [{"enum": [true, false, "localhost"]},
                        {"const": "template", "deprecated": true}]},
    "user": {"oneOf": [{"type": "string"},
                       {"type": "object", "required": ["name"],
                        "additionalProperties": false,
                        "properties": {"name": {"type": "string"},
                                       "shell": {"type": "string"}}},
                       {"type": "array", "items": {"type": "string"}}]},
    "either": {"anyOf": [{"type": "string", "minLength": 3},
                         {"type": "string", "pattern": "^x"}]},
    "env": {"type": "object", "patternProperties": {"^[A-Z_]+$": {"type": "string"}},
            "additionalProperties": false},
    "headers": {"type": "object", "additionalProperties": {"type": "string"}},
    "notnull": {"not": {"type": "null"}},
    "ratio": {"type": "number", "exclusiveMaximum": 1}
  },
  "$defs": {
    "file": {"type": "object", "required": ["path"], "additionalProperties": false,
             "properties": {"path": {"type": "string"},
                            "encoding": {"enum": ["gz", "gzip", "b64", "text/plain"]},
                            "append": {"type": "boolean"}}}
  }
})";

class ValidatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    schema_ = Schema::Compile(json::parse(kSchema), &error);
    ASSERT_NE(schema_, nullptr) << error;
  }

  std::vector<std::string> Check(const std::string& yaml) {
    Diagnostics diags;
    auto v = LoadYaml(yaml, "c.yaml", &diags);
    EXPECT_TRUE(v.has_value());
    if (v) schema_->Validate(*v, &diags);
    std::vector<std::string> out;
    for (const auto& d : diags.items()) out.push_back(d.ToString());
    return out;
  }

  std::unique_ptr<Schema> schema_;
};

using Msgs = std::vector<std::string>;

TEST_F(ValidatorTest, ValidConfigHasNoDiagnostics) {
  EXPECT_EQ(Check("files:\n- path: /a\n  encoding: gz\nmode: 0644\nport: 22\n"
                  "name: web-1\ntags: [a, b]\nhosts: localhost\nuser: bob\n"
                  "either: xy\nenv: {PATH: /bin}\nheaders: {A: b}\nnotnull: 1\n"
                  "ratio: 0.5\n"),
            Msgs{});
}

TEST_F(ValidatorTest, TypeErrors) {
  EXPECT_EQ(
      Check("port: http\nmode: [1]\nfiles: {}\n"),
      (Msgs{"c.yaml:1:7: port: expected an integer, got a string",
            "c.yaml:2:7: mode: expected a string or an integer, got a list",
            "c.yaml:3:8: files: expected a list, got a mapping"}));
}

TEST_F(ValidatorTest, CollectsEveryErrorWithPositionAndPath) {
  EXPECT_EQ(
      Check(
          "files:\n- pth: /a\n  encoding: gzp\n- path: /b\n  append: maybe\n"),
      (Msgs{
          "c.yaml:2:3: files[0]: missing required property 'path'",
          "c.yaml:2:3: files[0]: unknown property 'pth' (did you mean 'path'?)",
          "c.yaml:3:13: files[0].encoding: must be one of: gz, gzip, b64, "
          "text/plain (got 'gzp'; did you mean 'gz'?)",
          "c.yaml:5:11: files[1].append: expected a boolean, got a string"}));
}

TEST_F(ValidatorTest, NumbersStringsAndLists) {
  EXPECT_EQ(
      Check("port: 0\nname: ''\ntags: [a, b, a, c]\nratio: 1.0\nfiles: []\n"),
      (Msgs{"c.yaml:1:7: port: must be at least 1 (got 0)",
            "c.yaml:2:7: name: must not be empty",
            "c.yaml:2:7: name: does not match the pattern ^[a-z][a-z0-9-]*$",
            "c.yaml:3:7: tags: must have at most 3 items",
            "c.yaml:3:14: tags[2]: duplicate item (same as item 0)",
            "c.yaml:4:8: ratio: must be less than 1 (got 1.0)",
            "c.yaml:5:8: files: must not be empty"}));
  EXPECT_EQ(Check("port: 70000\n"),
            Msgs{"c.yaml:1:7: port: must be at most 65535 (got 70000)"});
}

TEST_F(ValidatorTest, OneOfReportsTheBranchOfTheNodesType) {
  EXPECT_EQ(Check("user: {shell: /bin/sh, nmae: bob}\n"),
            (Msgs{"c.yaml:1:7: user: missing required property 'name'",
                  "c.yaml:1:24: user: unknown property 'nmae' (did you mean "
                  "'name'?)"}));
  EXPECT_EQ(Check("user: 12\n"), Msgs{"c.yaml:1:7: user: expected a string, a "
                                      "list or a mapping, got an integer"});
  EXPECT_EQ(Check("user: [a, [b]]\n"),
            Msgs{"c.yaml:1:11: user[1]: expected a string, got a list"});
}

TEST_F(ValidatorTest, OneOfOfEnumsMergesTheChoices) {
  EXPECT_EQ(
      Check("hosts: yes-please\n"),
      Msgs{
          "c.yaml:1:8: hosts: must be one of: true, false, localhost, template "
          "(got 'yes-please')"});
  EXPECT_EQ(Check("hosts: template\n"),
            Msgs{"c.yaml:1:8: warning: hosts: is deprecated"});
  EXPECT_EQ(
      Check("hosts: 3\n"),
      Msgs{
          "c.yaml:1:8: hosts: expected a string or a boolean, got an integer"});
}

TEST_F(ValidatorTest, AnyOfAndNot) {
  EXPECT_EQ(Check("either: ab\n"),
            Msgs{"c.yaml:1:9: either: must be at least 3 characters long"});
  EXPECT_EQ(Check("either: xy\n"), Msgs{});
  EXPECT_EQ(Check("notnull:\n"),
            Msgs{"c.yaml:1:1: notnull: is not allowed here"});
}

TEST_F(ValidatorTest, PatternAndAdditionalPropertiesSchemas) {
  EXPECT_EQ(Check("env: {path: x, HOME: 1}\nheaders: {A: [x]}\n"),
            (Msgs{"c.yaml:1:7: env: unknown property 'path'",
                  "c.yaml:1:22: env.HOME: expected a string, got an integer",
                  "c.yaml:2:14: headers.A: expected a string, got a list"}));
}

TEST_F(ValidatorTest, TopLevelUnknownPropertyHint) {
  EXPECT_EQ(Check("prot: 1\n"),
            Msgs{"c.yaml:1:1: unknown property 'prot' (did you mean 'port'?)"});
}

TEST(SchemaCompile, RejectsWhatItCannotHonour) {
  std::string error;
  EXPECT_EQ(Schema::Compile(json::parse(R"({"typo": 1})"), &error), nullptr);
  EXPECT_EQ(error, "at /typo: unsupported keyword 'typo'");
  EXPECT_EQ(Schema::Compile(
                json::parse(R"({"properties": {"a": {"$ref": "#/$defs/x"}}})"),
                &error),
            nullptr);
  EXPECT_EQ(error,
            "at /properties/a/$ref: $ref '#/$defs/x' names no definition");
  EXPECT_EQ(Schema::Compile(json::parse(R"({"pattern": "("})"), &error),
            nullptr);
  EXPECT_EQ(error.rfind("at /pattern: bad regular expression", 0), 0u) << error;
  EXPECT_EQ(Schema::Compile(json::parse(R"({"type": "text"})"), &error),
            nullptr);
  EXPECT_EQ(error, "at /type: unknown type \"text\"");
}

TEST(SchemaCompile, RecursiveRefs) {
  std::string error;
  auto schema = Schema::Compile(json::parse(R"({
    "$ref": "#/$defs/tree",
    "$defs": {"tree": {"type": "object", "additionalProperties": {"$ref": "#/$defs/tree"}}}
  })"),
                                &error);
  ASSERT_NE(schema, nullptr) << error;
  Diagnostics diags;
  auto v = LoadYaml("a: {b: {c: 1}}\n", "t", &diags);
  schema->Validate(*v, &diags);
  ASSERT_EQ(diags.items().size(), 1u);
  EXPECT_EQ(diags.items()[0].ToString(),
            "t:1:12: a.b.c: expected a mapping, got an integer");
}

TEST(SchemaCompile, RefLoopDoesNotExhaustTheStack) {
  std::string error;
  auto schema = Schema::Compile(
      json::parse(
          R"({"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/a"}}})"),
      &error);
  ASSERT_NE(schema, nullptr) << error;
  Diagnostics diags;
  auto v = LoadYaml("x: 1\n", "t", &diags);
  schema->Validate(*v, &diags);
  ASSERT_EQ(diags.items().size(), 1u);
  EXPECT_EQ(diags.items()[0].message,
            "internal error: the schema recurses without end here");
}

TEST(ClosestMatch, Hints) {
  std::vector<std::string> c = {"path", "content", "ca-certs", "owner"};
  EXPECT_EQ(ClosestMatch("pth", c), "path");
  EXPECT_EQ(ClosestMatch("ca_certs", c), "ca-certs");
  EXPECT_EQ(ClosestMatch("contnet", c), "content");
  EXPECT_EQ(ClosestMatch("zzz", c), std::nullopt);
  EXPECT_EQ(ClosestMatch("ab", {"xy"}), std::nullopt);
}

TEST(ValidatorPerf, LinearInConfigSize) {
  std::string error;
  auto schema = Schema::Compile(json::parse(kSchema), &error);
  ASSERT_NE(schema, nullptr);
  std::string yaml = "files:\n";
  for (int i = 0; i < 10000; ++i) {
    yaml += "- path: /etc/f" + std::to_string(i) +
            "\n  encoding: gz\n  append: true\n";
  }
  Diagnostics diags;
  auto v = LoadYaml(yaml, "big", &diags);
  ASSERT_TRUE(v.has_value());
  auto start = std::chrono::steady_clock::now();
  schema->Validate(*v, &diags);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - start)
                .count();
  EXPECT_TRUE(diags.empty());
  EXPECT_LT(ms, 1000) << "validating 10000 entries took " << ms << " ms";
}

}  // namespace
}  // namespace flamingo
