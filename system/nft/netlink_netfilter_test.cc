// Real-kernel tests of NetlinkNetfilter, each in a child process inside a
// fresh network namespace, checked with `nft -j list ruleset`.
#include "system/nft/netlink_netfilter.h"

#include <gtest/gtest.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "system/nft/netns_test_util.h"

namespace flamingo {
namespace {

using nft::Expr;
using testing_netns::NftRuleset;
using testing_netns::RunInNewNetns;
using testing_netns::Sh;

std::string B(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

nft::Table SampleTable() {
  nft::Table t;
  t.exists = true;
  t.chains = {{"input", NF_INET_LOCAL_IN, 0, NF_DROP, "filter"},
              {"output", NF_INET_LOCAL_OUT, 0, NF_ACCEPT, "filter"}};
  nft::Set admins;
  admins.name = "admins_v4";
  admins.key_type = nft::kTypeIpv4Addr;
  admins.key_len = 4;
  admins.elements = {{B({10, 0, 0, 0}), B({10, 255, 255, 255})},
                     {B({192, 0, 2, 7}), B({192, 0, 2, 7})},
                     {B({203, 0, 113, 5}), B({203, 0, 113, 9})},
                     {B({255, 255, 255, 0}), B({255, 255, 255, 255})}};
  nft::Set ports;
  ports.name = "_rule1_dport";
  ports.key_type = nft::kTypeInetService;
  ports.key_len = 2;
  ports.elements = {{B({0, 80}), B({0, 80})},
                    {B({0x23, 0x8c}), B({0x23, 0x8e})}};
  t.sets = {admins, ports};
  t.rules.push_back(
      {"input",
       {Expr::Ct(NFT_CT_STATE), Expr::Bitwise(B({6, 0, 0, 0}), B({0, 0, 0, 0})),
        Expr::Cmp(NFT_CMP_NEQ, B({0, 0, 0, 0})), Expr::Verdict(NF_ACCEPT)},
       "established"});
  t.rules.push_back(
      {"input",
       {Expr::Meta(NFT_META_NFPROTO), Expr::Cmp(NFT_CMP_EQ, B({2})),
        Expr::Payload(NFT_PAYLOAD_NETWORK_HEADER, 12, 4),
        Expr::Lookup("admins_v4"), Expr::Meta(NFT_META_L4PROTO),
        Expr::Cmp(NFT_CMP_EQ, B({6})),
        Expr::Payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2),
        Expr::Lookup("_rule1_dport"), Expr::Limit(10, 60, 5),
        Expr::Log("web: ", 4), Expr::Verdict(NF_ACCEPT)},
       "web"});
  t.rules.push_back(
      {"input",
       {Expr::Meta(NFT_META_IIFNAME),
        Expr::Cmp(NFT_CMP_EQ,
                  std::string("lo\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16)),
        Expr::Meta(NFT_META_L4PROTO), Expr::Cmp(NFT_CMP_EQ, B({58})),
        Expr::Payload(NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1),
        Expr::Range(NFT_RANGE_EQ, B({133}), B({136})),
        Expr::Reject(NFT_REJECT_ICMPX_UNREACH, NFT_REJECT_ICMPX_PORT_UNREACH)},
       ""});
  t.rules.push_back({"output", {Expr::Counter(), Expr::Verdict(NF_DROP)}, "c"});
  t.Normalize();
  return t;
}

nlohmann::json ToJson(const nft::Table& t) {
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& r : t.rules) {
    rules.push_back(r.chain + " | " + r.comment + " | " +
                    nft::DescribeExprs(r.exprs));
  }
  nlohmann::json sets = nlohmann::json::array();
  for (const auto& s : t.sets)
    sets.push_back(s.name + " " + nft::DescribeElements(s));
  return {{"exists", t.exists}, {"rules", rules}, {"sets", sets}};
}

// Table names in an `nft -j list ruleset` document.
std::vector<std::string> Tables(const nlohmann::json& ruleset) {
  std::vector<std::string> out;
  for (const auto& item : ruleset["nftables"]) {
    if (item.contains("table")) {
      out.push_back(item["table"]["family"].get<std::string>() + " " +
                    item["table"]["name"].get<std::string>());
    }
  }
  return out;
}

TEST(NetlinkNetfilterTest, ReplaceThenReadBackIsEqual) {
  auto j = RunInNewNetns([] {
    auto nf = MakeNetlinkNetfilter();
    nlohmann::json out;
    auto before = nf->Read();
    out["absent"] = before.ok() && !before->exists;
    Status st = nf->Replace(SampleTable());
    out["replace"] = st.ok() ? "ok" : st.message();
    auto after = nf->Read();
    out["read"] = after.ok() ? "ok" : after.status().message();
    if (after.ok()) {
      out["equal"] = *after == SampleTable();
      out["got"] = ToJson(*after);
      out["want"] = ToJson(SampleTable());
    }
    out["ruleset"] = NftRuleset();
    // Replacing again with the same table is fine (delete + add).
    st = nf->Replace(SampleTable());
    out["again"] = st.ok() ? "ok" : st.message();
    return out;
  });
  ASSERT_FALSE(j.contains("error")) << j.dump(2);
  EXPECT_TRUE(j["absent"].get<bool>());
  EXPECT_EQ(j["replace"], "ok");
  EXPECT_EQ(j["read"], "ok");
  EXPECT_TRUE(j["equal"].get<bool>()) << j["got"].dump(2) << "\nwant\n"
                                      << j["want"].dump(2);
  EXPECT_EQ(j["again"], "ok");
  EXPECT_EQ(Tables(j["ruleset"]), std::vector<std::string>{"inet flamingo"});
  std::string dump = j["ruleset"].dump();
  EXPECT_NE(dump.find("\"comment\":\"web\""), std::string::npos) << dump;
  EXPECT_NE(dump.find("\"policy\":\"drop\""), std::string::npos) << dump;
}

TEST(NetlinkNetfilterTest, HandMadeRuleIsDrift) {
  auto j = RunInNewNetns([] {
    auto nf = MakeNetlinkNetfilter();
    nlohmann::json out;
    Status st = nf->Replace(SampleTable());
    out["replace"] = st.ok() ? "ok" : st.message();
    int rc = 0;
    out["nft"] =
        Sh("nft add rule inet flamingo input tcp dport 9999 accept", &rc);
    out["rc"] = rc;
    auto after = nf->Read();
    out["equal"] = after.ok() && *after == SampleTable();
    out["rules"] = after.ok() ? after->rules.size() : 0;
    // A changed set element is drift too.
    Sh("nft delete rule inet flamingo input handle "
       "$(nft -a list chain inet flamingo input | awk '/9999/{print $NF}')");
    Sh("nft add element inet flamingo admins_v4 '{ 198.51.100.1 }'");
    auto again = nf->Read();
    out["equal2"] = again.ok() && *again == SampleTable();
    out["rules2"] = again.ok() ? again->rules.size() : 0;
    return out;
  });
  ASSERT_FALSE(j.contains("error")) << j.dump(2);
  EXPECT_EQ(j["replace"], "ok");
  EXPECT_EQ(j["rc"], 0) << j["nft"];
  EXPECT_FALSE(j["equal"].get<bool>());
  EXPECT_EQ(j["rules"], SampleTable().rules.size() + 1);
  EXPECT_FALSE(j["equal2"].get<bool>());
  EXPECT_EQ(j["rules2"], SampleTable().rules.size());
}

TEST(NetlinkNetfilterTest, RefusedBatchKeepsOldRulesAndNamesTheRule) {
  auto j = RunInNewNetns([] {
    auto nf = MakeNetlinkNetfilter();
    nlohmann::json out;
    Sh("nft add table ip foreign; nft add chain ip foreign c; "
       "nft add rule ip foreign c ip saddr 10.1.1.1 drop");
    std::string foreign_before = Sh("nft list table ip foreign");
    Status st = nf->Replace(SampleTable());
    out["replace"] = st.ok() ? "ok" : st.message();
    nft::Table bad = SampleTable();
    nft::Rule broken{"input",
                     {Expr::Meta(250), Expr::Cmp(NFT_CMP_EQ, B({1}))},
                     "broken-rule"};
    bad.rules.insert(bad.rules.begin() + 1, broken);
    st = nf->Replace(bad);
    out["bad"] = st.ok() ? "ok" : st.message();
    auto after = nf->Read();
    out["kept"] = after.ok() && *after == SampleTable();
    if (after.ok()) out["got"] = ToJson(*after);
    out["foreign_kept"] = Sh("nft list table ip foreign") == foreign_before;
    st = nf->Replace(nft::Table{});
    out["delete"] = st.ok() ? "ok" : st.message();
    out["ruleset"] = NftRuleset();
    out["foreign_kept2"] = Sh("nft list table ip foreign") == foreign_before;
    return out;
  });
  ASSERT_FALSE(j.contains("error")) << j.dump(2);
  EXPECT_EQ(j["replace"], "ok");
  std::string bad = j["bad"];
  EXPECT_NE(bad.find("rule 1 of chain input (\"broken-rule\")"),
            std::string::npos)
      << bad;
  EXPECT_TRUE(j["kept"].get<bool>()) << j.dump(2);
  EXPECT_TRUE(j["foreign_kept"].get<bool>());
  EXPECT_EQ(j["delete"], "ok");
  EXPECT_EQ(Tables(j["ruleset"]), std::vector<std::string>{"ip foreign"});
  EXPECT_TRUE(j["foreign_kept2"].get<bool>());
}

}  // namespace
}  // namespace flamingo
