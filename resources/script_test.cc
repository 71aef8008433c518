#include "resources/script.h"

#include <gtest/gtest.h>

#include "resources/script_test_util.h"

namespace flamingo {
namespace {

using scripts_test::Boot;
using scripts_test::Machine;

constexpr char kConfig[] =
    "bootcmd: [echo boot]\n"
    "runcmd:\n"
    "  - echo run\n"
    "  - [touch, /run/it]\n";
const std::vector<std::string> kBothRan = {"script[bootcmd]", "script[runcmd]"};

bool Has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(ScriptTest, FirstBootRunsBootcmdAndRuncmd) {
  Machine m;
  Plan plan;
  ApplyReport rep = m.Apply(kConfig, Boot("i-1", "b1"), &plan);
  EXPECT_TRUE(rep.ok());
  EXPECT_EQ(Machine::Ran(rep), kBothRan);

  const PlanItem* run = Machine::Item(plan, "script[runcmd]");
  ASSERT_NE(run, nullptr);
  EXPECT_EQ(run->change.action, Action::kRun);
  EXPECT_EQ(run->change.reason,
            "once per instance: not yet run for instance i-1");
  EXPECT_EQ(Machine::Item(plan, "script[bootcmd]")->change.reason,
            "every boot: not yet run in this boot (b1)");

  // Executed through System::Exec: /bin/sh on the written script.
  ASSERT_EQ(m.sys.exec_requests().size(), 2u);
  const ExecRequest& req = m.sys.exec_requests()[1];
  EXPECT_EQ(req.argv, (std::vector<std::string>{
                          "/bin/sh", "/var/lib/flamingo/scripts/runcmd"}));
  EXPECT_EQ(req.env.at("INSTANCE_ID"), "i-1");
  EXPECT_EQ(req.env.at("HOME"), "/root");
  EXPECT_EQ(req.env.at("LANG"), "C.UTF-8");
  EXPECT_EQ(req.env.at("PATH"), kScriptPath);
  EXPECT_EQ(req.env.count("TERM"), 0u);
  EXPECT_EQ(req.output_path, "/var/log/flamingo-output.log");
  EXPECT_EQ(req.cwd, "/");
  EXPECT_EQ(req.timeout_seconds, 0);
  auto file = m.sys.GetFile("/var/lib/flamingo/scripts/runcmd");
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ(file->content, "#!/bin/sh\necho run\n'touch' '/run/it'\n");
  EXPECT_EQ(file->attrs.mode, 0700u);

  // Recorded as ran for this instance; no marker left; a header per script.
  const Record& rec = m.records.at("script[runcmd]");
  EXPECT_EQ(rec.at("instance_id"), "i-1");
  EXPECT_EQ(rec.at("last_exit"), "0");
  EXPECT_EQ(rec.at("last_result"), "ok");
  EXPECT_EQ(m.records.at("script[bootcmd]").at("boot_id"), "b1");
  EXPECT_FALSE(m.sys.Exists(MarkerPath("runcmd")));
  std::string log = m.sys.GetFile(kOutputLog)->content;
  EXPECT_TRUE(Has(log,
                  "==== flamingo: script[bootcmd] (every boot) instance "
                  "i-1, boot b1, started "))
      << log;
  EXPECT_TRUE(Has(log, "==== flamingo: script[runcmd] (once per instance)"))
      << log;
  EXPECT_TRUE(Has(log, "==== flamingo: script[runcmd]: exit code 0 ===="))
      << log;
}

TEST(ScriptTest, OnlyPerBootWorkIsBootScoped) {
  Machine m;
  ApplyReport rep = m.Apply(kConfig, Boot("i-1", "b1"));
  ASSERT_TRUE(rep.ok());
  // bootcmd's marker is volatile, runcmd's is durable; both script files
  // are written again before each run, so neither waits for the disk.
  const std::string bootcmd_marker = MarkerPath("bootcmd");
  const std::string runcmd_marker = MarkerPath("runcmd");
  std::vector<std::string> lines;
  for (const std::string& line : m.sys.mutations()) {
    if (Has(line, bootcmd_marker) || Has(line, runcmd_marker) ||
        Has(line, "/scripts/")) {
      lines.push_back(line);
    }
  }
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "volatile write /var/lib/flamingo/scripts/bootcmd",
                       "volatile write " + bootcmd_marker,
                       "volatile remove " + bootcmd_marker,
                       "volatile write /var/lib/flamingo/scripts/runcmd",
                       "write " + runcmd_marker,
                       "remove " + runcmd_marker,
                   }));
  // Only runcmd's record must outlive the boot.
  EXPECT_TRUE(rep.durable_records_changed);
  ApplyReport again = m.Apply(kConfig, Boot("i-1", "b2"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.ChangedRecords(), std::set<std::string>{"script[bootcmd]"});
  EXPECT_FALSE(again.durable_records_changed);
}

