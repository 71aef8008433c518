#include "engine/engine.h"

#include <gtest/gtest.h>

#include "engine/test_resource.h"
#include "system/fake_system.h"

namespace flamingo {
namespace {

using testing::MarkerOrphans;
using testing::MarkerResource;

class EngineTest : public ::testing::Test {
 protected:
  MarkerResource* Add(const std::string& name, const std::string& content) {
    auto r = std::make_unique<MarkerResource>(name, content);
    MarkerResource* raw = r.get();
    graph_.Add(std::move(r));
    return raw;
  }
  Plan MakeIt(const PlanOptions& opts = {}) {
    EXPECT_TRUE(graph_.Build().ok());
    return MakePlan(graph_, sys_, run_, records_, &orphans_, opts);
  }
  ApplyReport ApplyIt(const Plan& plan) {
    return ApplyPlan(graph_, plan, sys_, run_, &records_, &log_);
  }

  Graph graph_;
  FakeSystem sys_;
  RunInfo run_;
  RecordTable records_;
  MarkerOrphans orphans_;
  RecordingLogger log_;
};

TEST(ResourceIdTest, KindAndNameAreTheIdsParts) {
  EXPECT_EQ(IdKind("file[/etc/motd]"), "file");
  EXPECT_EQ(IdName("file[/etc/motd]"), "/etc/motd");
  // A name may hold brackets; a kind never does.
  EXPECT_EQ(IdKind("file[/srv/a[1]]"), "file");
  EXPECT_EQ(IdName("file[/srv/a[1]]"), "/srv/a[1]");
  EXPECT_EQ(IdName("file[]"), "");
  // Not an id: all kind, no name.
  EXPECT_EQ(IdKind("bare"), "bare");
  EXPECT_EQ(IdName("bare"), "");
  MarkerResource m("a[1]", "x");
  EXPECT_EQ(IdKind(m.Id()), m.Kind());
  EXPECT_EQ(IdName(m.Id()), m.Name());
}

TEST_F(EngineTest, PlanChangesNothing) {
  Add("a", "1");
  auto before = sys_.AllPaths();
  Plan plan = MakeIt();
  ASSERT_EQ(plan.items.size(), 1u);
  EXPECT_EQ(plan.items[0].change.action, Action::kCreate);
  EXPECT_EQ(sys_.AllPaths(), before);
}

TEST_F(EngineTest, ApplyConvergesAndRecordsCreation) {
  Add("a", "1");
  ApplyReport report = ApplyIt(MakeIt());
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report.results.size(), 1u);
  EXPECT_EQ(report.results[0].outcome, Outcome::kChanged);
  EXPECT_EQ(sys_.GetFile("/markers/a")->content, "1");
  EXPECT_EQ(records_.at("marker[a]").at("created"), "true");
  EXPECT_EQ(records_.at("marker[a]").at("content_len"), "1");
  // Apply, then plan: nothing to do.
  Plan again = MakePlan(graph_, sys_, run_, records_, &orphans_);
  EXPECT_FALSE(again.HasChanges());
}

TEST_F(EngineTest, ExistingObjectIsNotMarkedCreated) {
  sys_.AddFile("/markers/a", "old");
  Add("a", "new");
  ASSERT_TRUE(ApplyIt(MakeIt()).ok());
  EXPECT_EQ(records_.at("marker[a]").count("created"), 0u);
}

TEST_F(EngineTest, ReObservesBeforeApplying) {
  Add("a", "1");
  Plan plan = MakeIt();
  sys_.AddFile("/markers/a", "1");  // someone converged it meanwhile
  ApplyReport report = ApplyIt(plan);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.results[0].outcome, Outcome::kUnchanged);
}

TEST_F(EngineTest, ConvergedResourcesAreObservedOnceUntilSomethingIsApplied) {
  sys_.AddFile("/markers/a", "1");
  sys_.AddFile("/markers/c", "3");
  MarkerResource* a = Add("a", "1");
  MarkerResource* b = Add("b", "2");
  MarkerResource* c = Add("c", "3");
  b->after_ids = {"marker[a]"};
  c->after_ids = {"marker[b]"};
  ApplyReport report = ApplyIt(MakeIt());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.results[0].outcome, Outcome::kUnchanged);
  EXPECT_EQ(report.results[2].outcome, Outcome::kUnchanged);
  // a: the plan's observation stands. b: plan, before and after its change.
  // c: planned converged, but b was applied before it: observed again.
  EXPECT_EQ(a->observations, 1);
  EXPECT_EQ(b->observations, 3);
  EXPECT_EQ(c->observations, 2);
  // Converged resources still get their record entry.
  EXPECT_TRUE(records_.contains("marker[a]"));
}

