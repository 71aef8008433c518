// HostnameResource (kind "hostname", name "/etc/hostname"): the static
// hostname in /etc/hostname (written atomically, 0644 root) and, only when
// operating on the running machine (IsLive), the kernel's hostname.
//
// With create_file false (create_hostname_file: false) a missing
// /etc/hostname is not created; an existing one is still updated, and the
// kernel hostname is still set (cloud-init's "transient" hostname).
//
// Plan fields: "hostname" (the name in /etc/hostname, absent when there is
// no file) and, when live, "kernel_hostname". Drift is repaired: a name
// changed by hand is set back (preserve_hostname: true leaves it alone).
// Never deleted.
#pragma once

#include <string>
#include <vector>

#include "engine/resource.h"
#include "resources/staged_writes.h"

namespace flamingo {

inline constexpr char kHostnamePath[] = "/etc/hostname";

class HostnameResource : public Resource {
 public:
  HostnameResource(std::string name, bool create_file, std::string origin)
      : name_(std::move(name)),
        create_file_(create_file),
        origin_(std::move(origin)) {}

  std::string Kind() const override { return "hostname"; }
  std::string Name() const override { return kHostnamePath; }
  std::vector<std::string> Provides() const override {
    return {std::string("path:") + kHostnamePath};
  }
  std::vector<std::string> Requires() const override { return {"path:/etc"}; }
  std::string Origin() const override { return origin_; }
  // Replacements wait for one commit with the other plain files.
  WriteBatch* Batch() const override { return StagedWrites(); }

  Result<Observation> Observe(const SystemReader& sys,
                              const ResourceContext& ctx) const override;
  Change Diff(const Observation& observed,
              const ResourceContext& ctx) const override;
  Status Apply(System& sys, const Change& change, const ResourceContext& ctx,
               Record* record) const override;

  const std::string& hostname() const { return name_; }
  bool create_file() const { return create_file_; }

 private:
  std::string name_;
  bool create_file_;
  std::string origin_;
};

}  // namespace flamingo
