// UnitResource (kind "unit"): one systemd unit as config declares it: its
// unit file and drop-ins (written atomically under /etc/systemd/system, or
// /run/systemd/system for runtime units), enablement and mask (symlinks, as
// `systemctl [--runtime] enable|disable|mask|unmask` makes them), and, on a
// booted system with systemd, a start/stop/restart/reload/try-restart job.
//
// Plan fields: "content" and "drop-in NAME" (sha256 fingerprints), "masked"
// (yes/no), "enabled" (enabled/disabled/partly enabled), "active" (live
// only) and "job" (the job apply will enqueue).
//
// Commands are declarative:
//   start        enqueued when the unit is neither active nor starting;
//   stop         enqueued when it is active or starting;
//   restart      when the unit file or a drop-in changes, on the first
//                apply of this resource, or when it is not running;
//   reload       when the files change or on the first apply, and the
//                unit is active;
//   try-restart  likewise.
// Jobs are enqueued (mode "replace") and never waited for, so a unit
// ordered after flamingo's own boot unit cannot deadlock; a pending job
// counts as converged. daemon-reload runs only when this resource changed a
// file or link. Without a running systemd (--root, chroot, image build) the
// files and links are made and the job is left out: systemd starts enabled
// units when the image boots.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/resource.h"
#include "resources/unit_spec.h"

namespace flamingo {

class UnitResource : public Resource {
 public:
  explicit UnitResource(UnitSpec spec);

  std::string Kind() const override { return "unit"; }
  std::string Name() const override { return spec_.name; }
  std::vector<std::string> Provides() const override;
  // After files, hostname and users (a unit's ExecStart= may use them).
  int Stage() const override { return kStageDefault + 5; }
  std::string Origin() const override { return spec_.origin; }

  Result<Observation> Observe(const SystemReader& sys,
                              const ResourceContext& ctx) const override;
  Change Diff(const Observation& observed,
              const ResourceContext& ctx) const override;
  Status Apply(System& sys, const Change& change, const ResourceContext& ctx,
               Record* record) const override;

  // Where the unit file and drop-ins go.
  std::string UnitPath() const;
  std::string DropInPath(const std::string& name) const;

 private:
  UnitSpec spec_;
};

// Deletes what a unit resource created (record key "paths": one path per
// line), stopping the unit first when systemd runs.
class UnitOrphanResource : public Resource {
 public:
  UnitOrphanResource(std::string name, std::vector<std::string> paths);
  std::string Kind() const override { return "unit"; }
  std::string Name() const override { return name_; }
  Result<Observation> Observe(const SystemReader& sys,
                              const ResourceContext& ctx) const override;
  Change Diff(const Observation& observed,
              const ResourceContext& ctx) const override;
  Status Apply(System& sys, const Change& change, const ResourceContext& ctx,
               Record* record) const override;

 private:
  std::string name_;
  std::vector<std::string> paths_;
};

// A short content fingerprint for plans: "sha256:0123456789ab".
std::string UnitFingerprint(const std::string& content);

}  // namespace flamingo
