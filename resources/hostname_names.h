// Which hostname and FQDN a config asks for, as cloud-init's
// get_hostname_fqdn works it out (pure):
//
//  - `fqdn` set: fqdn = it; hostname = `hostname`, else fqdn's first label.
//  - `hostname` set with a dot: fqdn = it, hostname = its first label.
//  - otherwise the meta-data `local-hostname` ("ip-10-0-0-5" for an IPv4
//    address): hostname = `hostname`, else its first label; fqdn = the
//    local-hostname when it has a domain, else the hostname.
//  - nothing set: both empty (the machine keeps its name).
#pragma once

#include <optional>
#include <string>

namespace flamingo {

struct HostNames {
  std::string hostname;
  std::string fqdn;
  bool empty() const { return hostname.empty() && fqdn.empty(); }
};

HostNames ResolveHostNames(const std::optional<std::string>& cfg_hostname,
                           const std::optional<std::string>& cfg_fqdn,
                           const std::optional<std::string>& local_hostname);

// The name for /etc/hostname and the kernel (cloud-init's _select_hostname):
// the FQDN when `prefer_fqdn`, else the short hostname.
// `prefer_fqdn` nullopt = unset: flamingo's Fedora/RHEL default prefers the
// FQDN (as cloud-init's RHEL family does), except when the config names only
// a short `hostname` (then that name is what it gets).
std::string SelectHostname(const HostNames& names,
                           std::optional<bool> prefer_fqdn,
                           bool only_short_hostname_configured);

// Empty when `name` is usable as a host name, else why not ("contains
// whitespace", "is longer than 253 characters", ...).
std::string HostnameProblem(const std::string& name);

}  // namespace flamingo
