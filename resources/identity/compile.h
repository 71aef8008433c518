// The identity module's row in the kinds table: compiles groups, users,
// passwords, authorized keys, sudo rules and sshd policy into resources
// (group, user, ssh_keys, sudo, sshd), and builds deleters for what
// flamingo created and the config no longer has.
#pragma once

#include <memory>
#include <string>

#include "resources/kinds.h"

namespace flamingo::identity {

void CompileIdentity(const CompileInput& in, CompileOutput* out,
                     Diagnostics* diags);
std::unique_ptr<Resource> IdentityOrphan(const std::string& kind,
                                         const std::string& name,
                                         const Record& record,
                                         std::shared_ptr<void>* shared);

// The kinds and top-level keys of the module (for the table row).
std::vector<std::string> IdentityKinds();
std::vector<std::string> IdentityKeys();

}  // namespace flamingo::identity