TEST_F(EngineTest, ConvergedResourceUndoneByAnEarlierChangeIsRepaired) {
  sys_.AddFile("/markers/a", "1");
  Add("z", "2");  // writes /markers/z: planned create
  MarkerResource* a = Add("a", "1");
  a->after_ids = {"marker[z]"};
  Plan plan = MakeIt();
  ASSERT_EQ(plan.items[1].change.action, Action::kNone);
  // Someone changes a after the plan, while z is applied: a is looked at
  // again because z's change came before it, and converged.
  sys_.AddFile("/markers/a", "drifted");
  ApplyReport report = ApplyIt(plan);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.results[1].outcome, Outcome::kChanged);
  EXPECT_EQ(sys_.GetFile("/markers/a")->content, "1");
}

TEST_F(EngineTest, NotConvergedAfterApplyIsAnError) {
  Add("a", "1")->apply_does_nothing = true;
  ApplyReport report = ApplyIt(MakeIt());
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.results[0].outcome, Outcome::kFailed);
  EXPECT_EQ(report.results[0].message,
            "not converged after apply: still needs create of content");
}

TEST_F(EngineTest, DependentsOfAFailureAreSkippedOthersGoOn) {
  MarkerResource* user = Add("user", "u");
  user->fail_apply = true;
  user->provides_keys = {"user:alice"};
  MarkerResource* file = Add("file", "f");
  file->requires_keys = {"user:alice"};
  MarkerResource* dep2 = Add("file2", "g");
  dep2->requires_keys = {"path:/markers/file"};
  file->provides_keys = {"path:/markers/file"};
  Add("other", "o");
  ApplyReport report = ApplyIt(MakeIt());
  EXPECT_FALSE(report.ok());
  std::map<std::string, Outcome> by_id;
  for (const auto& r : report.results) by_id[r.id] = r.outcome;
  EXPECT_EQ(by_id["marker[user]"], Outcome::kFailed);
  EXPECT_EQ(by_id["marker[file]"], Outcome::kSkipped);
  EXPECT_EQ(by_id["marker[file2]"], Outcome::kSkipped);  // transitively
  EXPECT_EQ(by_id["marker[other]"], Outcome::kChanged);
  EXPECT_TRUE(sys_.Exists("/markers/other"));
  EXPECT_FALSE(sys_.Exists("/markers/file"));
}

TEST_F(EngineTest, ObserveErrorIsAPlanningError) {
  Add("a", "1")->fail_observe = true;
  Plan plan = MakeIt();
  EXPECT_TRUE(plan.HasErrors());
  EXPECT_EQ(plan.items[0].error.message(), "marker[a]: cannot observe");
}

// What apply plans with (details off): the actions, the errors with their
// ids, the notes; no fields or strings per change. Applying it converges as
// the whole plan does.
TEST_F(EngineTest, APlanWithoutDetailsKeepsActionsAndErrors) {
  Add("a", "1");
  sys_.AddFile("/markers/b", "old");
  Add("b", "new")->note = "kept";
  Add("c", "3")->fail_observe = true;
  PlanOptions opts;
  opts.details = false;
  Plan plan = MakeIt(opts);
  EXPECT_TRUE(plan.items.empty());
  ASSERT_EQ(plan.steps.size(), 3u);
  EXPECT_EQ(plan.steps[0].action, Action::kCreate);
  EXPECT_EQ(plan.steps[1].action, Action::kUpdate);
  for (int i : {0, 1, 2}) {
    EXPECT_EQ(plan.steps[i].resource, &graph_.at(plan.steps[i].graph_index));
  }
  EXPECT_TRUE(plan.steps[0].error.ok());
  EXPECT_EQ(plan.steps[2].error.message(), "marker[c]: cannot observe");
  EXPECT_TRUE(plan.HasErrors());
  EXPECT_EQ(plan.Count(Action::kCreate), 1u);
  EXPECT_EQ(plan.Count(Action::kUpdate), 1u);
  EXPECT_TRUE(plan.HasChanges());
  EXPECT_EQ(plan.notes, std::vector<std::string>{"marker[b]: kept"});
  // The same plan with details has the fields.
  EXPECT_FALSE(MakeIt().items[1].change.fields.empty());

  graph_ = Graph();
  Add("a", "1");
  Add("b", "new");
  ApplyReport report = ApplyIt(MakeIt(opts));
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.results[0].action, Action::kCreate);
  EXPECT_EQ(report.results[1].action, Action::kUpdate);
  EXPECT_EQ(sys_.GetFile("/markers/b")->content, "new");
  EXPECT_FALSE(MakeIt().HasChanges());
}

