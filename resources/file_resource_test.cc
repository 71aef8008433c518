// FileResource against the FakeSystem, through the real planner/applier.
#include "resources/file_resource.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/sha256.h"
#include "resources/resource_testing.h"
#include "resources/write_files.h"

namespace flamingo {
namespace {

using testing::Fields;
using testing::FindChange;
using testing::Harness;
using ::testing::HasSubstr;
using testing::PlanErrors;

constexpr char kPasswd[] =
    "root:x:0:0:root:/root:/bin/bash\n"
    "nginx:x:990:985::/var/lib/nginx:/sbin/nologin\n"
    "alice:x:1000:1000::/home/alice:/bin/bash\n";
constexpr char kGroup[] =
    "root:x:0:\nnginx:x:985:\nalice:x:1000:\nwheel:x:10:\n";

class FileResourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sys_.AddFile("/etc/passwd", kPasswd);
    sys_.AddFile("/etc/group", kGroup);
  }
  // Compiles and applies; expects success.
  void Converge(const std::string& yaml) {
    ASSERT_EQ(h_.Compile(yaml), "");
    ASSERT_TRUE(h_.Build().ok());
    ApplyReport r = h_.ApplyOn(sys_);
    for (const auto& res : r.results) {
      ASSERT_NE(res.outcome, Outcome::kFailed) << res.id << ": " << res.message;
    }
  }
  Plan PlanNow() { return h_.MakePlanOn(sys_); }

  FakeSystem sys_;
  Harness h_{{CompileWriteFiles}};
};

TEST_F(FileResourceTest, CreatesFileWithContentModeAndOwner) {
  Converge(
      "write_files:\n- path: /etc/nginx/site.conf\n  content: server {}\n"
      "  owner: nginx:nginx\n  permissions: '0640'\n");
  auto f = sys_.GetFile("/etc/nginx/site.conf");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->content, "server {}");
  EXPECT_EQ(f->attrs.mode, 0640u);
  EXPECT_EQ(f->attrs.uid, 990u);
  EXPECT_EQ(f->attrs.gid, 985u);
}

TEST_F(FileResourceTest, PlanShowsFingerprintNeverContent) {
  ASSERT_EQ(
      h_.Compile("write_files:\n- path: /etc/secret\n  content: s3cr3t\n"), "");
  ASSERT_TRUE(h_.Build().ok());
  Plan plan = PlanNow();
  const Change* c = FindChange(plan, "file[/etc/secret]");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->action, Action::kCreate);
  EXPECT_EQ(Fields(*c), "content: - -> sha256:" + Sha256Hex("s3cr3t") +
                            " (6 bytes)\n"
                            "mode: - -> 0644\n"
                            "owner: - -> root:root\n");
  EXPECT_FALSE(sys_.Exists("/etc/secret"));  // planning writes nothing
}

TEST_F(FileResourceTest, MissingParentsAreCreated0755RootButTheLastOwned) {
  Converge(
      "write_files:\n- path: /home/alice/.config/app/rc\n"
      "  owner: alice:alice\n");
  for (const char* dir : {"/home", "/home/alice", "/home/alice/.config"}) {
    auto d = sys_.GetFile(dir);
    ASSERT_TRUE(d.has_value()) << dir;
    EXPECT_EQ(d->type, FileType::kDirectory) << dir;
    EXPECT_EQ(d->attrs.mode, 0755u) << dir;
    EXPECT_EQ(d->attrs.uid, 0u) << dir;
    EXPECT_EQ(d->attrs.gid, 0u) << dir;
  }
  auto last = sys_.GetFile("/home/alice/.config/app");
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->type, FileType::kDirectory);
  EXPECT_EQ(last->attrs.mode, 0755u);
  EXPECT_EQ(last->attrs.uid, 1000u);
  EXPECT_EQ(last->attrs.gid, 1000u);
  EXPECT_EQ(sys_.GetFile("/home/alice/.config/app/rc")->content, "");
}

