// ApplyPlanReleasing against ApplyPlan: for random graphs of markers (some
// failing, some converged already, with dependencies), the same results,
// records and machine, and afterwards every resource is released while
// the graph still knows its ids, edges and provided keys.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/test_resource.h"
#include "system/fake_system.h"

namespace flamingo {
namespace {

using testing::MarkerResource;

struct Spec {
  std::string content;
  std::vector<int> requires_;  // earlier markers whose key it requires
  bool fail_apply = false;
  bool does_nothing = false;
  int on_disk = 0;  // 0: absent, 1: the content, 2: other content
};

std::vector<Spec> Specs() {
  const int n = *rc::gen::inRange(1, 12);
  std::vector<Spec> specs(n);
  for (int i = 0; i < n; ++i) {
    Spec& s = specs[i];
    s.content = *rc::gen::element<std::string>("a", "b", "c");
    for (int j = 0; j < i; ++j) {
      if (*rc::gen::inRange(0, 4) == 0) s.requires_.push_back(j);
    }
    s.fail_apply = *rc::gen::inRange(0, 8) == 0;
    s.does_nothing = *rc::gen::inRange(0, 12) == 0;
    s.on_disk = *rc::gen::inRange(0, 3);
  }
  return specs;
}

struct Run {
  Graph graph;
  FakeSystem sys;
  RecordTable records;
  ApplyReport report;
};

void Apply(const std::vector<Spec>& specs, bool releasing, Run* run) {
  for (size_t i = 0; i < specs.size(); ++i) {
    const Spec& s = specs[i];
    auto m =
        std::make_unique<MarkerResource>("m" + std::to_string(i), s.content);
    m->provides_keys = {"key:" + std::to_string(i)};
    for (int j : s.requires_) {
      m->requires_keys.push_back("key:" + std::to_string(j));
    }
    m->fail_apply = s.fail_apply;
    m->apply_does_nothing = s.does_nothing;
    if (s.on_disk > 0) {
      run->sys.AddFile(m->Path(), s.on_disk == 1 ? s.content : "other");
    }
    run->graph.Add(std::move(m));
  }
  RC_ASSERT(run->graph.Build().ok());
  RunInfo info;
  Plan plan = MakePlan(run->graph, run->sys, info, run->records, nullptr);
  NullLogger log;
  run->report = releasing ? ApplyPlanReleasing(&run->graph, plan, run->sys,
                                               info, &run->records, &log)
                          : ApplyPlan(run->graph, plan, run->sys, info,
                                      &run->records, &log);
}

RC_GTEST_PROP(ApplyPlanReleasing, SameOutcomeAsApplyPlanAndAllReleased, ()) {
  const std::vector<Spec> specs = Specs();
  Run kept, released;
  Apply(specs, false, &kept);
  Apply(specs, true, &released);
  RC_ASSERT(released.report.results == kept.report.results);
  // A result per resource, in the plan's order, each naming its resource.
  RC_ASSERT(kept.report.results.size() == kept.graph.size());
  for (size_t k = 0; k < kept.report.results.size(); ++k) {
    RC_ASSERT(kept.report.results[k].id ==
              kept.graph.at(kept.graph.order()[k]).Id());
  }
  RC_ASSERT(released.report.record_changed == kept.report.record_changed);
  RC_ASSERT(released.records == kept.records);
  RC_ASSERT(released.sys.AllPaths() == kept.sys.AllPaths());
  for (const std::string& p : kept.sys.AllPaths()) {
    RC_ASSERT(released.sys.ReadFile(p).ok() == kept.sys.ReadFile(p).ok());
    if (kept.sys.ReadFile(p).ok()) {
      RC_ASSERT(*released.sys.ReadFile(p) == *kept.sys.ReadFile(p));
    }
  }
  const Graph& g = released.graph;
  for (size_t i = 0; i < g.size(); ++i) {
    RC_ASSERT(g.released(i));
    RC_ASSERT(!kept.graph.released(i));
    RC_ASSERT(g.id(i) == kept.graph.at(i).Id());
    RC_ASSERT(g.Find(kept.graph.at(i).Id()) == static_cast<long>(i));
    RC_ASSERT(g.IsProvided("key:" + std::to_string(i)));
    RC_ASSERT(g.deps(i).size() == kept.graph.deps(i).size());
  }
  RC_ASSERT(!g.IsProvided("key:none"));
  RC_ASSERT(g.Find("marker[none]") == -1);
}

}  // namespace
}  // namespace flamingo