TEST_F(EngineTest, EachItemIsHandedOverAsSoonAsItIsPlanned) {
  Add("a", "1");
  sys_.AddFile("/markers/b", "b");
  Add("b", "b");
  Add("c", "3")->fail_observe = true;
  sys_.AddFile("/markers/gone", "x");
  records_.Set("marker[gone]", {{"created", "true"}});
  std::vector<std::string> seen;
  PlanOptions opts;
  const Plan* made = nullptr;
  size_t count_then = 0;
  opts.planned = [&](PlanItem& item) {
    // Handed over before the next item is planned, in plan order.
    seen.push_back(item.error.ok() ? item.resource->Id()
                                   : item.error.message());
    count_then = seen.size();
    EXPECT_EQ(made, nullptr);
    // The details may go: counts and errors keep what they need.
    std::vector<FieldChange>().swap(item.change.fields);
  };
  Plan plan = MakeIt(opts);
  made = &plan;
  EXPECT_EQ(seen, (std::vector<std::string>{"marker[a]", "marker[b]",
                                            "marker[c]: cannot observe",
                                            "marker[gone]"}));
  EXPECT_EQ(count_then, plan.items.size());
  EXPECT_EQ(plan.Count(Action::kCreate), 1u);
  EXPECT_EQ(plan.Count(Action::kDelete), 1u);
  EXPECT_TRUE(plan.HasErrors());
}

// keep_items false: the items are shown, not kept; the counts are the
// kept plan's (Plan::Add counts every item, however it keeps it).
TEST_F(EngineTest, ItemsNotKeptAreCounted) {
  auto counts = [](const Plan& p) {
    std::vector<size_t> c;
    for (Action a : {Action::kNone, Action::kCreate, Action::kUpdate,
                     Action::kDelete, Action::kRun}) {
      c.push_back(p.Count(a));
    }
    c.push_back(p.HasErrors());
    c.push_back(p.HasChanges());
    return c;
  };
  PlanOptions dropping;
  size_t shown = 0;
  dropping.planned = [&](PlanItem&) { ++shown; };
  dropping.keep_items = false;

  // Converged only: no changes, no errors.
  sys_.AddFile("/markers/b", "b");
  Add("b", "b");
  Plan kept = MakeIt();
  Plan counted = MakeIt(dropping);
  EXPECT_TRUE(counted.items.empty());
  EXPECT_EQ(shown, 1u);
  EXPECT_EQ(counts(counted), counts(kept));
  EXPECT_FALSE(counted.HasChanges());

  // A create, an update, an error and an orphan's delete.
  sys_.AddFile("/markers/u", "old");
  sys_.AddFile("/markers/gone", "x");
  records_.Set("marker[gone]", {{"created", "true"}});
  graph_ = Graph();
  Add("b", "b");
  Add("a", "1");
  Add("u", "new");
  Add("c", "3")->fail_observe = true;
  kept = MakeIt();
  shown = 0;
  counted = MakeIt(dropping);
  EXPECT_TRUE(counted.items.empty());
  EXPECT_EQ(shown, kept.items.size());
  EXPECT_EQ(counts(counted), counts(kept));
  EXPECT_EQ(counts(counted), (std::vector<size_t>{1, 1, 1, 1, 0, true, true}));
  // Kept as steps (no details): the same counts.
  PlanOptions stepped;
  stepped.details = false;
  Plan as_steps = MakeIt(stepped);
  EXPECT_TRUE(as_steps.items.empty());
  EXPECT_EQ(as_steps.steps.size(), kept.items.size());
  EXPECT_EQ(counts(as_steps), counts(kept));
}

TEST_F(EngineTest, OrphanCreatedByUsIsDeleted) {
  sys_.AddFile("/markers/gone", "x");
  records_.Set("marker[gone]", {{"created", "true"}});
  Add("a", "1");
  Plan plan = MakeIt();
  ASSERT_EQ(plan.Count(Action::kDelete), 1u);
  ApplyReport report = ApplyIt(plan);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(sys_.Exists("/markers/gone"));
  EXPECT_FALSE(records_.contains("marker[gone]"));
  // Each result names its resource, the orphan's deleter too (the ids are
  // filled in after the apply, from the graph or the plan's deleters).
  std::vector<std::string> ids;
  for (const auto& r : report.results) ids.push_back(r.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"marker[a]", "marker[gone]"}));
  EXPECT_EQ(report.results[1].action, Action::kDelete);
  EXPECT_EQ(report.results[1].outcome, Outcome::kChanged);
}

TEST_F(EngineTest, OrphanNotCreatedByUsIsLeftAloneAndSaid) {
  sys_.AddFile("/markers/foreign", "x");
  records_.Set("marker[foreign]", Record());
  Plan plan = MakeIt();
  EXPECT_EQ(plan.Count(Action::kDelete), 0u);
  ASSERT_EQ(plan.notes.size(), 1u);
  EXPECT_EQ(plan.notes[0],
            "marker[foreign]: no longer in the config; left alone (not "
            "created by flamingo)");
  ASSERT_TRUE(ApplyIt(plan).ok());
  EXPECT_TRUE(sys_.Exists("/markers/foreign"));
  EXPECT_FALSE(records_.contains("marker[foreign]"));
}

