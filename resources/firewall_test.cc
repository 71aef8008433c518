// The firewall kind over FakeSystem + FakeNetfilter (the real kernel:
// firewall_kernel_test.cc).
#include "resources/firewall.h"

#include <gtest/gtest.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "resources/firewall/firewall_test_util.h"
#include "system/nft/fake_netfilter.h"

namespace flamingo {
namespace {

using firewall_testing::Fields;
using firewall_testing::Harness;
using firewall_testing::Report;

constexpr char kConfig[] = R"(#cloud-config
firewall:
  input_policy: drop
  rules:
    - name: https-public
      action: accept
      protocol: tcp
      ports: [443, "9100-9102"]
      sources: [192.0.2.0/24, "2001:db8::/32"]
      interface: eth0
)";

class FirewallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_.sys.set_live(true);
    h_.sys.set_netfilter(&nf_);
  }
  // The kernel rules with this comment.
  std::vector<nft::Rule> RulesNamed(const std::string& comment) {
    std::vector<nft::Rule> out;
    for (const auto& r : nf_.table().rules) {
      if (r.comment == comment) out.push_back(r);
    }
    return out;
  }
  bool AllFieldsContain(const Plan& plan, const std::string& needle) {
    for (const auto& f : plan.items[0].change.fields) {
      if (f.after && f.after->find(needle) != std::string::npos) return true;
    }
    return false;
  }

  FakeNetfilter nf_;
  Harness h_;
};

TEST_F(FirewallTest, LiveCreateApplyThenNothingLeft) {
  ASSERT_TRUE(h_.Load(kConfig)) << h_.Errors();
  Plan plan = h_.MakeIt();
  ASSERT_EQ(plan.items.size(), 1u);
  const Change& c = plan.items[0].change;
  EXPECT_EQ(c.action, Action::kCreate) << Fields(c);
  EXPECT_EQ(c.id, "firewall[inet flamingo]");
  EXPECT_TRUE(AllFieldsContain(
      plan,
      "iifname \"eth0\" ip saddr 192.0.2.0/24 tcp dport @_rule0_dport "
      "accept comment \"https-public\""))
      << Fields(c);
  EXPECT_TRUE(AllFieldsContain(plan,
                               "tcp dport 22 accept comment \"flamingo: "
                               "keep_ssh_open\""))
      << Fields(c);
  EXPECT_TRUE(plan.warnings.empty());
  EXPECT_EQ(nf_.replace_count(), 0);  // planning changes nothing

  ApplyReport report = h_.ApplyIt(plan);
  ASSERT_TRUE(report.ok()) << Report(report);
  EXPECT_TRUE(nf_.table().exists);
  EXPECT_EQ(RulesNamed("https-public").size(), 2u);  // IPv4 and IPv6
  EXPECT_EQ(h_.records.at("firewall[inet flamingo]").at("created"), "true");
  auto file = h_.sys.GetFile(kFirewallNftPath);
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ(file->attrs.mode, 0600u);
  EXPECT_NE(file->content.find("policy drop;"), std::string::npos);
  EXPECT_EQ(h_.sys.GetFile(kFirewallUnitPath)->content, FirewallUnitText());
  auto link = h_.sys.GetFile(kFirewallWantsPath);
  ASSERT_TRUE(link.has_value());
  EXPECT_EQ(link->type, FileType::kSymlink);
  EXPECT_EQ(link->target, kFirewallUnitPath);

  Plan again = h_.MakeIt();
  EXPECT_FALSE(again.HasChanges()) << Fields(again.items[0].change);
}

TEST_F(FirewallTest, HandEditedRuleIsDriftAndRepaired) {
  ASSERT_TRUE(h_.Load(kConfig));
  ASSERT_TRUE(h_.ApplyIt(h_.MakeIt()).ok());
  nft::Table want = nf_.table();
  // Someone changes the https rule's set lookup into "port 8443" by hand,
  // keeping its comment.
  for (auto& r : nf_.mutable_table()->rules) {
    if (r.comment != "https-public") continue;
    for (auto& e : r.exprs) {
      if (e.type == nft::ExprType::kLookup && e.name == "_rule0_dport") {
        e = nft::Expr::Cmp(NFT_CMP_EQ, std::string("\x20\xfb", 2));
      }
    }
  }
  Plan plan = h_.MakeIt();
  ASSERT_EQ(plan.items[0].change.action, Action::kUpdate)
      << Fields(plan.items[0].change);
  std::string fields = Fields(plan.items[0].change);
  EXPECT_NE(fields.find("(not as flamingo wrote it) comment \"https-public\""),
            std::string::npos)
      << fields;
  ASSERT_TRUE(h_.ApplyIt(plan).ok());
  EXPECT_EQ(nf_.table(), want);
  EXPECT_FALSE(h_.MakeIt().HasChanges());
}

