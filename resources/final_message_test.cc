// final_message and boot-finished on the FakeSystem, through the real
// planner and applier.
#include "resources/final_message.h"

#include <gtest/gtest.h>

#include "resources/resource_testing.h"
#include "resources/script_run.h"
#include "version.h"

namespace flamingo {
namespace {

using testing::FindChange;
using testing::Harness;

constexpr char kId[] = "final_message[/var/lib/cloud/instance/boot-finished]";

class FinalMessageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sys_.AddFile("/proc/uptime", "12.34 20.00\n");
    sys_.set_now(1795970000);  // Sat, 21 Nov 2026 ... UTC
  }
  ApplyReport Run(const std::string& yaml, const std::string& boot_id,
                  bool boot = true) {
    h_.run().instance_id = "iid-1";
    h_.run().boot_id = boot_id;
    h_.run().boot = boot;
    h_.run().datasource = "nocloud";
    EXPECT_EQ(h_.Compile(yaml), "");
    EXPECT_TRUE(h_.Build().ok());
    return h_.ApplyOn(sys_);
  }
  std::string File(const std::string& path) { return sys_.ContentOf(path); }

  FakeSystem sys_;
  Harness h_{{CompileFinalMessage}};
};

TEST_F(FinalMessageTest, EveryBootWritesBootFinishedAndTheMessage) {
  const std::string ts = Rfc2822Time(1795970000);
  ApplyReport r = Run("{}", "b1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(File("/var/lib/cloud/instances/iid-1/boot-finished"),
            "12.34 - " + ts + " - v. " + FLAMINGO_VERSION + "\n");
  auto link = sys_.GetFile("/var/lib/cloud/instance");
  ASSERT_TRUE(link.has_value());
  EXPECT_EQ(link->type, FileType::kSymlink);
  EXPECT_EQ(link->target, "/var/lib/cloud/instances/iid-1");
  EXPECT_EQ(File(kOutputLog), std::string("flamingo ") + FLAMINGO_VERSION +
                                  " finished at " + ts +
                                  ". Datasource nocloud. Up 12.34 seconds\n");
  // Once per boot: the same boot again changes nothing.
  EXPECT_FALSE(h_.MakePlanOn(sys_).HasChanges());
  // The next boot writes it again.
  sys_.AddFile("/proc/uptime", "3.50 1.00\n");
  ASSERT_TRUE(Run("{}", "b2").ok());
  EXPECT_EQ(File("/var/lib/cloud/instances/iid-1/boot-finished").substr(0, 7),
            "3.50 - ");
}

TEST_F(FinalMessageTest, TheConfiguredMessageGetsItsVariables) {
  ASSERT_TRUE(Run("final_message: \"up $UPTIME s; ${DATASOURCE} $VERSION "
                  "$CLOUD_INIT_VERSION; $HOME ${UPTIME\"\n",
                  "b1")
                  .ok());
  EXPECT_EQ(File(kOutputLog), std::string("up 12.34 s; nocloud ") +
                                  FLAMINGO_VERSION + " " + FLAMINGO_VERSION +
                                  "; $HOME ${UPTIME\n");
}

TEST_F(FinalMessageTest, OnlyAtBootAndWithoutUptimeSaysUnknown) {
  ApplyReport r = Run("{}", "b1", /*boot=*/false);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(sys_.Exists("/var/lib/cloud/instance"));
  Plan plan = h_.MakePlanOn(sys_);
  const Change* c = FindChange(plan, kId);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->action, Action::kNone);
  EXPECT_EQ(c->reason,
            "written at the end of every boot (flamingo apply --boot)");
  ASSERT_TRUE(sys_.Remove("/proc/uptime").ok());
  ASSERT_TRUE(Run("{}", "b1").ok());
  EXPECT_EQ(File("/var/lib/cloud/instances/iid-1/boot-finished").substr(0, 10),
            "unknown - ");
}

TEST_F(FinalMessageTest, ADirectoryAtTheInstanceLinkIsWrittenInto) {
  sys_.AddDir("/var/lib/cloud/instance", {0755, 0, 0});
  ASSERT_TRUE(Run("{}", "b1").ok());
  EXPECT_EQ(sys_.GetFile("/var/lib/cloud/instance")->type,
            FileType::kDirectory);
  EXPECT_NE(File("/var/lib/cloud/instance/boot-finished"), "<missing>");
}

}  // namespace
}  // namespace flamingo
