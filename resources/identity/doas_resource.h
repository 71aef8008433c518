// doas[USER]: the user's doas rules, as a marked block in /etc/doas.conf
// ("# flamingo: doas rules for USER" ... "# flamingo: end USER"). Lines
// outside flamingo's blocks are kept. Rules are checked at compile time to
// be for this user (cloud-init's only check). A new /etc/doas.conf is
// 0600 root:root; an existing one keeps its mode and owner. The orphan
// removes the block. Apply marks the record created once the block exists.
#pragma once

#include <memory>

#include "resources/identity/identity_resource.h"

namespace flamingo::identity {

class DoasResource : public IdentityResource {
 public:
  DoasResource(std::string user, std::vector<std::string> rules,
               bool orphan = false)
      : user_(std::move(user)), rules_(std::move(rules)), orphan_(orphan) {}

  std::string Kind() const override { return "doas"; }
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

  // `current` with this user's block set to the rules (removed if none).
  std::string Merge(const std::string& current) const;

 private:
  std::string user_;
  std::vector<std::string> rules_;
  bool orphan_;
};

}  // namespace flamingo::identity