TEST_F(EngineTest, EveryBootOnlyPlansOnlyEveryBootResources) {
  Add("a", "1");
  Add("boot", "b")->every_boot = true;
  records_.Set("marker[gone]", {{"created", "true"}});
  PlanOptions opts;
  opts.every_boot_only = true;
  Plan plan = MakeIt(opts);
  ASSERT_EQ(plan.items.size(), 1u);
  EXPECT_EQ(plan.items[0].change.id, "marker[boot]");
}

TEST_F(EngineTest, ReportSaysWhetherARecordThatOutlivesTheBootChanged) {
  Add("boot", "b")->record_outlives_boot = false;
  Add("same", "s");
  sys_.AddFile("/markers/same", "s");  // converged: Apply never runs
  ApplyReport report = ApplyIt(MakeIt());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.ChangedRecords(), std::set<std::string>{"marker[boot]"});
  EXPECT_EQ(report.record_changed, (std::vector<bool>{true, false}));
  EXPECT_FALSE(report.durable_records_changed);

  Add("kept", "k");  // a record that outlives the boot
  report = ApplyIt(MakeIt());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.ChangedRecords(), std::set<std::string>{"marker[kept]"});
  EXPECT_TRUE(report.durable_records_changed);
}

TEST_F(EngineTest, ReportCountsAFailedApplyAndForgottenRecordsAsChanged) {
  Add("bad", "x")->fail_apply = true;
  ApplyReport report = ApplyIt(MakeIt());
  EXPECT_FALSE(report.ok());
  EXPECT_TRUE(report.durable_records_changed);  // Apply may have written

  Graph empty;
  graph_ = std::move(empty);
  records_.clear();
  records_.Set("marker[foreign]", Record());
  sys_.AddFile("/markers/foreign", "f");
  report = ApplyIt(MakeIt());
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(records_.contains("marker[foreign]"));
  EXPECT_TRUE(report.durable_records_changed);
}

TEST_F(EngineTest, StageRangePlansOnlyThoseStages) {
  Add("early", "e")->stage = kStageEarly;
  Add("mid", "m");
  Add("late", "l")->stage = kStageLate;
  records_.Set("marker[gone]", {{"created", "true"}});
  PlanOptions early;
  early.last_stage = kStageLate - 1;
  Plan plan = MakeIt(early);
  std::vector<std::string> ids;
  for (const auto& item : plan.items) ids.push_back(item.change.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"marker[early]", "marker[mid]",
                                           "marker[gone]"}));
  PlanOptions late;
  late.first_stage = kStageLate;
  late.orphans = false;
  plan = MakePlan(graph_, sys_, run_, records_, &orphans_, late);
  ASSERT_EQ(plan.items.size(), 1u);
  EXPECT_EQ(plan.items[0].change.id, "marker[late]");
  EXPECT_TRUE(plan.forget.empty());
}

TEST_F(EngineTest, WriteFailureIsReportedWithContext) {
  Add("a", "1");
  Plan plan = MakeIt();
  sys_.FailNthMutation(1, "No space left on device");
  ApplyReport report = ApplyIt(plan);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.results[0].message.find("No space left on device"),
            std::string::npos);
}

TEST_F(EngineTest, ApplyEndsWithOneSync) {
  Add("a", "1");
  Add("b", "2");
  ApplyReport report = ApplyIt(MakeIt());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(sys_.sync_count(), 1);
}

TEST_F(EngineTest, FailedSyncFailsEveryChangedResource) {
  Add("a", "1");
  Add("b", "2");
  sys_.AddDir("/markers");
  sys_.AddFile("/markers/b", "2");  // already converged: unchanged
  sys_.FailSync("Input/output error");
  ApplyReport report = ApplyIt(MakeIt());
  EXPECT_FALSE(report.ok());
  ASSERT_EQ(report.results.size(), 2u);
  EXPECT_EQ(report.results[0].outcome, Outcome::kFailed);
  EXPECT_EQ(report.results[0].message,
            "applied but not made durable: sync: Input/output error");
  EXPECT_EQ(report.results[1].outcome, Outcome::kUnchanged);
}

TEST_F(EngineTest, ObservationNotesReachThePlanWithTheId) {
  MarkerResource* a = Add("a", "1");
  a->note = "left as it is";
  Plan plan = MakeIt();
  EXPECT_EQ(plan.notes, std::vector<std::string>{"marker[a]: left as it is"});
}

}  // namespace
}  // namespace flamingo
