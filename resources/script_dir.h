// ScriptDirResource (kind "script"): the executable files in one of
// cloud-init's script directories, run in alphabetical order:
//   /var/lib/cloud/scripts/per-boot      every boot
//   /var/lib/cloud/scripts/per-instance  once per instance
//   /var/lib/cloud/scripts/per-once      once, ever
// Only regular files (or symlinks to them) with an execute bit run; others
// are ignored, as cloud-init's run-parts does. Each file runs by its own
// "#!" line (or as a binary), is tracked separately in this resource's
// Record under "<file>/..." keys (resources/script_run.h), and a failing one
// does not stop the rest: Apply runs all due files, then reports every
// failure.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "engine/resource.h"
#include "resources/script_run.h"

namespace flamingo {

class ScriptDirResource : public Resource {
 public:
  // `dir` is one of the three paths above; `freq` its frequency.
  ScriptDirResource(std::string dir, Frequency freq, int stage,
                    int timeout_seconds)
      : dir_(std::move(dir)),
        freq_(freq),
        stage_(stage),
        timeout_seconds_(timeout_seconds) {}

  std::string Kind() const override { return "script"; }
  std::string Name() const override { return dir_; }
  int Stage() const override { return stage_; }
  bool EveryBoot() const override { return true; }  // see ScriptResource
  bool RecordOutlivesBoot() const override { return !BootScoped(freq_); }
  // As ScriptResource::Warnings: from the last Diff, one per file.
  std::vector<std::string> Warnings() const override { return warnings_; }

  Result<Observation> Observe(const SystemReader& sys,
                              const ResourceContext& ctx) const override;
  Change Diff(const Observation& observed,
              const ResourceContext& ctx) const override;
  Status Apply(System& sys, const Change& change, const ResourceContext& ctx,
               Record* record) const override;

 private:
  std::string dir_;
  Frequency freq_;
  int stage_;
  int timeout_seconds_;
  mutable std::set<std::string> ran_;  // files run by this process
  mutable std::vector<std::string> warnings_;
};

}  // namespace flamingo
