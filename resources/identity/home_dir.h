// Home directories: created from /etc/skel with the user's ownership and
// the login.defs mode (HOME_MODE, else from UMASK), all through System.
#pragma once

#include <cstdint>
#include <string>

#include "engine/system.h"

namespace flamingo::identity {

// Creates `home` (and missing parents, 0755 root) with mode `mode` owned by
// uid:gid, then copies /etc/skel into it (regular files and directories,
// keeping their modes, owned by the user; symlinks are skipped). An existing
// home is left as it is.
Status CreateHome(System& sys, const std::string& home, uint32_t mode,
                  uint32_t uid, uint32_t gid);

}  // namespace flamingo::identity
