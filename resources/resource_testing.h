// Test helpers for resource kinds (header-only; included by *_test.cc):
// compile YAML through a kind's CompileFn, then plan and apply on a
// FakeSystem with the real engine.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/graph.h"
#include "resources/kinds.h"
#include "schemas/yaml_loader.h"
#include "system/fake_system.h"

namespace flamingo::testing {

// What the reboot fast path compiles for `config` (only the every-boot
// rows): each resource as "ID@STAGE", in graph order.
inline std::vector<std::string> EveryBootIds(const Value& config) {
  Value meta = Value::Map();
  std::vector<ScriptPart> scripts;
  RunInfo run;
  CompileInput in{config, meta, scripts, run, /*every_boot_only=*/true};
  Graph graph;
  Diagnostics diags;
  CompileAll(in, &graph, &diags);
  std::vector<std::string> out;
  for (size_t i = 0; i < graph.size(); ++i) {
    out.push_back(graph.at(i).Id() + "@" + std::to_string(graph.at(i).Stage()));
  }
  return out;
}

inline Value ParseYaml(const std::string& text, const std::string& file) {
  Diagnostics d;
  auto v = LoadYaml(text, file, &d);
  if (!v || !v->is_map()) return Value::Map();
  return *v;
}

// One compile + the graph and the records of the runs so far.
class Harness {
 public:
  explicit Harness(std::vector<CompileFn> fns) : fns_(std::move(fns)) {}

  // Compiles; returns the diagnostics rendered one per line.
  std::string Compile(const std::string& user_data,
                      const std::string& meta_data = "") {
    config_ = ParseYaml(user_data, "user-data");
    meta_ = ParseYaml(meta_data, "meta-data");
    graph_ = std::make_unique<Graph>();
    diags_ = Diagnostics();
    std::vector<ScriptPart> scripts;
    CompileInput in{config_, meta_, scripts, run_};
    for (auto fn : fns_) {
      CompileOutput out;
      fn(in, &out, &diags_);
      for (auto& r : out.resources) graph_->Add(std::move(r));
    }
    for (auto& r : extra_) graph_->Add(std::move(r));
    extra_.clear();
    std::string text;
    for (const auto& d : diags_.items()) text += d.ToString() + "\n";
    return text;
  }
  // Adds a resource to the next Compile's graph.
  void AddResource(std::unique_ptr<Resource> r) {
    extra_.push_back(std::move(r));
  }
  Status Build() { return graph_->Build(); }
  Plan MakePlanOn(const SystemReader& sys) {
    return MakePlan(*graph_, sys, run_, records_, nullptr);
  }
  ApplyReport ApplyOn(System& sys) {
    Plan plan = MakePlanOn(sys);
    NullLogger log;
    return ApplyPlan(*graph_, plan, sys, run_, &records_, &log);
  }
  const Graph& graph() const { return *graph_; }
  // Facts of the runs (set before Compile).
  RunInfo& run() { return run_; }
  const Diagnostics& diags() const { return diags_; }
  RecordTable& records() { return records_; }

 private:
  std::vector<CompileFn> fns_;
  Value config_, meta_;
  RunInfo run_;
  std::unique_ptr<Graph> graph_;
  Diagnostics diags_;
  RecordTable records_;
  std::vector<std::unique_ptr<Resource>> extra_;
};

// The error messages of a plan, one per line.
inline std::string PlanErrors(const Plan& plan) {
  std::string out;
  for (const auto& i : plan.items) {
    if (!i.error.ok()) out += i.error.message() + "\n";
  }
  return out;
}

inline const Change* FindChange(const Plan& plan, const std::string& id) {
  for (const auto& i : plan.items) {
    if (i.change.id == id) return &i.change;
  }
  return nullptr;
}

// "name: before -> after" per field ("-" for absent).
inline std::string Fields(const Change& c) {
  std::string out;
  for (const auto& f : c.fields) {
    out += f.name + ": " + f.before.value_or("-") + " -> " +
           f.after.value_or("-") + "\n";
  }
  return out;
}

}  // namespace flamingo::testing