TEST_F(FirewallTest, ExtraRuleAndChangedPolicyAreDrift) {
  ASSERT_TRUE(h_.Load(kConfig));
  ASSERT_TRUE(h_.ApplyIt(h_.MakeIt()).ok());
  for (auto& c : nf_.mutable_table()->chains) {
    if (c.name == "input") c.policy = NF_ACCEPT;
  }
  nf_.mutable_table()->rules.push_back(
      {"input", {nft::Expr::Verdict(NF_ACCEPT)}, ""});
  nf_.mutable_table()->Normalize();
  Plan plan = h_.MakeIt();
  std::string fields = Fields(plan.items[0].change);
  EXPECT_NE(fields.find("chain input: type filter hook input priority 0 "
                        "policy accept -> type filter hook input priority 0 "
                        "policy drop"),
            std::string::npos)
      << fields;
  EXPECT_NE(fields.find("(not as flamingo wrote it) [ immediate accept ] -> "
                        "(none)"),
            std::string::npos)
      << fields;
}

TEST_F(FirewallTest, SshPortComesFromSshdConfig) {
  h_.sys.AddFile("/etc/ssh/sshd_config",
                 "# comment\nInclude /etc/ssh/sshd_config.d/*.conf\n"
                 "Port 22\n");
  h_.sys.AddFile("/etc/ssh/sshd_config.d/50-port.conf", "Port=2222\n");
  ASSERT_TRUE(h_.Load(kConfig));
  ASSERT_TRUE(h_.ApplyIt(h_.MakeIt()).ok());
  auto ssh = RulesNamed("flamingo: keep_ssh_open");
  ASSERT_EQ(ssh.size(), 1u);
  const nft::Set* ports = nf_.table().FindSet("_ssh_ports");
  ASSERT_NE(ports, nullptr);
  EXPECT_EQ(nft::DescribeElements(*ports), "{ 22, 2222 }");
}

TEST_F(FirewallTest, SshdConfigBehindASymlinkIsRead) {
  h_.sys.AddFile("/etc/ssh/real_sshd_config", "ListenAddress 0.0.0.0:2022\n");
  h_.sys.AddSymlink("/etc/ssh/sshd_config", "real_sshd_config");
  ASSERT_TRUE(h_.Load(kConfig));
  Plan plan = h_.MakeIt();
  EXPECT_TRUE(AllFieldsContain(plan, "tcp dport 2022 accept"))
      << Fields(plan.items[0].change);
}

