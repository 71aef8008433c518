// group[NAME]: a group exists (with the given gid, when one is given) and
// lists the given members. Members it did not add are never removed; a gid
// differing from the config on an existing group is left alone (changing it
// would orphan files). Deleted (as an orphan) only when flamingo created it
// and no user has it as primary group.
#pragma once

#include <memory>

#include "resources/identity/identity_config.h"
#include "resources/identity/identity_resource.h"

namespace flamingo::identity {

class GroupResource : public IdentityResource {
 public:
  explicit GroupResource(GroupSpec spec) : spec_(std::move(spec)) {}

  std::string Kind() const override { return "group"; }
  std::string Name() const override { return spec_.name; }
  std::vector<std::string> Provides() const override {
    return {"group:" + spec_.name};
  }
  Result<Observation> Observe(const SystemReader& sys,
                              const ResourceContext& ctx) const override;
  Change Diff(const Observation& observed,
              const ResourceContext& ctx) const override;
  Status Apply(System& sys, const Change& change, const ResourceContext& ctx,
               Record* record) const override;

 private:
  GroupSpec spec_;
};

// Deletes a group flamingo created.
class GroupOrphan : public IdentityResource {
 public:
  explicit GroupOrphan(std::string name) : name_(std::move(name)) {}
  std::string Kind() const override { return "group"; }
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
