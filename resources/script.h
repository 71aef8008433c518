// ScriptResource (kind "script"): one script that flamingo writes into the
// target and runs: bootcmd (every boot), runcmd (once per instance) or a
// "#!" user-data part (once per instance). When and how it runs is
// resources/script_run.h; the reference is docs/reference/scripts.md.
//
// Observe reads the marker of an interrupted run; Diff decides with
// DecideRun (Action::kRun, or kNone with the reason it does not run now);
// Apply writes the script file (mode 0700), runs it and records the result.
#pragma once

#include <string>
#include <vector>

#include "engine/resource.h"
#include "resources/direct_command.h"
#include "resources/script_run.h"

namespace flamingo {

class ScriptResource : public Resource {
 public:
  struct Spec {
    std::string name;  // "bootcmd", "runcmd", "user-data/part-001"
    Frequency freq = Frequency::kPerInstance;
    int stage = kStageLate;
    // The whole script (starting with "#!"); "" = nothing to run (e.g. no
    // runcmd in the config: the resource then only keeps its record, so
    // that runcmd added back later is still known to have run).
    std::string content;
    std::string file;  // where it is written in the target
    // Prepended to `file` in argv: {"/bin/sh"} for bootcmd/runcmd (as
    // cloud-init runs them); {} executes the file by its "#!" line.
    std::vector<std::string> interpreter;
    // bootcmd/runcmd whose every command is direct (direct_command.h): the
    // commands, run one after the other without the shell. Empty: run the
    // file.
    CommandList commands;
    int timeout_seconds = 0;  // 0 = none
    std::string origin;       // "user-data:12:3"
  };

  explicit ScriptResource(Spec spec) : spec_(std::move(spec)) {}

  std::string Kind() const override { return "script"; }
  std::string Name() const override { return spec_.name; }
  int Stage() const override { return spec_.stage; }
  // Every script is evaluated on the reboot fast path too, so that an
  // interrupted or failed once-per-instance script runs again at the next
  // boot even when nothing else changed. Evaluating costs one stat.
  bool EveryBoot() const override { return true; }
  bool RecordOutlivesBoot() const override { return !BootScoped(spec_.freq); }
  std::string Origin() const override { return spec_.origin; }
  // The warning of the last Diff (the engine asks right after planning):
  // content changed after it ran, or an interrupted / failed run waiting
  // for the next boot. Warnings() has no context, hence this cache.
  std::vector<std::string> Warnings() const override { return warnings_; }
  const Spec& spec() const { return spec_; }

  Result<Observation> Observe(const SystemReader& sys,
                              const ResourceContext& ctx) const override;
  Change Diff(const Observation& observed,
              const ResourceContext& ctx) const override;
  Status Apply(System& sys, const Change& change, const ResourceContext& ctx,
               Record* record) const override;

 private:
  Spec spec_;
  // Set by Apply: this process ran it (so the post-apply check converges
  // under --rerun-scripts). Resources live for one run.
  mutable bool ran_ = false;
  mutable std::vector<std::string> warnings_;
};

}  // namespace flamingo
