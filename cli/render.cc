#include "cli/render.h"

#include <ctime>
#include <nlohmann/json.hpp>

#include "engine/json_text.h"

namespace flamingo {
namespace {

using nlohmann::ordered_json;

const char* ActionMark(Action a) {
  switch (a) {
    case Action::kCreate:
      return "+";
    case Action::kUpdate:
      return "~";
    case Action::kDelete:
      return "-";
    case Action::kRun:
      return ">";
    case Action::kNone:
      return " ";
  }
  return "?";
}

std::string Shown(const std::optional<std::string>& v, bool sensitive) {
  if (!v) return "(none)";
  if (sensitive) return "(sensitive)";
  return *v;
}

ordered_json ShownJson(const std::optional<std::string>& v, bool sensitive) {
  if (!v) return nullptr;
  if (sensitive) return "(sensitive)";
  return *v;
}

std::string Summary(const Plan& plan) {
  return std::to_string(plan.Count(Action::kCreate)) + " to create, " +
         std::to_string(plan.Count(Action::kUpdate)) + " to update, " +
         std::to_string(plan.Count(Action::kDelete)) + " to delete, " +
         std::to_string(plan.Count(Action::kRun)) + " to run";
}

}  // namespace

void WritePlanText(const Plan& plan, const TextSink& sink) {
  std::string out;  // one change at a time
  for (const auto& item : plan.items) {
    out.clear();
    if (!item.error.ok()) {
      out += "! " + item.error.message() + "\n";
      sink(out);
      continue;
    }
    const Change& c = item.change;
    if (c.action == Action::kNone) continue;
    out += std::string(ActionMark(c.action)) + " " + ActionName(c.action) +
           " " + c.id;
    if (!c.reason.empty()) out += "  (" + c.reason + ")";
    out += "\n";
    size_t width = 0;
    for (const auto& f : c.fields) width = std::max(width, f.name.size());
    for (const auto& f : c.fields) {
      out += "    " + f.name + ":" +
             std::string(width - f.name.size() + 1, ' ') +
             Shown(f.before, f.sensitive) + " -> " +
             Shown(f.after, f.sensitive) + "\n";
    }
    sink(out);
  }
  out.clear();
  for (const auto& w : plan.warnings) out += "warning: " + w + "\n";
  for (const auto& n : plan.notes) out += "note: " + n + "\n";
  if (plan.HasErrors()) {
    out += "Plan failed: errors above; nothing will be changed.\n";
  } else if (!plan.HasChanges()) {
    out += "No changes: the machine matches the configuration.\n";
  } else {
    out += "Plan: " + Summary(plan) + ".\n";
  }
  sink(out);
}

std::string RenderPlanText(const Plan& plan) {
  std::string out;
  WritePlanText(plan, [&out](std::string_view piece) { out += piece; });
  return out;
}

std::string RenderPlanJson(const Plan& plan, const std::string& instance_id) {
  ordered_json j;
  j["format_version"] = kPlanFormatVersion;
  j["instance_id"] = instance_id;
  j["summary"] = {{"create", plan.Count(Action::kCreate)},
                  {"update", plan.Count(Action::kUpdate)},
                  {"delete", plan.Count(Action::kDelete)},
                  {"run", plan.Count(Action::kRun)}};
  ordered_json changes = ordered_json::array();
  ordered_json errors = ordered_json::array();
  for (const auto& item : plan.items) {
    if (!item.error.ok()) {
      errors.push_back(
          {{"id", item.change.id}, {"message", item.error.message()}});
      continue;
    }
    const Change& c = item.change;
    if (c.action == Action::kNone) continue;
    ordered_json fields = ordered_json::array();
    for (const auto& f : c.fields) {
      fields.push_back({{"name", f.name},
                        {"before", ShownJson(f.before, f.sensitive)},
                        {"after", ShownJson(f.after, f.sensitive)},
                        {"sensitive", f.sensitive}});
    }
    ordered_json jc = {{"id", c.id},
                       {"kind", c.kind},
                       {"name", c.name},
                       {"action", ActionName(c.action)}};
    if (!c.reason.empty()) jc["reason"] = c.reason;
    jc["fields"] = std::move(fields);
    changes.push_back(std::move(jc));
  }
  j["changes"] = std::move(changes);
  j["warnings"] = plan.warnings;
  j["notes"] = plan.notes;
  j["errors"] = std::move(errors);
  return DumpJson(j, 2) + "\n";
}

std::string RenderApplyText(const ApplyReport& report) {
  std::string out;
  for (const auto& r : report.results) {
    switch (r.outcome) {
      case Outcome::kUnchanged:
        continue;
      case Outcome::kChanged:
        out += std::string(ActionMark(r.action)) + " " + r.id + ": " +
               (r.action == Action::kRun ? "ran" : ActionName(r.action)) +
               (r.action == Action::kRun ? "" : "d") + "\n";
        break;
      case Outcome::kFailed:
        out += "! " + r.id + ": failed: " + r.message + "\n";
        break;
      case Outcome::kSkipped:
        out += "! " + r.id + ": " + r.message + "\n";
        break;
    }
  }
  out += std::string(report.ok() ? "Apply complete: " : "Apply failed: ") +
         std::to_string(report.Count(Outcome::kChanged)) + " changed, " +
         std::to_string(report.Count(Outcome::kUnchanged)) + " unchanged, " +
         std::to_string(report.Count(Outcome::kFailed)) + " failed, " +
         std::to_string(report.Count(Outcome::kSkipped)) + " skipped.\n";
  return out;
}

namespace {
ordered_json ResultsJson(const std::vector<ResourceResult>& results) {
  ordered_json arr = ordered_json::array();
  for (const auto& r : results) {
    arr.push_back(ResourceResultJson(r));
  }
  return arr;
}
}  // namespace

std::string RenderApplyJson(const ApplyReport& report,
                            const std::string& instance_id) {
  ordered_json j;
  j["format_version"] = kPlanFormatVersion;
  j["instance_id"] = instance_id;
  j["ok"] = report.ok();
  j["summary"] = {{"changed", report.Count(Outcome::kChanged)},
                  {"unchanged", report.Count(Outcome::kUnchanged)},
                  {"failed", report.Count(Outcome::kFailed)},
                  {"skipped", report.Count(Outcome::kSkipped)}};
  j["results"] = ResultsJson(report.results);
  return DumpJson(j, 2) + "\n";
}

namespace {

// The last boot run, when it is not the last run itself (a later plain or
// reconcile apply replaced last_run): shown so a boot's failure stays seen.
const RunSummary* SeparateBootRun(const State& state) {
  if (!state.last_boot_run) return nullptr;
  if (state.last_run && state.last_run->command.rfind("apply --boot", 0) == 0 &&
      state.last_run->time == state.last_boot_run->time) {
    return nullptr;
  }
  return &*state.last_boot_run;
}

std::string RenderRunText(const std::string& label, const RunSummary& r) {
  char when[64] = "?";
  std::time_t t = static_cast<std::time_t>(r.time);
  std::tm tm{};
  if (gmtime_r(&t, &tm) != nullptr) {
    std::strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
  }
  std::string out = label + ": " + when + " flamingo " + r.command + ": " +
                    (r.ok ? "ok" : "FAILED") +
                    (r.fast_path ? " (reboot fast path)" : "") + "\n";
  if (!r.datasource.empty()) out += "datasource: " + r.datasource + "\n";
  size_t changed = 0, unchanged = 0, failed = 0, skipped = 0;
  for (const auto& res : r.results) {
    switch (res.outcome) {
      case Outcome::kChanged:
        ++changed;
        break;
      case Outcome::kUnchanged:
        ++unchanged;
        break;
      case Outcome::kFailed:
        ++failed;
        break;
      case Outcome::kSkipped:
        ++skipped;
        break;
    }
  }
  out += "resources: " + std::to_string(changed) + " changed, " +
         std::to_string(unchanged) + " unchanged, " + std::to_string(failed) +
         " failed, " + std::to_string(skipped) + " skipped\n";
  for (const auto& res : r.results) {
    if (res.outcome == Outcome::kFailed || res.outcome == Outcome::kSkipped) {
      out += std::string("  ") + OutcomeName(res.outcome) + ": " + res.id +
             ": " + res.message + "\n";
    }
  }
  return out;
}

}  // namespace

bool StatusFailed(const State& state) {
  const RunSummary* boot = SeparateBootRun(state);
  return (state.last_run && !state.last_run->ok) || (boot && !boot->ok);
}

std::string RenderStatusText(const State& state) {
  std::string out = "instance: " + state.instance_id + "\n";
  if (!state.last_run) return out + "last run: none\n";
  out += RenderRunText("last run", *state.last_run);
  if (const RunSummary* boot = SeparateBootRun(state)) {
    out += RenderRunText("last boot run", *boot);
  }
  return out;
}

std::string RenderStatusJson(const State& state) {
  ordered_json j;
  j["format_version"] = kStateFormatVersion;
  j["instance_id"] = state.instance_id;
  j["last_run"] = state.last_run ? RunSummaryJson(*state.last_run) : nullptr;
  j["last_boot_run"] =
      state.last_boot_run ? RunSummaryJson(*state.last_boot_run) : nullptr;
  return DumpJson(j, 2) + "\n";
}

std::string RenderDiagnostics(const Diagnostics& diags) {
  std::string out;
  for (const auto& d : diags.items()) out += d.ToString() + "\n";
  return out;
}

}  // namespace flamingo