TEST_F(FileResourceTest, ExistingParentsAreLeftAlone) {
  sys_.AddDir("/srv", {0700, 5, 5});
  Converge("write_files:\n- path: /srv/x\n  owner: alice\n");
  EXPECT_EQ(sys_.GetFile("/srv")->attrs.mode, 0700u);
  EXPECT_EQ(sys_.GetFile("/srv")->attrs.uid, 5u);
}

TEST_F(FileResourceTest, ConvergedFileHasNoChange) {
  sys_.AddFile("/etc/motd", "hi\n", {0644, 0, 0});
  ASSERT_EQ(
      h_.Compile("write_files:\n- path: /etc/motd\n  content: \"hi\\n\"\n"),
      "");
  ASSERT_TRUE(h_.Build().ok());
  EXPECT_FALSE(PlanNow().HasChanges());
}

TEST_F(FileResourceTest, ModeDriftIsRepairedWithoutRewriting) {
  sys_.AddFile("/etc/motd", "hi", {0666, 0, 0});
  ASSERT_EQ(h_.Compile("write_files:\n- path: /etc/motd\n  content: hi\n"), "");
  ASSERT_TRUE(h_.Build().ok());
  Plan plan = PlanNow();
  EXPECT_EQ(Fields(*FindChange(plan, "file[/etc/motd]")),
            "mode: 0666 -> 0644\n");
  int before = sys_.mutation_count();
  h_.ApplyOn(sys_);
  EXPECT_EQ(sys_.GetFile("/etc/motd")->attrs.mode, 0644u);
  ASSERT_EQ(sys_.mutation_count(), before + 1);
  EXPECT_EQ(sys_.mutations().back(), "chattr /etc/motd");
}

TEST_F(FileResourceTest, OwnerDriftShowsNames) {
  sys_.AddFile("/etc/motd", "hi", {0644, 1000, 10});
  ASSERT_EQ(h_.Compile("write_files:\n- path: /etc/motd\n  content: hi\n"), "");
  ASSERT_TRUE(h_.Build().ok());
  EXPECT_EQ(Fields(*FindChange(PlanNow(), "file[/etc/motd]")),
            "owner: alice:wheel -> root:root\n");
}

TEST_F(FileResourceTest, ContentChangeRewrites) {
  sys_.AddFile("/etc/motd", "old", {0644, 0, 0});
  Converge("write_files:\n- path: /etc/motd\n  content: new\n");
  EXPECT_EQ(sys_.GetFile("/etc/motd")->content, "new");
}

TEST_F(FileResourceTest, GzipBase64ContentIsWrittenDecoded) {
  Converge(
      "write_files:\n- path: /usr/bin/hello\n  encoding: gzip\n"
      "  content: !!binary |\n"
      "      H4sIAIDb/U8C/1NW1E/KzNMvzuBKTc7IV8hIzcnJVyjPL8pJ4QIA6N+MVxsAAAA=\n"
      "  permissions: '0755'\n");
  auto f = sys_.GetFile("/usr/bin/hello");
  EXPECT_EQ(f->content, "#!/bin/sh\necho hello world\n");
  EXPECT_EQ(f->attrs.mode, 0755u);
}

TEST_F(FileResourceTest, UnknownOwnerIsAPlanErrorWithPosition) {
  ASSERT_EQ(h_.Compile("write_files:\n- path: /a\n- path: /b\n"
                       "  owner: bob:root\n"),
            "");
  ASSERT_TRUE(h_.Build().ok());
  Plan plan = PlanNow();
  EXPECT_EQ(PlanErrors(plan),
            "file[/b]: user-data:4:10: write_files[1].owner: unknown user "
            "\"bob\" (not in /etc/passwd)\n");
  auto before = sys_.AllPaths();
  // The CLI never applies a plan with errors; nothing was written by planning.
  EXPECT_EQ(sys_.AllPaths(), before);
  EXPECT_FALSE(sys_.Exists("/b"));
}

