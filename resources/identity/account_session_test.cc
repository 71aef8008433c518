// AccountSession: parse once, edit in memory, write each account file once
// per batch; and the same through the engine with many users.
#include "resources/identity/account_session.h"

#include <gtest/gtest.h>

#include <map>

#include "resources/host_keys.h"
#include "resources/identity/compile.h"
#include "resources/identity/identity_test_util.h"
#include "resources/resource_testing.h"
#include "resources/scripts_compile.h"
#include "resources/write_files.h"

namespace flamingo::identity {
namespace {

using idtest::Driver;
using idtest::IdRun;
using idtest::kKeyA;

// Successful and failed writes of `path` so far.
size_t WritesOf(const FakeSystem& sys, const std::string& path) {
  size_t n = 0;
  for (const auto& m : sys.mutations()) n += m == "write " + path;
  return n;
}

class AccountSessionTest : public ::testing::Test {
 protected:
  void SetUp() override { idtest::SeedEtc(&sys_); }
  FakeSystem sys_;
  AccountSession session_;
};

TEST_F(AccountSessionTest, ParsesOnceUntilTheFilesChange) {
  ASSERT_TRUE(session_.Read(sys_).ok());
  ASSERT_TRUE(session_.Read(sys_).ok());
  EXPECT_EQ(session_.parse_count(), 1);
  // Another tool rewrites /etc/group (same size: only the identity tells).
  auto group = sys_.GetFile("/etc/group")->content;
  group.replace(group.find("adm:x:4:"), 8, "adm:x:5:");
  sys_.AddFile("/etc/group", group, {0644, 0, 0});
  auto db = session_.Read(sys_);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(session_.parse_count(), 2);
  EXPECT_EQ((*db)->GroupGid("adm"), 5u);
  // A mode change is a change too.
  ASSERT_TRUE(sys_.SetAttrs("/etc/shadow", {0600, 0, 0}).ok());
  ASSERT_TRUE(session_.Read(sys_).ok());
  EXPECT_EQ(session_.parse_count(), 3);
}

TEST_F(AccountSessionTest, EditsArePendingUntilCommitThenWrittenOnce) {
  std::string passwd_before = sys_.GetFile("/etc/passwd")->content;
  for (int i = 0; i < 20; ++i) {
    auto db = session_.Edit(sys_);
    ASSERT_TRUE(db.ok()) << db.status().message();
    std::string name = "u" + std::to_string(i);
    uint32_t id = *(*db)->NextUid(false);
    (*db)->AddGroup(name, id);
    UserView u;
    u.name = name;
    u.uid = id;
    u.gid = id;
    u.home = "/home/" + name;
    u.shell = "/bin/sh";
    (*db)->AddUser(u);
    (*db)->AddMember("adm", name);
    // Readers see the pending state; the disk does not change.
    auto seen = session_.Read(sys_);
    ASSERT_TRUE(seen.ok());
    EXPECT_TRUE((*seen)->User(name).has_value());
    EXPECT_EQ(sys_.GetFile("/etc/passwd")->content, passwd_before);
  }
  EXPECT_TRUE(session_.pending());
  // The lock is held while edits are pending.
  EXPECT_FALSE(sys_.Lock(kPwdLockPath, 0).ok());
  ASSERT_TRUE(session_.Commit(sys_).ok());
  EXPECT_FALSE(session_.pending());
  EXPECT_TRUE(sys_.Lock(kPwdLockPath, 0).ok());
  for (const char* p : {kPasswdPath, kShadowPath, kGroupPath, kGshadowPath}) {
    EXPECT_EQ(WritesOf(sys_, p), 1u) << p;
  }
  auto fresh = AccountDb::Load(sys_);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->User("u19")->uid, 1020u);
  EXPECT_EQ(fresh->Group("adm")->members.size(), 20u);
  // Mode and owner of each file kept.
  EXPECT_EQ(sys_.GetFile("/etc/shadow")->attrs.gid, 42u);
  // What we wrote is what we hold: no parse after the commit.
  ASSERT_TRUE(session_.Read(sys_).ok());
  EXPECT_EQ(session_.parse_count(), 1);
  // Nothing pending: a commit writes nothing.
  size_t before = sys_.mutations().size();
  ASSERT_TRUE(session_.Commit(sys_).ok());
  EXPECT_EQ(sys_.mutations().size(), before);
}

TEST_F(AccountSessionTest, AFailedCommitDropsTheEditsAndRereads) {
  auto db = session_.Edit(sys_);
  ASSERT_TRUE(db.ok());
  (*db)->AddGroup("ops", 2000);
  sys_.FailWritesUnder("/etc/group", "No space left on device");
  Status s = session_.Commit(sys_);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("No space left on device"), std::string::npos);
  EXPECT_TRUE(sys_.Lock(kPwdLockPath, 0).ok());  // released
  sys_.ClearFaults();
  auto seen = session_.Read(sys_);
  ASSERT_TRUE(seen.ok());
  EXPECT_FALSE((*seen)->Group("ops"));
}

