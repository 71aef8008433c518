// The hostname module (hostname + etc_hosts kinds) on the FakeSystem.
#include "resources/hostname.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "resources/etc_hosts_resource.h"
#include "resources/hostname_resource.h"
#include "resources/hosts_file.h"
#include "resources/resource_testing.h"

namespace flamingo {
namespace {

using testing::Fields;
using testing::FindChange;
using testing::Harness;

class HostnameTest : public ::testing::Test {
 protected:
  // Compiles (no diagnostics expected), applies, checks convergence.
  void Converge(const std::string& yaml, const std::string& meta = "") {
    ASSERT_EQ(h_.Compile(yaml, meta), "");
    ASSERT_TRUE(h_.Build().ok());
    ApplyReport r = h_.ApplyOn(sys_);
    for (const auto& res : r.results) {
      ASSERT_NE(res.outcome, Outcome::kFailed) << res.id << ": " << res.message;
    }
    ASSERT_FALSE(h_.MakePlanOn(sys_).HasChanges());
  }
  std::string File(const char* path) { return sys_.ContentOf(path); }

  FakeSystem sys_;
  Harness h_{{CompileHostname}};
};

TEST_F(HostnameTest, NothingConfiguredNoResources) {
  EXPECT_EQ(h_.Compile("runcmd: []\n"), "");
  EXPECT_EQ(h_.graph().size(), 0u);
}

TEST_F(HostnameTest, HostnameIsWrittenToEtcHostname) {
  Converge("hostname: web01\n");
  EXPECT_EQ(File("/etc/hostname"), "web01\n");
  EXPECT_EQ(sys_.GetFile("/etc/hostname")->attrs.mode, 0644u);
}

TEST_F(HostnameTest, FqdnIsPreferredByDefault) {
  Converge("fqdn: web01.example.com\n");
  EXPECT_EQ(File("/etc/hostname"), "web01.example.com\n");
}

TEST_F(HostnameTest, PreferFqdnFalseWritesTheShortName) {
  Converge("fqdn: web01.example.com\nprefer_fqdn_over_hostname: false\n");
  EXPECT_EQ(File("/etc/hostname"), "web01\n");
}

TEST_F(HostnameTest, PreferFqdnTrueWithBoth) {
  Converge(
      "hostname: myhost\nfqdn: myhost.example.com\n"
      "prefer_fqdn_over_hostname: true\n");
  EXPECT_EQ(File("/etc/hostname"), "myhost.example.com\n");
}

TEST_F(HostnameTest, MetaDataLocalHostnameIsTheFallback) {
  Converge("{}\n", "local-hostname: external.fqdn.me\n");
  EXPECT_EQ(File("/etc/hostname"), "external.fqdn.me\n");
}

TEST_F(HostnameTest, MetaDataWithPreferFalse) {
  Converge("prefer_fqdn_over_hostname: false\n",
           "local-hostname: external.fqdn.me\n");
  EXPECT_EQ(File("/etc/hostname"), "external\n");
}

TEST_F(HostnameTest, ConfigWinsOverMetaData) {
  Converge("hostname: mine\n", "local-hostname: theirs.example.com\n");
  EXPECT_EQ(File("/etc/hostname"), "mine\n");
}

TEST_F(HostnameTest, PreserveHostnameLeavesItAlone) {
  sys_.AddFile("/etc/hostname", "handmade\n");
  ASSERT_EQ(h_.Compile("preserve_hostname: true\nhostname: other\n"), "");
  EXPECT_EQ(h_.graph().size(), 0u);
}

TEST_F(HostnameTest, DriftIsRepaired) {
  sys_.AddFile("/etc/hostname", "# set by hand\nold\n");
  ASSERT_EQ(h_.Compile("hostname: new\n"), "");
  ASSERT_TRUE(h_.Build().ok());
  EXPECT_EQ(Fields(*FindChange(h_.MakePlanOn(sys_), "hostname[/etc/hostname]")),
            "hostname: old -> new\n");
  h_.ApplyOn(sys_);
  EXPECT_EQ(File("/etc/hostname"), "new\n");
}

TEST_F(HostnameTest, CommentsAroundTheSameNameAreConverged) {
  sys_.AddFile("/etc/hostname", "# comment\n  web01  \n");
  ASSERT_EQ(h_.Compile("hostname: web01\n"), "");
  ASSERT_TRUE(h_.Build().ok());
  EXPECT_FALSE(h_.MakePlanOn(sys_).HasChanges());
}

TEST_F(HostnameTest, CreateHostnameFileFalseDoesNotCreateIt) {
  Converge("hostname: web01\ncreate_hostname_file: false\n");
  EXPECT_FALSE(sys_.Exists("/etc/hostname"));
  EXPECT_TRUE(sys_.mutations().empty());
}

TEST_F(HostnameTest, CreateHostnameFileFalseStillUpdatesAnExistingFile) {
  sys_.AddFile("/etc/hostname", "old\n");
  Converge("hostname: web01\ncreate_hostname_file: false\n");
  EXPECT_EQ(File("/etc/hostname"), "web01\n");
}

TEST_F(HostnameTest, KernelHostnameIsSetOnlyWhenLive) {
  sys_.set_kernel_hostname("localhost");
  Converge("hostname: web01\n");
  for (const auto& m : sys_.mutations()) {
    EXPECT_EQ(m.rfind("sethostname", 0), std::string::npos) << m;
  }
}

TEST_F(HostnameTest, KernelHostnameIsSetWhenLive) {
  sys_.set_live(true);
  sys_.set_kernel_hostname("localhost");
  ASSERT_EQ(h_.Compile("hostname: web01\n"), "");
  ASSERT_TRUE(h_.Build().ok());
  EXPECT_EQ(Fields(*FindChange(h_.MakePlanOn(sys_), "hostname[/etc/hostname]")),
            "hostname: - -> web01\nkernel_hostname: localhost -> web01\n");
  ASSERT_TRUE(h_.ApplyOn(sys_).ok());
  EXPECT_EQ(sys_.KernelHostname(), "web01");
  EXPECT_EQ(File("/etc/hostname"), "web01\n");
}

TEST_F(HostnameTest, LiveWithoutHostnameFileSetsOnlyTheKernel) {
  sys_.set_live(true);
  sys_.set_kernel_hostname("localhost");
  Converge("hostname: web01\ncreate_hostname_file: false\n");
  EXPECT_EQ(sys_.KernelHostname(), "web01");
  EXPECT_FALSE(sys_.Exists("/etc/hostname"));
}

TEST_F(HostnameTest, ManageEtcHostsAddsTheBlockAndKeepsOtherLines) {
  sys_.AddFile("/etc/hosts", "10.0.0.2 db\n", {0640, 0, 4});
  Converge("fqdn: web01.example.com\nmanage_etc_hosts: true\n");
  EXPECT_EQ(File("/etc/hosts"),
            "10.0.0.2 db\n"
            "# BEGIN flamingo manage_etc_hosts\n"
            "127.0.1.1 web01.example.com web01\n"
            "127.0.0.1 localhost localhost.localdomain localhost4 "
            "localhost4.localdomain4\n"
            "::1 localhost localhost.localdomain localhost6 "
            "localhost6.localdomain6\n"
            "# END flamingo manage_etc_hosts\n");
  EXPECT_EQ(sys_.GetFile("/etc/hosts")->attrs.mode, 0640u);
  EXPECT_EQ(sys_.GetFile("/etc/hosts")->attrs.gid, 4u);
}

TEST_F(HostnameTest, ManageEtcHostsLocalhostAndTemplateBehaveTheSame) {
  for (const char* mode : {"localhost", "template"}) {
    FakeSystem sys;
    sys.AddFile("/etc/hosts", "127.0.0.1 localhost\n::1 localhost\n");
    Harness h({CompileHostname});
    ASSERT_EQ(h.Compile(std::string("hostname: h1\nmanage_etc_hosts: ") + mode +
                        "\n"),
              "");
    ASSERT_TRUE(h.Build().ok());
    ASSERT_TRUE(h.ApplyOn(sys).ok());
    EXPECT_EQ(sys.GetFile("/etc/hosts")->content,
              "127.0.0.1 localhost\n::1 localhost\n"
              "# BEGIN flamingo manage_etc_hosts\n127.0.1.1 h1\n"
              "# END flamingo manage_etc_hosts\n")
        << mode;
  }
}

TEST_F(HostnameTest, ManageEtcHostsFalseLeavesHosts) {
  sys_.AddFile("/etc/hosts", "x\n");
  ASSERT_EQ(h_.Compile("hostname: h\nmanage_etc_hosts: false\n"), "");
  ASSERT_EQ(h_.graph().size(), 1u);
  EXPECT_EQ(h_.graph().at(0).Kind(), "hostname");
}

TEST_F(HostnameTest, HostsBlockFollowsARename) {
  Converge("hostname: one\nmanage_etc_hosts: localhost\n");
  Harness next{{CompileHostname}};
  ASSERT_EQ(next.Compile("hostname: two\nmanage_etc_hosts: localhost\n"), "");
  ASSERT_TRUE(next.Build().ok());
  ASSERT_TRUE(next.ApplyOn(sys_).ok());
  EXPECT_THAT(File("/etc/hosts"), ::testing::HasSubstr("127.0.1.1 two\n"));
  EXPECT_THAT(File("/etc/hosts"),
              ::testing::Not(::testing::HasSubstr("127.0.1.1 one")));
}

TEST_F(HostnameTest, ManageEtcHostsWithPreserveUsesTheConfiguredNames) {
  Converge("preserve_hostname: true\nhostname: h\nmanage_etc_hosts: true\n");
  EXPECT_FALSE(sys_.Exists("/etc/hostname"));
  EXPECT_THAT(File("/etc/hosts"), ::testing::HasSubstr("127.0.1.1 h\n"));
}

TEST_F(HostnameTest, ManageEtcHostsWithoutNamesUsesTheCurrentHostname) {
  sys_.AddFile("/etc/hostname", "box.lan\n");
  Converge("manage_etc_hosts: true\n");
  EXPECT_THAT(File("/etc/hosts"),
              ::testing::HasSubstr("127.0.1.1 box.lan box\n"));
}

TEST_F(HostnameTest, ManageEtcHostsWithoutAnyNameChangesNothing) {
  Converge("manage_etc_hosts: true\n");
  EXPECT_FALSE(sys_.Exists("/etc/hosts"));
}

TEST_F(HostnameTest, BadManageEtcHostsNamesItsPlace) {
  EXPECT_EQ(h_.Compile("manage_etc_hosts: sometimes\n"),
            "user-data:1:19: manage_etc_hosts: expected true, false, "
            "\"localhost\" or \"template\"\n");
  EXPECT_EQ(h_.graph().size(), 0u);
}

TEST_F(HostnameTest, BadHostnameNamesItsPlace) {
  EXPECT_EQ(h_.Compile("hostname: 'my host'\n"),
            "user-data:1:11: hostname: invalid hostname \"my host\": "
            "contains whitespace\n");
}

TEST_F(HostnameTest, BadLocalHostnameNamesTheMetaData) {
  EXPECT_EQ(h_.Compile("{}\n", "local-hostname: 'a/b'\n"),
            "meta-data:1:17: local-hostname: invalid hostname \"a/b\": "
            "contains '/'\n");
}

TEST_F(HostnameTest, NonBoolFlagNamesItsPlace) {
  EXPECT_EQ(h_.Compile("hostname: h\npreserve_hostname: sometimes\n"),
            "user-data:2:20: preserve_hostname: expected true or false, got "
            "a string\n");
}

TEST_F(HostnameTest, TooLongForTheKernelIsAnError) {
  std::string fqdn = std::string(40, 'a') + "." + std::string(40, 'b');
  EXPECT_EQ(h_.Compile("fqdn: " + fqdn + "\n"),
            "user-data:1:7: fqdn: hostname \"" + fqdn +
                "\" is longer than 64 characters (the kernel's limit); set a "
                "shorter hostname or prefer_fqdn_over_hostname: false\n");
}

TEST_F(HostnameTest, NumericHostnameIsText) {
  Converge("hostname: 1234\n");
  EXPECT_EQ(File("/etc/hostname"), "1234\n");
}

}  // namespace
}  // namespace flamingo