TEST(ScriptTest, SecondBootOfSameInstanceRunsOnlyBootcmd) {
  Machine m;
  ASSERT_TRUE(m.Apply(kConfig, Boot("i-1", "b1")).ok());
  Plan plan;
  ApplyReport rep = m.Apply(kConfig, Boot("i-1", "b2"), &plan);
  EXPECT_TRUE(rep.ok());
  EXPECT_EQ(Machine::Ran(rep), std::vector<std::string>{"script[bootcmd]"});
  const PlanItem* run = Machine::Item(plan, "script[runcmd]");
  EXPECT_EQ(run->change.action, Action::kNone);
  EXPECT_EQ(run->change.reason,
            "once per instance: already ran for instance i-1");
  // The same boot again (the unit restarted): nothing runs.
  EXPECT_TRUE(Machine::Ran(m.Apply(kConfig, Boot("i-1", "b2"))).empty());
}

TEST(ScriptTest, NewInstanceIdRunsPerInstanceWorkAgain) {
  Machine m;
  ASSERT_TRUE(m.Apply(kConfig, Boot("i-1", "b1")).ok());
  Plan plan;
  ApplyReport rep = m.Apply(kConfig, Boot("i-2", "b2"), &plan);
  EXPECT_EQ(Machine::Ran(rep), kBothRan);
  EXPECT_EQ(Machine::Item(plan, "script[runcmd]")->change.reason,
            "once per instance: ran for instance i-1; this is a new instance "
            "i-2");
  EXPECT_EQ(m.records.at("script[runcmd]").at("instance_id"), "i-2");
}

TEST(ScriptTest, InterruptedScriptRunsAgain) {
  Machine m;
  // The process dies while runcmd runs: its exec is the last mutation that
  // happens, so the marker stays and the records are never saved.
  RecordTable saved = m.records;
  m.sys.set_exec_handler([&](const ExecRequest& r) -> Result<ExecResult> {
    if (r.argv.back() == "/var/lib/flamingo/scripts/runcmd") {
      m.sys.FailNthMutation(1, "killed", /*and_after=*/true);
    }
    return ExecResult{};
  });
  m.Apply(kConfig, Boot("i-1", "b1"));
  EXPECT_TRUE(m.sys.Exists(MarkerPath("runcmd")));
  m.sys.ClearFaults();
  m.sys.set_exec_handler(nullptr);
  m.records = saved;  // nothing was recorded

  Plan plan;
  ApplyReport rep = m.Apply(kConfig, Boot("i-1", "b2"), &plan);
  EXPECT_TRUE(rep.ok());
  EXPECT_EQ(Machine::Ran(rep), kBothRan);
  EXPECT_TRUE(Has(Machine::Item(plan, "script[runcmd]")->change.reason,
                  "once per instance: interrupted before it finished"));
  EXPECT_FALSE(m.sys.Exists(MarkerPath("runcmd")));
}

