#include "cli/session.h"

#include <cstdio>
#include <cstdlib>

#include "cli/render.h"
#include "cli/validate_config.h"
#include "resources/kinds.h"
#include "system/rooted_system.h"

namespace flamingo {

Result<std::unique_ptr<System>> OpenSystem(const std::string& root) {
  auto sys = RootedSystem::Open(root);
  if (!sys.ok()) return sys.status();
  return std::unique_ptr<System>(std::move(sys).value());
}

std::string BootId(const CliOptions& o) {
  if (o.boot_id) return *o.boot_id;
  if (const char* env = std::getenv("FLAMINGO_BOOT_ID"); env && *env) {
    return env;
  }
  auto id = ReadHostFile("/proc/sys/kernel/random/boot_id");
  if (!id.ok()) return "unknown";
  std::string s = *id;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

PlanOptions PhasePlanOptions(Phase phase) {
  PlanOptions p;
  if (phase == Phase::kEarly) p.last_stage = kStageLate - 1;
  if (phase == Phase::kLate) {
    p.first_stage = kStageLate;
    p.orphans = false;
  }
  return p;
}

StateParts SessionStateParts(const CliOptions& o) {
  if (o.command == "plan" || o.command == "apply") {
    return StateParts::kWithoutRunSummaries;
  }
  return StateParts::kAll;
}

bool KeepsLastBootRun(const CliOptions& o) {
  // A boot's apply (but its late phase, which completes the early phase's
  // summary) replaces both summaries; any other replaces last_run only.
  return o.command == "apply" && !(o.boot && o.phase != Phase::kLate);
}

namespace {

// Whether the command can take the reboot fast path at all (the state and
// input decide the rest: FastPathApplies).
bool FastPathPossible(const CliOptions& o) {
  return o.command == "apply" && o.boot && !o.rerun_scripts;
}

// The input is another instance than the one the state recorded.
bool NewInstance(const Session& s) {
  return !s.state || s.state->instance_id != s.input.instance_id;
}

}  // namespace

bool FastPathApplies(const CliOptions& o, const Session& s) {
  return FastPathPossible(o) && !NewInstance(s) &&  // so s.state is there
         !s.state->converged_sha256.empty() &&
         s.state->converged_sha256 == s.input.fingerprint;
}

// Puts what LoadState returned into the session: an unreadable or corrupt
// state is reported and treated as none.
void LoadSessionState(Result<std::optional<State>> state, Logger* log,
                      Session* s) {
  if (!state.ok()) {
    log->Warning(state.status().message() + "; going on without state");
    s->state.reset();
    return;
  }
  s->state = std::move(state).value();
}

bool PrepareSession(const CliOptions& o, Logger* log, Session* s) {
  auto sys = OpenSystem(o.root);
  if (!sys.ok()) {
    log->Error(sys.status().message());
    return false;
  }
  s->sys = std::move(sys).value();

  const StateParts parts = SessionStateParts(o);
  // A boot's apply reads the whole state now, before the input: the reboot
  // fast path needs it at once. Other runs read its header only until the
  // config is compiled and gone (below).
  const bool whole_state_first = FastPathPossible(o);
  LoadSessionState(LoadState(*s->sys, &s->state_files,
                             whole_state_first ? parts : StateParts::kHeader),
                   log, s);

  // Read and fingerprinted here; CompileSession decodes the user-data when
  // the graph needs it (not on the fast path of an input without
  // every-boot work).
  auto input = LoadInstanceInput(o, *s->sys, &s->diags,
                                 /*decode_user_data=*/false);
  if (!input.ok()) {
    log->Error(input.status().message());
    return false;
  }
  s->input = std::move(input).value();

  s->run.instance_id = s->input.instance_id;
  s->run.boot_id = BootId(o);
  s->run.boot = o.boot;
  s->run.reconcile = o.reconcile;
  s->run.rerun_scripts = o.rerun_scripts;
  s->run.datasource = s->input.datasource;
  // This exact input was validated and converged before: the schema (the
  // costliest part of a reboot) has nothing new to say, and only the kinds
  // with every-boot work need compiling.
  const bool fast = FastPathApplies(o, *s);
  if (!CompileSession(o, log, /*validate=*/!fast, s,
                      /*every_boot_only=*/fast)) {
    return false;
  }
  if (whole_state_first || !s->state) return true;
  // The records and run summaries (2 MB at 1,000 users) are read only now,
  // once the parsed config (as much again) is gone.
  // (Another run may have replaced the state between the two reads: apply
  // decides the fast path again under the lock, which keeps the state as
  // it is from then on.)
  LoadSessionState(LoadState(*s->sys, &s->state_files, parts), log, s);
  return true;
}

bool CompileSession(const CliOptions& o, Logger* log, bool validate, Session* s,
                    bool every_boot_only) {
  s->graph = Graph();
  // Only the fast path of an input without every-boot work compiles from
  // the undecoded (empty) config: the same resources, see HasEveryBootInput.
  s->compiled_user_data =
      !every_boot_only || !s->state || s->state->every_boot_input;
  // A validated compile of the whole input takes the largest list as it is
  // parsed (ItemStream): at 10,000 files the parsed tree (7 MB) was the
  // peak of the run.
  std::unique_ptr<ItemStream> stream;
  if (s->compiled_user_data && validate && !s->input.user_data_decoded) {
    stream = MakeItemStream();
  }
  if (s->compiled_user_data) {
    DecodeInstanceUserData(&s->input, &s->diags, stream.get());
  }
  // Decoded whole and about to be validated: nothing in this run decodes the
  // user-data again (CmdApply compiles again only after a fast path's
  // compile or an unvalidated one), so its raw text goes before the compile
  // (10,000 files: 1.2 MB less at the compile's peak).
  if (s->compiled_user_data && validate) ReleaseRawUserData(&s->input);
  if (validate) {
    ValidateConfig(s->input.config, o.strict, &s->diags,
                   stream ? &stream->validation() : nullptr);
  }
  s->validated = validate;
  CompileInput in{s->input.config, s->input.meta_data, s->input.scripts,
                  s->run,          every_boot_only,    stream.get()};
  CompileAll(in, &s->graph, &s->diags);
  std::string text = RenderDiagnostics(s->diags);
  if (!text.empty()) std::fputs(text.c_str(), stderr);
  if (s->diags.HasErrors()) {
    log->Error(std::to_string(s->diags.ErrorCount()) +
               " error(s) in the configuration; nothing was changed");
    return false;
  }
  s->diags = Diagnostics();  // printed
  // The resources hold copies of all they need: the parsed cloud-config
  // goes before the graph is built, not after (14 MB less at the peak of
  // 10,000 files). A later CompileSession decodes the user-data again.
  s->input.config = Value::Map();
  s->input.user_data_decoded = false;
  Status built = s->graph.Build();
  if (!built.ok()) {
    log->Error(built.message() + "; nothing was changed");
    return false;
  }
  return true;
}

}  // namespace flamingo
