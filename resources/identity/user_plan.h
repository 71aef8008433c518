// The pure part of user convergence: from a UserSpec, the account database
// and the recorded state, what has to change (UserOps). The user resource's
// Diff renders it and its Apply carries it out on a freshly locked and
// loaded database, so plan and apply agree by construction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/change.h"
#include "engine/resource.h"
#include "resources/identity/account_db.h"
#include "resources/identity/identity_config.h"

namespace flamingo::identity {

struct UserOps {
  bool create = false;
  std::optional<std::string> gecos, home, shell;
  std::optional<std::string> primary_group;  // set the user's gid to it
  std::vector<std::string> add_groups, remove_groups;
  bool set_password = false;  // from spec (hash plain text at apply)
  std::optional<bool> set_locked;
  bool expire = false;  // last-change := 0 (must change at login)
  std::optional<std::string> inactive, expiredate;
  bool make_home = false;

  bool empty() const;
  // Field-level before/after for the plan; secrets are never included
  // (the password field says "set" / "(sensitive)").
  std::vector<FieldChange> fields;
};

// The home directory of a user to be created.
std::string HomeFor(const UserSpec& spec);
// True when the spec asks for a home directory to exist.
bool WantsHome(const UserSpec& spec);

// REQUIRES: the user exists in `db` or ops.create is expected.
// `home_exists`: whether the (desired or current) home directory exists.
UserOps PlanUser(const UserSpec& spec, const AccountDb& db, bool home_exists,
                 const Record* record);

}  // namespace flamingo::identity