TEST(ScriptTest, MarkerWinsOverARecordThatSaysDone) {
  // Interrupted during --rerun-scripts: the record says it ran for this
  // instance, the marker says the last start did not finish.
  Machine m;
  ASSERT_TRUE(m.Apply(kConfig, Boot("i-1", "b1")).ok());
  m.sys.AddFile(MarkerPath("runcmd"), "script=script[runcmd]\n");
  // Plain apply: not run, but the plan warns.
  RunInfo by_hand;
  by_hand.instance_id = "i-1";
  Plan plan = m.PlanOnly(kConfig, by_hand);
  EXPECT_EQ(Machine::Item(plan, "script[runcmd]")->change.action,
            Action::kNone);
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_TRUE(Has(plan.warnings[0],
                  "script[runcmd]: once per instance: "
                  "interrupted"));
  EXPECT_TRUE(Has(plan.warnings[0], "apply --boot"));
  EXPECT_EQ(Machine::Ran(m.Apply(kConfig, Boot("i-1", "b2"))), kBothRan);
}

TEST(ScriptTest, FailingScriptIsAFailedResourceAndRunsAgainNextBoot) {
  Machine m;
  m.sys.set_exec_handler([](const ExecRequest& r) -> Result<ExecResult> {
    ExecResult res;
    if (r.argv.back() == "/var/lib/flamingo/scripts/runcmd") {
      res.exit_code = 3;
      res.output_tail = "line 1\nline 2\nno space left\n";
    }
    return res;
  });
  ApplyReport rep = m.Apply(kConfig, Boot("i-1", "b1"));
  EXPECT_FALSE(rep.ok());
  const ResourceResult* failed = nullptr;
  for (const auto& r : rep.results) {
    if (r.outcome == Outcome::kFailed) failed = &r;
  }
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->id, "script[runcmd]");
  EXPECT_TRUE(Has(failed->message, "failed with exit code 3"))
      << failed->message;
  EXPECT_TRUE(Has(failed->message, "    line 2\n    no space left"))
      << failed->message;
  const Record& rec = m.records.at("script[runcmd]");
  EXPECT_EQ(rec.count("instance_id"), 0u);  // not recorded as ran
  EXPECT_EQ(rec.at("last_result"), "failed");
  EXPECT_EQ(rec.at("last_exit"), "3");
  EXPECT_FALSE(m.sys.Exists(MarkerPath("runcmd")));
  EXPECT_TRUE(Has(m.sys.GetFile(kOutputLog)->content,
                  "script[runcmd]: failed with exit code 3 ===="));

  // Plain apply does not run it, and warns.
  RunInfo by_hand;
  by_hand.instance_id = "i-1";
  Plan hand = m.PlanOnly(kConfig, by_hand);
  ASSERT_EQ(hand.warnings.size(), 1u);
  EXPECT_TRUE(Has(hand.warnings[0], "failed last time (exit code 3)"));

  // The next boot runs it again; once it succeeds it is done.
  m.sys.set_exec_handler(nullptr);
  Plan plan;
  rep = m.Apply(kConfig, Boot("i-1", "b2"), &plan);
  EXPECT_TRUE(rep.ok());
  EXPECT_EQ(Machine::Ran(rep), kBothRan);
  EXPECT_EQ(Machine::Item(plan, "script[runcmd]")->change.reason,
            "once per instance: failed last time (exit code 3), so it is not "
            "recorded as ran");
  EXPECT_EQ(m.records.at("script[runcmd]").at("instance_id"), "i-1");
}

TEST(ScriptTest, TimeoutFromConfigKillsAndFails) {
  Machine m;
  m.sys.set_exec_handler([](const ExecRequest& r) -> Result<ExecResult> {
    ExecResult res;
    res.timed_out = r.timeout_seconds == 5;
    return res;
  });
  ApplyReport rep = m.Apply(
      "flamingo: {script_timeout: 5}\nruncmd: [sleep 100]\n", Boot("i", "b"));
  EXPECT_FALSE(rep.ok());
  ASSERT_EQ(m.sys.exec_requests().size(), 1u);
  EXPECT_EQ(m.sys.exec_requests()[0].timeout_seconds, 5);
  EXPECT_EQ(m.records.at("script[runcmd]").at("last_exit"), "timeout");
  bool found = false;
  for (const auto& r : rep.results) {
    found |= Has(r.message, "timed out after 5 s and was killed");
  }
  EXPECT_TRUE(found);
}

