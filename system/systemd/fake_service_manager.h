// FakeServiceManager: an in-memory ServiceManager for unit tests. Units are
// "inactive" and "loaded" unless set; Enqueue records the call and, like a
// job systemd has queued but not run yet, only sets job_type (tests call
// RunJobs() to let the "jobs" finish). Failures can be injected per call.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "system/systemd/service_manager.h"

namespace flamingo {

class FakeServiceManager : public ServiceManager {
 public:
  void SetUnit(const std::string& name, UnitState state) {
    units_[name] = std::move(state);
  }
  // Completes every pending job: start/restart/reload/try-restart -> active
  // (try-restart only when active), stop -> inactive.
  void RunJobs();
  // The next call of this kind ("reload", "start", ...) fails.
  void FailNext(std::string op) { fail_next_ = std::move(op); }
  // "reload" and "start NAME" etc., in call order.
  const std::vector<std::string>& calls() const { return calls_; }

  Result<UnitState> GetUnit(std::string_view name) const override;
  Status Reload() override;
  Status Enqueue(UnitCommand command, std::string_view name) override;

 private:
  Status Maybe(const std::string& op);
  std::map<std::string, UnitState, std::less<>> units_;
  std::vector<std::string> calls_;
  std::string fail_next_;
};

}  // namespace flamingo
