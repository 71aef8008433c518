#include "resources/firewall/firewall_spec.h"

#include <gtest/gtest.h>

#include "schemas/yaml_loader.h"

namespace flamingo {
namespace firewall {
namespace {

struct Parsed {
  std::optional<Spec> spec;
  Diagnostics diags;
  std::string Errors() const {
    std::string s;
    for (const auto& d : diags.items()) s += d.ToString() + "\n";
    return s;
  }
};

Parsed Parse(const std::string& yaml) {
  Parsed p;
  auto doc = LoadYaml(yaml, "user-data", &p.diags);
  EXPECT_TRUE(doc.has_value()) << p.Errors();
  if (!doc) return p;
  doc->Repath("");
  const Value* fw = doc->Get("firewall");
  EXPECT_NE(fw, nullptr);
  if (fw) p.spec = ParseFirewall(*fw, &p.diags);
  return p;
}

TEST(FirewallSpecTest, IssueExampleParses) {
  auto p = Parse(R"(firewall:
  input_policy: drop
  allow_established: true
  rules:
    - name: https-public
      chain: input
      action: accept
      protocol: tcp
      ports: [443, "9100-9102"]
      sources: [192.0.2.0/24, "2001:db8::/32"]
      destinations: []
      interface: eth0
)");
  ASSERT_TRUE(p.spec.has_value()) << p.Errors();
  const Spec& s = *p.spec;
  EXPECT_EQ(s.input_policy, Verdict::kDrop);
  EXPECT_EQ(s.forward_policy, Verdict::kAccept);
  ASSERT_EQ(s.rules.size(), 1u);
  const Rule& r = s.rules[0];
  EXPECT_EQ(r.name, "https-public");
  EXPECT_EQ(r.protocol, Protocol::kTcp);
  ASSERT_EQ(r.ports.size(), 2u);
  EXPECT_EQ(r.ports[0], (PortRange{443, 443}));
  EXPECT_EQ(r.ports[1], (PortRange{9100, 9102}));
  ASSERT_EQ(r.sources.size(), 2u);
  EXPECT_EQ(r.sources[0].prefix->Text(), "192.0.2.0/24");
  EXPECT_EQ(r.sources[1].prefix->Text(), "2001:db8::/32");
  EXPECT_EQ(r.interface, "eth0");
  EXPECT_EQ(r.origin, "user-data:5:7");
}

TEST(FirewallSpecTest, ExtrasParse) {
  auto p = Parse(R"(firewall:
  keep_ssh_open: false
  log_dropped: true
  sets:
    admins: [10.0.0.0/8, "2001:db8::1"]
  rules:
    - action: accept
      protocol: tcp
      ports: [22]
      sources: ["@admins"]
      limit: {rate: 10, per: minute, burst: 20}
      log: {prefix: "ssh: ", level: info}
)");
  ASSERT_TRUE(p.spec.has_value()) << p.Errors();
  EXPECT_FALSE(p.spec->keep_ssh_open);
  EXPECT_TRUE(p.spec->log_dropped);
  ASSERT_EQ(p.spec->sets.size(), 1u);
  EXPECT_EQ(p.spec->sets[0].elements.size(), 2u);
  const Rule& r = p.spec->rules[0];
  EXPECT_EQ(r.sources[0].set, "admins");
  ASSERT_TRUE(r.limit.has_value());
  EXPECT_EQ(r.limit->per_seconds, 60u);
  EXPECT_EQ(r.limit->burst, 20u);
  ASSERT_TRUE(r.log.has_value());
  EXPECT_EQ(r.log->level_number, 6u);
}

struct BadCase {
  const char* rule;     // one rule as a YAML flow map
  const char* at;       // where in `rule` the error points
  const char* path;     // its config path
  const char* message;  // expected substring
};

TEST(FirewallSpecTest, SemanticErrorsNameTheirPlace) {
  const BadCase cases[] = {
      {"{action: accept, sources: [192.0.2.300]}", "192", "sources[0]",
       "not an IPv4 or IPv6 address"},
      {"{action: accept, sources: [10.0.0.0/33]}", "10.", "sources[0]",
       "prefix length 33 is out of range"},
      {"{action: accept, destinations: [\"10.0.0.1/8\"]}", "\"10",
       "destinations[0]", "host bits set (did you mean 10.0.0.0/8?)"},
      {"{action: accept, protocol: tcp, ports: [70000]}", "700", "ports[0]",
       "out of range"},
      {"{action: accept, protocol: tcp, ports: [\"9102-9100\"]}", "\"9102",
       "ports[0]", "reversed (did you mean 9100-9102?)"},
      {"{action: accept, protocol: sctp}", "sctp", "protocol",
       "unknown protocol \"sctp\""},
      {"{action: accept, ports: [22]}", "[22", "ports",
       "ports need protocol tcp or udp (this rule's protocol is any)"},
      {"{action: accept, protocol: icmp, ports: [22]}", "[22", "ports",
       "ports need protocol tcp or udp"},
      {"{action: allow}", "allow", "action", "unknown action \"allow\""},
      {"{protocol: tcp}", "{", "", "needs an action"},
      {"{action: accept, sources: [\"@nope\"]}", "\"@", "sources[0]",
       "no set named \"nope\""},
      {"{action: accept, protocol: icmp, sources: [\"2001:db8::/32\"]}", "{",
       "", "no address family"},
      {"{action: accept, interface: \"this-name-is-too-long\"}", "\"this",
       "interface", "not an interface name"},
      {"{action: accept, limit: {rate: 0}}", "0}", "limit.rate", "at least 1"},
      {"{action: accept, log: {level: loud}}", "loud", "log.level",
       "unknown log level"},
      {"{action: accept, name: \"say \\\"hi\\\"\"}", "\"say", "name",
       "must not contain quotes"},
  };
  for (const auto& c : cases) {
    std::string rule = c.rule;
    auto p = Parse("firewall:\n  rules: [\n    " + rule + "]\n");
    EXPECT_FALSE(p.spec.has_value()) << c.rule;
    std::string where = "user-data:3:" + std::to_string(5 + rule.find(c.at)) +
                        ": firewall.rules[0]" +
                        (c.path[0] ? std::string(".") + c.path : "") + ": ";
    std::string errors = p.Errors();
    EXPECT_NE(errors.find(where), std::string::npos)
        << c.rule << "\nwant " << where << "\n"
        << errors;
    EXPECT_NE(errors.find(c.message), std::string::npos) << c.rule << "\n"
                                                         << errors;
  }
}

TEST(FirewallSpecTest, BadPolicyAndUnknownKey) {
  auto p = Parse("firewall:\n  input_policy: reject\n  colour: red\n");
  EXPECT_FALSE(p.spec.has_value());
  std::string e = p.Errors();
  EXPECT_NE(
      e.find(
          "user-data:2:17: firewall.input_policy: unknown policy \"reject\""),
      std::string::npos)
      << e;
  EXPECT_NE(e.find("user-data:3:11: firewall.colour: unknown key \"colour\""),
            std::string::npos)
      << e;
}

TEST(FirewallSpecTest, EveryErrorIsReported) {
  auto p = Parse(R"(firewall:
  rules:
    - {action: accept, sources: [1.2.3]}
    - {action: nope}
)");
  EXPECT_FALSE(p.spec.has_value());
  EXPECT_EQ(p.diags.ErrorCount(), 2u) << p.Errors();
}

TEST(FirewallSpecTest, PrefixParsing) {
  std::string err;
  auto a = ParsePrefix("2001:db8::/32", &err);
  ASSERT_TRUE(a) << err;
  EXPECT_EQ(a->family, 6);
  EXPECT_EQ(a->length, 32);
  auto b = ParsePrefix("192.0.2.1", &err);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->Text(), "192.0.2.1");
  EXPECT_FALSE(ParsePrefix("2001:db8::1/64", &err));
  EXPECT_FALSE(ParsePrefix("10.0.0.0/", &err));
  EXPECT_FALSE(ParsePrefix("", &err));
  EXPECT_TRUE(ParsePrefix("0.0.0.0/0", &err));
}

}  // namespace
}  // namespace firewall
}  // namespace flamingo