TEST(ScriptTest, ExecThatCannotStartIsAFailure) {
  Machine m;
  m.sys.set_exec_handler([](const ExecRequest&) -> Result<ExecResult> {
    return Status::Error("exec /bin/sh: No such file or directory");
  });
  ApplyReport rep = m.Apply("runcmd: [x]\n", Boot("i", "b"));
  EXPECT_FALSE(rep.ok());
  EXPECT_EQ(m.records.at("script[runcmd]").at("last_exit"), "not started");
  EXPECT_FALSE(m.sys.Exists(MarkerPath("runcmd")));
}

TEST(ScriptTest, NoMarkerNoRun) {
  // Without its marker a script could later be taken for never started:
  // when the marker cannot be written, the script does not run.
  Machine m;
  m.sys.FailWritesUnder(kMarkerDir, "Read-only file system");
  ApplyReport rep = m.Apply("runcmd: [x]\n", Boot("i", "b"));
  EXPECT_FALSE(rep.ok());
  EXPECT_TRUE(m.sys.exec_requests().empty());
  EXPECT_EQ(m.records.at("script[runcmd]").count("last_result"), 0u);
}

TEST(ScriptTest, OutputLogKeepsItsModeAndOwner) {
  Machine m;
  m.sys.AddFile(kOutputLog, "old\n", {0640, 0, 4});
  ASSERT_TRUE(m.Apply("runcmd: [x]\n", Boot("i", "b")).ok());
  auto log = m.sys.GetFile(kOutputLog);
  EXPECT_EQ(log->attrs.mode, 0640u);
  EXPECT_EQ(log->attrs.gid, 4u);
  EXPECT_EQ(log->content.rfind("old\n==== flamingo: script[runcmd]", 0), 0u)
      << log->content;
}

TEST(ScriptTest, PlainApplyAndReconcileNeverRunScripts) {
  Machine m;
  RunInfo by_hand;
  by_hand.instance_id = "i-1";
  by_hand.boot_id = "b1";
  Plan plan;
  ApplyReport rep = m.Apply(kConfig, by_hand, &plan);
  EXPECT_TRUE(rep.ok());
  EXPECT_TRUE(m.sys.exec_requests().empty());
  EXPECT_EQ(Machine::Item(plan, "script[runcmd]")->change.reason,
            "once per instance: not yet run for instance i-1; not run now: "
            "scripts run only at boot (flamingo apply --boot) or with "
            "flamingo apply --rerun-scripts");
  RunInfo reconcile = by_hand;
  reconcile.reconcile = true;
  reconcile.rerun_scripts = true;  // reconcile wins
  rep = m.Apply(kConfig, reconcile, &plan);
  EXPECT_TRUE(m.sys.exec_requests().empty());
  EXPECT_TRUE(Has(Machine::Item(plan, "script[bootcmd]")->change.reason,
                  "apply --reconcile never runs scripts"));
  // The first boot after (e.g. an image build) still runs everything.
  EXPECT_EQ(Machine::Ran(m.Apply(kConfig, Boot("i-1", "b2"))), kBothRan);
}

TEST(ScriptTest, PlanNeverRunsOrWritesAnything) {
  Machine m;
  int before = m.sys.mutation_count();
  Plan plan = m.PlanOnly(kConfig, Boot("i-1", "b1"));
  EXPECT_EQ(plan.Count(Action::kRun), 2u);
  EXPECT_EQ(m.sys.mutation_count(), before);
  EXPECT_TRUE(m.sys.exec_requests().empty());
}

