// Shared machinery of the script kinds (resources/script.h,
// resources/script_dir.h): when a script is due, and how it is run.
//
// Run semantics (docs/reference/scripts.md):
//  - A script runs only in `apply --boot` (RunInfo.boot), never in plain
//    `apply`, `apply --reconcile` or `plan`; `apply --rerun-scripts` runs
//    the once-per-instance scripts again.
//  - Whether it already ran comes from its Record: per-boot scripts are keyed
//    by the boot id, per-instance ones by the instance-id, once-only ones by
//    a flag. The key is recorded only after the script finished with exit
//    code 0; a failure erases it, so the next boot runs the script again.
//  - Before running, a marker file is written (kMarkerDir/<name>); it is
//    removed when the script has finished. A marker found later means the
//    run was interrupted (a crash, a reboot, a kill): the script is due again.
//    A per-boot script's marker is volatile (BootScoped): after a power cut
//    it may be missing or left behind, which only changes a warning, as the
//    script runs at the new boot anyway.
//  - Output goes to kOutputLog inside the target, after a header line naming
//    the script; stdin is /dev/null; the environment is ScriptEnvironment().
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/resource.h"
#include "engine/system.h"

namespace flamingo {

inline constexpr char kOutputLog[] = "/var/log/flamingo-output.log";
inline constexpr char kMarkerDir[] = "/var/lib/flamingo/running";
// Where bootcmd, runcmd and user-data scripts are written before they run.
inline constexpr char kScriptDir[] = "/var/lib/flamingo/scripts";
// Default PATH of every script.
inline constexpr char kScriptPath[] =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

enum class Frequency { kPerBoot, kPerInstance, kOnce };

// "every boot", "once per instance", "once".
const char* FrequencyName(Frequency f);

// A stable content digest ("fnv1a64:<16 hex>"), for change detection only.
std::string ContentDigest(std::string_view content);

// The marker path of a script: kMarkerDir + "/" + a file name made from
// `name` (characters other than [A-Za-z0-9._-] become '_'; then a hash of
// `name` is appended so that different names never share a marker).
std::string MarkerPath(std::string_view name);

// The complete environment of a script: PATH=kScriptPath, HOME=/root,
// LANG=C.UTF-8, USER=root, LOGNAME=root, SHELL=/bin/sh,
// INSTANCE_ID=<instance-id> (as cloud-init sets it for bootcmd; here for
// every script) and FLAMINGO_BOOT_ID=<boot id>.
std::map<std::string, std::string> ScriptEnvironment(const RunInfo& run);

// The recorded run state of one script. In a Record the keys are
// prefix + "instance_id" etc. (prefix is "" for a resource that is one
// script, "<file>/" for a script in a directory).
struct ScriptHistory {
  std::string done_instance;  // per-instance: instance it completed for
  std::string done_boot;      // per-boot: boot it completed in
  bool done_once = false;     // once: completed
  std::string digest;         // content digest of the last successful run
  std::string last_result;    // "ok" | "failed" | ""
  std::string last_exit;      // "0", "3", "timeout", "signal 9"
  std::string last_instance;  // instance of the last run (ok or not)
};
ScriptHistory ReadHistory(const Record* record, const std::string& prefix);

// Why a script will or will not run now, for the plan.
struct RunDecision {
  bool run = false;
  std::string reason;  // "once per instance: not yet run for i-1"
  // Set when the plan should warn even though nothing runs now: the content
  // changed after it ran, or an interrupted / failed script waits for the
  // next boot.
  std::string warning;
};

// Pure. `interrupted`: a marker was found. `ran_now`: it already ran in this
// process (so the post-apply check converges under --rerun-scripts).
// `what` names the script in advice ("runcmd", "per-instance/x.sh").
RunDecision DecideRun(Frequency freq, const ScriptHistory& history,
                      bool interrupted, bool ran_now, const std::string& digest,
                      const RunInfo& run);

// One script to run.
struct ScriptJob {
  std::string label;              // "script[runcmd]": log header, messages
  std::string marker;             // MarkerPath(...)
  std::vector<std::string> argv;  // what System::Exec runs
  // Instead of argv: commands run one after the other (direct_command.h),
  // as the shell would run the script: each with the script's environment
  // plus PWD=/ (which sh exports); a command that cannot be started is
  // run through `/bin/sh -c` instead, so that its message and exit code are
  // the shell's (127 not found, 126 not executable); the exit code is the
  // last command's (128 + N for one killed by signal N); the timeout
  // covers them all.
  std::vector<std::vector<std::string>> commands;
  Frequency freq = Frequency::kPerInstance;
  std::string digest;       // ContentDigest of what runs
  int timeout_seconds = 0;  // 0 = none
};

// Whether a script of this frequency keeps a record (and a marker) that
// only describes the current boot: per-boot ones. Their marker is written
// and removed with the volatile System calls, and their resource's record
// does not outlive the boot (Resource::RecordOutlivesBoot).
inline bool BootScoped(Frequency f) { return f == Frequency::kPerBoot; }

// Runs `job` through sys.Exec as described at the top of this file and
// records the outcome in `record` under `prefix`. Returns an error naming
// the exit code (or timeout / signal) and the last lines of the output when
// the script did not succeed, or when it could not be started.
Status RunScriptJob(System& sys, const ScriptJob& job, const RunInfo& run,
                    Record* record, const std::string& prefix);

// Appends `text` to kOutputLog (creating it 0600, keeping an existing
// file's mode and owner).
Status AppendOutputLog(System& sys, std::string_view text);

}  // namespace flamingo
