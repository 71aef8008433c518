// Test helpers for the identity resources: a FakeSystem seeded with a small
// Debian-like /etc, and a driver that compiles a cloud-config with the
// identity module, plans and applies it through the engine.
#pragma once

#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/graph.h"
#include "engine/logger.h"
#include "schemas/diagnostics.h"
#include "system/fake_system.h"

namespace flamingo::identity::idtest {

inline constexpr char kKeyA[] =
    "ssh-ed25519 "
    "AAAAC3NzaC1lZDI1NTE5AAAAIGnFzWcF0RU6vXEHy3xv2b8qQZk6qPq1H7Vz5Yg2V0sB";
inline constexpr char kKeyB[] =
    "ssh-ed25519 "
    "AAAAC3NzaC1lZDI1NTE5AAAAIBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
inline constexpr char kKeyForeign[] =
    "ssh-ed25519 "
    "AAAAC3NzaC1lZDI1NTE5AAAAIFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF";

// /etc/{passwd,shadow,group,gshadow,login.defs,skel} of a small Debian base,
// with an existing user bob (uid 1000) whose home exists.
void SeedEtc(FakeSystem* sys);

// One run of compile + plan (+ apply when `apply`). Records persist in
// `records` across calls, like the state file.
struct IdRun {
  Diagnostics diags;
  Plan plan;
  ApplyReport report;
  bool built = false;
  std::string build_error;
  // Every field value and reason of the plan, and every log message.
  std::string Everything() const;
  std::string log;
  // The changes (not kNone) as "action id" lines.
  std::vector<std::string> Changes() const;
  const Change* Find(const std::string& id) const;
};

class Driver {
 public:
  explicit Driver(FakeSystem* sys) : sys_(sys) {}
  IdRun Plan(const std::string& yaml, const std::string& meta = "{}");
  IdRun Apply(const std::string& yaml, const std::string& meta = "{}");
  RecordTable& records() { return records_; }

 private:
  IdRun Do(const std::string& yaml, const std::string& meta, bool apply);
  FakeSystem* sys_;
  RecordTable records_;
};

}  // namespace flamingo::identity::idtest
