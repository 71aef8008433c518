// power_state (cloud-init's cc_power_state_change): power the machine off,
// reboot or halt it once flamingo has finished the boot's work.
//
//   power_state:
//     mode: poweroff          # poweroff | reboot | halt (required)
//     delay: now              # "now" (default) or minutes: 5, "5", "+5"
//     message: Bye            # shown to logged-in users (optional)
//     timeout: 30             # seconds to wait for flamingo to exit
//     condition: true         # true | false | "sh command" | [argv...]
//
// Kind "power_state", name "shutdown"; at most one per config. Once per
// instance, at boot only (`apply --boot`, its late phase), after every
// other resource (the final message included). Apply does not shut down:
// it hands `shutdown -P|-r|-H DELAY [MESSAGE]` to System::ExecAfterExit,
// which starts it once this flamingo process has exited (so the state that
// records the run is saved first) or `timeout` seconds have passed; a
// command `condition` runs then too, right before, and only its exit 0 lets
// the shutdown go ahead (as cloud-init checks it after the wait). The
// record keeps the instance it was scheduled for: a reboot of the same
// instance does not do it again, whatever the condition said.
//
// Only for the running machine: with --root (an image, a chroot) nothing is
// scheduled and nothing recorded; plan says so. `condition: false` is never
// scheduled. The reference is docs/reference/power-state.md.
#pragma once

#include <string>
#include <vector>

#include "engine/resource.h"
#include "resources/kinds.h"

namespace flamingo {

void CompilePowerState(const CompileInput& in, CompileOutput* out,
                       Diagnostics* diags);

class PowerStateResource : public Resource {
 public:
  struct Spec {
    std::string mode = "poweroff";  // poweroff | reboot | halt
    std::string delay = "now";      // "now" or "+MINUTES"
    std::string message;            // "" = none
    int timeout_seconds = 30;       // the wait for flamingo to exit
    // The condition: `always` (true), never (false), or this command run
    // first (a string runs with /bin/sh -c, a list as its words).
    bool always = true;
    std::vector<std::string> condition;
    std::string origin;
  };

  explicit PowerStateResource(Spec spec) : spec_(std::move(spec)) {}

  std::string Kind() const override { return "power_state"; }
  std::string Name() const override { return "shutdown"; }
  // After the final message (kStageLate + 1000): the very last.
  int Stage() const override { return kStageLate + 2000; }
  // Looked at on the reboot fast path too: one record lookup.
  bool EveryBoot() const override { return true; }
  std::string Origin() const override { return spec_.origin; }

  // The shutdown command: {"shutdown", "-P", "now", "message"}.
  std::vector<std::string> ShutdownArgv() const;
  const Spec& spec() const { return spec_; }

  Result<Observation> Observe(const SystemReader& sys,
                              const ResourceContext& ctx) const override;
  Change Diff(const Observation& observed,
              const ResourceContext& ctx) const override;
  Status Apply(System& sys, const Change& change, const ResourceContext& ctx,
               Record* record) const override;

 private:
  Spec spec_;
};

}  // namespace flamingo
