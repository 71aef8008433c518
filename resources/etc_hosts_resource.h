// EtcHostsResource (kind "etc_hosts", name "/etc/hosts"): the managed block
// of /etc/hosts for manage_etc_hosts (see hosts_file.h). Lines outside the
// block are never changed; a missing /etc/hosts is created (0644 root); an
// existing one keeps its mode and owner.
//
// The names come from the config; when the config and meta-data name none,
// the current /etc/hostname is used (cloud-init uses the system's hostname
// then), and nothing changes when that is empty too.
//
// Plan field: "entries" (the block's lines joined with "; "). Never deleted:
// the block stays when manage_etc_hosts is turned off.
#pragma once

#include <string>
#include <vector>

#include "engine/resource.h"
#include "resources/hostname_names.h"
#include "resources/staged_writes.h"

namespace flamingo {

class EtcHostsResource : public Resource {
 public:
  EtcHostsResource(HostNames names, std::string origin)
      : names_(std::move(names)), origin_(std::move(origin)) {}

  std::string Kind() const override { return "etc_hosts"; }
  std::string Name() const override { return "/etc/hosts"; }
  std::vector<std::string> Provides() const override {
    return {"path:/etc/hosts"};
  }
  std::vector<std::string> Requires() const override;
  std::string Origin() const override { return origin_; }
  // Replacements wait for one commit with the other plain files.
  WriteBatch* Batch() const override { return StagedWrites(); }

  Result<Observation> Observe(const SystemReader& sys,
                              const ResourceContext& ctx) const override;
  Change Diff(const Observation& observed,
              const ResourceContext& ctx) const override;
  Status Apply(System& sys, const Change& change, const ResourceContext& ctx,
               Record* record) const override;

  const HostNames& names() const { return names_; }

 private:
  HostNames names_;
  std::string origin_;
};

}  // namespace flamingo