TEST_F(FileResourceTest, UnknownGroupIsAPlanError) {
  ASSERT_EQ(h_.Compile("write_files:\n- path: /a\n  owner: alice:devs\n"), "");
  ASSERT_TRUE(h_.Build().ok());
  EXPECT_EQ(PlanErrors(PlanNow()),
            "file[/a]: user-data:3:10: write_files[0].owner: unknown group "
            "\"devs\" (not in /etc/group)\n");
}

TEST_F(FileResourceTest, NumericOwnerIsAccepted) {
  Converge("write_files:\n- path: /a\n  owner: '2000:3000'\n");
  EXPECT_EQ(sys_.GetFile("/a")->attrs.uid, 2000u);
  EXPECT_EQ(sys_.GetFile("/a")->attrs.gid, 3000u);
}

TEST_F(FileResourceTest, RootOwnerWorksWithoutPasswd) {
  FakeSystem empty;
  ASSERT_EQ(h_.Compile("write_files:\n- path: /a\n  content: x\n"), "");
  ASSERT_TRUE(h_.Build().ok());
  auto r = h_.ApplyOn(empty);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(empty.GetFile("/a")->attrs.uid, 0u);
}

// Provides "user:NAME" and creates the user in /etc/passwd when applied:
// stands in for the identity module's user resource.
class FakeUser : public Resource {
 public:
  FakeUser(std::string name, uint32_t id, bool provides_group = true)
      : name_(name), id_(id), provides_group_(provides_group) {}
  std::string Kind() const override { return "user"; }
  std::string Name() const override { return name_; }
  std::vector<std::string> Provides() const override {
    if (!provides_group_) return {"user:" + name_};
    return {"user:" + name_, "group:" + name_};
  }
  int Stage() const override { return kStageIdentity; }
  Result<Observation> Observe(const SystemReader& sys,
                              const ResourceContext&) const override {
    Observation o;
    auto text = sys.ReadFile("/etc/passwd");
    o.exists = text.ok() && text->find(name_ + ":") != std::string::npos;
    return o;
  }
  Change Diff(const Observation& o, const ResourceContext&) const override {
    return MakeChange(o.exists ? Action::kNone : Action::kCreate);
  }
  Status Apply(System& sys, const Change&, const ResourceContext&,
               Record*) const override {
    std::string id = std::to_string(id_);
    Status s = sys.WriteFile("/etc/passwd",
                             *sys.ReadFile("/etc/passwd") + name_ + ":x:" + id +
                                 ":" + id + "::/:/bin/sh\n",
                             {0644, 0, 0});
    if (!s.ok()) return s;
    return sys.WriteFile(
        "/etc/group", *sys.ReadFile("/etc/group") + name_ + ":x:" + id + ":\n",
        {0644, 0, 0});
  }

 private:
  std::string name_;
  uint32_t id_;
  bool provides_group_;
};

TEST_F(FileResourceTest, OwnerCreatedInTheSameRunIsResolvedAtApply) {
  h_.AddResource(std::make_unique<FakeUser>("bob", 1500));
  ASSERT_EQ(h_.Compile("write_files:\n- path: /srv/bob.txt\n  content: x\n"
                       "  owner: bob:bob\n  defer: true\n"),
            "");
  ASSERT_TRUE(h_.Build().ok());
  Plan plan = PlanNow();
  ASSERT_EQ(PlanErrors(plan), "");
  // The user comes first.
  ASSERT_EQ(plan.items.size(), 2u);
  EXPECT_EQ(plan.items[0].change.id, "user[bob]");
  EXPECT_EQ(plan.items[1].change.id, "file[/srv/bob.txt]");
  NullLogger log;
  ApplyReport r =
      ApplyPlan(h_.graph(), plan, sys_, RunInfo{}, &h_.records(), &log);
  ASSERT_TRUE(r.ok()) << r.results.back().message;
  EXPECT_EQ(sys_.GetFile("/srv/bob.txt")->attrs.uid, 1500u);
  EXPECT_EQ(sys_.GetFile("/srv/bob.txt")->attrs.gid, 1500u);
}

