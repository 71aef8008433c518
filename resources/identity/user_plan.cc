#include "resources/identity/user_plan.h"

#include <algorithm>

#include "resources/identity/identity_resource.h"
#include "resources/identity/password_hash.h"

namespace flamingo::identity {

bool UserOps::empty() const {
  return !create && !gecos && !home && !shell && !primary_group &&
         add_groups.empty() && remove_groups.empty() && !set_password &&
         !set_locked && !expire && !inactive && !expiredate && !make_home;
}

std::string HomeFor(const UserSpec& spec) {
  return spec.homedir.value_or("/home/" + spec.name);
}

bool WantsHome(const UserSpec& spec) {
  return !spec.existing_only && !spec.no_create_home && !spec.system;
}

namespace {

std::string GroupName(const AccountDb& db, uint32_t gid) {
  auto g = db.GroupByGid(gid);
  return g ? g->name : std::to_string(gid);
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string Field(const std::vector<std::string>& shadow, size_t i) {
  return i < shadow.size() ? shadow[i] : "";
}

}  // namespace

UserOps PlanUser(const UserSpec& spec, const AccountDb& db, bool home_exists,
                 const Record* record) {
  UserOps ops;
  auto user = db.User(spec.name);
  auto field = [&](std::string name, std::optional<std::string> before,
                   std::optional<std::string> after, bool sensitive = false) {
    ops.fields.push_back(
        {std::move(name), std::move(before), std::move(after), sensitive});
  };

  if (!user) {
    if (spec.existing_only) return ops;  // Observe reports the error
    ops.create = true;
    field("uid", std::nullopt,
          spec.uid ? std::to_string(*spec.uid) : "(next free)");
    field("group", std::nullopt,
          spec.primary_group   ? *spec.primary_group
          : spec.no_user_group ? std::string("users")
                               : spec.name);
    if (spec.gecos) field("gecos", std::nullopt, *spec.gecos);
    field("home", std::nullopt, HomeFor(spec));
    if (spec.shell) field("shell", std::nullopt, *spec.shell);
    std::vector<std::string> groups = spec.groups;
    groups.erase(std::remove(groups.begin(), groups.end(),
                             spec.primary_group.value_or(spec.name)),
                 groups.end());
    if (!groups.empty()) field("groups", std::nullopt, JoinList(groups));
    ops.add_groups = groups;
    if (spec.password_kind != PasswordKind::kNone) {
      ops.set_password = true;
      field("password", std::nullopt, "(sensitive)", true);
    }
    ops.set_locked = spec.lock_passwd;
    field("locked", std::nullopt, spec.lock_passwd ? "true" : "false");
    if (spec.expire_password && ops.set_password) {
      ops.expire = true;
      field("password expired", std::nullopt, "true");
    }
    if (spec.inactive)
      field("inactive", std::nullopt, std::to_string(*spec.inactive));
    if (spec.expiredate)
      field("expiredate", std::nullopt, std::to_string(*spec.expiredate));
    if (WantsHome(spec)) {
      ops.make_home = true;
      field("home directory", std::nullopt, "from /etc/skel");
    }
    return ops;
  }

  const UserView& u = *user;
  if (!spec.existing_only) {
    if (spec.gecos && *spec.gecos != u.gecos) {
      ops.gecos = *spec.gecos;
      field("gecos", u.gecos, *spec.gecos);
    }
    if (spec.homedir && *spec.homedir != u.home) {
      ops.home = *spec.homedir;
      field("home", u.home, *spec.homedir);
    }
    if (spec.shell && *spec.shell != u.shell) {
      ops.shell = *spec.shell;
      field("shell", u.shell, *spec.shell);
    }
    std::string current_group = GroupName(db, u.gid);
    if (spec.primary_group && *spec.primary_group != current_group) {
      ops.primary_group = *spec.primary_group;
      field("group", current_group, *spec.primary_group);
    }
    // Supplementary groups: add the missing ones; drop only memberships
    // flamingo added earlier that the config no longer lists.
    std::vector<std::string> member_of = db.GroupsOf(spec.name);
    std::vector<std::string> after = member_of;
    for (const auto& g : spec.groups) {
      if (g == spec.primary_group.value_or("") || Contains(member_of, g)) {
        continue;
      }
      if (!spec.primary_group && db.GroupGid(g) == u.gid) {
        continue;
      }
      ops.add_groups.push_back(g);
      after.push_back(g);
    }
    for (const auto& g : RecordList(record, "groups")) {
      if (!Contains(spec.groups, g) && Contains(member_of, g)) {
        ops.remove_groups.push_back(g);
        after.erase(std::remove(after.begin(), after.end(), g), after.end());
      }
    }
    if (!ops.add_groups.empty() || !ops.remove_groups.empty()) {
      field("groups", JoinList(member_of), JoinList(after));
    }
  }

  // Password.
  const std::string& hash = u.hash;
  std::string lastchg = Field(u.shadow, 2);
  bool matches = true;
  switch (spec.password_kind) {
    case PasswordKind::kNone:
    case PasswordKind::kHashOnCreate:
      break;
    case PasswordKind::kPlain:
      matches = PasswordMatches(spec.password, hash);
      break;
    case PasswordKind::kHash:
      matches = UnlockedHash(spec.password) == UnlockedHash(hash);
      break;
  }
  bool managed = spec.password_kind == PasswordKind::kPlain ||
                 spec.password_kind == PasswordKind::kHash;
  if (managed) {
    bool user_changed_it = spec.expire_password && record != nullptr &&
                           record->count("password_expired") && lastchg != "0";
    if (user_changed_it) {
      // Set once with "must change at next login" and since changed by the
      // user: theirs now.
    } else if (!matches) {
      ops.set_password = true;
      field("password", "(sensitive)", "(sensitive)", true);
      if (spec.expire_password) {
        ops.expire = true;
        field("password expired", lastchg == "0" ? "true" : "false", "true");
      }
    } else if (spec.expire_password && lastchg != "0" &&
               (record == nullptr || !record->count("password_expired"))) {
      ops.expire = true;
      field("password expired", "false", "true");
    }
  }
  bool locked = IsLocked(hash);
  if (!spec.existing_only || managed) {
    std::string unlocked = UnlockedHash(hash);
    bool want_locked = spec.lock_passwd;
    if (ops.set_password) {
      if (want_locked != locked) {
        ops.set_locked = want_locked;
        field("locked", locked ? "true" : "false",
              want_locked ? "true" : "false");
      } else {
        ops.set_locked = want_locked;
      }
    } else if (want_locked && !locked) {
      ops.set_locked = true;
      field("locked", "false", "true");
    } else if (!want_locked && locked && !unlocked.empty() && unlocked != "*" &&
               !spec.existing_only) {
      ops.set_locked = false;
      field("locked", "true", "false");
    } else if (!want_locked && locked && managed && !unlocked.empty() &&
               unlocked != "*") {
      ops.set_locked = false;
      field("locked", "true", "false");
    }
  }
  if (!spec.existing_only) {
    if (spec.inactive && std::to_string(*spec.inactive) != Field(u.shadow, 6)) {
      ops.inactive = std::to_string(*spec.inactive);
      field("inactive", Field(u.shadow, 6), *ops.inactive);
    }
    if (spec.expiredate &&
        std::to_string(*spec.expiredate) != Field(u.shadow, 7)) {
      ops.expiredate = std::to_string(*spec.expiredate);
      field("expiredate", Field(u.shadow, 7), *ops.expiredate);
    }
    if (WantsHome(spec) && !home_exists) {
      ops.make_home = true;
      field("home directory", std::nullopt, "from /etc/skel");
    }
  }
  return ops;
}

}  // namespace flamingo::identity