TEST(ScriptTest, RerunScriptsRunsOncePerInstanceScriptsAgain) {
  Machine m;
  m.parts = {{"part-001", "#!/usr/bin/python3\nprint(1)\n"}};
  ASSERT_TRUE(m.Apply(kConfig, Boot("i-1", "b1")).ok());
  size_t first = m.sys.exec_requests().size();
  RunInfo rerun;
  rerun.instance_id = "i-1";
  rerun.boot_id = "b1";
  rerun.rerun_scripts = true;
  Plan plan;
  ApplyReport rep = m.Apply(kConfig, rerun, &plan);
  EXPECT_TRUE(rep.ok());  // converges after running
  EXPECT_EQ(Machine::Ran(rep),
            (std::vector<std::string>{"script[user-data/part-001]",
                                      "script[runcmd]"}));
  EXPECT_EQ(Machine::Item(plan, "script[runcmd]")->change.reason,
            "once per instance: apply --rerun-scripts");
  // A user-data part is executed by its own "#!" line.
  EXPECT_EQ(
      m.sys.exec_requests()[first].argv,
      std::vector<std::string>{"/var/lib/flamingo/scripts/user-data/part-001"});
}

TEST(ScriptTest, ChangedRuncmdDoesNotRunAndThePlanSaysHowToRunIt) {
  Machine m;
  ASSERT_TRUE(m.Apply(kConfig, Boot("i-1", "b1")).ok());
  std::string changed = std::string(kConfig) + "  - echo new\n";
  Plan plan = m.PlanOnly(changed, Boot("i-1", "b2"));
  const PlanItem* run = Machine::Item(plan, "script[runcmd]");
  EXPECT_EQ(run->change.action, Action::kNone);
  EXPECT_TRUE(Has(run->change.reason,
                  "the new version will not run for "
                  "this instance"));
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_EQ(plan.warnings[0],
            "script[runcmd]: its content changed since then: the new version "
            "will not run for this instance (to run it: flamingo apply "
            "--rerun-scripts)");
}

TEST(ScriptTest, RuncmdRemovedAndAddedBackStillCountsAsRan) {
  Machine m;
  ASSERT_TRUE(m.Apply(kConfig, Boot("i-1", "b1")).ok());
  ASSERT_TRUE(m.Apply("{}\n", Boot("i-1", "b2")).ok());
  EXPECT_EQ(Machine::Ran(m.Apply(kConfig, Boot("i-1", "b3"))),
            std::vector<std::string>{"script[bootcmd]"});
}

TEST(ScriptTest, MissingInstanceIdIsAPlanningErrorAtBoot) {
  Machine m;
  Plan plan = m.PlanOnly(kConfig, Boot("", "b1"));
  EXPECT_TRUE(plan.HasErrors());
  // Plain apply does not need it.
  RunInfo by_hand;
  EXPECT_FALSE(m.PlanOnly(kConfig, by_hand).HasErrors());
}

}  // namespace
}  // namespace flamingo

