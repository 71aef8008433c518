// Test helper for the scripts module: compiles a cloud-config with
// CompileScripts and plans / applies it with the real engine against a
// FakeSystem, keeping the records between runs like the state file does.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "resources/scripts_compile.h"
#include "schemas/yaml_loader.h"
#include "system/fake_system.h"

namespace flamingo::scripts_test {

inline RunInfo Boot(std::string instance, std::string boot) {
  RunInfo r;
  r.instance_id = std::move(instance);
  r.boot_id = std::move(boot);
  r.boot = true;
  return r;
}

class Machine {
 public:
  FakeSystem sys;
  RecordTable records;
  std::vector<ScriptPart> parts;

  // Compiles `yaml`; fails the test on diagnostics.
  std::unique_ptr<Graph> Compile(const std::string& yaml, const RunInfo& run) {
    Diagnostics d;
    auto config = LoadYaml(yaml, "user-data", &d);
    EXPECT_TRUE(config.has_value());
    Value meta = Value::Map();
    CompileInput in{*config, meta, parts, run};
    CompileOutput out;
    CompileScripts(in, &out, &d);
    EXPECT_FALSE(d.HasErrors());
    auto g = std::make_unique<Graph>();
    for (auto& r : out.resources) g->Add(std::move(r));
    EXPECT_TRUE(g->Build().ok());
    return g;
  }

  Plan PlanOnly(const std::string& yaml, const RunInfo& run) {
    graph_ = Compile(yaml, run);
    const SystemReader& reader = sys;
    return MakePlan(*graph_, reader, run, records, nullptr);
  }

  // Plans and applies; returns the report. `plan_out` gets the plan.
  ApplyReport Apply(const std::string& yaml, const RunInfo& run,
                    Plan* plan_out = nullptr) {
    graph_ = Compile(yaml, run);
    Plan plan = MakePlan(*graph_, sys, run, records, nullptr);
    EXPECT_FALSE(plan.HasErrors());
    RecordingLogger log;
    ApplyReport rep = ApplyPlan(*graph_, plan, sys, run, &records, &log);
    if (plan_out != nullptr) *plan_out = std::move(plan);
    return rep;
  }

  // Ids of the resources that ran (changed or failed with a run action).
  static std::vector<std::string> Ran(const ApplyReport& rep) {
    std::vector<std::string> ids;
    for (const auto& r : rep.results) {
      if (r.action == Action::kRun &&
          (r.outcome == Outcome::kChanged || r.outcome == Outcome::kFailed)) {
        ids.push_back(r.id);
      }
    }
    return ids;
  }

  // The script files the fake executed, in order (the last argv item).
  std::vector<std::string> Executed() const {
    std::vector<std::string> out;
    for (const auto& r : sys.exec_requests()) out.push_back(r.argv.back());
    return out;
  }

  std::vector<std::string> ExecutedSince(size_t first) const {
    std::vector<std::string> all = Executed();
    return std::vector<std::string>(all.begin() + static_cast<long>(first),
                                    all.end());
  }

  static const PlanItem* Item(const Plan& plan, const std::string& id) {
    for (const auto& i : plan.items) {
      if (i.change.id == id) return &i;
    }
    return nullptr;
  }

 private:
  std::unique_ptr<Graph> graph_;
};

}  // namespace flamingo::scripts_test
