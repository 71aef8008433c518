#include "system/systemd/fake_service_manager.h"

namespace flamingo {

Result<UnitState> FakeServiceManager::GetUnit(std::string_view name) const {
  auto it = units_.find(name);
  if (it != units_.end()) return it->second;
  UnitState s;
  s.load_state = "loaded";
  s.active_state = "inactive";
  return s;
}

Status FakeServiceManager::Maybe(const std::string& op) {
  calls_.push_back(op);
  if (!fail_next_.empty() && op.rfind(fail_next_, 0) == 0) {
    fail_next_.clear();
    return Status::Error(op + ": injected failure");
  }
  return Status::Ok();
}

Status FakeServiceManager::Reload() {
  Status s = Maybe("reload");
  if (!s.ok()) return s;
  for (auto& [name, u] : units_) u.need_daemon_reload = false;
  return s;
}

Status FakeServiceManager::Enqueue(UnitCommand command, std::string_view name) {
  Status s =
      Maybe(std::string(UnitCommandName(command)) + " " + std::string(name));
  if (!s.ok()) return s;
  auto it = units_.find(name);
  if (it == units_.end()) {
    UnitState st;
    st.load_state = "loaded";
    st.active_state = "inactive";
    it = units_.emplace(std::string(name), st).first;
  }
  it->second.job_type = UnitCommandName(command);
  return s;
}

void FakeServiceManager::RunJobs() {
  for (auto& [name, u] : units_) {
    if (u.job_type.empty()) continue;
    if (u.job_type == "stop") {
      u.active_state = "inactive";
    } else if (u.job_type != "try-restart" || u.active_state == "active") {
      u.active_state = "active";
    }
    u.job_type.clear();
  }
}

}  // namespace flamingo
