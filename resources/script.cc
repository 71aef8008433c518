#include "resources/script.h"

namespace flamingo {
namespace {

// An Observe error when the script would run but the run lacks the id
// that says whether it already ran.
Status CheckIds(Frequency freq, const RunInfo& run) {
  if (run.reconcile || !(run.boot || run.rerun_scripts)) return Status::Ok();
  if (freq == Frequency::kPerInstance && run.instance_id.empty()) {
    return Status::Error(
        "no instance-id: cannot tell whether a once-per-instance script "
        "already ran (give meta-data with an instance-id)");
  }
  if (freq == Frequency::kPerBoot && run.boot && run.boot_id.empty()) {
    return Status::Error(
        "no boot id: cannot tell whether an every-boot "
        "script already ran in this boot");
  }
  return Status::Ok();
}

}  // namespace

Result<Observation> ScriptResource::Observe(const SystemReader& sys,
                                            const ResourceContext& ctx) const {
  Observation obs;
  obs.exists = true;
  if (spec_.content.empty()) return obs;
  Status ids = CheckIds(spec_.freq, ctx.run());
  if (!ids.ok()) return ids;
  auto marker = sys.Stat(MarkerPath(spec_.name));
  if (!marker.ok()) return marker.status().WithContext("marker");
  obs.fields["interrupted"] = marker->has_value() ? "true" : "false";
  obs.fields["ran_now"] = ran_ ? "true" : "false";
  return obs;
}

Change ScriptResource::Diff(const Observation& observed,
                            const ResourceContext& ctx) const {
  warnings_.clear();
  if (spec_.content.empty()) return MakeChange(Action::kNone);
  auto field = [&](const char* key) {
    auto it = observed.fields.find(key);
    return it != observed.fields.end() && it->second == "true";
  };
  const std::string digest = ContentDigest(spec_.content);
  RunDecision d =
      DecideRun(spec_.freq, ReadHistory(ctx.record(), ""), field("interrupted"),
                field("ran_now"), digest, ctx.run());
  Change c = MakeChange(d.run ? Action::kRun : Action::kNone);
  c.reason = d.reason;
  if (!d.warning.empty()) warnings_.push_back(d.warning);
  if (d.run) {
    c.fields.push_back(
        {"frequency", std::nullopt, FrequencyName(spec_.freq), false});
    c.fields.push_back({"script", std::nullopt, spec_.file, false});
  }
  return c;
}

Status ScriptResource::Apply(System& sys, const Change& change,
                             const ResourceContext& ctx, Record* record) const {
  if (change.action != Action::kRun) return Status::Ok();
  Status st = MakeDirs(sys, ParentPath(spec_.file), FileAttrs{0700, 0, 0});
  // Written again before every run, so it need not survive a crash.
  if (st.ok()) {
    st = sys.WriteFileVolatile(spec_.file, spec_.content, {0700, 0, 0});
  }
  if (!st.ok()) return st.WithContext("write script (not run)");
  ScriptJob job;
  job.label = Id();
  job.marker = MarkerPath(spec_.name);
  job.argv = spec_.interpreter;
  job.argv.push_back(spec_.file);
  job.commands = spec_.commands;
  job.freq = spec_.freq;
  job.digest = ContentDigest(spec_.content);
  job.timeout_seconds = spec_.timeout_seconds;
  ran_ = true;
  return RunScriptJob(sys, job, ctx.run(), record, "");
}

}  // namespace flamingo
