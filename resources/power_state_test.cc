// power_state on the FakeSystem, through the real planner and applier: what
// is handed to System::ExecAfterExit, when, and what is recorded.
#include "resources/power_state.h"

#include <gtest/gtest.h>

#include "resources/resource_testing.h"
#include "resources/script_run.h"

namespace flamingo {
namespace {

using testing::FindChange;
using testing::Harness;

constexpr char kId[] = "power_state[shutdown]";

using Argvs = std::vector<std::vector<std::string>>;

class PowerStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sys_.set_live(true);
    sys_.AddDir("/var/log");
  }
  // Compiles `yaml` for a boot of instance `iid` (or a plain apply).
  void Compile(const std::string& yaml, const std::string& iid = "iid-1",
               bool boot = true) {
    h_.run().instance_id = iid;
    h_.run().boot_id = "b1";
    h_.run().boot = boot;
    ASSERT_EQ(h_.Compile(yaml), "");
    ASSERT_TRUE(h_.Build().ok());
  }
  const Change* Planned() {
    plan_ = h_.MakePlanOn(sys_);
    return FindChange(plan_, kId);
  }
  // The steps of the one deferred run so far, as their argv.
  Argvs Steps() {
    if (sys_.deferred_execs().size() != 1) return {};
    Argvs out;
    for (const auto& s : sys_.deferred_execs()[0].steps) out.push_back(s.argv);
    return out;
  }

  FakeSystem sys_;
  Harness h_{{CompilePowerState}};
  Plan plan_;
};

TEST_F(PowerStateTest, SchedulesTheShutdownOncePerInstance) {
  Compile("power_state: {mode: poweroff, message: Powering off, timeout: 2}\n");
  const Change* c = Planned();
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->action, Action::kRun);
  EXPECT_EQ(testing::Fields(*c),
            "command: - -> shutdown -P now 'Powering off'\n"
            "condition: - -> true\n");
  EXPECT_EQ(c->reason, "once flamingo has exited (at most 2 s)");

  ApplyReport r = h_.ApplyOn(sys_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Steps(), (Argvs{{"shutdown", "-P", "now", "Powering off"}}));
  const DeferredExec& d = sys_.deferred_execs()[0];
  EXPECT_EQ(d.wait_seconds, 2);
  EXPECT_EQ(d.steps[0].output_path, kOutputLog);
  EXPECT_EQ(d.steps[0].env, ScriptEnvironment(h_.run()));
  EXPECT_EQ(sys_.ContentOf(kOutputLog),
            "flamingo: power_state: `shutdown -P now 'Powering off'` once "
            "flamingo has exited (at most 2 s)\n");
  EXPECT_EQ(h_.records().at(kId).at("instance_id"), "iid-1");
  EXPECT_TRUE(sys_.exec_requests().empty());  // nothing ran in this process

  // Converged: the next boot of the same instance schedules nothing.
  h_.run().boot_id = "b2";
  c = Planned();
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->action, Action::kNone);
  EXPECT_EQ(c->reason, "once per instance: scheduled for instance iid-1");
  ASSERT_TRUE(h_.ApplyOn(sys_).ok());
  EXPECT_EQ(sys_.deferred_execs().size(), 1u);

  // A new instance does it again.
  Compile("power_state: {mode: poweroff}\n", "iid-2");
  ASSERT_TRUE(h_.ApplyOn(sys_).ok());
  EXPECT_EQ(sys_.deferred_execs().size(), 2u);
}

TEST_F(PowerStateTest, ModesDelaysAndMessageMakeTheShutdownCommand) {
  struct Case {
    const char* yaml;
    std::vector<std::string> argv;
  } cases[] = {
      {"{mode: poweroff}", {"shutdown", "-P", "now"}},
      {"{mode: reboot, delay: 5}", {"shutdown", "-r", "+5"}},
      {"{mode: halt, delay: '+07'}", {"shutdown", "-H", "+7"}},
      {"{mode: reboot, delay: '30', message: Rebooting machine}",
       {"shutdown", "-r", "+30", "Rebooting machine"}},
      {"{mode: poweroff, delay: 0}", {"shutdown", "-P", "+0"}},
      {"{mode: poweroff, delay: now}", {"shutdown", "-P", "now"}},
  };
  for (const Case& k : cases) {
    Compile(std::string("power_state: ") + k.yaml + "\n");
    ASSERT_EQ(h_.graph().size(), 1u);
    const auto& r = static_cast<const PowerStateResource&>(h_.graph().at(0));
    EXPECT_EQ(r.ShutdownArgv(), k.argv) << k.yaml;
    EXPECT_EQ(r.spec().timeout_seconds, 30) << k.yaml;
  }
}

