// The hostname module: `hostname`, `fqdn`, `prefer_fqdn_over_hostname`,
// `preserve_hostname`, `create_hostname_file`, `manage_etc_hosts`, with the
// meta-data `local-hostname` as the fallback (cloud-init's cc_set_hostname,
// cc_update_hostname and cc_update_etc_hosts in one). Compiles to at most
// one HostnameResource and one EtcHostsResource:
//
//  - preserve_hostname: true, or no name from config or meta-data: no
//    hostname resource.
//  - manage_etc_hosts: true, "template" or "localhost": the managed block of
//    /etc/hosts (flamingo never rewrites the whole file, so "template" and
//    true behave as "localhost"); false (the default) leaves /etc/hosts.
//
// Orphans: none (a hostname is never "deleted").
#pragma once

#include "resources/kinds.h"

namespace flamingo {

void CompileHostname(const CompileInput& in, CompileOutput* out,
                     Diagnostics* diags);

}  // namespace flamingo
