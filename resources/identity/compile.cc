#include "resources/identity/compile.h"

#include <map>
#include <set>

#include "resources/identity/doas_resource.h"
#include "resources/identity/group_resource.h"
#include "resources/identity/identity_config.h"
#include "resources/identity/ssh_keys_resource.h"
#include "resources/identity/sshd_resource.h"
#include "resources/identity/sudo_resource.h"
#include "resources/identity/user_plan.h"
#include "resources/identity/user_resource.h"

namespace flamingo::identity {
namespace {

std::string Replace(std::string s, const std::string& from,
                    const std::string& to) {
  size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
  return s;
}

void AddKeys(std::vector<SshKey>* to, std::vector<SshKey> keys,
             const std::string& options) {
  for (SshKey& k : keys) {
    if (!options.empty()) k.options = options;
    bool dup = false;
    for (auto& existing : *to) {
      if (existing.Identity() == k.Identity()) {
        existing = k;  // the later one (with its options) wins
        dup = true;
      }
    }
    if (!dup) to->push_back(std::move(k));
  }
}

}  // namespace

std::vector<std::string> IdentityKinds() {
  return {"group", "user", "ssh_keys", "sudo", "doas", "sshd"};
}

std::vector<std::string> IdentityKeys() {
  return {"groups",
          "users",
          "user",
          "system_info",
          "ssh_authorized_keys",
          "ssh_import_id",
          "password",
          "chpasswd",
          "ssh_pwauth",
          "disable_root",
          "disable_root_opts",
          "allow_public_ssh_keys"};
}

void CompileIdentity(const CompileInput& in, CompileOutput* out,
                     Diagnostics* diags) {
  size_t errors_before = diags->ErrorCount();
  IdentityConfig cfg = ParseIdentityConfig(in.config, in.meta_data, diags);
  if (diags->ErrorCount() > errors_before) return;  // nothing half-configured

  std::vector<std::unique_ptr<IdentityResource>> res;
  for (const auto& g : cfg.groups) {
    auto r = std::make_unique<GroupResource>(g);
    r->set_origin(g.origin);
    res.push_back(std::move(r));
  }
  // Authorized keys per user, in a stable order.
  std::map<std::string, std::vector<SshKey>> keys;
  std::map<std::string, std::string> homes, origins;
  IdentityResource* default_user = nullptr;
  for (auto& u : cfg.users) {
    if (!u.existing_only) homes[u.name] = HomeFor(u);
    origins[u.name] = u.origin;
    if (u.ssh_redirect_user) {
      std::string opts =
          Replace(Replace(kDisableRootOpts, "$USER", cfg.default_user),
                  "$DISABLE_USER", u.name);
      AddKeys(&keys[u.name], cfg.cloud_keys, opts);
    } else {
      // The user's own keys move to its ssh_keys resource: the user
      // resource does not use them.
      if (!u.keys.empty()) AddKeys(&keys[u.name], std::move(u.keys), "");
      if (u.is_default) AddKeys(&keys[u.name], cfg.cloud_keys, "");
    }
    // The rules move to their resources, as the keys do.
    std::unique_ptr<IdentityResource> doas, sudo;
    if (!u.doas.empty()) {
      doas = std::make_unique<DoasResource>(u.name, std::move(u.doas));
      doas->set_origin(u.origin);
    }
    if (u.sudo && !u.sudo->empty()) {
      sudo = std::make_unique<SudoResource>(u.name, std::move(*u.sudo));
      sudo->set_origin(u.origin);
    }
    // The spec moves into its resource (thousands of users: no copies).
    std::string origin = u.origin;
    bool is_default = u.is_default;
    auto r = std::make_unique<UserResource>(std::move(u));
    r->set_origin(std::move(origin));
    if (is_default) default_user = r.get();
    res.push_back(std::move(r));
    if (doas) res.push_back(std::move(doas));
    if (sudo) res.push_back(std::move(sudo));
  }
  // Root gets the cloud keys, behind disable_root_opts when root is
  // disabled (cloud-init's apply_credentials).
  if (!cfg.cloud_keys.empty()) {
    std::string opts;
    if (cfg.disable_root) {
      opts =
          Replace(Replace(cfg.disable_root_opts, "$USER",
                          cfg.default_user.empty() ? "NONE" : cfg.default_user),
                  "$DISABLE_USER", "root");
    }
    AddKeys(&keys["root"], cfg.cloud_keys, opts);
  }
  for (auto& [user, list] : keys) {
    if (list.empty()) continue;
    auto r = std::make_unique<SshKeysResource>(
        user, std::move(list), homes.count(user) ? homes[user] : "");
    r->set_origin(origins.count(user) ? origins[user] : "");
    res.push_back(std::move(r));
  }
  std::map<std::string, std::string> sshd;
  if (cfg.ssh_pwauth) {
    sshd["PasswordAuthentication"] = *cfg.ssh_pwauth ? "yes" : "no";
  }
  if (cfg.disable_root_set) {
    sshd["PermitRootLogin"] = cfg.disable_root ? "no" : "prohibit-password";
  }
  IdentityResource* sshd_res = nullptr;
  if (!sshd.empty()) {
    auto r = std::make_unique<SshdResource>(sshd);
    sshd_res = r.get();
    res.push_back(std::move(r));
  }
  IdentityResource* warn_on = sshd_res       ? sshd_res
                              : default_user ? default_user
                              : res.empty()  ? nullptr
                                             : res.front().get();
  if (warn_on != nullptr) {
    for (const auto& w : cfg.warnings) warn_on->add_warning(w);
  }
  // One session for the whole module: the account files are parsed once
  // and written once per run, however many users and groups there are.
  auto session = std::make_shared<AccountSession>();
  for (auto& r : res) {
    r->set_session(session);
    out->Add(std::move(r));
  }
}

namespace {

std::unique_ptr<IdentityResource> MakeIdentityOrphan(const std::string& kind,
                                                     const std::string& name,
                                                     const Record& record) {
  if (kind == "group") return std::make_unique<GroupOrphan>(name);
  if (kind == "user") return std::make_unique<UserOrphan>(name);
  if (kind == "ssh_keys") return SshKeysResource::Orphan(name);
  if (kind == "sudo") {
    return std::make_unique<SudoResource>(name, std::vector<std::string>{},
                                          true);
  }
  if (kind == "doas") {
    return std::make_unique<DoasResource>(name, std::vector<std::string>{},
                                          true);
  }
  if (kind == "sshd") {
    auto mode = record.find("mode");
    if (mode == record.end() || mode->second != "dropin") return nullptr;
    return std::make_unique<SshdResource>(std::map<std::string, std::string>{},
                                          true);
  }
  return nullptr;
}

}  // namespace

std::unique_ptr<Resource> IdentityOrphan(const std::string& kind,
                                         const std::string& name,
                                         const Record& record,
                                         std::shared_ptr<void>* shared) {
  std::unique_ptr<IdentityResource> r = MakeIdentityOrphan(kind, name, record);
  if (r == nullptr) return nullptr;
  // The orphans of one plan share one account session: the account files
  // are read once and written once however many users and groups go.
  if (*shared == nullptr) *shared = std::make_shared<AccountSession>();
  r->set_session(std::static_pointer_cast<AccountSession>(*shared));
  return r;
}

}  // namespace flamingo::identity
