#include "resources/kinds.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "resources/resource_testing.h"
#include "schemas/yaml_loader.h"

namespace flamingo {
namespace {

std::set<std::string> CompiledKinds(const std::string& yaml,
                                    bool every_boot_only) {
  Diagnostics diags;
  auto config = LoadYaml(yaml, "user-data", &diags);
  EXPECT_TRUE(config.has_value());
  Value meta = Value::Map();
  std::vector<ScriptPart> scripts;
  RunInfo run;
  run.instance_id = "iid-1";
  CompileInput in{*config, meta, scripts, run, every_boot_only};
  Graph graph;
  CompileAll(in, &graph, &diags);
  EXPECT_FALSE(diags.HasErrors());
  std::set<std::string> kinds;
  for (size_t i = 0; i < graph.size(); ++i) kinds.insert(graph.at(i).Kind());
  return kinds;
}

constexpr char kConfig[] =
    "hostname: h1\n"
    "users: [{name: alice}]\n"
    "write_files: [{path: /etc/a, content: x}]\n"
    "bootcmd: [echo boot]\n"
    "runcmd: [echo run]\n"
    "power_state: {mode: reboot}\n";

TEST(KindsTest, EveryKindCompilesNormally) {
  std::set<std::string> kinds = CompiledKinds(kConfig, false);
  for (const char* k : {"file", "hostname", "user", "script"}) {
    EXPECT_EQ(kinds.count(k), 1u) << k;
  }
}

// The reboot fast path compiles only the rows with every-boot work (the
// scripts, the host keys made once per instance at boot, the final message
// of every boot, the power state change once per instance): the other kinds are
// converged for this input and would not be planned.
TEST(KindsTest, TheFastPathCompilesOnlyRowsWithEveryBootWork) {
  const std::set<std::string> every_boot = {"final_message", "power_state",
                                            "script", "ssh_host_keys"};
  EXPECT_EQ(CompiledKinds(kConfig, true), every_boot);
  for (const KindEntry& k : Kinds()) {
    bool listed = every_boot.count(k.kinds[0]) > 0;
    EXPECT_EQ(k.every_boot, listed) << k.kinds[0];
  }
}

Value Yaml(const std::string& text) {
  Diagnostics diags;
  auto v = LoadYaml(text, "user-data", &diags);
  EXPECT_TRUE(v.has_value()) << text;
  return v ? *v : Value::Map();
}

TEST(KindsTest, EveryBootInputIsAKeyOfAnEveryBootRowOrAScriptPart) {
  const std::vector<ScriptPart> none, part{{"part-001", "#!/bin/sh\n"}};
  EXPECT_FALSE(HasEveryBootInput(Value::Map(), none));
  EXPECT_FALSE(HasEveryBootInput(
      Yaml("hostname: h\nusers: [{name: a}]\nwrite_files: [{path: /a}]\n"),
      none));
  EXPECT_TRUE(HasEveryBootInput(Value::Map(), part));
  for (const char* key : {"bootcmd", "runcmd", "flamingo"}) {
    EXPECT_TRUE(HasEveryBootInput(Yaml(std::string(key) + ": []\n"), none))
        << key;
  }
  EXPECT_FALSE(HasEveryBootInput(Yaml("[bootcmd]\n"), none));  // not a map
}

// The fast path compiles an input without every-boot work from an empty
// config: the every-boot rows must then give exactly what they give for it.
// (tests/corpus_test.cc checks the same over cloud-init's examples.)
TEST(KindsTest, WithoutEveryBootInputTheFastPathGraphIsTheEmptyConfigs) {
  const Value plain = Yaml(
      "hostname: h1\nusers: [{name: alice}]\n"
      "write_files: [{path: /etc/a, content: x}]\n");
  ASSERT_FALSE(HasEveryBootInput(plain, {}));
  EXPECT_EQ(testing::EveryBootIds(plain), testing::EveryBootIds(Value::Map()));
  EXPECT_FALSE(testing::EveryBootIds(plain).empty());  // the script directories
  // And the check can tell: bootcmd adds a resource.
  EXPECT_NE(testing::EveryBootIds(Yaml(kConfig)),
            testing::EveryBootIds(Value::Map()));
}

}  // namespace
}  // namespace flamingo