TEST_F(AccountSessionTest, AChangeUnderThePendingEditsIsNotOverwritten) {
  auto db = session_.Edit(sys_);
  ASSERT_TRUE(db.ok());
  (*db)->AddGroup("ops", 2000);
  // A tool that ignores /etc/.pwd.lock.
  sys_.AddFile("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
  Status s = session_.Commit(sys_);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("changed during the run"), std::string::npos);
  EXPECT_EQ(sys_.GetFile("/etc/passwd")->content,
            "root:x:0:0:root:/root:/bin/bash\n");
  EXPECT_EQ(sys_.GetFile("/etc/group")->content.find("ops"), std::string::npos);
}

// ---- Through the engine ----

std::string ManyUsers(int n) {
  // sshd policy (not a batch member) comes after all the accounts: no
  // commit between them.
  std::string yaml = "ssh_pwauth: false\ngroups: [ops]\nusers:\n";
  for (int i = 0; i < n; ++i) {
    std::string name = "user" + std::to_string(i);
    yaml += "  - name: " + name + "\n    gecos: User " + std::to_string(i) +
            "\n    shell: /bin/sh\n    groups: [ops]\n"
            "    sudo: ALL=(ALL) NOPASSWD:ALL\n"
            "    ssh_authorized_keys: ['" +
            std::string(kKeyA) + " " + name + "']\n";
  }
  return yaml;
}

class AccountBatchTest : public ::testing::Test {
 protected:
  void SetUp() override { idtest::SeedEtc(&sys_); }
  FakeSystem sys_;
  Driver driver_{&sys_};
};

TEST_F(AccountBatchTest, ManyUsersWriteEachAccountFileOnce) {
  const int kUsers = 60;
  IdRun r = driver_.Apply(ManyUsers(kUsers));
  ASSERT_TRUE(r.report.ok()) << r.Everything();
  // users, sudo rules, key files and the group all changed and converged.
  size_t changed = 0;
  for (const auto& res : r.report.results) {
    changed += res.kind() != "sshd" && res.outcome == Outcome::kChanged;
  }
  EXPECT_EQ(changed, 3u * kUsers + 1);
  EXPECT_EQ(r.report.results.back().id, "sshd[policy]");
  for (const char* p : {kPasswdPath, kShadowPath, kGroupPath, kGshadowPath}) {
    EXPECT_EQ(WritesOf(sys_, p), 1u) << p;
  }
  auto db = AccountDb::Load(sys_);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(db->Group("ops")->members.size(), static_cast<size_t>(kUsers));
  auto last = db->User("user59");
  ASSERT_TRUE(last);
  // The key file is owned by the user's ids, taken from the pending state.
  auto keys = sys_.GetFile("/home/user59/.ssh/authorized_keys");
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->attrs.uid, last->uid);
  EXPECT_EQ(keys->attrs.gid, last->gid);
  EXPECT_TRUE(driver_.Plan(ManyUsers(kUsers)).Changes().empty());
  // The second run writes nothing.
  size_t before = sys_.mutations().size();
  IdRun again = driver_.Apply(ManyUsers(kUsers));
  ASSERT_TRUE(again.report.ok());
  EXPECT_EQ(sys_.mutations().size(), before);
}

TEST_F(AccountBatchTest, DeletingManyUsersWritesEachAccountFileOnce) {
  const int kUsers = 40;
  ASSERT_TRUE(driver_.Apply(ManyUsers(kUsers)).report.ok());
  std::map<std::string, size_t> before;
  for (const char* p : {kPasswdPath, kShadowPath, kGroupPath, kGshadowPath}) {
    before[p] = WritesOf(sys_, p);
  }
  // Every user (and its keys and sudo rule) leaves the config: the orphans
  // share one account session.
  IdRun r = driver_.Apply("ssh_pwauth: false\ngroups: [ops]\n");
  ASSERT_TRUE(r.report.ok()) << r.Everything();
  size_t deleted = 0;
  for (const auto& res : r.report.results) {
    deleted += res.kind() == "user" && res.action == Action::kDelete &&
               res.outcome == Outcome::kChanged;
  }
  EXPECT_EQ(deleted, static_cast<size_t>(kUsers));
  for (const char* p : {kPasswdPath, kShadowPath, kGroupPath, kGshadowPath}) {
    EXPECT_EQ(WritesOf(sys_, p), before[p] + 1) << p;
  }
  auto db = AccountDb::Load(sys_);
  ASSERT_TRUE(db.ok());
  EXPECT_FALSE(db->User("user0"));
  EXPECT_FALSE(db->User("user39"));
  EXPECT_TRUE(db->Group("ops")->members.empty());
  EXPECT_TRUE(
      driver_.Plan("ssh_pwauth: false\ngroups: [ops]\n").Changes().empty());
}

