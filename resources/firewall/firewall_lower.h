// Lowering: the typed firewall Spec -> the nftables table inet flamingo
// (nft::Table, what the kernel will hold) plus, for every kernel rule, its
// nft-syntax text (plan output and the boot-time nftables file).
//
// Layout of the table (docs/reference/firewall.md):
//   chains input / forward / output, type filter, priority 0, the policies;
//   per chain: established,related accept (allow_established), loopback
//   accept (allow_loopback; input/output), ICMPv6 neighbor discovery accept
//   (allow_neighbor_discovery; input/output), the SSH keep-open rule
//   (input), the user's rules in order, a rate-limited log of what the drop
//   policy drops (log_dropped).
//   A user rule whose addresses mix IPv4 and IPv6 becomes one kernel rule
//   per family. Address and port lists with more than one element become
//   named interval sets "_rule<N>_saddr_v4" etc.; firewall.sets become
//   "<name>_v4" / "<name>_v6".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "resources/firewall/firewall_spec.h"
#include "system/nft/netfilter.h"

namespace flamingo {
namespace firewall {

// Where SSH listens in the target, and how we know.
struct SshPorts {
  std::vector<uint16_t> ports{22};
  std::string source = "default";  // "/etc/ssh/sshd_config" when read there
};

struct Lowered {
  nft::Table table;                // normalized
  std::vector<std::string> texts;  // nft syntax, parallel to table.rules
  bool ssh_rule_added = false;     // the keep_ssh_open rule is in input
  std::vector<std::string> warnings;
};

Lowered Lower(const Spec& spec, const SshPorts& ssh);

// The nftables script that recreates the table atomically when loaded with
// `nft -f` (it deletes the old table inet flamingo in the same transaction).
std::string RenderNftFile(const Lowered& lowered);

}  // namespace firewall
}  // namespace flamingo
