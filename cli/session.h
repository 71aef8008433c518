// Session: the steps plan and apply share: open the root, load state and
// input, validate, compile the resource graph.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "cli/input.h"
#include "cli/options.h"
#include "engine/engine.h"
#include "engine/graph.h"
#include "engine/logger.h"
#include "engine/system.h"
#include "schemas/diagnostics.h"
#include "state/state.h"

namespace flamingo {

struct Session {
  std::unique_ptr<System> sys;
  std::optional<State> state;  // none, or unreadable (then a warning)
  StateFiles state_files;      // what `state` was loaded from
  InstanceInput input;
  RunInfo run;
  Graph graph;
  Diagnostics diags;
  bool validated = false;  // the schema checked input (not on the fast path)
  // The graph was compiled from the decoded user-data (not on the fast path
  // of an input without every-boot work). The parsed config itself is gone
  // by then (CompileSession).
  bool compiled_user_data = false;
};

// Opens the root system (the only writable handle the session has).
Result<std::unique_ptr<System>> OpenSystem(const std::string& root);

// Loads state and input, validates and compiles into session->graph.
// Returns false when something is invalid; the problems are printed.
// Validation is skipped when FastPathApplies (session->validated false).
// Except for `apply --boot`, the state's records and run summaries are read
// after the compile (its header before: the instance), so that they and the
// parsed config are never in memory together.
bool PrepareSession(const CliOptions& o, Logger* log, Session* session);

// (Re)compiles session->input into a fresh session->graph, validating it
// against the schema first when `validate`; with `every_boot_only` (the
// reboot fast path) only the kinds with every-boot work. Prints the
// diagnostics. session->validated = validate (a full compile follows when
// the fast path turns out not to apply under the lock). Once compiled,
// session->input.config is dropped (the resources hold copies).
bool CompileSession(const CliOptions& o, Logger* log, bool validate,
                    Session* session, bool every_boot_only = false);

// The parts of the state a command uses before it applies anything: a plan
// shows no run summaries, an apply replaces last_run (and, at boot,
// last_boot_run).
StateParts SessionStateParts(const CliOptions& o);

// Whether the command is an apply that keeps the state's last_boot_run
// (not a boot's, or its late phase, which completes it): read with
// StateParts::kLastBootRun once the resources are gone.
bool KeepsLastBootRun(const CliOptions& o);

// The reboot fast path: `apply --boot` for the instance and input that last
// converged completely (same instance-id, same input fingerprint). Only
// every-boot work is evaluated, and the schema is not consulted again.
bool FastPathApplies(const CliOptions& o, const Session& session);

// What --phase plans: the stage range, and whether deletions (orphans) are
// part of it (they are declarative work: early and all).
PlanOptions PhasePlanOptions(Phase phase);

// The boot id: --boot-id, $FLAMINGO_BOOT_ID, or the kernel's.
std::string BootId(const CliOptions& o);

}  // namespace flamingo
