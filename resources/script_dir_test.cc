#include "resources/script_dir.h"

#include <gtest/gtest.h>

#include "resources/script_test_util.h"

namespace flamingo {
namespace {

using scripts_test::Boot;
using scripts_test::Machine;

constexpr char kPerBoot[] = "/var/lib/cloud/scripts/per-boot";
constexpr char kPerInstance[] = "/var/lib/cloud/scripts/per-instance";
constexpr char kPerOnce[] = "/var/lib/cloud/scripts/per-once";

bool Has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

class ScriptDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m.sys.AddFile(std::string(kPerInstance) + "/b.sh", "#!/bin/sh\necho b\n",
                  {0755, 0, 0});
    m.sys.AddFile(std::string(kPerInstance) + "/a.sh", "#!/bin/sh\necho a\n",
                  {0700, 0, 0});
    m.sys.AddFile(std::string(kPerInstance) + "/README", "not a script\n",
                  {0644, 0, 0});
    m.sys.AddDir(std::string(kPerInstance) + "/subdir");
    m.sys.AddSymlink(std::string(kPerInstance) + "/c.sh", "b.sh");
    m.sys.AddSymlink(std::string(kPerInstance) + "/dangling", "/nowhere");
    m.sys.AddFile(std::string(kPerBoot) + "/every.sh", "#!/bin/sh\n",
                  {0755, 0, 0});
    m.sys.AddFile(std::string(kPerOnce) + "/once.sh", "#!/bin/sh\n",
                  {0755, 0, 0});
  }
  Machine m;
};

TEST_F(ScriptDirTest, RunsExecutableFilesInOrderWithTheirFrequencies) {
  Plan plan;
  ApplyReport rep = m.Apply("{}\n", Boot("i-1", "b1"), &plan);
  EXPECT_TRUE(rep.ok());
  // cloud-init's final-stage order: per-once, per-boot, per-instance; files
  // alphabetically; non-executables, directories and dangling links skipped.
  EXPECT_EQ(m.Executed(),
            (std::vector<std::string>{std::string(kPerOnce) + "/once.sh",
                                      std::string(kPerBoot) + "/every.sh",
                                      std::string(kPerInstance) + "/a.sh",
                                      std::string(kPerInstance) + "/b.sh",
                                      std::string(kPerInstance) + "/c.sh"}));
  const PlanItem* item =
      Machine::Item(plan, std::string("script[") + kPerInstance + "]");
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(item->change.action, Action::kRun);
  EXPECT_EQ(item->change.reason,
            "once per instance: a.sh (not yet run for instance i-1); b.sh (not "
            "yet run for instance i-1); c.sh (not yet run for instance i-1)");
  ASSERT_EQ(item->change.fields.size(), 3u);
  EXPECT_EQ(item->change.fields[0].name, "a.sh");
  const Record& rec = m.records.at(std::string("script[") + kPerInstance + "]");
  EXPECT_EQ(rec.at("a.sh/instance_id"), "i-1");
  EXPECT_EQ(rec.at("c.sh/last_exit"), "0");
  EXPECT_EQ(
      m.records.at(std::string("script[") + kPerOnce + "]").at("once.sh/done"),
      "true");
}

TEST_F(ScriptDirTest, SecondBootRunsOnlyPerBoot) {
  ASSERT_TRUE(m.Apply("{}\n", Boot("i-1", "b1")).ok());
  size_t first = m.Executed().size();
  ASSERT_TRUE(m.Apply("{}\n", Boot("i-1", "b2")).ok());
  std::vector<std::string> ran = m.ExecutedSince(first);
  EXPECT_EQ(ran, std::vector<std::string>{std::string(kPerBoot) + "/every.sh"});
}

TEST_F(ScriptDirTest, NewInstanceRunsPerInstanceButNotPerOnce) {
  ASSERT_TRUE(m.Apply("{}\n", Boot("i-1", "b1")).ok());
  size_t first = m.Executed().size();
  ASSERT_TRUE(m.Apply("{}\n", Boot("i-2", "b2")).ok());
  std::vector<std::string> ran = m.ExecutedSince(first);
  EXPECT_EQ(ran,
            (std::vector<std::string>{std::string(kPerBoot) + "/every.sh",
                                      std::string(kPerInstance) + "/a.sh",
                                      std::string(kPerInstance) + "/b.sh",
                                      std::string(kPerInstance) + "/c.sh"}));
}

