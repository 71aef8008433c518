#include "resources/script_run.h"

#include <gtest/gtest.h>

namespace flamingo {
namespace {

RunInfo Mode(bool boot, bool rerun = false, bool reconcile = false) {
  RunInfo r;
  r.instance_id = "i-2";
  r.boot_id = "b2";
  r.boot = boot;
  r.rerun_scripts = rerun;
  r.reconcile = reconcile;
  return r;
}

TEST(ScriptRunTest, DecisionTable) {
  ScriptHistory never;
  ScriptHistory done;
  done.done_instance = "i-2";
  done.done_boot = "b2";
  done.done_once = true;
  done.digest = "d";
  ScriptHistory old = done;
  old.done_instance = "i-1";
  old.done_boot = "b1";

  for (Frequency f :
       {Frequency::kPerBoot, Frequency::kPerInstance, Frequency::kOnce}) {
    SCOPED_TRACE(FrequencyName(f));
    // Boot: due when never ran, done otherwise; interrupted always due.
    EXPECT_TRUE(DecideRun(f, never, false, false, "d", Mode(true)).run);
    EXPECT_FALSE(DecideRun(f, done, false, false, "d", Mode(true)).run);
    EXPECT_TRUE(DecideRun(f, done, true, false, "d", Mode(true)).run);
    EXPECT_FALSE(DecideRun(f, never, true, true, "d", Mode(true)).run);
    // Plain apply and reconcile: never.
    EXPECT_FALSE(DecideRun(f, never, true, false, "d", Mode(false)).run);
    EXPECT_FALSE(
        DecideRun(f, never, false, false, "d", Mode(true, true, true)).run);
    // --rerun-scripts: only once-per-instance scripts.
    EXPECT_EQ(DecideRun(f, done, false, false, "d", Mode(false, true)).run,
              f == Frequency::kPerInstance);
  }
  // A new boot / instance makes per-boot / per-instance work due; "once"
  // stays done.
  EXPECT_TRUE(
      DecideRun(Frequency::kPerBoot, old, false, false, "d", Mode(true)).run);
  EXPECT_TRUE(
      DecideRun(Frequency::kPerInstance, old, false, false, "d", Mode(true))
          .run);
  EXPECT_FALSE(
      DecideRun(Frequency::kOnce, old, false, false, "d", Mode(true)).run);
}

TEST(ScriptRunTest, EmptyIdsNeverCountAsDone) {
  ScriptHistory h;  // all empty
  RunInfo r = Mode(true);
  r.instance_id = "";
  r.boot_id = "";
  EXPECT_TRUE(DecideRun(Frequency::kPerInstance, h, false, false, "d", r).run);
  EXPECT_TRUE(DecideRun(Frequency::kPerBoot, h, false, false, "d", r).run);
}

TEST(ScriptRunTest, MarkerPathsAreSafeAndDistinct) {
  std::string a = MarkerPath("user-data/x y");
  std::string b = MarkerPath("user-data/x_y");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind("/var/lib/flamingo/running/user-data_x_y-", 0), 0u) << a;
  EXPECT_EQ(MarkerPath("..").find("/.."), std::string::npos);
  EXPECT_EQ(MarkerPath("runcmd"), MarkerPath("runcmd"));
}

TEST(ScriptRunTest, DigestIsStable) {
  EXPECT_EQ(ContentDigest(""), "fnv1a64:cbf29ce484222325");
  EXPECT_NE(ContentDigest("a"), ContentDigest("b"));
}

}  // namespace
}  // namespace flamingo
