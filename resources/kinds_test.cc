#include "resources/kinds.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

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
    "runcmd: [echo run]\n";

TEST(KindsTest, EveryKindCompilesNormally) {
  std::set<std::string> kinds = CompiledKinds(kConfig, false);
  for (const char* k : {"file", "hostname", "user", "script"}) {
    EXPECT_EQ(kinds.count(k), 1u) << k;
  }
}

// The reboot fast path compiles only the rows with every-boot work: the
// other kinds are converged for this input and would not be planned.
TEST(KindsTest, TheFastPathCompilesOnlyRowsWithEveryBootWork) {
  EXPECT_EQ(CompiledKinds(kConfig, true), std::set<std::string>{"script"});
  for (const KindEntry& k : Kinds()) {
    bool scripts =
        std::find(k.kinds.begin(), k.kinds.end(), "script") != k.kinds.end();
    EXPECT_EQ(k.every_boot, scripts);
  }
}

}  // namespace
}  // namespace flamingo