TEST_F(ScriptDirTest, AFailingScriptDoesNotStopTheOthers) {
  m.sys.set_exec_handler([](const ExecRequest& r) -> Result<ExecResult> {
    ExecResult res;
    if (r.argv[0] == std::string(kPerInstance) + "/a.sh") {
      res.exit_code = 2;
      res.output_tail = "a broke\n";
    }
    return res;
  });
  ApplyReport rep = m.Apply("{}\n", Boot("i-1", "b1"));
  EXPECT_FALSE(rep.ok());
  EXPECT_EQ(m.Executed().size(), 5u);
  std::string msg;
  for (const auto& r : rep.results) {
    if (r.outcome == Outcome::kFailed) msg = r.message;
  }
  EXPECT_TRUE(Has(msg,
                  "1 of 3 scripts failed:\n  a.sh: failed with exit code "
                  "2"))
      << msg;
  EXPECT_TRUE(Has(msg, "    a broke")) << msg;
  // Only a.sh is due at the next boot.
  m.sys.set_exec_handler(nullptr);
  size_t first = m.Executed().size();
  ASSERT_TRUE(m.Apply("{}\n", Boot("i-1", "b2")).ok());
  std::vector<std::string> ran = m.ExecutedSince(first);
  EXPECT_EQ(ran,
            (std::vector<std::string>{std::string(kPerBoot) + "/every.sh",
                                      std::string(kPerInstance) + "/a.sh"}));
}

TEST_F(ScriptDirTest, InterruptedDirScriptRunsAgain) {
  ASSERT_TRUE(m.Apply("{}\n", Boot("i-1", "b1")).ok());
  m.sys.AddFile(MarkerPath(std::string(kPerOnce) + "/once.sh"), "x");
  size_t first = m.Executed().size();
  Plan plan;
  ASSERT_TRUE(m.Apply("{}\n", Boot("i-1", "b1"), &plan).ok());
  std::vector<std::string> ran = m.ExecutedSince(first);
  EXPECT_EQ(ran, std::vector<std::string>{std::string(kPerOnce) + "/once.sh"});
  EXPECT_TRUE(Has(Machine::Item(plan, std::string("script[") + kPerOnce + "]")
                      ->change.reason,
                  "once.sh (interrupted before it finished"));
}

TEST_F(ScriptDirTest, ChangedPerInstanceScriptIsAWarningNotARun) {
  ASSERT_TRUE(m.Apply("{}\n", Boot("i-1", "b1")).ok());
  m.sys.AddFile(std::string(kPerInstance) + "/a.sh", "#!/bin/sh\necho A\n",
                {0700, 0, 0});
  Plan plan = m.PlanOnly("{}\n", Boot("i-1", "b2"));
  EXPECT_EQ(Machine::Item(plan, std::string("script[") + kPerInstance + "]")
                ->change.action,
            Action::kNone);
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_TRUE(Has(plan.warnings[0],
                  "script[/var/lib/cloud/scripts/per-instance]: a.sh: its "
                  "content changed since then"))
      << plan.warnings[0];
}

TEST_F(ScriptDirTest, PlainApplyRunsNothing) {
  RunInfo by_hand;
  by_hand.instance_id = "i-1";
  by_hand.boot_id = "b1";
  ASSERT_TRUE(m.Apply("{}\n", by_hand).ok());
  EXPECT_TRUE(m.Executed().empty());
}

TEST(ScriptDirMissingTest, MissingDirectoriesAreConverged) {
  Machine m;
  Plan plan = m.PlanOnly("{}\n", Boot("i-1", "b1"));
  EXPECT_FALSE(plan.HasErrors());
  EXPECT_FALSE(plan.HasChanges());
}

}  // namespace
}  // namespace flamingo
