// Renders plans, apply reports and status as text or JSON.
// Output is deterministic: same plan, byte-identical output. Sensitive
// field values are never printed: "(sensitive)". Formats: docs/cli.md
// (the JSON plan format is versioned: "format_version": 1).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "engine/engine.h"
#include "schemas/diagnostics.h"
#include "state/state.h"

namespace flamingo {

inline constexpr int kPlanFormatVersion = 1;

// Receives rendered text piece by piece.
using TextSink = std::function<void(std::string_view)>;
// The text plan, a change at a time: a plan of thousands of changes is
// never held whole in memory.
void WritePlanText(const Plan& plan, const TextSink& sink);
// WritePlanText in two parts, for a plan shown while it is made: each item
// (nothing for a converged one), then the end (warnings, notes, summary).
void WritePlanItemText(const PlanItem& item, const TextSink& sink);
void WritePlanEndText(const Plan& plan, const TextSink& sink);
// The JSON plan (docs/cli.md), a change at a time.
void WritePlanJson(const Plan& plan, const std::string& instance_id,
                   const TextSink& sink);
// The apply's report, text or JSON (docs/cli.md), in pieces of about
// 64 KiB: 10,000 results are never one string.
void WriteApplyText(const ApplyReport& report, const TextSink& sink);
void WriteApplyJson(const ApplyReport& report, const std::string& instance_id,
                    const TextSink& sink);
// `status`: the last run, and the last `apply --boot` when a later run of
// another kind replaced it as the last run (a boot's failure stays visible).
std::string RenderStatusText(const State& state);
std::string RenderStatusJson(const State& state);
// The exit status of `status`: the last run, or that separate boot run,
// failed.
bool StatusFailed(const State& state);
std::string RenderDiagnostics(const Diagnostics& diags);

}  // namespace flamingo