TEST_F(FileResourceTest, PrivateGroupOfAUserCreatedInTheSameRun) {
  // The user resource provides only "user:carol"; its group comes with it.
  h_.AddResource(std::make_unique<FakeUser>("carol", 1600, false));
  ASSERT_EQ(h_.Compile("write_files:\n- path: /srv/c\n  owner: root:carol\n"),
            "");
  ASSERT_TRUE(h_.Build().ok());
  Plan plan = PlanNow();
  ASSERT_EQ(PlanErrors(plan), "");
  EXPECT_EQ(plan.items[0].change.id, "user[carol]");
  NullLogger log;
  ASSERT_TRUE(
      ApplyPlan(h_.graph(), plan, sys_, RunInfo{}, &h_.records(), &log).ok());
  EXPECT_EQ(sys_.GetFile("/srv/c")->attrs.uid, 0u);
  EXPECT_EQ(sys_.GetFile("/srv/c")->attrs.gid, 1600u);
}

TEST_F(FileResourceTest, AppendCreatesAMissingFile) {
  Converge(
      "write_files:\n- path: /etc/crontab\n  content: \"15 * * * * x\\n\"\n"
      "  append: true\n");
  EXPECT_EQ(sys_.GetFile("/etc/crontab")->content, "15 * * * * x\n");
}

TEST_F(FileResourceTest, AppendAddsToExistingContentOnce) {
  sys_.AddFile("/etc/crontab", "SHELL=/bin/sh\n");
  const char* yaml =
      "write_files:\n- path: /etc/crontab\n  content: \"15 * * * * x\\n\"\n"
      "  append: true\n";
  Converge(yaml);
  EXPECT_EQ(sys_.GetFile("/etc/crontab")->content,
            "SHELL=/bin/sh\n15 * * * * x\n");
  EXPECT_FALSE(PlanNow().HasChanges());
  Converge(yaml);  // a second run appends nothing
  EXPECT_EQ(sys_.GetFile("/etc/crontab")->content,
            "SHELL=/bin/sh\n15 * * * * x\n");
  EXPECT_EQ(h_.records().at("file[/etc/crontab]").at("appended_sha256"),
            Sha256Hex("15 * * * * x\n"));
}

TEST_F(FileResourceTest, AppendPlanShowsTheAppend) {
  sys_.AddFile("/etc/crontab", "A\n");
  ASSERT_EQ(h_.Compile("write_files:\n- path: /etc/crontab\n  content: B\n"
                       "  append: true\n"),
            "");
  ASSERT_TRUE(h_.Build().ok());
  Plan plan = PlanNow();
  const Change* c = FindChange(plan, "file[/etc/crontab]");
  EXPECT_EQ(c->action, Action::kUpdate);
  EXPECT_EQ(Fields(*c), "content: " + ContentFingerprint("A\n") + " -> " +
                            ContentFingerprint("A\nB") + "\n");
  EXPECT_EQ(c->reason, "append 1 bytes");
}

TEST_F(FileResourceTest, AppendedContentRemovedByHandIsAppendedAgain) {
  sys_.AddFile("/etc/crontab", "A\n");
  const char* yaml =
      "write_files:\n- path: /etc/crontab\n  content: \"B\\n\"\n"
      "  append: true\n";
  Converge(yaml);
  sys_.AddFile("/etc/crontab", "A\nC\n");
  Converge(yaml);
  EXPECT_EQ(sys_.GetFile("/etc/crontab")->content, "A\nC\nB\n");
}

TEST_F(FileResourceTest, ContentPresentButNotAppendedByUsIsAppended) {
  // cloud-init appends whenever it runs; we append once per content.
  sys_.AddFile("/etc/crontab", "B\n");
  Converge(
      "write_files:\n- path: /etc/crontab\n  content: \"B\\n\"\n"
      "  append: true\n");
  EXPECT_EQ(sys_.GetFile("/etc/crontab")->content, "B\nB\n");
}

