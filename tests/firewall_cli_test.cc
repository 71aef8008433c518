// Blackbox: the firewall key through the real binary under --root (no
// netfilter there: the boot-time nftables file and unit are converged).
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/blackbox.h"

namespace flamingo::blackbox {
namespace {

const char* kMeta = "instance-id: iid-fw-1\n";

const char* kUserData = R"(#cloud-config
firewall:
  input_policy: drop
  rules:
    - name: https-public
      action: accept
      protocol: tcp
      ports: [443, "9100-9102"]
      sources: [192.0.2.0/24, "2001:db8::/32"]
)";

class FirewallCliTest : public ::testing::Test {
 protected:
  void Seed(const std::string& user_data) {
    root_.Write("var/lib/cloud/seed/nocloud/user-data", user_data);
    root_.Write("var/lib/cloud/seed/nocloud/meta-data", kMeta);
  }
  RunResult Flamingo(std::vector<std::string> args) {
    args.push_back("--root");
    args.push_back(root_.path());
    return RunFlamingo(args);
  }
  TempDir root_;
};

TEST_F(FirewallCliTest, RootApplyWritesBootFilesThenPlanIsEmpty) {
  Seed(kUserData);
  root_.Write("etc/ssh/sshd_config", "Port 2200\n");
  RunResult plan = Flamingo({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_NE(plan.out.find("+ create firewall[inet flamingo]"),
            std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("no netfilter here (--root)"), std::string::npos);
  EXPECT_NE(plan.out.find("tcp dport 2200 accept comment \"flamingo: "
                          "keep_ssh_open\""),
            std::string::npos)
      << plan.out;
  EXPECT_FALSE(root_.Exists("etc/flamingo/firewall.nft"));

  RunResult apply = Flamingo({"apply"});
  ASSERT_EQ(apply.exit_code, 0) << apply.err << apply.out;
  std::string nft = root_.Read("etc/flamingo/firewall.nft");
  EXPECT_NE(nft.find("chain input {\n\t\ttype filter hook input priority 0; "
                     "policy drop;"),
            std::string::npos)
      << nft;
  EXPECT_NE(root_.Read("etc/systemd/system/flamingo-firewall.service")
                .find("ExecStart=/usr/sbin/nft -f /etc/flamingo/firewall.nft"),
            std::string::npos);
  EXPECT_EQ(std::filesystem::read_symlink(
                root_.path() + "/etc/systemd/system/multi-user.target.wants/"
                               "flamingo-firewall.service")
                .string(),
            "/etc/systemd/system/flamingo-firewall.service");

  RunResult again = Flamingo({"plan", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.out;
}

TEST_F(FirewallCliTest, BadRulesAreErrorsWithPositionsAndNothingChanges) {
  Seed(R"(#cloud-config
firewall:
  rules:
    - {action: accept, protocol: tcp, ports: ["9102-9100"]}
    - {action: accept, sources: [10.0.0.1/8]}
)");
  auto before = Snapshot(root_.path());
  RunResult r = Flamingo({"apply"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(":4:47: firewall.rules[0].ports[0]: port range "
                       "\"9102-9100\" is reversed"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(":5:34: firewall.rules[1].sources[0]: \"10.0.0.1/8\" "
                       "has host bits set"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Snapshot(root_.path()), before);
}

}  // namespace
}  // namespace flamingo::blackbox
