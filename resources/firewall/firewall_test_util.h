// Test helpers for the firewall kind: a FakeSystem with a Netfilter
// facility, and a harness that compiles a cloud-config and runs the real
// planner and applier over it. Test-only.
#pragma once

#include <memory>
#include <string>

#include "engine/engine.h"
#include "resources/firewall.h"
#include "resources/kinds.h"
#include "schemas/yaml_loader.h"
#include "system/fake_system.h"

namespace flamingo {
namespace firewall_testing {

class NetfilterFakeSystem : public FakeSystem {
 public:
  void set_netfilter(Netfilter* nf) { nf_ = nf; }
  const Netfilter* netfilter() const override { return nf_; }
  Netfilter* mutable_netfilter() override { return nf_; }

 private:
  Netfilter* nf_ = nullptr;
};

struct Harness {
  NetfilterFakeSystem sys;
  std::unique_ptr<Graph> graph = std::make_unique<Graph>();
  RecordTable records;
  RunInfo run;
  KindOrphanFactory orphans;
  RecordingLogger log;
  Diagnostics diags;

  // Compiles `yaml` (a whole cloud-config) with the firewall kind only.
  // False on any diagnostic error.
  bool Load(const std::string& yaml) {
    diags = Diagnostics();
    graph = std::make_unique<Graph>();
    auto doc = LoadYaml(yaml, "user-data", &diags);
    if (!doc) return false;
    Value config = doc->is_map() ? *doc : Value::Map();
    config.Repath("");
    std::vector<ScriptPart> scripts;
    Value meta = Value::Map();
    CompileInput in{config, meta, scripts, run};
    CompileOutput out;
    CompileFirewall(in, &out, &diags);
    for (auto& r : out.resources) graph->Add(std::move(r));
    return !diags.HasErrors() && graph->Build().ok();
  }
  Plan MakeIt() { return MakePlan(*graph, sys, run, records, &orphans); }
  ApplyReport ApplyIt(const Plan& plan) {
    return ApplyPlan(*graph, plan, sys, run, &records, &log);
  }
  std::string Errors() const {
    std::string s;
    for (const auto& d : diags.items()) s += d.ToString() + "\n";
    return s;
  }
};

// "name: before -> after" per field, for failure messages and matching.
inline std::string Fields(const Change& c) {
  std::string s =
      std::string(ActionName(c.action)) + " " + c.id + " (" + c.reason + ")\n";
  for (const auto& f : c.fields) {
    s += "  " + f.name + ": " + f.before.value_or("(none)") + " -> " +
         f.after.value_or("(none)") + "\n";
  }
  return s;
}

inline std::string Report(const ApplyReport& r) {
  std::string s;
  for (const auto& x : r.results) {
    s += x.id + " " + OutcomeName(x.outcome) + " " + x.message + "\n";
  }
  return s;
}

}  // namespace firewall_testing
}  // namespace flamingo
