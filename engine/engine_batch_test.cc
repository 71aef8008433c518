// Write batches (engine/resource.h): members defer writes, the engine
// commits before any non-member and at the end, and a failed commit fails
// the members that changed.
#include <gtest/gtest.h>

#include <map>
#include <optional>

#include "engine/engine.h"
#include "engine/test_resource.h"
#include "system/fake_system.h"

namespace flamingo {
namespace {

// Pending marker files (nullopt: delete), written by Commit.
class MarkerBatch : public WriteBatch {
 public:
  std::map<std::string, std::optional<std::string>> pending;
  int commits = 0;  // commits that had something to write
  int begins = 0;   // Begin calls (one before each member's Apply)
  bool outlives_members = false;
  void Begin(System&) override { ++begins; }
  bool OutlivesMembers() const override { return outlives_members; }

  Status Commit(System& sys) override {
    if (pending.empty()) return Status::Ok();
    ++commits;
    auto todo = std::move(pending);
    pending.clear();
    Status s = MakeDirs(sys, "/markers", FileAttrs{0755, 0, 0});
    for (const auto& [path, content] : todo) {
      if (!s.ok()) break;
      s = content ? sys.WriteFile(path, *content, FileAttrs{0644, 0, 0})
                  : sys.Remove(path);
    }
    return s;
  }
};

// /markers/NAME with `content` (or absent when `remove`), written through
// the batch. Observe reads the batch's pending state first.
class BatchedMarker : public Resource {
 public:
  BatchedMarker(std::string name, std::string content, MarkerBatch* batch)
      : name_(std::move(name)), content_(std::move(content)), batch_(batch) {}
  bool remove = false;
  bool fail_apply = false;
  int stage = kStageDefault;
  std::vector<std::string> provides_keys;

  std::string Kind() const override { return "bmarker"; }
  std::string Name() const override { return name_; }
  int Stage() const override { return stage; }
  std::vector<std::string> Provides() const override { return provides_keys; }
  WriteBatch* Batch() const override { return batch_; }
  std::string Path() const { return "/markers/" + name_; }

  Result<Observation> Observe(const SystemReader& sys,
                              const ResourceContext&) const override {
    Observation o;
    auto p = batch_->pending.find(Path());
    if (p != batch_->pending.end()) {
      o.exists = p->second.has_value();
      if (o.exists) o.fields["content"] = *p->second;
      return o;
    }
    return testing::ObserveFile(sys, Path());
  }
  Change Diff(const Observation& o, const ResourceContext&) const override {
    if (remove) return MakeChange(o.exists ? Action::kDelete : Action::kNone);
    if (o.exists && o.fields.at("content") == content_) {
      return MakeChange(Action::kNone);
    }
    return MakeChange(o.exists ? Action::kUpdate : Action::kCreate);
  }
  Status Apply(System&, const Change&, const ResourceContext&,
               Record*) const override {
    if (fail_apply) return Status::Error("apply failed on purpose");
    if (remove) {
      batch_->pending[Path()] = std::nullopt;
    } else {
      batch_->pending[Path()] = content_;
    }
    return Status::Ok();
  }

 private:
  std::string name_, content_;
  MarkerBatch* batch_;
};

// Not a member: remembers what the files held when it was observed during
// apply (like a script reading /etc/passwd).
class Probe : public Resource {
 public:
  Probe(std::string name, std::vector<std::string> paths)
      : name_(std::move(name)), paths_(std::move(paths)) {}
  int stage = kStageLate;
  std::vector<std::string> requires_keys;
  mutable std::vector<std::string> seen;  // at the last Observe

  std::string Kind() const override { return "probe"; }
  std::string Name() const override { return name_; }
  int Stage() const override { return stage; }
  std::vector<std::string> Requires() const override { return requires_keys; }
  Result<Observation> Observe(const SystemReader& sys,
                              const ResourceContext&) const override {
    seen.clear();
    for (const auto& p : paths_) {
      auto text = sys.ReadFile(p);
      seen.push_back(text.ok() ? *text : "<missing>");
    }
    return Observation{};
  }
  Change Diff(const Observation&, const ResourceContext&) const override {
    return MakeChange(Action::kNone);
  }
  Status Apply(System&, const Change&, const ResourceContext&,
               Record*) const override {
    return Status::Ok();
  }