TEST_F(FileResourceTest, FileSourceIsReadInsideTheRoot) {
  sys_.AddFile("/srv/templates/motd", "from source\n");
  Converge(
      "write_files:\n- path: /etc/motd\n  source:\n"
      "    uri: file:///srv/templates/motd\n  content: fallback\n");
  EXPECT_EQ(sys_.GetFile("/etc/motd")->content, "from source\n");
}

TEST_F(FileResourceTest, UnreadableSourceFallsBackToContent) {
  ASSERT_EQ(h_.Compile("write_files:\n- path: /etc/motd\n  source:\n"
                       "    uri: file:///nope\n  content: fallback\n"),
            "");
  ASSERT_TRUE(h_.Build().ok());
  Plan plan = PlanNow();
  const Change* c = FindChange(plan, "file[/etc/motd]");
  EXPECT_THAT(c->reason,
              HasSubstr("user-data:4:10: write_files[0].source.uri: cannot "
                        "read file:///nope ("));
  EXPECT_THAT(c->reason, HasSubstr("); content written instead"));
  h_.ApplyOn(sys_);
  EXPECT_EQ(sys_.GetFile("/etc/motd")->content, "fallback");
}

TEST_F(FileResourceTest, SourceWithAppendedEntryConcatenates) {
  sys_.AddFile("/srv/base", "base\n");
  Converge(
      "write_files:\n- path: /etc/x\n  source:\n    uri: file:///srv/base\n"
      "- path: /etc/x\n  content: extra\n  append: true\n");
  EXPECT_EQ(sys_.GetFile("/etc/x")->content, "base\nextra");
}

// Text, then a source appended, then text again: each in config order
// (the first text is the spec's literal, the rest become pieces).
TEST_F(FileResourceTest, TextSourceAndTextAppendedConcatenateInOrder) {
  sys_.AddFile("/srv/base", "base\n");
  Converge(
      "write_files:\n- path: /etc/x\n  content: \"one\\n\"\n"
      "- path: /etc/x\n  source:\n    uri: file:///srv/base\n  append: true\n"
      "- path: /etc/x\n  content: two\n  append: true\n");
  EXPECT_EQ(sys_.GetFile("/etc/x")->content, "one\nbase\ntwo");
}

TEST_F(FileResourceTest, SymlinkAtPathIsReplacedNotFollowed) {
  sys_.AddFile("/etc/shadow", "secret", {0600, 0, 0});
  sys_.AddSymlink("/tmp/link", "/etc/shadow");
  ASSERT_EQ(h_.Compile("write_files:\n- path: /tmp/link\n  content: mine\n"),
            "");
  ASSERT_TRUE(h_.Build().ok());
  EXPECT_EQ(Fields(*FindChange(PlanNow(), "file[/tmp/link]")),
            "type: symlink -> file\n"
            "content: - -> " +
                ContentFingerprint("mine") +
                "\n"
                "mode: - -> 0644\n"
                "owner: - -> root:root\n");
  ASSERT_TRUE(h_.ApplyOn(sys_).ok());
  EXPECT_EQ(sys_.GetFile("/tmp/link")->type, FileType::kRegular);
  EXPECT_EQ(sys_.GetFile("/tmp/link")->content, "mine");
  EXPECT_EQ(sys_.GetFile("/etc/shadow")->content, "secret");
}

TEST_F(FileResourceTest, DirectoryAtPathIsAPlanError) {
  sys_.AddDir("/etc/conf.d");
  ASSERT_EQ(h_.Compile("write_files:\n- path: /etc/conf.d\n"), "");
  ASSERT_TRUE(h_.Build().ok());
  EXPECT_EQ(PlanErrors(PlanNow()),
            "file[/etc/conf.d]: /etc/conf.d is a directory\n");
}