TEST_F(AccountBatchTest, AFailedWriteFailsTheUsersAndTheNextRunConverges) {
  std::string yaml = ManyUsers(3);
  sys_.FailWritesUnder("/etc/group", "No space left on device");
  IdRun r = driver_.Apply(yaml);
  EXPECT_FALSE(r.report.ok());
  for (const auto& res : r.report.results) {
    if (res.kind() != "user" && res.kind() != "group") continue;
    EXPECT_EQ(res.outcome, Outcome::kFailed) << res.id;
    EXPECT_NE(res.message.find("No space left on device"), std::string::npos)
        << res.id << ": " << res.message;
    EXPECT_EQ(driver_.records().Get(res.id).value_or(Record()).count("created"),
              0u)
        << res.id;
  }
  auto db = AccountDb::Load(sys_);
  ASSERT_TRUE(db.ok());
  EXPECT_FALSE(db->User("user0"));
  sys_.ClearFaults();
  IdRun fixed = driver_.Apply(yaml);
  ASSERT_TRUE(fixed.report.ok()) << fixed.Everything();
  EXPECT_TRUE(driver_.Plan(yaml).Changes().empty());
  EXPECT_EQ(driver_.records().at("user[user0]").at("created"), "true");
}

// write_files owned by a new user and a runcmd script come after the users:
// by then the account files are on disk.
TEST_F(AccountBatchTest, LaterResourcesSeeTheUsersOnDisk) {
  std::string passwd_at_exec;
  sys_.set_exec_handler([&](const ExecRequest&) -> Result<ExecResult> {
    passwd_at_exec = sys_.GetFile("/etc/passwd")->content;
    return ExecResult{};
  });
  testing::Harness h({CompileIdentity, CompileWriteFiles, CompileScripts});
  h.run().instance_id = "iid-1";
  h.run().boot_id = "b1";
  h.run().boot = true;
  std::string err = h.Compile(
      "users: [{name: alice}]\n"
      "write_files:\n"
      "  - path: /srv/alice.conf\n    owner: alice:alice\n    content: x\n"
      "runcmd: [[id, alice]]\n",
      "instance-id: iid-1\n");
  ASSERT_EQ(err, "");
  ASSERT_TRUE(h.Build().ok());
  ApplyReport report = h.ApplyOn(sys_);
  ASSERT_TRUE(report.ok());
  for (const auto& res : report.results) {
    if (res.id == "user[alice]" || res.id == "file[/srv/alice.conf]") {
      EXPECT_EQ(res.outcome, Outcome::kChanged) << res.id;
    }
  }
  ASSERT_EQ(sys_.exec_requests().size(), 1u);
  auto db = AccountDb::Load(sys_);
  ASSERT_TRUE(db.ok());
  auto alice = db->User("alice");
  ASSERT_TRUE(alice);
  auto conf = sys_.GetFile("/srv/alice.conf");
  ASSERT_TRUE(conf);
  EXPECT_EQ(conf->attrs.uid, alice->uid);
  EXPECT_NE(passwd_at_exec.find("alice:x:"), std::string::npos)
      << passwd_at_exec;
}

// The SSH host keys (not a member of the account batch) run after the
// accounts, as cloud-init's ssh module runs after users-groups: a new group
// and the users in it still share one write of each account file, and
// ssh-keygen finds them committed.
TEST_F(AccountBatchTest, HostKeysDoNotSplitTheAccountCommit) {
  sys_.AddFile("/etc/ssh/ssh_host_ed25519_key", "image key", {0600, 0, 0});
  sys_.AddFile("/usr/bin/ssh-keygen", "", {0755, 0, 0});
  std::string group_at_keygen;
  sys_.set_exec_handler([&](const ExecRequest& r) -> Result<ExecResult> {
    group_at_keygen = sys_.GetFile(kGroupPath)->content;
    sys_.AddFile(r.argv.back(), "new key", {0600, 0, 0});
    sys_.AddFile(r.argv.back() + ".pub", "new key pub", {0644, 0, 0});
    return ExecResult{};
  });
  testing::Harness h({CompileIdentity, CompileHostKeys});
  h.run().instance_id = "iid-1";
  h.run().boot_id = "b1";
  h.run().boot = true;
  ASSERT_EQ(h.Compile("groups: [ops]\n"
                      "users: [{name: alice, groups: ops}]\n"
                      "ssh_genkeytypes: [ed25519]\n",
                      "instance-id: iid-1\n"),
            "");
  ASSERT_TRUE(h.Build().ok());
  ApplyReport report = h.ApplyOn(sys_);
  ASSERT_TRUE(report.ok());
  for (const char* p : {kPasswdPath, kShadowPath, kGroupPath, kGshadowPath}) {
    EXPECT_EQ(WritesOf(sys_, p), 1u) << p;
  }
  ASSERT_EQ(sys_.exec_requests().size(), 1u);
  EXPECT_NE(group_at_keygen.find("ops:x:"), std::string::npos)
      << group_at_keygen;
  EXPECT_EQ(report.results.back().id, "ssh_host_keys[/etc/ssh]");
}

}  // namespace
}  // namespace flamingo::identity
