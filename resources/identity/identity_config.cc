#include "resources/identity/identity_config.h"

#include <algorithm>
#include <map>
#include <set>

#include "engine/text.h"
#include "resources/identity/config_util.h"

namespace flamingo::identity {

bool IsValidAccountName(const std::string& name) {
  if (name.empty() || name.size() > 32 || name == "." || name == "..") {
    return false;
  }
  if (name.find_first_not_of("0123456789") == std::string::npos) return false;
  if (name[0] == '-') return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-' ||
              (c == '$' && i + 1 == name.size());
    if (!ok) return false;
  }
  return true;
}

namespace {

// The distro default user (Fedora/RHEL/CentOS cloud images), before
// system_info.default_user and `user` override it.
UserSpec BuiltinDefaultUser() {
  UserSpec u;
  u.name = kDefaultUserName;
  u.is_default = true;
  u.gecos = "Cloud User";
  u.shell = "/bin/bash";
  u.groups = {"adm", "systemd-journal", "wheel"};
  u.sudo = std::vector<std::string>{"ALL=(ALL) NOPASSWD:ALL"};
  u.lock_passwd = true;
  u.path = "default user";
  return u;
}

void AddGroupSpec(std::vector<GroupSpec>* groups, GroupSpec g) {
  for (auto& existing : *groups) {
    if (existing.name == g.name) {
      for (auto& m : g.members) {
        if (std::find(existing.members.begin(), existing.members.end(), m) ==
            existing.members.end()) {
          existing.members.push_back(m);
        }
      }
      if (g.gid) existing.gid = g.gid;
      return;
    }
  }
  groups->push_back(std::move(g));
}

void ParseGroups(const Value& v, IdentityConfig* cfg, Diagnostics* diags) {
  auto add = [&](const Value& at, const std::string& raw,
                 const Value* members) {
    std::string name = Trim(raw);
    if (!IsValidAccountName(name)) {
      diags->Error(at, "invalid group name '" + name + "'");
      return;
    }
    GroupSpec g;
    g.name = name;
    g.origin = at.Origin();
    if (members != nullptr && !members->is_null()) {
      for (auto& m : ReadNameList(*members, diags)) {
        if (!IsValidAccountName(m)) {
          diags->Error(*members, "invalid user name '" + m + "'");
        } else {
          g.members.push_back(m);
        }
      }
    }
    AddGroupSpec(&cfg->groups, std::move(g));
  };
  auto add_map = [&](const Value& m) {
    for (const auto& [k, members] : m.entries()) add(members, k, &members);
  };
  if (v.is_string()) {
    for (auto& n : ReadNameList(v, diags)) add(v, n, nullptr);
  } else if (v.is_map()) {
    add_map(v);
  } else if (v.is_list()) {
    for (const auto& item : v.items()) {
      if (item.is_string()) {
        add(item, item.text(), nullptr);
      } else if (item.is_map()) {
        add_map(item);
      } else {
        diags->Error(item,
                     "expected a group name or a map of group to members");
      }
    }
  } else if (!v.is_null()) {
    diags->Error(v, "groups must be a string, a list or a map");
  }
}

// Parses one map entry of `users` into a new spec (default: builtin fields).
std::optional<UserSpec> UserFromMap(const Value& m, Diagnostics* diags) {
  const Value* name = m.Get("name");
  if (name == nullptr) {
    if (m.Get("snapuser") != nullptr) {
      diags->Warning(m, "snapuser is not supported (no snapd); entry ignored");
    } else {
      diags->Error(m, "a user needs a name");
    }
    return std::nullopt;
  }
  if (!name->is_string() || !IsValidAccountName(name->text())) {
    diags->Error(*name, "invalid user name '" + name->ScalarText() + "'");
    return std::nullopt;
  }
  UserSpec u;
  u.name = name->text();
  u.origin = m.Origin();
  u.path = m.path();
  ParseUserMap(m, &u, diags);
  return u;
}

void CollectMetaKeys(const Value& v, std::vector<std::string>* out) {
  if (v.is_string()) {
    for (std::string_view raw : SplitLines(v.text())) {
      std::string line = Trim(std::string(raw));
      if (!line.empty() && line[0] != '#') out->push_back(line);
    }
  } else if (v.is_list()) {
    for (const auto& i : v.items()) CollectMetaKeys(i, out);
  } else if (v.is_map()) {
    for (const auto& [k, i] : v.entries()) CollectMetaKeys(i, out);
  }
}

void ParseUsers(const Value& config, IdentityConfig* cfg, Diagnostics* diags) {
  // The default user: builtin, then system_info.default_user, then `user`.
  UserSpec def = BuiltinDefaultUser();
  auto override_with = [&](const Value& m) {
    if (const Value* n = m.Get("name")) {
      if (!n->is_string() || !IsValidAccountName(n->text())) {
        diags->Error(*n, "invalid user name '" + n->ScalarText() + "'");
      } else {
        def.name = n->text();
      }
    }
    def.origin = m.Origin();
    def.path = m.path();
    ParseUserMap(m, &def, diags);
  };
  if (const Value* si = config.Get("system_info"); si && si->is_map()) {
    if (const Value* du = si->Get("default_user"); du && du->is_map()) {
      override_with(*du);
    }
  }
  if (const Value* user = config.Get("user"); user && !user->is_null()) {
    if (user->is_string()) {
      if (!IsValidAccountName(user->text())) {
        diags->Error(*user, "invalid user name '" + user->text() + "'");
      } else {
        def.name = user->text();
        def.origin = user->Origin();
        def.path = user->path();
      }
    } else if (user->is_map()) {
      override_with(*user);
    } else {
      diags->Error(*user, "user must be a name or a map");
    }
  }

  // The datasource's user-tagged keys for the default user (cloud-init's
  // GCE rule: its name or "cloudinit").
  for (const auto& [user, key] : cfg->user_tagged_keys) {
    if (user == def.name || user == "cloudinit") cfg->cloud_keys.push_back(key);
  }

  std::vector<std::pair<const Value*, std::string>> entries;  // node, name
  const Value* users = config.Get("users");
  std::vector<UserSpec> out;
  std::map<std::string, size_t> index;
  bool have_default = false;
  auto add_default = [&]() {
    if (have_default) return;
    have_default = true;
    index[def.name] = out.size();
    out.push_back(def);
  };
  auto add_name = [&](const Value& at, const std::string& raw) {
    std::string n = Trim(raw);
    if (n == "default") {
      add_default();
      return;
    }
    if (!IsValidAccountName(n)) {
      diags->Error(at, "invalid user name '" + n + "'");
      return;
    }
    if (index.count(n)) {
      if (!out[index[n]].is_default) {
        diags->Error(at, "user '" + n + "' is already defined at " +
                             out[index[n]].origin);
      }
      return;
    }
    UserSpec u;
    u.name = n;
    u.origin = at.Origin();
    u.path = at.path();
    index[n] = out.size();
    out.push_back(std::move(u));
  };
  auto add_map = [&](const Value& m) {
    auto u = UserFromMap(m, diags);
    if (!u) return;
    auto it = index.find(u->name);
    if (it != index.end()) {
      if (out[it->second].is_default) {
        // Settings for the default user by name: merged into it.
        ParseUserMap(m, &out[it->second], diags);
        return;
      }
      diags->Error(*m.Get("name"), "user '" + u->name +
                                       "' is already defined at " +
                                       out[it->second].origin);
      return;
    }
    index[u->name] = out.size();
    out.push_back(std::move(*u));
  };
  if (users == nullptr) {
    // cloud-init creates the default user whenever `users` is absent; we do
    // when something asks for it (keys, a password, `user`, or
    // system_info.default_user), so that a config without identity keys
    // touches no accounts.
    const Value* si = config.Get("system_info");
    bool wanted =
        !cfg->cloud_keys.empty() || config.Get("user") != nullptr ||
        config.Get("password") != nullptr ||
        (si != nullptr && si->is_map() && si->Get("default_user") != nullptr);
    if (wanted) add_default();
  } else if (users->is_string()) {
    for (auto& n : ReadNameList(*users, diags)) add_name(*users, n);
  } else if (users->is_list()) {
    for (const auto& item : users->items()) {
      if (item.is_string()) {
        for (auto& n : ReadNameList(item, diags)) add_name(item, n);
      } else if (item.is_list()) {
        for (const auto& n : item.items()) {
          if (n.is_string())
            add_name(n, n.text());
          else
            diags->Error(n, "expected a user name");
        }
      } else if (item.is_map()) {
        add_map(item);
      } else {
        diags->Error(item, "expected a user name or a map");
      }
    }
  } else if (users->is_map()) {
    for (const auto& [name, v] : users->entries()) {
      if (v.is_map()) {
        Value copy = v;
        if (copy.Get("name") == nullptr) {
          Value n = Value::String(name);
          n.SetPath(v.path());
          copy.Set("name", n);
        }
        add_map(copy);
      } else if (v.is_null() || (v.is_bool() && v.as_bool())) {
        add_name(v, name);
      }
    }
  } else if (!users->is_null()) {
    diags->Error(*users, "users must be a string, a list or a map");
  }
  if (have_default) cfg->default_user = def.name;

  // Duplicate uids among configured users.
  std::map<uint32_t, std::string> uids;
  for (const auto& u : out) {
    if (!u.uid) continue;
    auto [it, fresh] = uids.emplace(*u.uid, u.name);
    if (!fresh) {
      Diagnostic d;
      d.path = u.path;
      d.message = "uid " + std::to_string(*u.uid) + " of user '" + u.name +
                  "' is also given to user '" + it->second + "'";
      d.file = u.origin;
      diags->Add(d);
    }
  }
  cfg->users = std::move(out);
}

void ParseSsh(const Value& config, const Value& meta, IdentityConfig* cfg,
              Diagnostics* diags) {
  bool allow_public = true;
  if (const Value* v = config.Get("allow_public_ssh_keys")) {
    if (auto b = ReadBool(*v, diags)) allow_public = *b;
  }
  if (allow_public && meta.is_map()) {
    const Value* pk = meta.Get("public-keys");
    if (pk == nullptr) pk = meta.Get("public_keys");
    if (pk != nullptr) {
      std::vector<std::string> lines;
      CollectMetaKeys(*pk, &lines);
      for (const auto& l : lines) {
        std::string error;
        auto k = ParseSshKey(l, &error);
        size_t colon = l.find(':');
        if (!k && colon != std::string::npos && colon < l.find(' ')) {
          std::string ignored;  // GCE style "user:ssh-ed25519 AAAA..."
          k = ParseSshKey(l.substr(colon + 1), &ignored);
        }
        if (k) {
          cfg->cloud_keys.push_back(*k);
        } else {
          diags->Warning(*pk, "meta-data public key ignored: " + error);
        }
      }
    }
  }
  if (allow_public && meta.is_map()) {
    const Value* tagged = meta.Get("ssh-keys");
    static const std::vector<Value> kNone;
    const std::vector<Value>& items =
        tagged != nullptr && tagged->is_list() ? tagged->items() : kNone;
    for (const Value& item : items) {
      const Value* user = item.is_map() ? item.Get("user") : nullptr;
      const Value* key = item.is_map() ? item.Get("key") : nullptr;
      if (user == nullptr || key == nullptr || !user->is_string() ||
          !key->is_string()) {
        continue;
      }
      std::string error;
      if (auto k = ParseSshKey(key->text(), &error)) {
        cfg->user_tagged_keys.emplace_back(user->text(), *k);
      } else {
        diags->Warning(*key, "meta-data public key ignored: " + error);
      }
    }
  }
  if (const Value* v = config.Get("ssh_authorized_keys"); v && !v->is_null()) {
    for (auto& k : ReadKeys(*v, diags)) cfg->cloud_keys.push_back(k);
  }
  if (const Value* v = config.Get("ssh_import_id"); v && !v->is_null()) {
    diags->Warning(*v,
                   "ssh_import_id is not supported: flamingo does not fetch "
                   "keys from key servers (offline); list the keys in "
                   "ssh_authorized_keys instead");
  }
  if (const Value* v = config.Get("disable_root"); v && !v->is_null()) {
    if (auto b = ReadBool(*v, diags)) {
      cfg->disable_root = *b;
      cfg->disable_root_set = true;
    }
  }
  if (const Value* v = config.Get("disable_root_opts"); v && !v->is_null()) {
    if (auto s = ReadString(*v, diags)) {
      std::string error;
      if (s->find('\n') != std::string::npos ||
          !ParseSshKey(*s + " ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA==",
                       &error)) {
        diags->Error(*v,
                     "disable_root_opts is not a valid authorized_keys "
                     "options field");
      } else {
        cfg->disable_root_opts = *s;
      }
    }
  }
  if (const Value* v = config.Get("ssh_pwauth"); v && !v->is_null()) {
    if (v->is_bool()) {
      cfg->ssh_pwauth = v->as_bool();
    } else if (v->is_string()) {
      std::string t = v->text();
      std::transform(t.begin(), t.end(), t.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      if (t == "true" || t == "yes" || t == "on" || t == "1") {
        cfg->ssh_pwauth = true;
      } else if (t == "false" || t == "no" || t == "off" || t == "0") {
        cfg->ssh_pwauth = false;
      } else if (t != "unchanged") {
        diags->Warning(*v, "ssh_pwauth '" + v->text() +
                               "' is not a boolean; left unchanged");
      }
    } else {
      diags->Error(*v, "ssh_pwauth must be a boolean");
    }
  }
}

void AddImplicitGroups(IdentityConfig* cfg) {
  std::set<std::string> users;
  for (const auto& u : cfg->users) users.insert(u.name);
  for (const auto& u : cfg->users) {
    if (!u.create_groups || u.existing_only) continue;
    std::vector<std::string> wanted = u.groups;
    if (u.primary_group && *u.primary_group != u.name) {
      wanted.push_back(*u.primary_group);
    }
    for (const auto& g : wanted) {
      // A user's own group is created by the user resource.
      if (g == u.name && !u.no_user_group) continue;
      bool known = std::any_of(cfg->groups.begin(), cfg->groups.end(),
                               [&](const GroupSpec& s) { return s.name == g; });
      if (known) continue;
      GroupSpec s;
      s.name = g;
      s.implicit = true;
      cfg->groups.push_back(s);
    }
  }
  // Members of `groups` that are configured users: the user joins the group
  // (the user resource does it, after the group exists).
  for (auto& g : cfg->groups) {
    std::vector<std::string> keep;
    for (const auto& m : g.members) {
      auto it = std::find_if(cfg->users.begin(), cfg->users.end(),
                             [&](const UserSpec& u) { return u.name == m; });
      if (it != cfg->users.end() && !it->existing_only) {
        if (std::find(it->groups.begin(), it->groups.end(), g.name) ==
            it->groups.end()) {
          it->groups.push_back(g.name);
        }
      } else {
        keep.push_back(m);
      }
    }
    g.members = keep;
  }
}

void CheckWayIn(IdentityConfig* cfg) {
  bool way_in = false;
  bool root_configured = false;
  for (const auto& u : cfg->users) {
    if (u.name == "root") root_configured = true;
    if (u.ssh_redirect_user) continue;
    bool keys = !u.keys.empty() || (u.is_default && !cfg->cloud_keys.empty());
    bool password = u.password_kind != PasswordKind::kNone && !u.lock_passwd;
    if (u.name == "root" && cfg->disable_root && !password) continue;
    if (keys || password) way_in = true;
  }
  if (!cfg->disable_root && !cfg->cloud_keys.empty()) way_in = true;
  (void)root_configured;
  if (!way_in) {
    cfg->warnings.push_back(
        "no way in: root login is disabled and no configured user has an SSH "
        "key or an unlocked password (existing accounts are left as they are)");
  }
}

}  // namespace

IdentityConfig ParseIdentityConfig(const Value& config, const Value& meta_data,
                                   Diagnostics* diags) {
  IdentityConfig cfg;
  if (!config.is_map()) return cfg;
  if (const Value* g = config.Get("groups")) ParseGroups(*g, &cfg, diags);
  ParseSsh(config, meta_data, &cfg, diags);
  ParseUsers(config, &cfg, diags);
  ParsePasswords(config, &cfg, diags);
  for (auto& u : cfg.users) {
    if (u.ssh_redirect_user && cfg.default_user.empty()) {
      u.ssh_redirect_user = false;
    }
  }
  AddImplicitGroups(&cfg);
  CheckWayIn(&cfg);
  return cfg;
}

}  // namespace flamingo::identity
