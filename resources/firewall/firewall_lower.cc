#include "resources/firewall/firewall_lower.h"

// netinet/in.h must come before the linux/ headers.
#include <netinet/in.h>
// clang-format off
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
// clang-format on

#include <algorithm>
#include <map>

namespace flamingo {
namespace firewall {
namespace {

using nft::Expr;

constexpr uint8_t kNfprotoIpv4 = NFPROTO_IPV4;
constexpr uint8_t kNfprotoIpv6 = NFPROTO_IPV6;

std::string Byte(uint8_t b) { return std::string(1, static_cast<char>(b)); }

std::string Be16(uint16_t v) {
  std::string s(2, '\0');
  s[0] = static_cast<char>(v >> 8);
  s[1] = static_cast<char>(v & 0xff);
  return s;
}

std::string HostU32(uint32_t v) {
  return std::string(reinterpret_cast<const char*>(&v), sizeof(v));
}

// `iifname "eth0"`: 16 bytes, NUL padded; "eth*" compares the prefix only.
std::string IfnameBytes(const std::string& name) {
  if (!name.empty() && name.back() == '*') {
    return name.substr(0, name.size() - 1);
  }
  std::string s = name;
  s.resize(16, '\0');
  return s;
}

nft::Interval ToInterval(const Prefix& p) {
  size_t n = p.Bytes();
  std::string first(reinterpret_cast<const char*>(p.addr.data()), n);
  std::string last = first;
  for (size_t i = static_cast<size_t>(p.length); i < n * 8; ++i) {
    last[i / 8] = static_cast<char>(static_cast<unsigned char>(last[i / 8]) |
                                    (0x80 >> (i % 8)));
  }
  return {first, last};
}

bool IsNext(std::string a, const std::string& b) {  // a + 1 == b
  for (size_t i = a.size(); i-- > 0;) {
    auto c = static_cast<unsigned char>(a[i]);
    a[i] = static_cast<char>(c + 1);
    if (c != 0xff) return a == b;
  }
  return false;
}

// Sorted, disjoint, non-adjacent (what the kernel's interval sets hold and
// what Read() returns).
std::vector<nft::Interval> Merge(std::vector<nft::Interval> v) {
  std::sort(v.begin(), v.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<nft::Interval> out;
  for (auto& iv : v) {
    if (!out.empty() &&
        (iv.first <= out.back().last || IsNext(out.back().last, iv.first))) {
      if (iv.last > out.back().last) out.back().last = iv.last;
    } else {
      out.push_back(iv);
    }
  }
  return out;
}

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

class Builder {
 public:
  Builder(const Spec& spec, Lowered* out) : spec_(spec), out_(out) {}

  void Add(const std::string& chain, std::vector<Expr> exprs,
           const std::string& text, const std::string& comment) {
    rules_[chain].push_back({{chain, std::move(exprs), comment},
                             text + " comment " + Quote(comment)});
  }

  void AddSet(const std::string& name, uint32_t type, uint32_t len,
              std::vector<nft::Interval> elements) {
    for (const auto& s : out_->table.sets) {
      if (s.name == name) return;
    }
    out_->table.sets.push_back({name, type, len, Merge(std::move(elements))});
  }

  void Finish() {
    for (auto& [chain, rules] : rules_) {
      for (auto& r : rules) {
        out_->table.rules.push_back(std::move(r.first));
        out_->texts.push_back(std::move(r.second));
      }
    }
    out_->table.Normalize();
  }

  const Spec& spec() const { return spec_; }

 private:
  const Spec& spec_;
  Lowered* out_;
  // By chain name, so that rules come out in chain-name order.
  std::map<std::string, std::vector<std::pair<nft::Rule, std::string>>> rules_;
};

std::vector<Expr> EstablishedExprs() {
  return {Expr::Ct(NFT_CT_STATE),
          Expr::Bitwise(HostU32(NF_CT_STATE_BIT(IP_CT_ESTABLISHED) |
                                NF_CT_STATE_BIT(IP_CT_RELATED)),
                        HostU32(0)),
          Expr::Cmp(NFT_CMP_NEQ, HostU32(0)), Expr::Verdict(NF_ACCEPT)};
}

std::vector<Expr> InterfaceExprs(bool out_iface, const std::string& name) {
  return {Expr::Meta(out_iface ? NFT_META_OIFNAME : NFT_META_IIFNAME),
          Expr::Cmp(NFT_CMP_EQ, IfnameBytes(name))};
}

// Neighbor discovery: ICMPv6 types 133-136 (router/neighbor solicitation
// and advertisement), as `nft` itself compiles "icmpv6 type 133-136".
std::vector<Expr> NdExprs() {
  return {Expr::Meta(NFT_META_NFPROTO),
          Expr::Cmp(NFT_CMP_EQ, Byte(kNfprotoIpv6)),
          Expr::Meta(NFT_META_L4PROTO),
          Expr::Cmp(NFT_CMP_EQ, Byte(IPPROTO_ICMPV6)),
          Expr::Payload(NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1),
          Expr::Cmp(NFT_CMP_GTE, Byte(133)),
          Expr::Cmp(NFT_CMP_LTE, Byte(136)),
          Expr::Verdict(NF_ACCEPT)};
}

const char* kNdText = "icmpv6 type 133-136 accept";

// Matches an address list of one family: exprs and text, or nothing when
// the list is empty. `dest` selects daddr.
void AddressMatch(Builder* b, const Rule& r,
                  const std::vector<AddressRef>& refs, int family, bool dest,
                  std::vector<Expr>* exprs, std::string* text) {
  if (refs.empty()) return;
  const Spec& spec = b->spec();
  std::string fam = family == 4 ? "v4" : "v6";
  uint32_t offset = family == 4 ? (dest ? 16 : 12) : (dest ? 24 : 8);
  uint32_t len = family == 4 ? 4 : 16;
  uint32_t key_type = family == 4 ? nft::kTypeIpv4Addr : nft::kTypeIpv6Addr;
  std::string word =
      std::string(family == 4 ? "ip " : "ip6 ") + (dest ? "daddr " : "saddr ");
  if (refs.size() == 1 && !refs[0].set.empty()) {
    std::string name = refs[0].set + "_" + fam;
    exprs->push_back(Expr::Payload(NFT_PAYLOAD_NETWORK_HEADER, offset, len));
    exprs->push_back(Expr::Lookup(name));
    *text += word + "@" + name + " ";
    return;
  }
  std::vector<nft::Interval> elems;
  for (const auto& ref : refs) {
    if (ref.prefix) {
      if (ref.prefix->family == family)
        elems.push_back(ToInterval(*ref.prefix));
    } else if (const AddressSet* s = spec.FindSet(ref.set)) {
      for (const auto& p : s->elements) {
        if (p.family == family) elems.push_back(ToInterval(p));
      }
    }
  }
  elems = Merge(std::move(elems));
  int prefix =
      elems.size() == 1 ? nft::PrefixLength(elems[0].first, elems[0].last) : -1;
  if (prefix >= 0) {
    // One address or prefix: compared directly, as `nft` compiles it (a
    // shorter load on a byte boundary, else a mask).
    const std::string& net = elems[0].first;
    if (prefix > 0 && prefix % 8 == 0) {
      uint32_t bytes = static_cast<uint32_t>(prefix / 8);
      exprs->push_back(
          Expr::Payload(NFT_PAYLOAD_NETWORK_HEADER, offset, bytes));
      exprs->push_back(Expr::Cmp(NFT_CMP_EQ, net.substr(0, bytes)));
    } else {
      std::string mask(len, '\0');
      for (int i = 0; i < prefix; ++i) {
        mask[static_cast<size_t>(i / 8)] = static_cast<char>(
            static_cast<unsigned char>(mask[static_cast<size_t>(i / 8)]) |
            (0x80 >> (i % 8)));
      }
      exprs->push_back(Expr::Payload(NFT_PAYLOAD_NETWORK_HEADER, offset, len));
      exprs->push_back(Expr::Bitwise(mask, std::string(len, '\0')));
      exprs->push_back(Expr::Cmp(NFT_CMP_EQ, net));
    }
    *text += word + nft::DescribeInterval(key_type, elems[0]) + " ";
    return;
  }
  std::string name = "_rule" + std::to_string(r.index) + "_" +
                     (dest ? "daddr_" : "saddr_") + fam;
  b->AddSet(name, key_type, len, elems);
  exprs->push_back(Expr::Payload(NFT_PAYLOAD_NETWORK_HEADER, offset, len));
  exprs->push_back(Expr::Lookup(name));
  *text += word + "@" + name + " ";
}

bool HasFamily(const Spec& spec, const std::vector<AddressRef>& refs,
               int family) {
  if (refs.empty()) return true;
  for (const auto& r : refs) {
    if (r.prefix && r.prefix->family == family) return true;
    if (!r.prefix) {
      if (const AddressSet* s = spec.FindSet(r.set)) {
        for (const auto& p : s->elements) {
          if (p.family == family) return true;
        }
      }
    }
  }
  return false;
}

void LowerRule(Builder* b, const Rule& r) {
  const Spec& spec = b->spec();
  std::string chain = ChainText(r.chain);
  std::string comment =
      r.name.empty() ? "rules[" + std::to_string(r.index) + "]" : r.name;
  bool need_family = !r.sources.empty() || !r.destinations.empty();
  std::vector<int> families;
  if (!need_family) {
    families.push_back(0);
  } else {
    for (int f : {4, 6}) {
      if (r.protocol == Protocol::kIcmp && f == 6) continue;
      if (r.protocol == Protocol::kIcmpv6 && f == 4) continue;
      if (HasFamily(spec, r.sources, f) && HasFamily(spec, r.destinations, f)) {
        families.push_back(f);
      }
    }
  }
  for (int f : families) {
    std::vector<Expr> exprs;
    std::string text;
    if (!r.interface.empty()) {
      bool out = r.chain == ChainName::kOutput;
      auto e = InterfaceExprs(out, r.interface);
      exprs.insert(exprs.end(), e.begin(), e.end());
      text +=
          std::string(out ? "oifname " : "iifname ") + Quote(r.interface) + " ";
    }
    if (f != 0) {
      exprs.push_back(Expr::Meta(NFT_META_NFPROTO));
      exprs.push_back(
          Expr::Cmp(NFT_CMP_EQ, Byte(f == 4 ? kNfprotoIpv4 : kNfprotoIpv6)));
      AddressMatch(b, r, r.sources, f, false, &exprs, &text);
      AddressMatch(b, r, r.destinations, f, true, &exprs, &text);
    }
    const char* proto = nullptr;
    uint8_t proto_num = 0;
    switch (r.protocol) {
      case Protocol::kTcp:
        proto = "tcp";
        proto_num = IPPROTO_TCP;
        break;
      case Protocol::kUdp:
        proto = "udp";
        proto_num = IPPROTO_UDP;
        break;
      case Protocol::kIcmp:
        proto = "icmp";
        proto_num = IPPROTO_ICMP;
        break;
      case Protocol::kIcmpv6:
        proto = "ipv6-icmp";
        proto_num = IPPROTO_ICMPV6;
        break;
      case Protocol::kAny:
        break;
    }
    if (proto != nullptr) {
      exprs.push_back(Expr::Meta(NFT_META_L4PROTO));
      exprs.push_back(Expr::Cmp(NFT_CMP_EQ, Byte(proto_num)));
      if (r.ports.empty()) text += std::string("meta l4proto ") + proto + " ";
    }
    if (!r.ports.empty()) {
      exprs.push_back(Expr::Payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2));
      text += std::string(proto) + " dport ";
      std::vector<nft::Interval> elems;
      for (const auto& p : r.ports) {
        elems.push_back({Be16(p.first), Be16(p.last)});
      }
      elems = Merge(std::move(elems));
      if (elems.size() == 1 && elems[0].first == elems[0].last) {
        exprs.push_back(Expr::Cmp(NFT_CMP_EQ, elems[0].first));
      } else if (elems.size() == 1) {  // a range, as `nft` compiles it
        exprs.push_back(Expr::Cmp(NFT_CMP_GTE, elems[0].first));
        exprs.push_back(Expr::Cmp(NFT_CMP_LTE, elems[0].last));
      } else {
        std::string name = "_rule" + std::to_string(r.index) + "_dport";
        b->AddSet(name, nft::kTypeInetService, 2, elems);
        exprs.push_back(Expr::Lookup(name));
      }
      text += (elems.size() == 1
                   ? nft::DescribeInterval(nft::kTypeInetService, elems[0])
                   : "@_rule" + std::to_string(r.index) + "_dport") +
              " ";
    }
    if (r.limit) {
      exprs.push_back(
          Expr::Limit(r.limit->rate, r.limit->per_seconds, r.limit->burst));
      text += "limit rate " + std::to_string(r.limit->rate) + "/" +
              r.limit->per + " burst " + std::to_string(r.limit->burst) +
              " packets ";
    }
    if (r.log) {
      exprs.push_back(Expr::Log(r.log->prefix, r.log->level_number));
      text +=
          "log prefix " + Quote(r.log->prefix) + " level " + r.log->level + " ";
    }
    switch (r.action) {
      case Verdict::kAccept:
        exprs.push_back(Expr::Verdict(NF_ACCEPT));
        text += "accept";
        break;
      case Verdict::kDrop:
        exprs.push_back(Expr::Verdict(NF_DROP));
        text += "drop";
        break;
      case Verdict::kReject:
        if (r.protocol == Protocol::kTcp) {
          exprs.push_back(Expr::Reject(NFT_REJECT_TCP_RST, 0));
          text += "reject with tcp reset";
        } else {
          exprs.push_back(Expr::Reject(NFT_REJECT_ICMPX_UNREACH,
                                       NFT_REJECT_ICMPX_PORT_UNREACH));
          text += "reject with icmpx type port-unreachable";
        }
        break;
    }
    b->Add(chain, std::move(exprs), text, comment);
  }
}

bool CoversPorts(const Rule& r, const std::vector<uint16_t>& ports) {
  if (r.ports.empty()) return true;
  for (uint16_t p : ports) {
    bool hit = false;
    for (const auto& range : r.ports) {
      if (p >= range.first && p <= range.last) hit = true;
    }
    if (!hit) return false;
  }
  return true;
}

bool TouchesPorts(const Rule& r, const std::vector<uint16_t>& ports) {
  if (r.ports.empty()) return true;
  for (uint16_t p : ports) {
    for (const auto& range : r.ports) {
      if (p >= range.first && p <= range.last) return true;
    }
  }
  return false;
}

std::string PortList(const SshPorts& ssh) {
  std::string s;
  for (uint16_t p : ssh.ports) s += (s.empty() ? "" : ", ") + std::to_string(p);
  return "tcp port" + std::string(ssh.ports.size() > 1 ? "s " : " ") + s +
         " (" + (ssh.source == "default" ? "sshd's default" : ssh.source) + ")";
}

std::string RuleName(const Rule& r) {
  return r.name.empty() ? "rules[" + std::to_string(r.index) + "]"
                        : "rule \"" + r.name + "\"";
}

// Decides whether SSH needs the keep-open rule and what to warn about.
bool AnalyzeSsh(const Spec& spec, const SshPorts& ssh,
                std::vector<std::string>* warnings) {
  // Walk the input chain as the kernel would for a new SSH connection from
  // an arbitrary address: the first rule that surely matches decides.
  const Rule* blocker = nullptr;
  const Rule* restricted = nullptr;
  bool open = spec.input_policy == Verdict::kAccept;
  bool decided = false;
  for (const auto& r : spec.rules) {
    if (r.chain != ChainName::kInput) continue;
    if (r.protocol != Protocol::kTcp && r.protocol != Protocol::kAny) continue;
    if (!TouchesPorts(r, ssh.ports)) continue;
    bool unconditional = r.sources.empty() && r.destinations.empty() &&
                         r.interface.empty() && !r.limit &&
                         CoversPorts(r, ssh.ports);
    if (r.action == Verdict::kAccept) {
      if (unconditional) {
        open = true;
        decided = true;
        break;
      }
      if (restricted == nullptr) restricted = &r;
    } else {
      if (blocker == nullptr) blocker = &r;
      if (unconditional) {
        open = false;
        decided = true;
        break;
      }
    }
  }
  if (!decided && blocker != nullptr) open = false;
  if (open) return false;

  std::string why =
      blocker != nullptr
          ? RuleName(*blocker) + " " + VerdictText(blocker->action) + "s it"
          : "input_policy is drop and no rule accepts it from everywhere";
  if (spec.keep_ssh_open) {
    if (blocker != nullptr || restricted != nullptr) {
      warnings->push_back(
          "SSH (" + PortList(ssh) + ") would be limited: " +
          (restricted != nullptr && blocker == nullptr
               ? RuleName(*restricted) + " accepts it only in part and " + why
               : why) +
          "; it stays open to everyone because keep_ssh_open is true (set "
          "keep_ssh_open: false to enforce the rules)");
    }
    return true;
  }
  warnings->push_back(
      "this firewall closes SSH (" + PortList(ssh) + "): " + why +
      (restricted != nullptr
           ? " (only " + RuleName(*restricted) + " lets some of it in)"
           : "") +
      "; keep_ssh_open is false, so flamingo will not keep it "
      "open: make sure you have another way in");
  return false;
}

}  // namespace

Lowered Lower(const Spec& spec, const SshPorts& ssh) {
  Lowered out;
  out.table.exists = true;
  Builder b(spec, &out);
  struct ChainDef {
    ChainName name;
    uint32_t hook;
    Verdict policy;
  };
  const ChainDef chains[] = {
      {ChainName::kForward, NF_INET_FORWARD, spec.forward_policy},
      {ChainName::kInput, NF_INET_LOCAL_IN, spec.input_policy},
      {ChainName::kOutput, NF_INET_LOCAL_OUT, spec.output_policy}};
  for (const auto& c : chains) {
    out.table.chains.push_back(
        {ChainText(c.name), c.hook, 0,
         static_cast<uint32_t>(c.policy == Verdict::kDrop ? NF_DROP
                                                          : NF_ACCEPT),
         "filter"});
  }
  for (const auto& c : chains) {
    std::string name = ChainText(c.name);
    if (spec.allow_established) {
      b.Add(name, EstablishedExprs(), "ct state established,related accept",
            "flamingo: allow_established");
    }
    if (c.name == ChainName::kForward) continue;
    bool out_chain = c.name == ChainName::kOutput;
    if (spec.allow_loopback) {
      auto e = InterfaceExprs(out_chain, "lo");
      e.push_back(Expr::Verdict(NF_ACCEPT));
      b.Add(name, e,
            std::string(out_chain ? "oifname" : "iifname") + " \"lo\" accept",
            "flamingo: allow_loopback");
    }
    if (spec.allow_neighbor_discovery) {
      b.Add(name, NdExprs(), kNdText, "flamingo: allow_neighbor_discovery");
    }
  }
  out.ssh_rule_added = AnalyzeSsh(spec, ssh, &out.warnings);
  if (out.ssh_rule_added) {
    std::vector<Expr> e = {Expr::Meta(NFT_META_L4PROTO),
                           Expr::Cmp(NFT_CMP_EQ, Byte(IPPROTO_TCP)),
                           Expr::Payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2)};
    std::string text = "tcp dport ";
    if (ssh.ports.size() == 1) {
      e.push_back(Expr::Cmp(NFT_CMP_EQ, Be16(ssh.ports[0])));
      text += std::to_string(ssh.ports[0]);
    } else {
      std::vector<nft::Interval> elems;
      for (uint16_t p : ssh.ports) elems.push_back({Be16(p), Be16(p)});
      b.AddSet("_ssh_ports", nft::kTypeInetService, 2, elems);
      e.push_back(Expr::Lookup("_ssh_ports"));
      text += "@_ssh_ports";
    }
    e.push_back(Expr::Verdict(NF_ACCEPT));
    b.Add("input", e, text + " accept", "flamingo: keep_ssh_open");
  }
  for (const auto& set : spec.sets) {
    for (int f : {4, 6}) {
      std::vector<nft::Interval> elems;
      for (const auto& p : set.elements) {
        if (p.family == f) elems.push_back(ToInterval(p));
      }
      if (elems.empty()) continue;
      b.AddSet(set.name + (f == 4 ? "_v4" : "_v6"),
               f == 4 ? nft::kTypeIpv4Addr : nft::kTypeIpv6Addr,
               f == 4 ? 4 : 16, elems);
    }
  }
  for (const auto& r : spec.rules) LowerRule(&b, r);
  if (spec.log_dropped) {
    for (const auto& c : chains) {
      if (c.policy != Verdict::kDrop) continue;
      std::string name = ChainText(c.name);
      std::string prefix = "flamingo drop " + name + ": ";
      b.Add(name, {Expr::Limit(10, 60, 5), Expr::Log(prefix, 4)},
            "limit rate 10/minute burst 5 packets log prefix " + Quote(prefix) +
                " level warn",
            "flamingo: log_dropped");
    }
  }
  b.Finish();
  return out;
}

std::string RenderNftFile(const Lowered& lowered) {
  const nft::Table& t = lowered.table;
  std::string s =
      "#!/usr/sbin/nft -f\n"
      "# Written by flamingo from the cloud-config key \"firewall\"; do not\n"
      "# edit (flamingo overwrites it). Loaded at boot by\n"
      "# flamingo-firewall.service. Replaces table inet flamingo atomically\n"
      "# and touches no other table.\n"
      "table inet flamingo\n"
      "delete table inet flamingo\n";
  if (!t.exists) return s;
  s += "table inet flamingo {\n";
  for (const auto& set : t.sets) {
    const char* type = set.key_type == nft::kTypeIpv4Addr   ? "ipv4_addr"
                       : set.key_type == nft::kTypeIpv6Addr ? "ipv6_addr"
                                                            : "inet_service";
    s +=
        "\tset " + set.name + " {\n\t\ttype " + type + "\n\t\tflags interval\n";
    if (!set.elements.empty()) {
      std::string elems;
      for (const auto& iv : set.elements) {
        elems += (elems.empty() ? "" : ", ") +
                 nft::DescribeInterval(set.key_type, iv);
      }
      s += "\t\telements = { " + elems + " }\n";
    }
    s += "\t}\n";
  }
  for (const auto& chain : t.chains) {
    const char* hook = chain.hook == NF_INET_LOCAL_IN  ? "input"
                       : chain.hook == NF_INET_FORWARD ? "forward"
                                                       : "output";
    s += "\tchain " + chain.name + " {\n\t\ttype filter hook " + hook +
         " priority " + std::to_string(chain.priority) + "; policy " +
         (chain.policy == NF_DROP ? "drop" : "accept") + ";\n";
    for (size_t i = 0; i < t.rules.size(); ++i) {
      if (t.rules[i].chain == chain.name) s += "\t\t" + lowered.texts[i] + "\n";
    }
    s += "\t}\n";
  }
  s += "}\n";
  return s;
}

}  // namespace firewall
}  // namespace flamingo
