#include "resources/firewall/firewall_lower.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace flamingo {
namespace firewall {
namespace {

uint32_t ToU32(const std::string& b) {
  return (static_cast<uint32_t>(static_cast<unsigned char>(b[0])) << 24) |
         (static_cast<uint32_t>(static_cast<unsigned char>(b[1])) << 16) |
         (static_cast<uint32_t>(static_cast<unsigned char>(b[2])) << 8) |
         static_cast<uint32_t>(static_cast<unsigned char>(b[3]));
}

Prefix V4(uint32_t addr, int len) {
  Prefix p;
  p.family = 4;
  p.length = len;
  uint32_t mask = len == 0 ? 0 : ~0u << (32 - len);
  addr &= mask;
  for (int i = 0; i < 4; ++i) {
    p.addr[static_cast<size_t>(i)] = static_cast<uint8_t>(addr >> (24 - 8 * i));
  }
  return p;
}

// A named set's kernel intervals hold exactly the addresses of its
// prefixes: sorted, disjoint, not adjacent, and CheckTable accepts them.
RC_GTEST_PROP(FirewallLowerProperty, SetIntervalsMatchThePrefixes,
              (const std::vector<std::pair<uint32_t, uint8_t>>& raw,
               const std::vector<uint32_t>& probes)) {
  RC_PRE(!raw.empty());
  Spec spec;
  AddressSet set{"s", {}};
  for (const auto& [addr, len] : raw) {
    // Short prefixes and small addresses, so that they overlap often.
    set.elements.push_back(V4(addr % 4096 << 20, 12 + len % 21));
  }
  spec.sets.push_back(set);
  Lowered l = Lower(spec, SshPorts{});
  RC_ASSERT(nft::CheckTable(l.table).ok());
  const nft::Set* s = l.table.FindSet("s_v4");
  RC_ASSERT(s != nullptr);
  for (size_t i = 0; i + 1 < s->elements.size(); ++i) {
    RC_ASSERT(ToU32(s->elements[i].last) + 1 < ToU32(s->elements[i + 1].first));
  }
  std::vector<uint32_t> all = probes;
  for (const auto& iv : s->elements) {
    all.push_back(ToU32(iv.first));
    all.push_back(ToU32(iv.last));
    all.push_back(ToU32(iv.last) + 1);
    all.push_back(ToU32(iv.first) - 1);
  }
  for (uint32_t a : all) {
    bool in_prefix = false;
    for (const auto& p : set.elements) {
      uint32_t mask = p.length == 0 ? 0 : ~0u << (32 - p.length);
      uint32_t net = ToU32(std::string(p.addr.begin(), p.addr.begin() + 4));
      if ((a & mask) == net) in_prefix = true;
    }
    bool in_set = false;
    for (const auto& iv : s->elements) {
      if (a >= ToU32(iv.first) && a <= ToU32(iv.last)) in_set = true;
    }
    RC_ASSERT(in_prefix == in_set);
  }
}

TEST(FirewallLowerTest, DefaultsKeepTheWayIn) {
  Spec spec;
  spec.input_policy = Verdict::kDrop;
  Lowered l = Lower(spec, SshPorts{});
  EXPECT_TRUE(l.ssh_rule_added);
  EXPECT_TRUE(l.warnings.empty());
  std::vector<std::string> input;
  for (size_t i = 0; i < l.table.rules.size(); ++i) {
    if (l.table.rules[i].chain == "input") input.push_back(l.texts[i]);
  }
  ASSERT_EQ(input.size(), 4u);
  EXPECT_EQ(input[0],
            "ct state established,related accept comment \"flamingo: "
            "allow_established\"");
  EXPECT_EQ(input[1],
            "iifname \"lo\" accept comment \"flamingo: allow_loopback\"");
  EXPECT_EQ(input[3],
            "tcp dport 22 accept comment \"flamingo: keep_ssh_open\"");
  EXPECT_NE(RenderNftFile(l).find("delete table inet flamingo\ntable inet "
                                  "flamingo {"),
            std::string::npos);
}

TEST(FirewallLowerTest, AcceptPolicyNeedsNoSshRule) {
  Spec spec;
  Lowered l = Lower(spec, SshPorts{});
  EXPECT_FALSE(l.ssh_rule_added);
  EXPECT_TRUE(l.warnings.empty());
}

}  // namespace
}  // namespace firewall
}  // namespace flamingo
