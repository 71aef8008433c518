#include "resources/power_state.h"

#include <algorithm>
#include <memory>

#include "resources/direct_command.h"
#include "resources/script_run.h"

namespace flamingo {

namespace {

constexpr char kInstanceKey[] = "instance_id";
constexpr char kNotLive[] =
    "the running machine's power only: nothing is done with --root";

// cloud-init's delay: "now", or minutes (5, "5", "+5") as "+5". The schema
// admits only those forms.
std::string Delay(const Value& v) {
  std::string text = v.ScalarText();
  if (text == "now") return text;
  if (!text.empty() && text[0] == '+') text.erase(0, 1);
  size_t digits = text.find_first_not_of('0');
  return "+" + (digits == std::string::npos ? "0" : text.substr(digits));
}

std::string ConditionText(const PowerStateResource::Spec& s) {
  if (s.condition.empty()) return s.always ? "true" : "false";
  if (s.condition.size() == 3 && s.condition[0] == "/bin/sh" &&
      s.condition[1] == "-c") {
    return s.condition[2];
  }
  return ReadableShellLine(s.condition);
}

}  // namespace

void CompilePowerState(const CompileInput& in, CompileOutput* out,
                       Diagnostics* /*diags*/) {
  const Value* ps = in.config.is_map() ? in.config.Get("power_state") : nullptr;
  if (ps == nullptr || !ps->is_map()) return;
  // Types and forms are the schema's (schemas/keys/power_state.json).
  PowerStateResource::Spec s;
  s.origin = ps->Origin();
  if (const Value* v = ps->Get("mode")) s.mode = v->ScalarText();
  if (const Value* v = ps->Get("delay")) s.delay = Delay(*v);
  if (const Value* v = ps->Get("message")) s.message = v->ScalarText();
  if (const Value* v = ps->Get("timeout"); v != nullptr && v->is_int()) {
    s.timeout_seconds =
        static_cast<int>(std::min<int64_t>(v->as_int(), 24 * 3600));
  }
  if (const Value* v = ps->Get("condition")) {
    if (v->is_bool()) {
      s.always = v->as_bool();
    } else if (v->is_list()) {
      for (const Value& word : v->items()) {
        s.condition.push_back(word.ScalarText());
      }
    } else {
      s.condition = {"/bin/sh", "-c", v->ScalarText()};
    }
  }
  out->Add(std::make_unique<PowerStateResource>(std::move(s)));
}

std::vector<std::string> PowerStateResource::ShutdownArgv() const {
  const char* flag = spec_.mode == "reboot" ? "-r"
                     : spec_.mode == "halt" ? "-H"
                                            : "-P";
  std::vector<std::string> argv = {"shutdown", flag, spec_.delay};
  if (!spec_.message.empty()) argv.push_back(spec_.message);
  return argv;
}

Result<Observation> PowerStateResource::Observe(
    const SystemReader& sys, const ResourceContext& ctx) const {
  Observation obs;
  obs.exists = true;
  obs.fields["live"] = sys.IsLive() ? "yes" : "no";
  const RunInfo& run = ctx.run();
  if (run.boot && !run.reconcile && !sys.IsLive()) {
    obs.notes.push_back(kNotLive);  // the plan says why nothing happens
  }
  if (const Record* r = ctx.record(); r != nullptr) {
    if (auto it = r->find(kInstanceKey); it != r->end()) {
      obs.fields[kInstanceKey] = it->second;
    }
  }
  return obs;
}

Change PowerStateResource::Diff(const Observation& observed,
                                const ResourceContext& ctx) const {
  Change c = MakeChange(Action::kNone);
  const RunInfo& run = ctx.run();
  auto field = [&](const char* key) {
    auto it = observed.fields.find(key);
    return it == observed.fields.end() ? std::string() : it->second;
  };
  if (!run.boot || run.reconcile) {
    c.reason = "at boot (flamingo apply --boot), once per instance, last";
    return c;
  }
  if (field("live") != "yes") {
    c.reason = kNotLive;
    return c;
  }
  if (!spec_.always && spec_.condition.empty()) {
    c.reason = "condition: false";
    return c;
  }
  const std::string done = field(kInstanceKey);
  if (!done.empty() && done == run.instance_id) {
    c.reason = "once per instance: scheduled for instance " + done;
    return c;
  }
  c.action = Action::kRun;
  c.fields.push_back(
      {"command", std::nullopt, ReadableShellLine(ShutdownArgv())});
  c.fields.push_back({"condition", std::nullopt, ConditionText(spec_)});
  c.reason = "once flamingo has exited (at most " +
             std::to_string(spec_.timeout_seconds) + " s)";
  return c;
}

Status PowerStateResource::Apply(System& sys, const Change& change,
                                 const ResourceContext& ctx,
                                 Record* record) const {
  if (change.action != Action::kRun) return Status::Ok();
  const RunInfo& run = ctx.run();
  auto step = [&](std::vector<std::string> argv) {
    ExecRequest r;
    r.argv = std::move(argv);
    r.env = ScriptEnvironment(run);
    r.output_path = kOutputLog;
    return r;
  };
  DeferredExec d;
  d.wait_seconds = spec_.timeout_seconds;
  if (!spec_.condition.empty()) d.steps.push_back(step(spec_.condition));
  d.steps.push_back(step(ShutdownArgv()));
  const std::string command = ReadableShellLine(ShutdownArgv());
  Status s = AppendOutputLog(
      sys, "flamingo: power_state: `" + command + "` once flamingo has " +
               "exited (at most " + std::to_string(spec_.timeout_seconds) +
               " s)" +
               (spec_.condition.empty()
                    ? std::string()
                    : ", if `" + ConditionText(spec_) + "` exits 0") +
               "\n");
  if (!s.ok()) return s;
  s = sys.ExecAfterExit(d);
  if (!s.ok()) return s;
  (*record)[kInstanceKey] = run.instance_id;
  (*record)["command"] = command;
  return Status::Ok();
}

}  // namespace flamingo