 private:
  std::string name_;
  std::vector<std::string> paths_;
};

class EngineBatchTest : public ::testing::Test {
 protected:
  BatchedMarker* Member(const std::string& name, const std::string& content,
                        int stage = kStageDefault) {
    auto r = std::make_unique<BatchedMarker>(name, content, &batch_);
    r->stage = stage;
    BatchedMarker* raw = r.get();
    graph_.Add(std::move(r));
    return raw;
  }
  Probe* AddProbe(const std::string& name, std::vector<std::string> paths,
                  int stage) {
    auto r = std::make_unique<Probe>(name, std::move(paths));
    r->stage = stage;
    Probe* raw = r.get();
    graph_.Add(std::move(r));
    return raw;
  }
  ApplyReport Run() {
    EXPECT_TRUE(graph_.Build().ok());
    Plan plan = MakePlan(graph_, sys_, run_, records_, nullptr);
    EXPECT_FALSE(plan.HasErrors());
    NullLogger log;
    if (releasing_) {
      return ApplyPlanReleasing(&graph_, plan, sys_, run_, &records_, &log);
    }
    return ApplyPlan(graph_, plan, sys_, run_, &records_, &log);
  }
  const ResourceResult* Result(const ApplyReport& r, const std::string& id) {
    for (const auto& res : r.results) {
      if (res.id == id) return &res;
    }
    return nullptr;
  }
  size_t Writes() const {
    size_t n = 0;
    for (const auto& m : sys_.mutations()) n += m.rfind("write ", 0) == 0;
    return n;
  }

  FakeSystem sys_;
  MarkerBatch batch_;
  Graph graph_;
  RunInfo run_;
  RecordTable records_;
  bool releasing_ = false;  // Run() applies with ApplyPlanReleasing
};

// The same with ApplyPlan and ApplyPlanReleasing.
class EngineBatchBothTest : public EngineBatchTest,
                            public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override { releasing_ = GetParam(); }
  // Every resource is released by the apply, or none is.
  void ExpectReleased() {
    for (size_t i = 0; i < graph_.size(); ++i) {
      EXPECT_EQ(graph_.released(i), releasing_) << graph_.id(i);
    }
  }
};
INSTANTIATE_TEST_SUITE_P(Releasing, EngineBatchBothTest, ::testing::Bool());

TEST_F(EngineBatchTest, MembersAreCommittedOnceAtTheEndAndConverge) {
  for (int i = 0; i < 5; ++i) Member("m" + std::to_string(i), "v");
  ApplyReport report = Run();
  ASSERT_TRUE(report.ok());
  // Converged after apply although nothing was on disk yet: the
  // re-observation read the pending state.
  EXPECT_EQ(report.Count(Outcome::kChanged), 5u);
  EXPECT_EQ(batch_.commits, 1);
  EXPECT_EQ(batch_.begins, 5);
  EXPECT_EQ(Writes(), 5u);
  EXPECT_EQ(sys_.GetFile("/markers/m4")->content, "v");
  EXPECT_EQ(records_.at("bmarker[m0]").at("created"), "true");
}

// What waits for a commit stays bounded: 1,024 changed members at most,
// then the batch is committed (no non-member runs in between).
TEST_F(EngineBatchTest, ABatchIsCommittedEvery1024ChangedMembers) {
  sys_.AddFile("/markers/same", "S");
  Member("same", "S");  // converged: not pending
  for (int i = 0; i < 2500; ++i) Member("m" + std::to_string(i), "v");
  ApplyReport report = Run();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.Count(Outcome::kChanged), 2500u);
  EXPECT_EQ(batch_.commits, 3);  // 1,024 + 1,024 + 452
  EXPECT_EQ(sys_.GetFile("/markers/m2499")->content, "v");
  EXPECT_TRUE(batch_.pending.empty());
}