TEST_F(FirewallTest, SshRuleComesBeforeTheUsersRules) {
  ASSERT_TRUE(h_.Load(R"(firewall:
  rules:
    - {name: no-ssh, action: drop, protocol: tcp, ports: [22]}
)"));
  Plan plan = h_.MakeIt();
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_NE(plan.warnings[0].find("rule \"no-ssh\" drops it; it stays open"),
            std::string::npos)
      << plan.warnings[0];
  ASSERT_TRUE(h_.ApplyIt(plan).ok());
  std::vector<std::string> input;
  for (const auto& r : nf_.table().rules) {
    if (r.chain == "input") input.push_back(r.comment);
  }
  auto keep = std::find(input.begin(), input.end(), "flamingo: keep_ssh_open");
  auto drop = std::find(input.begin(), input.end(), "no-ssh");
  ASSERT_NE(keep, input.end());
  ASSERT_NE(drop, input.end());
  EXPECT_LT(keep, drop);
}

TEST_F(FirewallTest, ClosingSshNeedsExplicitConsentAndWarns) {
  ASSERT_TRUE(
      h_.Load("firewall:\n  input_policy: drop\n  keep_ssh_open: false\n"));
  Plan plan = h_.MakeIt();
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_NE(plan.warnings[0].find("this firewall closes SSH (tcp port 22"),
            std::string::npos)
      << plan.warnings[0];
  ASSERT_TRUE(h_.ApplyIt(plan).ok());
  EXPECT_TRUE(RulesNamed("flamingo: keep_ssh_open").empty());
}

TEST_F(FirewallTest, OpenSshNeedsNoKeepRuleAndNoWarning) {
  ASSERT_TRUE(h_.Load(R"(firewall:
  input_policy: drop
  rules: [{action: accept, protocol: tcp, ports: [22]}]
)"));
  Plan plan = h_.MakeIt();
  EXPECT_TRUE(plan.warnings.empty());
  ASSERT_TRUE(h_.ApplyIt(plan).ok());
  EXPECT_TRUE(RulesNamed("flamingo: keep_ssh_open").empty());
  EXPECT_EQ(RulesNamed("rules[0]").size(), 1u);
}

TEST_F(FirewallTest, RefusedReplaceChangesNothing) {
  ASSERT_TRUE(h_.Load(kConfig));
  nf_.RefuseReplace(
      "the kernel refused the new ruleset, nothing changed: "
      "rule 4 of chain input (\"https-public\"): Invalid argument");
  ApplyReport report = h_.ApplyIt(h_.MakeIt());
  EXPECT_FALSE(report.ok());
  EXPECT_NE(Report(report).find("https-public"), std::string::npos);
  EXPECT_FALSE(nf_.table().exists);
  EXPECT_FALSE(h_.sys.Exists(kFirewallNftPath));
}

TEST_F(FirewallTest, UnderRootWritesTheBootFilesAndSaysSo) {
  h_.sys.set_live(false);
  h_.sys.set_netfilter(nullptr);
  ASSERT_TRUE(h_.Load(kConfig));
  Plan plan = h_.MakeIt();
  const Change& c = plan.items[0].change;
  EXPECT_EQ(c.action, Action::kCreate);
  EXPECT_NE(c.reason.find("no netfilter here (--root)"), std::string::npos);
  EXPECT_NE(c.reason.find("flamingo-firewall.service"), std::string::npos);
  EXPECT_NE(Fields(c).find("iifname \"eth0\" ip6 saddr 2001:db8::/32 tcp dport "
                           "@_rule0_dport accept comment \"https-public\""),
            std::string::npos)
      << Fields(c);
  ASSERT_TRUE(h_.ApplyIt(plan).ok());
  auto file = h_.sys.GetFile(kFirewallNftPath);
  ASSERT_TRUE(file.has_value());
  EXPECT_NE(file->content.find("table inet flamingo {"), std::string::npos);
  EXPECT_EQ(h_.sys.GetFile(kFirewallWantsPath)->target, kFirewallUnitPath);
  EXPECT_FALSE(h_.MakeIt().HasChanges());

  // A changed rule shows as a changed line of the file.
  ASSERT_TRUE(h_.Load(std::string(kConfig) + "      log: true\n"));
  Plan update = h_.MakeIt();
  std::string fields = Fields(update.items[0].change);
  EXPECT_EQ(update.items[0].change.action, Action::kUpdate);
  EXPECT_NE(fields.find("log prefix \"flamingo https-public: \" level warn "
                        "accept"),
            std::string::npos)
      << fields;
}

TEST_F(FirewallTest, RemovedFromConfigDeletesWhatFlamingoCreated) {
  ASSERT_TRUE(h_.Load(kConfig));
  ASSERT_TRUE(h_.ApplyIt(h_.MakeIt()).ok());
  ASSERT_TRUE(h_.Load("#cloud-config\n{}\n"));
  Plan plan = h_.MakeIt();
  ASSERT_EQ(plan.items.size(), 1u);
  EXPECT_EQ(plan.items[0].change.action, Action::kDelete);
  ASSERT_TRUE(h_.ApplyIt(plan).ok()) << Report(h_.ApplyIt(plan));
  EXPECT_FALSE(nf_.table().exists);
  EXPECT_FALSE(h_.sys.Exists(kFirewallNftPath));
  EXPECT_FALSE(h_.sys.Exists(kFirewallUnitPath));
  EXPECT_FALSE(h_.sys.Exists(kFirewallWantsPath));
}

TEST_F(FirewallTest, InvalidConfigCompilesToNothing) {
  EXPECT_FALSE(h_.Load(R"(firewall:
  rules: [{action: accept, sources: ["10.0.0.300"]}]
)"));
  EXPECT_NE(h_.Errors().find("user-data:2:38: firewall.rules[0].sources[0]"),
            std::string::npos)
      << h_.Errors();
  EXPECT_EQ(h_.graph->size(), 0u);
}

}  // namespace
}  // namespace flamingo
