// The firewall kind against the real kernel: every test runs in a forked
// child inside a fresh network namespace (the test process never moves) and
// checks the result with `nft -j list ruleset`.
#include <gtest/gtest.h>
#include <linux/netfilter/nf_tables.h>

#include <cstdio>
#include <fstream>

#include "resources/firewall.h"
#include "resources/firewall/firewall_test_util.h"
#include "system/nft/netlink_netfilter.h"
#include "system/nft/netns_test_util.h"

namespace flamingo {
namespace {

using firewall_testing::Fields;
using firewall_testing::Harness;
using firewall_testing::Report;
using nlohmann::json;
using testing_netns::NftRuleset;
using testing_netns::RunInNewNetns;
using testing_netns::Sh;

constexpr char kConfig[] = R"(#cloud-config
firewall:
  input_policy: drop
  forward_policy: drop
  log_dropped: true
  sets:
    admins: [198.51.100.0/24, 203.0.113.7, "2001:db8:1::/48"]
  rules:
    - name: https-public
      action: accept
      protocol: tcp
      ports: [443, "9100-9102"]
      sources: [192.0.2.0/24, "2001:db8::/32"]
      interface: eth0
    - name: admin-ssh-alt
      action: accept
      protocol: tcp
      ports: [2222]
      sources: ["@admins"]
      limit: {rate: 10, per: minute, burst: 20}
      log: {prefix: "admin: ", level: info}
    - {name: dns, action: accept, protocol: udp, ports: [53], interface: "veth*"}
    - {name: ping, action: accept, protocol: icmp, limit: {rate: 5}}
    - {name: ping6, action: accept, protocol: icmpv6}
    - {name: no-smtp, action: reject, protocol: tcp, ports: [25]}
    - {name: no-syslog, action: reject, protocol: udp, ports: [514], destinations: [10.0.0.1]}
    - {name: out-block, chain: output, action: drop, destinations: ["192.0.2.99"]}
    - {name: odd-prefix, action: drop, sources: [10.1.2.0/23, "2001:db8:8000::/33", 0.0.0.0/0]}
    - {name: range, chain: forward, action: accept, protocol: udp, ports: ["20000-20010"]}
)";

// Rules of table inet flamingo in an `nft -j list ruleset` document.
std::vector<json> FlamingoRules(const json& ruleset) {
  std::vector<json> out;
  for (const auto& item : ruleset["nftables"]) {
    if (item.contains("rule") && item["rule"]["table"] == "flamingo" &&
        item["rule"]["family"] == "inet") {
      out.push_back(item["rule"]);
    }
  }
  return out;
}

// True when the input chain accepts tcp dport `port` unconditionally.
bool SshOpen(const json& ruleset, int port) {
  for (const auto& r : FlamingoRules(ruleset)) {
    if (r["chain"] != "input") continue;
    std::string d = r["expr"].dump();
    if (d.find("\"dport\"") != std::string::npos &&
        d.find("\"right\":" + std::to_string(port)) != std::string::npos &&
        d.find("\"accept\"") != std::string::npos &&
        d.find("saddr") == std::string::npos &&
        d.find("iifname") == std::string::npos) {
      return true;
    }
  }
  return false;
}

std::string Policy(const json& ruleset, const std::string& chain) {
  for (const auto& item : ruleset["nftables"]) {
    if (item.contains("chain") && item["chain"]["table"] == "flamingo" &&
        item["chain"]["name"] == chain) {
      return item["chain"].value("policy", "");
    }
  }
  return "(no chain)";
}

std::string PlanText(const Plan& plan) {
  std::string s;
  for (const auto& item : plan.items) {
    if (!item.error.ok()) s += "error: " + item.error.message() + "\n";
    s += Fields(item.change);
  }
  return s;
}

// Inserts an expression the kernel refuses into every table it writes.
class CorruptingNetfilter : public Netfilter {
 public:
  explicit CorruptingNetfilter(Netfilter* real) : real_(real) {}
  Result<nft::Table> Read() const override { return real_->Read(); }
  Status Replace(const nft::Table& desired) override {
    nft::Table bad = desired;
    nft::Rule rule{"input",
                   {nft::Expr::Meta(250), nft::Expr::Cmp(NFT_CMP_EQ, "\x01")},
                   "forced-bad"};
    bad.rules.insert(bad.rules.begin() + 2, rule);
    return real_->Replace(bad);
  }

