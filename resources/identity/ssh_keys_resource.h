// ssh_keys[USER]: the user's ~/.ssh/authorized_keys holds the configured
// keys (with the configured options: disable_root_opts for root,
// the redirect message for ssh_redirect_user). Lines flamingo did not add
// ("foreign" keys, comments) are kept in place; keys flamingo added and the
// config no longer lists are removed. ~/.ssh is 0700 and authorized_keys
// 0600, both owned by the user; a symlink at ~/.ssh is refused and one at
// authorized_keys is replaced (never followed).
//
// Record: "keys" (identities "type blob" of the keys flamingo added, one per
// line). Apply marks the record created once it holds keys, so that the
// orphan (the user's keys removed from the config) removes exactly those.
#pragma once

#include <memory>

#include "resources/identity/identity_resource.h"
#include "resources/identity/ssh_key.h"

namespace flamingo::identity {

class SshKeysResource : public IdentityResource {
 public:
  // `home`: the home of a user that does not exist yet ("" = from passwd).
  SshKeysResource(std::string user, std::vector<SshKey> keys, std::string home)
      : user_(std::move(user)),
        keys_(std::move(keys)),
        home_(std::move(home)) {}
  // The orphan: removes the recorded keys (its change is a delete).
  static std::unique_ptr<SshKeysResource> Orphan(std::string user) {
    auto r = std::make_unique<SshKeysResource>(std::move(user),
                                               std::vector<SshKey>{}, "");
    r->orphan_ = true;
    return r;
  }

  std::string Kind() const override { return "ssh_keys"; }
  std::string Name() const override { return user_; }
  std::vector<std::string> Requires() const override {
    return {"user:" + user_};
  }
  Result<Observation> Observe(const SystemReader& sys,
                              const ResourceContext& ctx) const override;
  Change Diff(const Observation& observed,
              const ResourceContext& ctx) const override;
  Status Apply(System& sys, const Change& change, const ResourceContext& ctx,
               Record* record) const override;

 private:
  std::string user_;
  std::vector<SshKey> keys_;
  std::string home_;
  bool orphan_ = false;
};

// The new authorized_keys text: `current` with the lines of `desired` keys
// updated in place, recorded-but-undesired keys dropped, other lines kept,
// and missing desired keys appended. Pure; exposed for tests.
std::string MergeAuthorizedKeys(const std::string& current,
                                const std::vector<SshKey>& desired,
                                const std::vector<std::string>& recorded);

}  // namespace flamingo::identity
