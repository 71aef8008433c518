// The TCP ports sshd listens on in the target, read through a SystemReader:
// every `Port` and every `ListenAddress host:port` in /etc/ssh/sshd_config
// and the files it `Include`s (relative paths under /etc/ssh, `*` globs in
// the last component), up to the first `Match` block. sshd's default, 22,
// when none is set or there is no sshd_config.
#pragma once

#include "engine/status.h"
#include "engine/system.h"
#include "resources/firewall/firewall_lower.h"

namespace flamingo {
namespace firewall {

Result<SshPorts> ReadSshPorts(const SystemReader& sys);

}  // namespace firewall
}  // namespace flamingo
