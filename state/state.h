// The applied-state store: what flamingo applied, for which instance.
// One versioned JSON document at /var/lib/flamingo/state.json inside the
// target, written atomically (temp file, fsync, rename; LevelDB's
// SetCurrentFile). Format: docs/state-format.md.
//
// Secrets never reach this file: records hold only what resources put in
// them, and resources record fingerprints, never passwords or hashes.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.h"
#include "engine/status.h"
#include "engine/system.h"

namespace flamingo {

inline constexpr int kStateFormatVersion = 1;
inline constexpr const char* kStateDir = "/var/lib/flamingo";
inline constexpr const char* kStatePath = "/var/lib/flamingo/state.json";
inline constexpr const char* kLockPath = "/var/lib/flamingo/lock";

// The last run, for `flamingo status`.
struct RunSummary {
  int64_t time = 0;     // seconds since the epoch, at the end
  std::string command;  // "apply", "apply --boot", ...
  std::string instance_id;
  std::string datasource;
  bool ok = true;
  bool fast_path = false;  // the reboot fast path skipped declarative work
  std::vector<ResourceResult> results;
};

struct State {
  int format_version = kStateFormatVersion;
  std::string instance_id;   // of the last successful apply
  std::string input_sha256;  // user-data + vendor-data + meta-data
  // The fingerprint for which every declarative resource converged: the
  // reboot fast path needs input_sha256 == converged_sha256 and the same
  // instance.
  std::string converged_sha256;
  std::string boot_id;  // the last boot that ran per-boot work
  RecordMap records;
  std::optional<RunSummary> last_run;
  // The last `apply --boot` (first boot or reboot): kept when later runs of
  // other kinds (the reconcile timer, a plain apply) replace last_run, so a
  // boot's failed script stays visible in `flamingo status`.
  std::optional<RunSummary> last_boot_run;
};

std::string SerializeState(const State& state);
// One resource result as JSON, the shape used in the state file and in
// `apply --format json` / `status --format json`.
nlohmann::ordered_json ResourceResultJson(const ResourceResult& r);
// A run summary as JSON (the shape of "last_run" in the state file).
nlohmann::ordered_json RunSummaryJson(const RunSummary& r);
// Errors name what is wrong ("state.json: format_version 7 is newer than
// this flamingo (1)"); never throws.
Result<State> ParseState(std::string_view text);

// nullopt when there is no state file. A corrupt or unreadable file is an
// error: callers report it and go on as if there were no state.
Result<std::optional<State>> LoadState(const SystemReader& sys);
// Creates /var/lib/flamingo (0700) if needed, writes atomically (0600) and
// Syncs, so the state never describes changes that are not yet durable.
Status SaveState(System& sys, const State& state);

}  // namespace flamingo
