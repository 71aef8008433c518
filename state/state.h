// The applied-state store: what flamingo applied, for which instance.
// One versioned JSON document at /var/lib/flamingo/state.json inside the
// target, written atomically (temp file, fsync, rename; LevelDB's
// SetCurrentFile). Format: docs/state-format.md.
//
// Secrets never reach this file: records hold only what resources put in
// them, and resources record fingerprints, never passwords or hashes.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.h"
#include "engine/json_text.h"
#include "engine/status.h"
#include "engine/system.h"

namespace flamingo {

inline constexpr int kStateFormatVersion = 1;
inline constexpr const char* kStateDir = "/var/lib/flamingo";
inline constexpr const char* kStatePath = "/var/lib/flamingo/state.json";
inline constexpr const char* kLockPath = "/var/lib/flamingo/lock";
// The boot overlay: what changed since state.json that only describes the
// current boot (see SaveKind::kBootOnly). In /run, a tmpfs cleared at every
// boot (the units' RuntimeDirectory): writing it never touches the disk,
// and a new boot starts without one.
inline constexpr const char* kBootStateDir = "/run/flamingo";
inline constexpr const char* kBootStatePath = "/run/flamingo/boot.json";
// Where earlier builds kept the overlay: never read; removed with the
// overlay.
inline constexpr const char* kOldBootStatePath = "/var/lib/flamingo/boot.json";

// The last run, for `flamingo status`.
struct RunSummary {
  int64_t time = 0;     // seconds since the epoch, at the end
  std::string command;  // "apply", "apply --boot", ...
  std::string boot_id;  // of an `apply --boot` ("" otherwise)
  std::string instance_id;
  std::string datasource;
  bool ok = true;
  bool fast_path = false;  // the reboot fast path skipped declarative work
  std::vector<ResourceResult> results;
  bool operator==(const RunSummary&) const = default;
};

struct State {
  int format_version = kStateFormatVersion;
  std::string instance_id;   // of the last successful apply
  std::string input_sha256;  // user-data + vendor-data + meta-data
  // The fingerprint for which every declarative resource converged: the
  // reboot fast path needs input_sha256 == converged_sha256 and the same
  // instance.
  std::string converged_sha256;
  // Whether that converged input has every-boot work of its own (bootcmd,
  // runcmd, script parts: HasEveryBootInput). False lets the reboot fast
  // path skip decoding the user-data. True when unknown (older files).
  bool every_boot_input = true;
  std::string boot_id;  // the last boot that ran per-boot work
  RecordTable records;
  std::optional<RunSummary> last_run;
  // The last `apply --boot` (first boot or reboot): kept when later runs of
  // other kinds (the reconcile timer, a plain apply) replace last_run, so a
  // boot's failed script stays visible in `flamingo status`.
  std::optional<RunSummary> last_boot_run;
  // The last boot run is last_run itself (set by a boot's apply instead of
  // a copy of its 10,000 results; last_boot_run is then empty). Saving
  // writes it as the boot run; loading never sets it (last_boot_run gets
  // the run).
  bool boot_run_is_last_run = false;
  // Durable saves of state.json so far (0 before the first, and in files
  // older than this field). A boot overlay extends exactly one generation.
  int64_t generation = 0;
  // Records that live in the boot overlay, not (yet) in state.json: those
  // of resources whose record does not outlive the boot. LoadState fills it;
  // a caller adds the ids its run changed before a kBootOnly save.
  std::set<std::string> boot_record_ids;
};

// The state files as a run found them (Stat of state.json and boot.json),
// to tell whether another run changed them since.
struct StateFiles {
  std::optional<FileInfo> state;
  std::optional<FileInfo> boot;
};

// state.json's text (SaveState streams it: WriteStateText).
std::string SerializeState(const State& state);
// state.json's text, and the boot overlay's (SaveKind::kBootOnly), in
// pieces of about 64 KiB handed to `sink` in order; each stops at the
// sink's first error and returns it.
Status WriteStateText(const State& state, const System::ContentSink& sink);
Status WriteBootOverlayText(const State& state,
                            const System::ContentSink& sink);
// One resource result, and a run summary (the shape of "last_run"), as the
// state file has them; also the shapes of `apply --format json` and
// `status --format json`.
void WriteResourceResultJson(const ResourceResult& r, JsonStreamWriter* w);
void WriteRunSummaryJson(const RunSummary& r, JsonStreamWriter* w);
// What a load reads:
// - kAll: everything;
// - kWithoutRunSummaries: all but last_run and last_boot_run: for a plan,
//   which shows neither, and an apply, which replaces them (at thousands
//   of resources their results cost megabytes; one that keeps
//   last_boot_run reads it at the end, kLastBootRun);
// - kHeader: only the instance, fingerprints, generation and boot_id:
//   enough to decide how to compile, before the records take their memory;
// - kLastBootRun: the header and last_boot_run: what an apply that keeps
//   last_boot_run reads once its resources are gone (1.2 MB at 10,000
//   files less at its peak).
// Parts skipped are checked for JSON syntax only.
enum class StateParts {
  kAll,
  kWithoutRunSummaries,
  kHeader,
  kLastBootRun
};

// Errors name what is wrong ("state.json: format_version 7 is newer than
// this flamingo (1)"); never throws.
Result<State> ParseState(std::string_view text,
                         StateParts parts = StateParts::kAll);

// nullopt when there is no state file. A corrupt or unreadable file is an
// error: callers report it and go on as if there were no state. A boot
// overlay of the same generation is applied on top (boot_id, last_run,
// last_boot_run, its records); one that is stale, unreadable or torn (a
// power cut can leave it so) is ignored. `files` (optional) receives what
// was read, for StateFilesChanged.
Result<std::optional<State>> LoadState(const SystemReader& sys,
                                       StateFiles* files = nullptr,
                                       StateParts parts = StateParts::kAll);
// Whether state.json or boot.json differ now from `files` (or cannot be
// read): then LoadState again.
bool StateFilesChanged(const SystemReader& sys, const StateFiles& files);

enum class SaveKind {
  // state.json, with every record: generation + 1, written atomically
  // (0600) after Sync, so it never describes changes that are not yet
  // durable; the boot overlay is removed. Creates /var/lib/flamingo (0700).
  kDurable,
  // Only boot.json (volatile: never fsynced; System::WriteFileVolatile;
  // creates /run/flamingo (0700) when missing):
  // boot_id, last_run, last_boot_run and the records in boot_record_ids,
  // for a run that changed nothing that must outlive the boot (the reboot
  // fast path with only per-boot scripts, a reconcile with nothing to do).
  // A power cut loses at most what a new boot makes moot.
  // REQUIRES: state.json of state.generation exists (a state was loaded).
  kBootOnly,
};
Status SaveState(System& sys, State& state, SaveKind kind = SaveKind::kDurable);

}  // namespace flamingo
