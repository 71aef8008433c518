// The identity part of cloud-config, parsed and checked: groups, users (with
// the `default` entry and the distro default user), passwords (`password`,
// `chpasswd`), SSH authorized keys, `ssh_pwauth`, `disable_root`,
// `disable_root_opts`. Semantic errors (invalid names, duplicate users or
// uids, malformed keys, invalid hashes, invalid sudo rules) go to Diagnostics
// with the entry's position; unsupported options (ssh_import_id, snapuser,
// selinux_user, RANDOM passwords) are warnings.
//
// The result is plain data; compile.cc turns it into resources.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "resources/identity/ssh_key.h"
#include "schemas/diagnostics.h"
#include "schemas/value.h"

namespace flamingo::identity {

// The default user when neither `system_info: default_user` nor `user`
// says otherwise: the Fedora/RHEL/CentOS cloud image convention.
inline constexpr char kDefaultUserName[] = "cloud-user";

// The cloud-init default for disable_root_opts.
inline constexpr char kDisableRootOpts[] =
    "no-port-forwarding,no-agent-forwarding,no-X11-forwarding,"
    "command=\"echo 'Please login as the user \\\"$USER\\\" rather than the "
    "user \\\"$DISABLE_USER\\\".';echo;sleep 10;exit 142\"";

struct GroupSpec {
  std::string name;
  std::optional<uint32_t> gid;
  bool system = false;
  std::vector<std::string> members;  // users that must be members
  bool implicit = false;             // created because a user refers to it
  std::string origin;                // "user-data:3:5" ("" when implicit)
};

enum class PasswordKind {
  kNone,
  kHashOnCreate,  // users[].passwd: only when the user is created
  kHash,          // hashed_passwd, chpasswd hash: converged
  kPlain,         // plain_text_passwd, chpasswd text, password: converged
};

struct UserSpec {
  std::string name;
  std::string origin;  // where it was declared ("" for the default user)
  std::string path;    // config path, e.g. "users[1]"
  bool is_default = false;
  // Only the password is managed (a chpasswd entry for a user that is not
  // in `users`): the user must exist.
  bool existing_only = false;

  std::optional<std::string> gecos, homedir, shell, primary_group;
  std::optional<uint32_t> uid;
  std::optional<int64_t> inactive;    // days
  std::optional<int64_t> expiredate;  // days since the epoch
  std::vector<std::string> groups;
  bool no_create_home = false;
  bool no_user_group = false;
  bool system = false;
  bool create_groups = true;
  bool lock_passwd = true;
  bool ssh_redirect_user = false;

  PasswordKind password_kind = PasswordKind::kNone;
  std::string password;          // hash or plain text (sensitive)
  bool expire_password = false;  // chpasswd expire

  std::vector<SshKey> keys;  // own keys (ssh_authorized_keys)
  // sudo rules; nullopt: no sudo file for this user.
  std::optional<std::vector<std::string>> sudo;
  std::vector<std::string> doas;
};

struct IdentityConfig {
  std::vector<GroupSpec> groups;  // explicit ones, then implicit ones
  std::vector<UserSpec> users;    // in config order (default where listed)
  // Keys for the default user and root (top-level ssh_authorized_keys and
  // the meta-data's public keys when allow_public_ssh_keys).
  std::vector<SshKey> cloud_keys;
  // Datasource keys tagged with a user name (GCE "USER:KEY" lines, meta-data
  // "ssh-keys": [{user, key}]): as cloud-init, only those of the default
  // user's name or "cloudinit" join cloud_keys (ParseUsers decides, once
  // the default user's name is known); other users' keys are not installed.
  std::vector<std::pair<std::string, SshKey>> user_tagged_keys;
  std::string default_user;  // "" when no default user is configured
  bool disable_root = true;
  std::string disable_root_opts = kDisableRootOpts;
  bool disable_root_set = false;      // given explicitly
  std::optional<bool> ssh_pwauth;     // nullopt: unchanged
  std::vector<std::string> warnings;  // for the plan ("no way in")
};

// Parses the identity keys of `config` (a map) and `meta_data`.
IdentityConfig ParseIdentityConfig(const Value& config, const Value& meta_data,
                                   Diagnostics* diags);

// User and group names: [A-Za-z0-9_.][A-Za-z0-9_.-]* with an optional
// trailing '$', at most 32 characters, not all digits, not "." or "..".
bool IsValidAccountName(const std::string& name);

}  // namespace flamingo::identity
