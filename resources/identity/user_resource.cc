#include "resources/identity/user_resource.h"

#include <algorithm>
#include <memory>

#include "engine/text.h"
#include "resources/identity/account_db.h"
#include "resources/identity/home_dir.h"
#include "resources/identity/password_hash.h"
#include "resources/identity/user_plan.h"

namespace flamingo::identity {

std::vector<std::string> UserResource::Provides() const {
  std::vector<std::string> out = {"user:" + spec_.name};
  if (!spec_.existing_only && !spec_.no_user_group && !spec_.primary_group) {
    out.push_back("group:" + spec_.name);
  }
  return out;
}

std::vector<std::string> UserResource::Requires() const {
  std::vector<std::string> out;
  if (spec_.primary_group) out.push_back("group:" + *spec_.primary_group);
  for (const auto& g : spec_.groups) {
    if (g != spec_.name) out.push_back("group:" + g);
  }
  return out;
}

namespace {

struct Observed {
  UserOps ops;
};

bool HomeExists(const SystemReader& sys, const std::string& home) {
  auto st = sys.Stat(home);
  return st.ok() && st->has_value();
}

std::string DefaultShell(const SystemReader& sys) {
  auto text = sys.ReadFile("/etc/default/useradd");
  if (text.ok()) {
    for (std::string_view line : SplitLines(*text)) {
      if (line.rfind("SHELL=", 0) == 0 && line.size() > 7 && line[6] == '/') {
        return std::string(line.substr(6));
      }
    }
  }
  return "/bin/sh";
}

}  // namespace

Result<Observation> UserResource::Observe(const SystemReader& sys,
                                          const ResourceContext& ctx) const {
  auto loaded = ReadDb(sys);
  if (!loaded.ok()) return loaded.status();
  const AccountDb* db = loaded->get();
  auto user = db->User(spec_.name);
  if (!user && spec_.existing_only) {
    return Status::Error(At() + "user '" + spec_.name +
                         "' does not exist (chpasswd only sets passwords of "
                         "existing users)");
  }
  std::vector<std::string> notes;
  if (spec_.uid && !user) {
    std::string other = db->UserByUid(*spec_.uid);
    if (!other.empty()) {
      return Status::Error(At() + "uid " + std::to_string(*spec_.uid) +
                           " of user '" + spec_.name + "' is taken by user '" +
                           other + "'");
    }
  } else if (spec_.uid && user->uid != *spec_.uid) {
    // As cloud-init and useradd: an existing account keeps its uid (its
    // files would keep the old one). Said, not hidden.
    notes.push_back("uid is " + std::to_string(user->uid) +
                    ", not the configured " + std::to_string(*spec_.uid) +
                    ": an existing user is not renumbered");
  }
  if (!spec_.existing_only) {
    std::vector<std::string> needed = spec_.groups;
    if (spec_.primary_group) needed.push_back(*spec_.primary_group);
    for (const auto& g : needed) {
      if (g == spec_.name && !spec_.no_user_group) continue;
      if (db->GroupGid(g) || ctx.IsProvided("group:" + g)) continue;
      return Status::Error(
          At() + "user '" + spec_.name + "': group '" + g + "' does not exist" +
          (spec_.create_groups ? "" : " (create_groups is false)"));
    }
  }
  std::string home =
      user ? (spec_.homedir.value_or(user->home)) : HomeFor(spec_);
  auto detail = std::make_shared<Observed>();
  detail->ops = PlanUser(spec_, *db, HomeExists(sys, home), ctx.record());
  Observation o;
  o.exists = user.has_value();
  o.detail = detail;
  o.notes = std::move(notes);
  return o;
}

Change UserResource::Diff(const Observation& o, const ResourceContext&) const {
  const auto* d = static_cast<const Observed*>(o.detail.get());
  if (d == nullptr || d->ops.empty()) return MakeChange(Action::kNone);
  Change c = MakeChange(d->ops.create ? Action::kCreate : Action::kUpdate);
  c.fields = d->ops.fields;
  return c;
}

Status UserResource::Apply(System& sys, const Change&, const ResourceContext&,
                           Record* record) const {
  auto edit = EditDb(sys);
  if (!edit.ok()) return edit.status();
  AccountDb* db = *edit;
  auto existing = db->User(spec_.name);
  std::string home =
      existing ? spec_.homedir.value_or(existing->home) : HomeFor(spec_);
  UserOps ops = PlanUser(spec_, *db, HomeExists(sys, home), record);

  // Everything that can fail is decided before the first edit: the edits
  // join the run's pending account changes and cannot be taken back.
  uint32_t uid = 0, gid = 0;
  bool create_user_group = false;
  // The hash as it stands (a new user starts locked without password).
  std::string hash = existing ? existing->hash : "!";
  if (ops.create) {
    // Ids as useradd picks them.
    auto new_uid = spec_.uid ? spec_.uid : db->NextUid(spec_.system);
    if (!new_uid) return Status::Error("no free uid left");
    if (!db->UserByUid(*new_uid).empty()) {
      return Status::Error("uid " + std::to_string(*new_uid) + " is taken");
    }
    uid = *new_uid;
    if (spec_.primary_group) {
      auto g = db->GroupGid(*spec_.primary_group);
      if (!g) {
        return Status::Error("group '" + *spec_.primary_group +
                             "' does not exist");
      }
      gid = *g;
    } else if (spec_.no_user_group) {
      gid = db->GroupGid("users").value_or(100);
    } else if (auto g = db->GroupGid(spec_.name)) {
      gid = *g;
    } else {
      std::optional<uint32_t> new_gid;
      if (!db->GroupByGid(uid)) new_gid = uid;
      if (!new_gid) new_gid = db->NextGid(spec_.system);
      if (!new_gid) return Status::Error("no free gid left");
      gid = *new_gid;
      create_user_group = true;
    }
  } else {
    uid = existing->uid;
    gid = existing->gid;
  }
  if (ops.primary_group) {
    auto g = db->GroupGid(*ops.primary_group);
    if (!g) {
      return Status::Error("group '" + *ops.primary_group + "' does not exist");
    }
    gid = *g;
  }
  for (const auto& g : ops.add_groups) {
    if (!db->GroupGid(g) && !(create_user_group && g == spec_.name)) {
      return Status::Error("group '" + g + "' does not exist");
    }
  }
  bool hash_changed = false;
  if (ops.set_password) {
    if (spec_.password_kind == PasswordKind::kPlain) {
      auto h = HashPassword(spec_.password,
                            HashPrefixFor(db->defs().encrypt_method));
      if (!h.ok()) return h.status();
      hash = *h;
    } else {
      hash = UnlockedHash(spec_.password);
    }
    hash_changed = true;
  }
  if (ops.set_locked) {
    std::string next = *ops.set_locked ? LockedHash(hash) : UnlockedHash(hash);
    if (next != hash) hash_changed = true;
    hash = next;
  }

  // The edits.
  if (ops.create) {
    if (create_user_group) {
      db->AddGroup(spec_.name, gid);
      (*record)["user_group"] = "created";
    }
    UserView u;
    u.name = spec_.name;
    u.uid = uid;
    u.gid = gid;
    u.gecos = spec_.gecos.value_or("");
    u.home = home;
    u.shell = spec_.shell.value_or(DefaultShell(sys));
    db->AddUser(u);
  }
  if (ops.gecos) db->SetUserField(spec_.name, 4, *ops.gecos);
  if (ops.home) db->SetUserField(spec_.name, 5, *ops.home);
  if (ops.shell) db->SetUserField(spec_.name, 6, *ops.shell);
  if (ops.primary_group) db->SetUserField(spec_.name, 3, std::to_string(gid));
  auto added = RecordList(record, "groups");
  for (const auto& g : ops.add_groups) {
    db->AddMember(g, spec_.name);
    if (std::find(added.begin(), added.end(), g) == added.end()) {
      added.push_back(g);
    }
  }
  for (const auto& g : ops.remove_groups) {
    db->RemoveMember(g, spec_.name);
    added.erase(std::remove(added.begin(), added.end(), g), added.end());
  }
  // Keep only memberships still wanted in the record.
  added.erase(std::remove_if(added.begin(), added.end(),
                             [&](const std::string& g) {
                               return std::find(spec_.groups.begin(),
                                                spec_.groups.end(),
                                                g) == spec_.groups.end();
                             }),
              added.end());
  if (added.empty()) {
    record->erase("groups");
  } else {
    (*record)["groups"] = JoinList(added);
  }
  if (hash_changed) {
    db->SetShadowField(spec_.name, 1, hash);
    if (ops.set_password && !ops.expire) {
      db->SetShadowField(spec_.name, 2, std::to_string(db->today()));
    }
  }
  if (ops.expire) {
    db->SetShadowField(spec_.name, 2, "0");
    (*record)["password_expired"] = "1";
  } else if (ops.set_password) {
    record->erase("password_expired");
  }
  if (ops.inactive) db->SetShadowField(spec_.name, 6, *ops.inactive);
  if (ops.expiredate) db->SetShadowField(spec_.name, 7, *ops.expiredate);
  // The home directory is made now, owned by the numeric ids (which the
  // account files will hold once the engine commits them).
  if (ops.make_home) {
    Status s = CreateHome(sys, home, db->defs().home_mode, uid, gid);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Result<Observation> UserOrphan::Observe(const SystemReader& sys,
                                        const ResourceContext&) const {
  auto loaded = ReadDb(sys);
  if (!loaded.ok()) return loaded.status();
  const AccountDb* db = loaded->get();
  Observation o;
  o.exists = db->User(name_).has_value();
  return o;
}

Change UserOrphan::Diff(const Observation& o, const ResourceContext&) const {
  if (!o.exists) return MakeChange(Action::kNone);
  Change c = MakeChange(Action::kDelete);
  c.reason =
      "created by flamingo, no longer in the config (home directory kept)";
  return c;
}

Status UserOrphan::Apply(System& sys, const Change&, const ResourceContext&,
                         Record* record) const {
  auto edit = EditDb(sys);
  if (!edit.ok()) return edit.status();
  AccountDb* db = *edit;
  auto user = db->User(name_);
  if (!user) return Status::Ok();
  db->RemoveUser(name_);
  auto own = record ? record->find("user_group") : Record::iterator();
  if (record && own != record->end() && own->second == "created") {
    auto g = db->Group(name_);
    bool in_use = false;
    for (const auto* f : db->passwd().Entries()) {
      if (g && ParseId((*f)[3]) == g->gid) in_use = true;
    }
    if (g && !in_use) db->RemoveGroup(name_);
  }
  return Status::Ok();
}

}  // namespace flamingo::identity
