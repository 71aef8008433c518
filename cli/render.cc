#include "cli/render.h"

#include <ctime>

#include "engine/json_text.h"

namespace flamingo {
namespace {

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

std::string Summary(const Plan& plan) {
  return std::to_string(plan.Count(Action::kCreate)) + " to create, " +
         std::to_string(plan.Count(Action::kUpdate)) + " to update, " +
         std::to_string(plan.Count(Action::kDelete)) + " to delete, " +
         std::to_string(plan.Count(Action::kRun)) + " to run";
}

}  // namespace

void WritePlanItemText(const PlanItem& item, const TextSink& sink) {
  if (!item.error.ok()) {
    sink("! " + item.error.message() + "\n");
    return;
  }
  const Change& c = item.change;
  if (c.action == Action::kNone) return;
  std::string out = std::string(ActionMark(c.action)) + " " +
                    ActionName(c.action) + " " + c.id;
  if (!c.reason.empty()) out += "  (" + c.reason + ")";
  out += "\n";
  size_t width = 0;
  for (const auto& f : c.fields) width = std::max(width, f.name.size());
  for (const auto& f : c.fields) {
    out += "    " + f.name + ":" + std::string(width - f.name.size() + 1, ' ') +
           Shown(f.before, f.sensitive) + " -> " + Shown(f.after, f.sensitive) +
           "\n";
  }
  sink(out);
}

void WritePlanEndText(const Plan& plan, const TextSink& sink) {
  std::string out;
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

void WritePlanText(const Plan& plan, const TextSink& sink) {
  for (const auto& item : plan.items) WritePlanItemText(item, sink);
  WritePlanEndText(plan, sink);
}

void WritePlanJson(const Plan& plan, const std::string& instance_id,
                   const TextSink& sink) {
  std::string out;
  JsonStreamWriter w(&out, 2);
  w.Open('{');
  w.Member("format_version", int64_t{kPlanFormatVersion});
  w.Member("instance_id", instance_id);
  w.Key("summary");
  w.Open('{');
  w.Member("create", static_cast<int64_t>(plan.Count(Action::kCreate)));
  w.Member("update", static_cast<int64_t>(plan.Count(Action::kUpdate)));
  w.Member("delete", static_cast<int64_t>(plan.Count(Action::kDelete)));
  w.Member("run", static_cast<int64_t>(plan.Count(Action::kRun)));
  w.Close('}');
  auto shown = [&w](std::string_view key, const std::optional<std::string>& v,
                    bool sensitive) {
    w.Key(key);
    if (!v) {
      w.Null();
    } else {
      w.String(sensitive ? "(sensitive)" : std::string_view(*v));
    }
  };
  // A change at a time: the document is never held whole.
  w.Key("changes");
  w.Open('[');
  for (const auto& item : plan.items) {
    const Change& c = item.change;
    if (!item.error.ok() || c.action == Action::kNone) continue;
    w.Element();
    w.Open('{');
    w.Member("id", c.id);
    w.Member("kind", c.kind());
    w.Member("name", c.name());
    w.Member("action", std::string_view(ActionName(c.action)));
    if (!c.reason.empty()) w.Member("reason", c.reason);
    w.Key("fields");
    w.Open('[');
    for (const auto& f : c.fields) {
      w.Element();
      w.Open('{');
      w.Member("name", f.name);
      shown("before", f.before, f.sensitive);
      shown("after", f.after, f.sensitive);
      w.Member("sensitive", f.sensitive);
      w.Close('}');
    }
    w.Close(']');
    w.Close('}');
    sink(out);
    out.clear();
  }
  w.Close(']');
  w.Member("warnings", plan.warnings);
  w.Member("notes", plan.notes);
  w.Key("errors");
  w.Open('[');
  for (const auto& item : plan.items) {
    if (item.error.ok()) continue;
    w.Element();
    w.Open('{');
    w.Member("id", item.change.id);
    w.Member("message", item.error.message());
    w.Close('}');
  }
  w.Close(']');
  w.Close('}');
  out += '\n';
  sink(out);
}

namespace {

// A run's output is handed on in pieces of about this size, never whole.
constexpr size_t kOutputPiece = 64u << 10;

// Hands `out` to `sink` once it holds kOutputPiece bytes.
void FlushSome(std::string* out, const TextSink& sink) {
  if (out->size() < kOutputPiece) return;
  sink(*out);
  out->clear();
}

}  // namespace

void WriteApplyText(const ApplyReport& report, const TextSink& sink) {
  std::string out;
  for (const auto& r : report.results) {
    FlushSome(&out, sink);
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
  sink(out);
}

void WriteApplyJson(const ApplyReport& report, const std::string& instance_id,
                    const TextSink& sink) {
  std::string out;
  JsonStreamWriter w(&out, 2);
  w.SpillAt(kOutputPiece, sink);
  w.Open('{');
  w.Member("format_version", int64_t{kPlanFormatVersion});
  w.Member("instance_id", instance_id);
  w.Member("ok", report.ok());
  w.Key("summary");
  w.Open('{');
  w.Member("changed", static_cast<int64_t>(report.Count(Outcome::kChanged)));
  w.Member("unchanged",
           static_cast<int64_t>(report.Count(Outcome::kUnchanged)));
  w.Member("failed", static_cast<int64_t>(report.Count(Outcome::kFailed)));
  w.Member("skipped", static_cast<int64_t>(report.Count(Outcome::kSkipped)));
  w.Close('}');
  w.Key("results");
  w.Open('[');
  for (const auto& r : report.results) {
    w.Element();
    WriteResourceResultJson(r, &w);
  }
  w.Close(']');
  w.Close('}');
  out += '\n';
  sink(out);
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
  std::string out;
  JsonStreamWriter w(&out, 2);
  w.Open('{');
  w.Member("format_version", int64_t{kStateFormatVersion});
  w.Member("instance_id", state.instance_id);
  for (const auto& [key, run] :
       {std::pair{"last_run", &state.last_run},
        std::pair{"last_boot_run", &state.last_boot_run}}) {
    w.Key(key);
    if (*run) {
      WriteRunSummaryJson(**run, &w);
    } else {
      w.Null();
    }
  }
  w.Close('}');
  out += '\n';
  return out;
}

std::string RenderDiagnostics(const Diagnostics& diags) {
  std::string out;
  for (const auto& d : diags.items()) out += d.ToString() + "\n";
  return out;
}

}  // namespace flamingo