TEST_F(FileResourceTest, FileAsParentIsAPlanError) {
  sys_.AddFile("/opt", "not a dir");
  ASSERT_EQ(h_.Compile("write_files:\n- path: /opt/app/x\n"), "");
  ASSERT_TRUE(h_.Build().ok());
  EXPECT_EQ(PlanErrors(PlanNow()),
            "file[/opt/app/x]: parent /opt exists and is not a directory\n");
}

// The ancestors are looked at from the file up before top-down: an existing
// grandparent stays as it is, only the missing levels below it are made.
TEST_F(FileResourceTest, OnlyTheMissingLevelsBelowAnExistingOneAreMade) {
  sys_.AddDir("/srv", {0700, 5, 5});
  ASSERT_EQ(h_.Compile("write_files:\n- path: /srv/a/b/x\n"), "");
  ASSERT_TRUE(h_.Build().ok());
  Plan plan = PlanNow();
  const Change* c = FindChange(plan, "file[/srv/a/b/x]");
  ASSERT_NE(c, nullptr);
  EXPECT_NE(c->reason.find("create directories /srv/a, /srv/a/b"),
            std::string::npos)
      << c->reason;
  ASSERT_TRUE(h_.ApplyOn(sys_).ok());
  EXPECT_EQ(sys_.GetFile("/srv")->attrs.mode, 0700u);
  EXPECT_EQ(sys_.GetFile("/srv/a")->type, FileType::kDirectory);
  EXPECT_EQ(sys_.GetFile("/srv/a/b/x")->content, "");
}

TEST_F(FileResourceTest, FileAsTheDirectParentIsAPlanError) {
  sys_.AddDir("/opt", {0755, 0, 0});
  sys_.AddFile("/opt/app", "not a dir");
  ASSERT_EQ(h_.Compile("write_files:\n- path: /opt/app/x\n"), "");
  ASSERT_TRUE(h_.Build().ok());
  EXPECT_EQ(
      PlanErrors(PlanNow()),
      "file[/opt/app/x]: parent /opt/app exists and is not a directory\n");
}

TEST_F(FileResourceTest, DeferredFileComesAfterOthers) {
  ASSERT_EQ(h_.Compile("write_files:\n- path: /a\n  defer: true\n- path: /b\n"),
            "");
  ASSERT_TRUE(h_.Build().ok());
  Plan plan = PlanNow();
  EXPECT_EQ(plan.items[0].change.id, "file[/b]");
  EXPECT_EQ(plan.items[1].change.id, "file[/a]");
}

TEST_F(FileResourceTest, WriteFailureIsReportedAndNothingHalfWritten) {
  sys_.FailWritesUnder("/etc/app", "No space left on device");
  ASSERT_EQ(h_.Compile("write_files:\n- path: /etc/app/x\n  content: x\n"), "");
  ASSERT_TRUE(h_.Build().ok());
  ApplyReport r = h_.ApplyOn(sys_);
  ASSERT_EQ(r.results.size(), 1u);
  EXPECT_EQ(r.results[0].outcome, Outcome::kFailed);
  EXPECT_THAT(r.results[0].message, HasSubstr("No space left on device"));
  EXPECT_FALSE(sys_.Exists("/etc/app/x"));
}

TEST_F(FileResourceTest, RemovedFromConfigIsLeftAlone) {
  Converge("write_files:\n- path: /etc/a\n  content: x\n");
  Harness next{{CompileWriteFiles}};
  next.records() = h_.records();
  ASSERT_EQ(next.Compile("write_files: []\n"), "");
  ASSERT_TRUE(next.Build().ok());
  KindOrphanFactory orphans;
  Plan plan = MakePlan(next.graph(), sys_, RunInfo{}, next.records(), &orphans);
  EXPECT_FALSE(plan.HasChanges());
  ASSERT_EQ(plan.notes.size(), 1u);
  EXPECT_EQ(plan.notes[0],
            "file[/etc/a]: no longer in the config; left alone (this kind is "
            "never deleted)");
  EXPECT_TRUE(sys_.Exists("/etc/a"));
}

}  // namespace
}  // namespace flamingo
