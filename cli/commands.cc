#include "cli/commands.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/render.h"
#include "cli/session.h"
#include "cli/validate_config.h"
#include "engine/memory.h"
#include "resources/kinds.h"
#include "schemas/cloud_config.h"
#include "schemas/yaml_loader.h"
#include "sources/query.h"
#include "sources/userdata.h"

namespace flamingo {
namespace {

void Print(std::string_view s) { std::fwrite(s.data(), 1, s.size(), stdout); }

// The plan in the asked format, written to stdout a change at a time.
void PrintPlan(const CliOptions& o, const Plan& plan,
               const std::string& instance_id) {
  if (o.format == OutputFormat::kJson) {
    WritePlanJson(plan, instance_id, Print);
  } else {
    WritePlanText(plan, Print);
  }
}

std::string CommandName(const CliOptions& o) {
  std::string c = o.command;
  if (o.boot) c += " --boot";
  if (o.reconcile) c += " --reconcile";
  if (o.rerun_scripts) c += " --rerun-scripts";
  if (o.phase == Phase::kEarly) c += " --phase early";
  if (o.phase == Phase::kLate) c += " --phase late";
  return c;
}

// The run's summary; the late phase of a boot completes the same boot's
// early-phase summary, so that neither phase's failure hides behind the
// other.
RunSummary Summary(const CliOptions& o, const Session& s, bool fast_path,
                   const ApplyReport& report, const State& state) {
  RunSummary summary;
  summary.time = s.sys->Now();
  summary.command = CommandName(o);
  if (o.boot) summary.boot_id = s.run.boot_id;
  summary.instance_id = s.input.instance_id;
  summary.datasource = s.input.datasource;
  summary.ok = report.ok();
  summary.fast_path = fast_path;
  summary.results = report.results;
  if (o.boot && o.phase == Phase::kLate && state.last_boot_run &&
      state.last_boot_run->boot_id == summary.boot_id &&
      state.last_boot_run->command == "apply --boot --phase early") {
    RunSummary merged = *state.last_boot_run;
    merged.time = summary.time;
    merged.command = "apply --boot --phase early,late";
    merged.ok = merged.ok && summary.ok;
    merged.results.insert(merged.results.end(), summary.results.begin(),
                          summary.results.end());
    return merged;
  }
  return summary;
}

// Records the run in `state` (instance, input, what converged, the run
// summaries) and says how to save it: durably when something that must
// outlive the boot changed (the instance, the input, what converged, the
// records of resources that keep them), else only the boot overlay, which
// waits for no disk. The late phase has no declarative work: it leaves the
// verdict on it to the early phase.
SaveKind RecordRun(const CliOptions& o, const Session& s, bool had_state,
                   bool fast_path, const ApplyReport& report, State* state) {
  // A fast path or late phase keeps the converged fingerprint, and with it
  // what is recorded about that input.
  const bool keeps_converged = fast_path || o.phase == Phase::kLate;
  const std::string converged = keeps_converged
                                    ? state->converged_sha256
                                    : (report.ok() ? s.input.fingerprint : "");
  const bool every_boot_input =
      keeps_converged ? state->every_boot_input : s.input.every_boot_input;
  const bool durable = !had_state || report.durable_records_changed ||
                       state->format_version != kStateFormatVersion ||
                       state->instance_id != s.input.instance_id ||
                       state->input_sha256 != s.input.fingerprint ||
                       state->converged_sha256 != converged ||
                       state->every_boot_input != every_boot_input;
  state->format_version = kStateFormatVersion;
  state->instance_id = s.input.instance_id;
  state->input_sha256 = s.input.fingerprint;
  state->converged_sha256 = converged;
  state->every_boot_input = every_boot_input;
  // A boot-only save keeps the records this run changed in the overlay (a
  // durable save writes them all anyway).
  if (!durable) {
    state->boot_record_ids.merge(report.ChangedRecords());
  }
  RunSummary summary = Summary(o, s, fast_path, report, *state);
  if (o.boot) {
    state->boot_id = s.run.boot_id;
    // This run is the boot run: saved as such, not copied.
    state->last_boot_run.reset();
    state->boot_run_is_last_run = true;
  }
  state->last_run = std::move(summary);
  return durable ? SaveKind::kDurable : SaveKind::kBootOnly;
}

}  // namespace

int CmdPlan(const CliOptions& o, Logger* log) {
  Session s;
  if (!PrepareSession(o, log, &s)) return 1;
  RecordTable none;
  const RecordTable& records = s.state ? s.state->records : none;
  KindOrphanFactory orphans;
  PlanOptions popts = PhasePlanOptions(o.phase);
  // Text is shown change by change as the plan is made, and each change is
  // then only counted (JSON begins with the counts: it waits for the plan).
  const bool streamed = o.format != OutputFormat::kJson;
  if (streamed) {
    popts.planned = [](PlanItem& item) { WritePlanItemText(item, Print); };
    popts.keep_items = false;  // counted only
  }
  Plan plan = MakePlan(s.graph, *s.sys, s.run, records, &orphans, popts);
  if (streamed) {
    WritePlanEndText(plan, Print);
  } else {
    PrintPlan(o, plan, s.input.instance_id);
  }
  if (plan.HasErrors()) return 1;
  if (o.detailed_exitcode && plan.HasChanges()) return 2;
  return 0;
}

int CmdApply(const CliOptions& o, Logger* log) {
  // Read-only preparation first: invalid input changes nothing on disk,
  // not even the state directory.
  Session s;
  if (!PrepareSession(o, log, &s)) return 1;
  // Then the lock: two runs never interleave their writes or their state.
  Status dir = MakeDirs(*s.sys, kStateDir, FileAttrs{0700, 0, 0});
  if (!dir.ok()) {
    log->Error(dir.message());
    return 1;
  }
  auto lock = s.sys->Lock(kLockPath, o.lock_timeout);
  if (!lock.ok()) {
    log->Error("another flamingo run holds " + std::string(kLockPath) + ": " +
               lock.status().message());
    return 1;
  }
  // A run that held the lock before us may have changed the state.
  if (StateFilesChanged(*s.sys, s.state_files)) {
    if (auto reloaded = LoadState(*s.sys, &s.state_files, SessionStateParts(o));
        reloaded.ok()) {
      s.state = std::move(reloaded).value();
    }
  }
  PlanOptions popts = PhasePlanOptions(o.phase);
  popts.every_boot_only = FastPathApplies(o, s);
  // A state reloaded under the lock may want the decoded user-data that the
  // first look skipped (written by a flamingo that did not record
  // every_boot_input).
  if (popts.every_boot_only && !s.compiled_user_data &&
      s.state->every_boot_input &&
      !CompileSession(o, log, /*validate=*/false, &s,
                      /*every_boot_only=*/true)) {
    return 1;
  }
  const bool had_state = s.state.has_value();
  State state = had_state ? std::move(*s.state) : State();
  s.state.reset();
  // Another run changed the state meanwhile: the input needs the schema.
  if (!popts.every_boot_only && !s.validated &&
      !CompileSession(o, log, /*validate=*/true, &s)) {
    return 1;
  }
  KindOrphanFactory orphans;
  // The actions only: ApplyPlan diffs each resource again before applying.
  popts.details = false;
  Plan plan = MakePlan(s.graph, *s.sys, s.run, state.records, &orphans, popts);
  if (plan.HasErrors()) {
    // Shown whole: planned again with the fields.
    popts.details = true;
    plan = MakePlan(s.graph, *s.sys, s.run, state.records, &orphans, popts);
    PrintPlan(o, plan, s.input.instance_id);
    log->Error("planning failed; nothing was changed");
    return 1;
  }
  if (popts.every_boot_only) {
    log->Info("reboot fast path: instance " + s.input.instance_id +
              " already converged for this input");
  }
  for (const auto& w : plan.warnings) log->Warning(w);
  for (const auto& n : plan.notes) log->Info(n);
  ApplyReport report =
      ApplyPlanReleasing(&s.graph, plan, *s.sys, s.run, &state.records, log);
  // Done with: the plan's observations and field diffs, and what is left
  // of the graph, before the state file is serialized.
  plan = Plan();
  s.graph = Graph();
  ReturnFreedMemory();
  // The summary of the last boot, which this run keeps, is read only now.
  if (had_state && KeepsLastBootRun(o)) {
    auto kept = LoadState(*s.sys, nullptr, StateParts::kLastBootRun);
    if (kept.ok() && kept->has_value() &&
        (*kept)->generation == state.generation) {
      state.last_boot_run = std::move((*kept)->last_boot_run);
    } else {
      log->Warning(
          "the state changed during the run; its last boot's "
          "summary is not kept");
    }
  }

  const SaveKind save =
      RecordRun(o, s, had_state, popts.every_boot_only, report, &state);
  Status saved = SaveState(*s.sys, state, save);
  if (!saved.ok()) {
    log->Error(saved.message());
    return 1;
  }
  if (!o.quiet || !report.ok()) {
    if (o.format == OutputFormat::kJson) {
      WriteApplyJson(report, s.input.instance_id, Print);
    } else {
      WriteApplyText(report, Print);
    }
  }
  if (report.ok() && o.done_file) {
    Status done = TouchHostFile(*o.done_file);
    if (!done.ok()) {
      log->Error(done.message());
      return 1;
    }
  }
  return report.ok() ? 0 : 1;
}

int CmdStatus(const CliOptions& o, Logger* log) {
  auto sys = OpenSystem(o.root);
  if (!sys.ok()) {
    log->Error(sys.status().message());
    return 1;
  }
  auto state = LoadState(**sys);
  if (!state.ok()) {
    log->Error(state.status().message());
    return 1;
  }
  if (!state->has_value()) {
    if (o.format == OutputFormat::kJson) {
      Print(
          "{\n  \"format_version\": 1,\n  \"instance_id\": null,\n  "
          "\"last_run\": null,\n  \"last_boot_run\": null\n}\n");
    } else {
      Print("flamingo has not run on this system\n");
    }
    return 0;
  }
  const State& st = **state;
  Print(o.format == OutputFormat::kJson ? RenderStatusJson(st)
                                        : RenderStatusText(st));
  return StatusFailed(st) ? 1 : 0;
}

int CmdValidate(const CliOptions& o, Logger* log) {
  if (o.args.empty()) {
    log->Error("validate needs at least one FILE");
    return 1;
  }
  bool ok = true;
  for (const auto& file : o.args) {
    Diagnostics diags;
    auto text = ReadHostFile(file);
    if (!text.ok()) {
      log->Error(text.status().message());
      ok = false;
      continue;
    }
    std::optional<Value> doc;
    std::vector<ScriptPart> scripts;
    if (IsUserDataContainer(*text)) {
      // MIME, gzip, #include, archives, scripts: decoded as at boot.
      HttpFetcher fetcher;
      UserDataOptions u;
      u.fetcher = &fetcher;
      ProcessedUserData p =
          ProcessUserData(*text, "", u, &diags, nullptr, file);
      doc = std::move(p.config);
      scripts = std::move(p.scripts);
    } else {
      doc = LoadCloudConfig(*text, file, &diags);
    }
    if (doc && !doc->is_null() && !doc->is_map()) {
      diags.Error(*doc, std::string("cloud-config must be a mapping, not ") +
                            Value::TypeName(doc->type()));
    } else if (doc && doc->is_map()) {
      ValidateConfig(*doc, o.strict, &diags);
      // Semantic checks of every kind (owners, encodings, addresses).
      Value meta = Value::Map();
      RunInfo run;
      CompileInput in{*doc, meta, scripts, run};
      Graph graph;
      CompileAll(in, &graph, &diags);
    }
    std::fputs(RenderDiagnostics(diags).c_str(), stderr);
    if (diags.HasErrors()) {
      ok = false;
    } else if (!o.quiet) {
      Print(file + ": valid\n");
    }
  }
  return ok ? 0 : 1;
}

int CmdQuery(const CliOptions& o, Logger* log) {
  Session s;
  auto sys = OpenSystem(o.root);
  if (!sys.ok()) {
    log->Error(sys.status().message());
    return 1;
  }
  auto input = LoadInstanceInput(o, **sys, &s.diags);
  if (!input.ok()) {
    log->Error(input.status().message());
    return 1;
  }
  std::string text = RenderDiagnostics(s.diags);
  if (!text.empty()) std::fputs(text.c_str(), stderr);
  if (input->datasource == "none") {
    log->Warning(
        "no datasource found (kernel command line, seed directory, "
        "cidata/config-2 filesystems, DMI); use --datasource NAME");
  }
  auto out = RenderQuery(input->instance, o.args.empty() ? "" : o.args[0]);
  if (!out.ok()) {
    log->Error(out.status().message());
    return 1;
  }
  Print(*out + (out->empty() || out->back() != '\n' ? "\n" : ""));
  return 0;
}

int CmdSchema(const CliOptions&, Logger*) {
  Print(CombinedSchema().dump(2) + "\n");
  return 0;
}

}  // namespace flamingo
