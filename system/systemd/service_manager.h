// ServiceManager: the running service manager (systemd) as the System's
// optional facility (System::services()). Only present when flamingo runs
// on the live machine and systemd is PID 1; with --root or without systemd
// it is null and resources do the offline equivalent (files and symlinks,
// what `systemctl --root` does).
//
// Contract, chosen so that flamingo can run *inside* boot (its own unit is
// ordered before others):
//   - job calls (Start/Stop/Restart/Reload/TryRestart) enqueue a job with
//     mode "replace" and return at once; they never wait for the job.
//     Waiting would deadlock when the unit is ordered after flamingo.
//   - Reload (daemon-reload) returns when systemd has reloaded its units.
//   - GetUnit loads the unit if needed and reports its state and any
//     pending job, so a caller can treat "start job queued" as converged.
#pragma once

#include <string>
#include <string_view>

#include "engine/status.h"

namespace flamingo {

struct UnitState {
  std::string load_state;    // "loaded", "not-found", "masked", ...
  std::string active_state;  // "active", "inactive", "activating", ...
  std::string job_type;      // type of the pending job ("start", ...) or ""
  // True when systemd says the unit file changed on disk since it was
  // loaded (NeedDaemonReload).
  bool need_daemon_reload = false;
};

// The job calls systemd offers on org.freedesktop.systemd1.Manager.
enum class UnitCommand { kStart, kStop, kRestart, kReload, kTryRestart };

// "start", "stop", "restart", "reload", "try-restart".
const char* UnitCommandName(UnitCommand c);

class ServiceManager {
 public:
  virtual ~ServiceManager() = default;

  // The unit's current state (LoadUnit + its properties).
  virtual Result<UnitState> GetUnit(std::string_view name) const = 0;
  // daemon-reload.
  virtual Status Reload() = 0;
  // Enqueues a job for `name` with mode "replace"; does not wait for it.
  virtual Status Enqueue(UnitCommand command, std::string_view name) = 0;
};

}  // namespace flamingo
