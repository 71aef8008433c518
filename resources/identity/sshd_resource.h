// sshd[policy]: sshd settings from ssh_pwauth (PasswordAuthentication) and
// an explicit disable_root (PermitRootLogin: "no" when true,
// "prohibit-password" when false). Written as the drop-in
// /etc/ssh/sshd_config.d/10-flamingo.conf when sshd_config Includes that
// directory (and does not set the keywords before the Include), else by
// editing sshd_config in place. Values come from a fixed vocabulary, so the
// file is valid by construction; when live, `sshd -t` checks the result too
// and a rejected configuration is rolled back (an error). When live and sshd
// runs, it is then asked to reload: a reload job through systemd, or without
// systemd SIGHUP to the pid in /run/sshd.pid; nothing runs when sshd is not
// running (first boot) nor under --root (no binaries needed in the root).
// Without an sshd_config in the target there is nothing to configure.
//
// Record: "mode" = "dropin" or "main". The orphan removes a drop-in that
// flamingo created; edits of sshd_config are not undone.
#pragma once

#include <map>

#include "resources/identity/identity_resource.h"

namespace flamingo::identity {

class SshdResource : public IdentityResource {
 public:
  // keyword -> value, e.g. {"PasswordAuthentication", "no"}; empty with
  // orphan=true: the deleter.
  explicit SshdResource(std::map<std::string, std::string> options,
                        bool orphan = false)
      : options_(std::move(options)), orphan_(orphan) {}

  std::string Kind() const override { return "sshd"; }
  std::string Name() const override { return "policy"; }
  // Not a member of the account batch: it runs `sshd -t` and reloads sshd,
  // which must see the account files as committed.
  WriteBatch* Batch() const override { return nullptr; }
  // Just after the rest of the identity stage (no edge, so a failed user
  // does not hold it back): password logins change once the accounts and
  // keys are in place, and the account files are committed once, before
  // it, rather than twice around it.
  int Stage() const override { return kStageIdentity + 1; }
  Result<Observation> Observe(const SystemReader& sys,
                              const ResourceContext& ctx) const override;
  Change Diff(const Observation& observed,
              const ResourceContext& ctx) const override;
  Status Apply(System& sys, const Change& change, const ResourceContext& ctx,
               Record* record) const override;

  std::string DropInContent() const;

 private:
  std::map<std::string, std::string> options_;
  bool orphan_;
};

}  // namespace flamingo::identity