 private:
  Netfilter* real_;
};

TEST(FirewallKernelTest, ApplyPlanDriftRepairForeignTableAndSsh) {
  json j = RunInNewNetns([] {
    json out;
    Sh("nft add table ip foreign && nft add chain ip foreign c "
       "'{ type filter hook input priority 10; policy accept; }' && "
       "nft add rule ip foreign c tcp dport 8080 drop");
    std::string foreign = Sh("nft -j list table ip foreign");
    auto nf = MakeNetlinkNetfilter();
    Harness h;
    h.sys.set_live(true);
    h.sys.set_netfilter(nf.get());
    if (!h.Load(kConfig)) return json{{"error", h.Errors()}};

    Plan first = h.MakeIt();
    out["first_action"] = ActionName(first.items[0].change.action);
    out["first_warnings"] = first.warnings;
    ApplyReport rep = h.ApplyIt(first);
    out["apply"] = Report(rep);
    out["apply_ok"] = rep.ok();
    Plan second = h.MakeIt();
    out["second_changes"] = second.HasChanges();
    out["second"] = PlanText(second);
    json rs = NftRuleset();
    out["ssh_open"] = SshOpen(rs, 22);
    out["input_policy"] = Policy(rs, "input");
    out["rules"] = FlamingoRules(rs).size();

    // Drift 1: a rule added by hand.
    Sh("nft add rule inet flamingo input tcp dport 9999 accept");
    Plan drift = h.MakeIt();
    out["drift_add"] = PlanText(drift);
    out["drift_add_action"] = ActionName(drift.items[0].change.action);
    rep = h.ApplyIt(drift);
    out["repair_add_ok"] = rep.ok();
    out["after_repair_add"] = h.MakeIt().HasChanges();
    out["9999_gone"] = NftRuleset().dump().find("9999") == std::string::npos;

    // Drift 2: a rule deleted by hand, a set element added by hand.
    Sh("nft delete rule inet flamingo input handle $(nft -a list chain inet "
       "flamingo input | awk '/no-smtp/{print $NF}')");
    Sh("nft add element inet flamingo admins_v4 '{ 198.18.0.1 }'");
    Plan drift2 = h.MakeIt();
    out["drift_del"] = PlanText(drift2);
    rep = h.ApplyIt(drift2);
    out["repair_del_ok"] = rep.ok();
    out["after_repair_del"] = h.MakeIt().HasChanges();

    // Drift 3: the policy flipped by hand (the way in would be wide open).
    Sh("nft chain inet flamingo input '{ policy accept; }'");
    Plan drift3 = h.MakeIt();
    out["drift_policy"] = PlanText(drift3);
    out["repair_policy_ok"] = h.ApplyIt(drift3).ok();
    out["policy_after"] = Policy(NftRuleset(), "input");

    out["foreign_kept"] = Sh("nft -j list table ip foreign") == foreign;
    return out;
  });
  ASSERT_FALSE(j.contains("error")) << j.dump(2);
  EXPECT_EQ(j["first_action"], "create");
  ASSERT_EQ(j["first_warnings"].size(), 1u) << j["first_warnings"].dump();
  EXPECT_NE(j["first_warnings"][0].get<std::string>().find(
                "rule \"odd-prefix\" drops it; it stays open to everyone "
                "because keep_ssh_open is true"),
            std::string::npos);
  EXPECT_TRUE(j["apply_ok"].get<bool>()) << j["apply"];
  EXPECT_FALSE(j["second_changes"].get<bool>()) << j["second"];
  EXPECT_TRUE(j["ssh_open"].get<bool>());
  EXPECT_EQ(j["input_policy"], "drop");
  EXPECT_GE(j["rules"].get<int>(), 15);

  std::string add = j["drift_add"];
  EXPECT_EQ(j["drift_add_action"], "update");
  EXPECT_NE(add.find("(not as flamingo wrote it)"), std::string::npos) << add;
  EXPECT_TRUE(j["repair_add_ok"].get<bool>());
  EXPECT_FALSE(j["after_repair_add"].get<bool>());
  EXPECT_TRUE(j["9999_gone"].get<bool>());

  std::string del = j["drift_del"];
  EXPECT_NE(del.find("(none) -> tcp dport 25 reject with tcp reset comment "
                     "\"no-smtp\""),
            std::string::npos)
      << del;
  EXPECT_NE(del.find("set admins_v4: { 198.18.0.1, 198.51.100.0/24, "
                     "203.0.113.7 } -> { 198.51.100.0/24, 203.0.113.7 }"),
            std::string::npos)
      << del;
  EXPECT_TRUE(j["repair_del_ok"].get<bool>());
  EXPECT_FALSE(j["after_repair_del"].get<bool>());

  std::string pol = j["drift_policy"];
  EXPECT_NE(pol.find("policy accept -> type filter hook input priority 0 "
                     "policy drop"),
            std::string::npos)
      << pol;
  EXPECT_TRUE(j["repair_policy_ok"].get<bool>());
  EXPECT_EQ(j["policy_after"], "drop");
  EXPECT_TRUE(j["foreign_kept"].get<bool>());
}

TEST(FirewallKernelTest, RefusedBatchKeepsTheOldRulesAndNamesTheRule) {
  json j = RunInNewNetns([] {
    json out;
    auto nf = MakeNetlinkNetfilter();
    Harness h;
    h.sys.set_live(true);
    h.sys.set_netfilter(nf.get());
    if (!h.Load(kConfig)) return json{{"error", h.Errors()}};
    out["first_ok"] = h.ApplyIt(h.MakeIt()).ok();
    auto before = nf->Read();
    std::string file_before = h.sys.GetFile(kFirewallNftPath)->content;

    CorruptingNetfilter bad(nf.get());
    h.sys.set_netfilter(&bad);
    if (!h.Load(std::string(kConfig) +
                "    - {name: new-rule, action: accept, protocol: tcp, "
                "ports: [8443]}\n")) {
      return json{{"error", h.Errors()}};
    }
    ApplyReport rep = h.ApplyIt(h.MakeIt());
    out["second_ok"] = rep.ok();
    out["message"] = Report(rep);
    auto after = nf->Read();
    out["kept"] = before.ok() && after.ok() && *before == *after;
    out["file_kept"] = h.sys.GetFile(kFirewallNftPath)->content == file_before;
    out["no_new_rule"] =
        NftRuleset().dump().find("new-rule") == std::string::npos;
    out["ssh_open"] = SshOpen(NftRuleset(), 22);
    return out;
  });
  ASSERT_FALSE(j.contains("error")) << j.dump(2);
  EXPECT_TRUE(j["first_ok"].get<bool>());
  EXPECT_FALSE(j["second_ok"].get<bool>());
  std::string msg = j["message"];
  EXPECT_NE(msg.find("the kernel refused the new ruleset, nothing changed: "
                     "rule 0 of chain input (\"forced-bad\")"),
            std::string::npos)
      << msg;
  EXPECT_TRUE(j["kept"].get<bool>());
  EXPECT_TRUE(j["file_kept"].get<bool>());
  EXPECT_TRUE(j["no_new_rule"].get<bool>());
  EXPECT_TRUE(j["ssh_open"].get<bool>());
}

// The boot-time file, loaded by `nft -f` as flamingo-firewall.service does,
// gives exactly the table flamingo writes over netlink: after a reboot the
// first plan is empty.
TEST(FirewallKernelTest, BootFileLoadsTheSameTable) {
  json j = RunInNewNetns([] {
    json out;
    auto nf = MakeNetlinkNetfilter();
    Harness h;
    h.sys.set_live(false);  // --root: writes the files only
    if (!h.Load(kConfig)) return json{{"error", h.Errors()}};
    out["apply_ok"] = h.ApplyIt(h.MakeIt()).ok();
    std::string path = "/tmp/flamingo-fw-test-" + std::to_string(getpid());
    {
      std::ofstream f(path);
      f << h.sys.GetFile(kFirewallNftPath)->content;
    }
    int rc = 0;
    out["check"] = Sh("nft -c -f " + path, &rc);
    out["check_rc"] = rc;
    out["load"] = Sh("nft -f " + path, &rc);
    out["load_rc"] = rc;
    out["reload"] = Sh("nft -f " + path, &rc);  // loading twice is fine
    out["reload_rc"] = rc;
    std::remove(path.c_str());
    h.sys.set_live(true);
    h.sys.set_netfilter(nf.get());
    Plan plan = h.MakeIt();
    out["changes"] = plan.HasChanges();
    out["plan"] = PlanText(plan);
    return out;
  });
  ASSERT_FALSE(j.contains("error")) << j.dump(2);
  EXPECT_TRUE(j["apply_ok"].get<bool>());
  EXPECT_EQ(j["check_rc"], 0) << j["check"];
  EXPECT_EQ(j["load_rc"], 0) << j["load"];
  EXPECT_EQ(j["reload_rc"], 0) << j["reload"];
  EXPECT_FALSE(j["changes"].get<bool>()) << j["plan"];
}

}  // namespace
}  // namespace flamingo
