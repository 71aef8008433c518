// A syntax checker for the sudoers rules flamingo writes: the part of a
// user specification after the user name, as cloud-init's `sudo` values
// are written ("ALL=(ALL) NOPASSWD:ALL", "ALL=(root) /usr/bin/systemctl
// restart nginx", "host1,!host2=(ALL:wheel) ALL : other=ALL"). It follows
// sudoers(5)'s grammar for Host_List '=' Cmnd_Spec_List [':' ...], with
// Runas specs, option and tag specs, digests, negation and backslash
// escapes. A broken sudoers file can lock admins out, so anything outside
// this grammar is rejected before a file is installed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace flamingo::identity {

struct SudoCheck {
  bool ok = true;
  size_t offset = 0;  // 0-based offset of the problem in the rule
  std::string message;
};

SudoCheck CheckSudoRule(std::string_view rule);

}  // namespace flamingo::identity