TEST_F(PowerStateTest, ACommandConditionRunsFirstInTheDeferredRun) {
  Compile("power_state:\n  mode: reboot\n  condition: test -f /var/tmp/x\n");
  const Change* c = Planned();
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(testing::Fields(*c),
            "command: - -> shutdown -r now\n"
            "condition: - -> test -f /var/tmp/x\n");
  ASSERT_TRUE(h_.ApplyOn(sys_).ok());
  EXPECT_EQ(Steps(), (Argvs{{"/bin/sh", "-c", "test -f /var/tmp/x"},
                            {"shutdown", "-r", "now"}}));
  EXPECT_EQ(sys_.ContentOf(kOutputLog),
            "flamingo: power_state: `shutdown -r now` once flamingo has "
            "exited (at most 30 s), if `test -f /var/tmp/x` exits 0\n");

  // A list is the command's words, unquoted by any shell.
  FakeSystem fresh;
  fresh.set_live(true);
  fresh.AddDir("/var/log");
  Harness h{{CompilePowerState}};
  h.run().instance_id = "iid-1";
  h.run().boot = true;
  ASSERT_EQ(h.Compile("power_state: {mode: halt, condition: [test, -e, "
                      "'/a b', 1]}\n"),
            "");
  ASSERT_TRUE(h.Build().ok());
  ASSERT_TRUE(h.ApplyOn(fresh).ok());
  ASSERT_EQ(fresh.deferred_execs().size(), 1u);
  EXPECT_EQ(fresh.deferred_execs()[0].steps[0].argv,
            (std::vector<std::string>{"test", "-e", "/a b", "1"}));
}

TEST_F(PowerStateTest, NothingWithoutBootOrLiveOrWithAFalseCondition) {
  struct Case {
    const char* yaml;
    bool boot, live, reconcile;
    const char* reason;
  } cases[] = {
      {"{mode: poweroff}", false, true, false,
       "at boot (flamingo apply --boot), once per instance, last"},
      {"{mode: poweroff}", true, true, true,
       "at boot (flamingo apply --boot), once per instance, last"},
      {"{mode: poweroff}", true, false, false,
       "the running machine's power only: nothing is done with --root"},
      {"{mode: poweroff, condition: false}", true, true, false,
       "condition: false"},
  };
  for (const Case& k : cases) {
    sys_.set_live(k.live);
    h_.run().reconcile = k.reconcile;
    Compile(std::string("power_state: ") + k.yaml + "\n", "iid-1", k.boot);
    const Change* c = Planned();
    ASSERT_NE(c, nullptr) << k.yaml;
    EXPECT_EQ(c->action, Action::kNone) << k.yaml;
    EXPECT_EQ(c->reason, k.reason) << k.yaml;
    ASSERT_TRUE(h_.ApplyOn(sys_).ok());
    EXPECT_TRUE(sys_.deferred_execs().empty()) << k.yaml;
    EXPECT_EQ(h_.records().Get(kId).value_or(Record()).count("instance_id"), 0u)
        << k.yaml;
  }
  EXPECT_FALSE(sys_.Exists(kOutputLog));
}

TEST_F(PowerStateTest, AFailureToStartIsReportedAndNotRecorded) {
  Compile("power_state: {mode: reboot}\n");
  // The log line is the first mutation, the deferred run the second.
  sys_.FailNthMutation(2, "Resource temporarily unavailable");
  ApplyReport r = h_.ApplyOn(sys_);
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(r.results.size(), 1u);
  EXPECT_EQ(r.results[0].outcome, Outcome::kFailed);
  EXPECT_NE(r.results[0].message.find("Resource temporarily unavailable"),
            std::string::npos)
      << r.results[0].message;
  EXPECT_EQ(h_.records().Get(kId).value_or(Record()).count("instance_id"), 0u);
  // The next boot tries again.
  EXPECT_EQ(Planned()->action, Action::kRun);
}

TEST_F(PowerStateTest, NoKeyNoResource) {
  Compile("runcmd: [x]\n");
  EXPECT_EQ(h_.graph().size(), 0u);
}

}  // namespace
}  // namespace flamingo