TEST_F(EngineBatchTest, ANonMemberSeesTheCommittedFiles) {
  Member("a", "A", kStageIdentity);
  Member("b", "B", kStageIdentity);
  Probe* probe = AddProbe("p", {"/markers/a", "/markers/b"}, kStageDefault);
  Member("c", "C", kStageLate);
  ApplyReport report = Run();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(probe->seen, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(batch_.commits, 2);  // before the probe, and at the end
  EXPECT_EQ(sys_.GetFile("/markers/c")->content, "C");
}

TEST_P(EngineBatchBothTest,
       AFailedCommitFailsTheChangedMembersAndTheirDependents) {
  sys_.AddFile("/markers/done", "D");
  Member("done", "D", kStageIdentity);  // converged: not concerned
  Member("a", "A", kStageIdentity)->provides_keys = {"thing:a"};
  Member("b", "B", kStageIdentity);
  auto probe = std::make_unique<Probe>("after", std::vector<std::string>{});
  probe->requires_keys = {"thing:a"};
  graph_.Add(std::move(probe));
  sys_.FailWritesUnder("/markers/b", "No space left on device");
  ApplyReport report = Run();
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(Result(report, "bmarker[done]")->outcome, Outcome::kUnchanged);
  for (const char* id : {"bmarker[a]", "bmarker[b]"}) {
    const ResourceResult* r = Result(report, id);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->outcome, Outcome::kFailed) << id;
    EXPECT_NE(r->message.find("deferred write failed"), std::string::npos)
        << r->message;
    EXPECT_NE(r->message.find("No space left on device"), std::string::npos);
    // Not created: a later run must not think flamingo made it.
    EXPECT_EQ(records_.at(id).count("created"), 0u) << id;
  }
  const ResourceResult* after = Result(report, "probe[after]");
  EXPECT_EQ(after->outcome, Outcome::kSkipped);
  EXPECT_EQ(after->message,
            "skipped: depends on bmarker[a], which did not converge");
  ExpectReleased();
}

TEST_F(EngineBatchTest, AFailedCommitAtTheEndIsReported) {
  Member("a", "A");
  sys_.FailWritesUnder("/markers", "Read-only file system");
  ApplyReport report = Run();
  EXPECT_EQ(Result(report, "bmarker[a]")->outcome, Outcome::kFailed);
  EXPECT_FALSE(sys_.Exists("/markers/a"));
}

TEST_F(EngineBatchTest, ADeleteDropsTheRecordOnlyOnceCommitted) {
  sys_.AddFile("/markers/gone", "x");
  records_.Set("bmarker[gone]", {{"created", "true"}});
  Member("gone", "")->remove = true;
  sys_.FailWritesUnder("/markers/gone", "Permission denied");
  ApplyReport failed = Run();
  EXPECT_EQ(Result(failed, "bmarker[gone]")->outcome, Outcome::kFailed);
  ASSERT_TRUE(records_.contains("bmarker[gone]"));
  EXPECT_EQ(records_.at("bmarker[gone]").at("created"), "true");

  sys_.ClearFaults();
  ApplyReport ok = Run();
  EXPECT_EQ(Result(ok, "bmarker[gone]")->outcome, Outcome::kChanged);
  EXPECT_FALSE(records_.contains("bmarker[gone]"));
  EXPECT_FALSE(sys_.Exists("/markers/gone"));
}

// A batch its members may own (an account session) is not destroyed before
// its commit: a member that entered it stays until the commit, one whose
// apply failed until the graph goes; with a batch that outlives its
// members, each goes as soon as it is reported.
TEST_F(EngineBatchTest, ReleasingKeepsWhatAnOpenBatchMayNeed) {
  for (bool outlives : {false, true}) {
    SCOPED_TRACE(outlives);
    graph_ = Graph();
    records_.clear();
    sys_ = FakeSystem();
    batch_.outlives_members = outlives;
    releasing_ = true;
    sys_.AddFile("/markers/same", "S");
    Member("same", "S");
    Member("ok", "O");
    Member("bad", "B")->fail_apply = true;
    ApplyReport report = Run();
    EXPECT_EQ(Result(report, "bmarker[bad]")->outcome, Outcome::kFailed);
    EXPECT_EQ(Result(report, "bmarker[ok]")->outcome, Outcome::kChanged);
    EXPECT_TRUE(
        graph_.released(static_cast<size_t>(graph_.Find("bmarker[same]"))));
    EXPECT_TRUE(
        graph_.released(static_cast<size_t>(graph_.Find("bmarker[ok]"))));
    EXPECT_EQ(graph_.released(static_cast<size_t>(graph_.Find("bmarker[bad]"))),
              outlives);
  }
}

}  // namespace
}  // namespace flamingo
