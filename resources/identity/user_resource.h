// user[NAME]: an account in /etc/passwd and /etc/shadow (and its groups),
// created like useradd would (ids from login.defs, a user-private group,
// home from /etc/skel) and converged afterwards: gecos, home, shell,
// primary group, supplementary groups, password, lock state, inactivity and
// expiry follow the config. Memberships it did not add are never removed.
// A uid that differs from the config on an existing user is left alone.
// The password is never shown: "(sensitive)".
//
// Record: "groups" (memberships flamingo added), "user_group" ("created"
// when it created the user-private group), "password_expired".
//
// In existing_only mode (a chpasswd entry) only the password is managed
// and the user must exist.
#pragma once

#include "resources/identity/identity_config.h"
#include "resources/identity/identity_resource.h"

namespace flamingo::identity {

class UserResource : public IdentityResource {
 public:
  explicit UserResource(UserSpec spec) : spec_(std::move(spec)) {}

  std::string Kind() const override { return "user"; }
  std::string Name() const override { return spec_.name; }
  std::vector<std::string> Provides() const override;
  std::vector<std::string> Requires() const override;
  Result<Observation> Observe(const SystemReader& sys,
                              const ResourceContext& ctx) const override;
  Change Diff(const Observation& observed,
              const ResourceContext& ctx) const override;
  Status Apply(System& sys, const Change& change, const ResourceContext& ctx,
               Record* record) const override;

  const UserSpec& spec() const { return spec_; }

 private:
  UserSpec spec_;
};

// Deletes a user flamingo created: its passwd/shadow entries, its
// memberships and its user-private group when flamingo created that too.
// The home directory is left in place (like userdel without -r).
class UserOrphan : public IdentityResource {
 public:
  explicit UserOrphan(std::string name) : name_(std::move(name)) {}
  std::string Kind() const override { return "user"; }
  std::string Name() const override { return name_; }
  Result<Observation> Observe(const SystemReader& sys,
                              const ResourceContext& ctx) const override;
  Change Diff(const Observation& observed,
              const ResourceContext& ctx) const override;
  Status Apply(System& sys, const Change& change, const ResourceContext& ctx,
               Record* record) const override;

 private:
  std::string name_;
};

}  // namespace flamingo::identity