namespace flamingo {
namespace {

using scripts_test::Boot;
using scripts_test::Machine;

std::vector<std::vector<std::string>> Argvs(const Machine& m) {
  std::vector<std::vector<std::string>> out;
  for (const auto& r : m.sys.exec_requests()) out.push_back(r.argv);
  return out;
}

TEST(ScriptDirectTest, SimpleCommandsRunWithoutTheShellInOrder) {
  Machine m;
  ApplyReport rep = m.Apply(
      "bootcmd: [[sh, -c, 'echo $(date) >> /var/tmp/b']]\n"
      "runcmd:\n  - [sh, -c, 'echo 1 > /x']\n  - touch /var/tmp/done\n",
      Boot("i-1", "b1"));
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(Argvs(m), (std::vector<std::vector<std::string>>{
                          {"sh", "-c", "echo $(date) >> /var/tmp/b"},
                          {"sh", "-c", "echo 1 > /x"},
                          {"touch", "/var/tmp/done"}}));
  const ExecRequest& req = m.sys.exec_requests()[2];
  EXPECT_EQ(req.env.at("PWD"), "/");  // as sh exports it
  EXPECT_EQ(req.env.at("INSTANCE_ID"), "i-1");
  EXPECT_EQ(req.cwd, "/");
  EXPECT_EQ(req.output_path, kOutputLog);
  // The script is still written, as cloud-init writes it.
  EXPECT_EQ(m.sys.GetFile("/var/lib/flamingo/scripts/runcmd")->content,
            "#!/bin/sh\n'sh' '-c' 'echo 1 > /x'\ntouch /var/tmp/done\n");
  EXPECT_EQ(m.records.at("script[runcmd]").at("last_exit"), "0");
}

TEST(ScriptDirectTest, OneShellCommandSendsTheWholeScriptToTheShell) {
  Machine m;
  ASSERT_TRUE(
      m.Apply("runcmd: [[touch, /a], 'echo hi']\n", Boot("i", "b")).ok());
  EXPECT_EQ(Argvs(m), (std::vector<std::vector<std::string>>{
                          {"/bin/sh", "/var/lib/flamingo/scripts/runcmd"}}));
  EXPECT_EQ(m.sys.exec_requests()[0].env.count("PWD"), 0u);
}

TEST(ScriptDirectTest, TheExitCodeIsTheLastCommandsAndEveryCommandRuns) {
  Machine m;
  m.sys.set_exec_handler([](const ExecRequest& r) -> Result<ExecResult> {
    ExecResult res;
    if (r.argv[0] == "false-ish") res.exit_code = 3;
    if (r.argv[0] == "killed") {
      res.signaled = true;
      res.signal = 9;
    }
    return res;
  });
  EXPECT_TRUE(
      m.Apply("runcmd: [false-ish, 'touch /x']\n", Boot("i", "b")).ok());
  EXPECT_EQ(m.sys.exec_requests().size(), 2u);

  Machine failed;
  failed.sys.set_exec_handler([](const ExecRequest& r) -> Result<ExecResult> {
    ExecResult res;
    if (r.argv[0] == "killed") {
      res.signaled = true;
      res.signal = 9;
    }
    return res;
  });
  EXPECT_FALSE(
      failed.Apply("runcmd: ['touch /x', killed]\n", Boot("i", "b")).ok());
  // $? of a command killed by SIGKILL, as the script's exit code.
  EXPECT_EQ(failed.records.at("script[runcmd]").at("last_exit"), "137");
}

TEST(ScriptDirectTest, ACommandThatCannotStartIsLeftToTheShell) {
  Machine m;
  m.sys.set_exec_handler([](const ExecRequest& r) -> Result<ExecResult> {
    if (r.argv[0] == "missing") {
      return Status::Error("exec missing: No such file or directory");
    }
    ExecResult res;
    if (r.argv[0] == "/bin/sh") res.exit_code = 127;  // sh: missing: not found
    return res;
  });
  EXPECT_FALSE(
      m.Apply("runcmd: [[touch, /a], [missing, \"it's\"]]\n", Boot("i", "b"))
          .ok());
  EXPECT_EQ(Argvs(m), (std::vector<std::vector<std::string>>{
                          {"touch", "/a"},
                          {"missing", "it's"},
                          {"/bin/sh", "-c", "'missing' 'it'\\''s'"}}));
  EXPECT_EQ(m.records.at("script[runcmd]").at("last_exit"), "127");
}

TEST(ScriptDirectTest, TheTimeoutCoversEveryCommand) {
  Machine m;
  m.sys.set_exec_handler([](const ExecRequest& r) -> Result<ExecResult> {
    ExecResult res;
    res.timed_out = r.argv[0] == "slow";
    return res;
  });
  EXPECT_FALSE(m.Apply("flamingo: {script_timeout: 5}\nruncmd: [fast, slow, "
                       "never]\n",
                       Boot("i", "b"))
                   .ok());
  ASSERT_EQ(m.sys.exec_requests().size(), 2u);  // stops at the timeout
  EXPECT_EQ(m.sys.exec_requests()[0].timeout_seconds, 5);
  EXPECT_GE(m.sys.exec_requests()[1].timeout_seconds, 4);
  EXPECT_EQ(m.records.at("script[runcmd]").at("last_exit"), "timeout");
}

}  // namespace
}  // namespace flamingo
