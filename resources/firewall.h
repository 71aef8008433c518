// The firewall kind: one resource, firewall[inet flamingo], for the whole
// nftables table flamingo owns (docs/reference/firewall.md).
//
// Live (the System has a Netfilter facility): Observe reads the table back
// over netlink; Apply replaces it in one netlink transaction. In both modes
// the same rules are also written as an nftables script plus a unit that
// loads it at boot, because kernel rules do not survive a reboot and the
// boot fast path skips work already applied:
//   /etc/flamingo/firewall.nft                          (0600)
//   /etc/systemd/system/flamingo-firewall.service       (0644)
//   /etc/systemd/system/multi-user.target.wants/flamingo-firewall.service
//     -> /etc/systemd/system/flamingo-firewall.service  (as systemctl --root)
// Under --root (no Netfilter) only those files are converged, and the plan
// says so in the change's reason.
//
// SSH: the desired table depends on the target's sshd ports, read in
// Observe; Warnings() reports what the last Observe found (a config that
// would close SSH).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "resources/firewall/firewall_lower.h"
#include "resources/firewall/firewall_spec.h"
#include "resources/kinds.h"

namespace flamingo {

inline constexpr char kFirewallNftPath[] = "/etc/flamingo/firewall.nft";
inline constexpr char kFirewallUnitPath[] =
    "/etc/systemd/system/flamingo-firewall.service";
inline constexpr char kFirewallWantsPath[] =
    "/etc/systemd/system/multi-user.target.wants/flamingo-firewall.service";

// The unit that loads kFirewallNftPath at boot.
std::string FirewallUnitText();

class FirewallResource : public Resource {
 public:
  // Without a spec the resource deletes what flamingo created (an orphan).
  explicit FirewallResource(std::optional<firewall::Spec> spec);

  std::string Kind() const override { return "firewall"; }
  std::string Name() const override { return "inet flamingo"; }
  std::string Origin() const override;
  std::vector<std::string> Warnings() const override;

  Result<Observation> Observe(const SystemReader& sys,
                              const ResourceContext& ctx) const override;
  Change Diff(const Observation& observed,
              const ResourceContext& ctx) const override;
  Status Apply(System& sys, const Change& change, const ResourceContext& ctx,
               Record* record) const override;

 private:
  std::optional<firewall::Spec> spec_;
  mutable std::vector<std::string> warnings_;  // from the last Observe
};

// The kinds-table row's functions.
void CompileFirewall(const CompileInput& in, CompileOutput* out,
                     Diagnostics* diags);
std::unique_ptr<Resource> FirewallOrphan(const std::string& kind,
                                         const std::string& name,
                                         const Record& record,
                                         std::shared_ptr<void>* shared);

}  // namespace flamingo
