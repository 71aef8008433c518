// sudo[USER]: /etc/sudoers.d/90-flamingo-USER (dots in the name become '_',
// since sudo skips drop-ins whose name has a dot) holds "USER RULE" for each
// configured rule, mode 0440 root:root. Every line is syntax-checked
// (sudoers_check.h) before the file is installed. When /etc/sudoers exists
// without an includedir for /etc/sudoers.d, one is appended (as cloud-init
// does). Deleted as an orphan when flamingo created it.
#pragma once

#include "resources/identity/identity_resource.h"

namespace flamingo::identity {

class SudoResource : public IdentityResource {
 public:
  // Empty `rules` with orphan=true: the deleter.
  SudoResource(std::string user, std::vector<std::string> rules,
               bool orphan = false)
      : user_(std::move(user)), rules_(std::move(rules)), orphan_(orphan) {}

  std::string Kind() const override { return "sudo"; }
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

  std::string Path() const;
  std::string Content() const;

 private:
  std::string user_;
  std::vector<std::string> rules_;
  bool orphan_;
};

}  // namespace flamingo::identity
