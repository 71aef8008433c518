// The identity resources through the engine on a FakeSystem: create,
// converge, idempotence, ownership-based deletion, secrets.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "resources/identity/account_table.h"
#include "resources/identity/identity_test_util.h"
#include "resources/identity/password_hash.h"
#include "system/systemd/fake_service_manager.h"

namespace flamingo::identity {
namespace {

using idtest::Driver;
using idtest::IdRun;
using idtest::kKeyA;
using idtest::kKeyB;
using idtest::kKeyForeign;

class IdentityResourceTest : public ::testing::Test {
 protected:
  void SetUp() override { idtest::SeedEtc(&sys_); }
  std::string File(const std::string& path) { return sys_.ContentOf(path); }
  std::vector<std::string> Entry(const std::string& path,
                                 const std::string& name) {
    size_t n = path == "/etc/passwd"   ? kPasswdFields
               : path == "/etc/shadow" ? kShadowFields
                                       : kGroupFields;
    auto t = AccountTable::Parse(File(path), n);
    const auto* f = t.Find(name);
    return f ? f->ToVector() : std::vector<std::string>{};
  }
  void ExpectConverged(const std::string& yaml,
                       const std::string& meta = "{}") {
    IdRun again = driver_.Plan(yaml, meta);
    EXPECT_TRUE(again.Changes().empty())
        << ::testing::PrintToString(again.Changes()) << again.Everything();
  }
  FakeSystem sys_;
  Driver driver_{&sys_};
};

TEST_F(IdentityResourceTest, CreatesUserWithHomeKeysAndSudo) {
  std::string yaml =
      std::string(
          "users:\n  - name: alice\n    gecos: Alice\n    shell: /bin/bash\n"
          "    groups: [adm, docker]\n    sudo: ALL=(ALL) NOPASSWD:ALL\n"
          "    ssh_authorized_keys: ['") +
      kKeyA + " alice@x']\n";
  IdRun r = driver_.Apply(yaml);
  ASSERT_TRUE(r.built) << r.Everything();
  ASSERT_TRUE(r.report.ok()) << r.Everything();
  // docker (a new group) took gid 1001 first, like groupadd before useradd.
  EXPECT_EQ(Entry("/etc/passwd", "alice"),
            (std::vector<std::string>{"alice", "x", "1001", "1002", "Alice",
                                      "/home/alice", "/bin/bash"}));
  EXPECT_EQ(Entry("/etc/group", "alice")[2], "1002");
  EXPECT_EQ(Entry("/etc/group", "docker")[2], "1001");
  EXPECT_EQ(Entry("/etc/group", "adm")[3], "alice");
  EXPECT_EQ(Entry("/etc/group", "docker")[3], "alice");
  EXPECT_EQ(Entry("/etc/shadow", "alice")[1], "!");
  auto home = sys_.GetFile("/home/alice");
  ASSERT_TRUE(home);
  EXPECT_EQ(home->attrs.mode, 0755u);
  EXPECT_EQ(home->attrs.uid, 1001u);
  auto rc = sys_.GetFile("/home/alice/.bashrc");
  ASSERT_TRUE(rc);
  EXPECT_EQ(rc->attrs.uid, 1001u);
  EXPECT_EQ(sys_.GetFile("/home/alice/.config/app")->attrs.mode, 0600u);
  auto dir = sys_.GetFile("/home/alice/.ssh");
  ASSERT_TRUE(dir);
  EXPECT_EQ(dir->attrs.mode, 0700u);
  auto keys = sys_.GetFile("/home/alice/.ssh/authorized_keys");
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->attrs.mode, 0600u);
  EXPECT_EQ(keys->attrs.uid, 1001u);
  EXPECT_EQ(keys->content, std::string(kKeyA) + " alice@x\n");
  auto sudo = sys_.GetFile("/etc/sudoers.d/90-flamingo-alice");
  ASSERT_TRUE(sudo);
  EXPECT_EQ(sudo->attrs.mode, 0440u);
  EXPECT_NE(sudo->content.find("alice ALL=(ALL) NOPASSWD:ALL\n"),
            std::string::npos);
  // Modes and owners of the account files are kept.
  EXPECT_EQ(sys_.GetFile("/etc/shadow")->attrs.mode, 0640u);
  EXPECT_EQ(sys_.GetFile("/etc/shadow")->attrs.gid, 42u);
  ExpectConverged(yaml);
}

TEST_F(IdentityResourceTest, ConvergesAnExistingUserFieldByField) {
  std::string yaml =
      "users:\n  - name: bob\n    gecos: Bob B\n    shell: /bin/bash\n"
      "    groups: [adm]\n    lock_passwd: false\n"
      "    plain_text_passwd: hunter2\n    inactive: '7'\n";
  IdRun plan = driver_.Plan(yaml);
  const Change* c = plan.Find("user[bob]");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->action, Action::kUpdate);
  std::map<std::string, std::pair<std::string, std::string>> fields;
  for (const auto& f : c->fields) {
    fields[f.name] = {f.before.value_or("-"), f.after.value_or("-")};
  }
  EXPECT_EQ(fields["gecos"],
            std::make_pair(std::string(",,,"), std::string("Bob B")));
  EXPECT_EQ(fields["shell"],
            std::make_pair(std::string("/bin/sh"), std::string("/bin/bash")));
  EXPECT_EQ(fields["groups"],
            std::make_pair(std::string(""), std::string("adm")));
  EXPECT_EQ(fields["password"], std::make_pair(std::string("(sensitive)"),
                                               std::string("(sensitive)")));
  EXPECT_EQ(fields["inactive"],
            std::make_pair(std::string(""), std::string("7")));
  // A new password replaces the locked "!".
  EXPECT_EQ(fields["locked"],
            std::make_pair(std::string("true"), std::string("false")));
  IdRun r = driver_.Apply(yaml);
  ASSERT_TRUE(r.report.ok()) << r.Everything();
  auto shadow = Entry("/etc/shadow", "bob");
  EXPECT_EQ(shadow[1].rfind("$6$", 0), 0u);
  EXPECT_TRUE(PasswordMatches("hunter2", shadow[1]));
  EXPECT_EQ(shadow[6], "7");
  EXPECT_EQ(Entry("/etc/passwd", "bob")[6], "/bin/bash");
  // Not re-hashed on the next run: the plan is empty and the hash stays.
  ExpectConverged(yaml);
  driver_.Apply(yaml);
  EXPECT_EQ(Entry("/etc/shadow", "bob")[1], shadow[1]);
  // The plain password never appears in plan, log or messages.
  EXPECT_EQ(plan.Everything().find("hunter2"), std::string::npos);
  EXPECT_EQ(r.Everything().find("hunter2"), std::string::npos);
  EXPECT_EQ(r.Everything().find(shadow[1]), std::string::npos);
  driver_.records().ForEach([](std::string_view, const Record& record) {
    for (const auto& [k, v] : record) {
      EXPECT_EQ(v.find("hunter2"), std::string::npos);
      EXPECT_EQ(v.find("$6$"), std::string::npos) << k;
    }
  });
}

TEST_F(IdentityResourceTest, LockPasswdLocksAndUnlocks) {
  std::string h = *HashPassword("pw", "$6$");
  sys_.AddFile("/etc/shadow",
               "root:*:19000:0:99999:7:::\nbob:" + h + ":19000:0:99999:7:::\n",
               {0640, 0, 42});
  IdRun r =
      driver_.Apply("users: [{name: bob}]\n");  // lock_passwd default true
  ASSERT_TRUE(r.report.ok()) << r.Everything();
  EXPECT_EQ(Entry("/etc/shadow", "bob")[1], "!" + h);
  r = driver_.Apply("users: [{name: bob, lock_passwd: false}]\n");
  ASSERT_TRUE(r.report.ok()) << r.Everything();
  EXPECT_EQ(Entry("/etc/shadow", "bob")[1], h);
  ExpectConverged("users: [{name: bob, lock_passwd: false}]\n");
}

TEST_F(IdentityResourceTest, MembershipsAddedByFlamingoAreRemovedOthersKept) {
  sys_.AddFile("/etc/group", File("/etc/group") + "staff:x:50:bob\nops:x:51:\n",
               {0644, 0, 0});
  sys_.AddFile("/etc/gshadow", File("/etc/gshadow") + "staff:!::bob\nops:!::\n",
               {0640, 0, 42});
  ASSERT_TRUE(
      driver_.Apply("users: [{name: bob, groups: [ops]}]\n").report.ok());
  EXPECT_EQ(Entry("/etc/group", "ops")[3], "bob");
  IdRun r = driver_.Apply("users: [{name: bob, groups: [adm]}]\n");
  ASSERT_TRUE(r.report.ok()) << r.Everything();
  EXPECT_EQ(Entry("/etc/group", "ops")[3], "");       // ours: removed
  EXPECT_EQ(Entry("/etc/group", "staff")[3], "bob");  // not ours: kept
  EXPECT_EQ(Entry("/etc/group", "adm")[3], "bob");
}

TEST_F(IdentityResourceTest, OwnedKeyIsRemovedForeignKeyStays) {
  sys_.AddDir("/home/bob/.ssh", {0700, 1000, 1000});
  sys_.AddFile("/home/bob/.ssh/authorized_keys",
               std::string(kKeyForeign) + " admin\n", {0600, 1000, 1000});
  std::string both = std::string(
                         "users: [{name: bob, lock_passwd: false, "
                         "ssh_authorized_keys: ['") +
                     kKeyA + " a', '" + kKeyB + " b']}]\n";
  ASSERT_TRUE(driver_.Apply(both).report.ok());
  EXPECT_EQ(
      File("/home/bob/.ssh/authorized_keys"),
      std::string(kKeyForeign) + " admin\n" + kKeyA + " a\n" + kKeyB + " b\n");
  std::string one = std::string(
                        "users: [{name: bob, lock_passwd: false, "
                        "ssh_authorized_keys: ['") +
                    kKeyA + " a']}]\n";
  IdRun plan = driver_.Plan(one);
  const Change* c = plan.Find("ssh_keys[bob]");
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(c->fields.size(), 1u);
  EXPECT_EQ(c->fields[0].after, std::nullopt);  // B removed
  ASSERT_TRUE(driver_.Apply(one).report.ok());
  EXPECT_EQ(File("/home/bob/.ssh/authorized_keys"),
            std::string(kKeyForeign) + " admin\n" + kKeyA + " a\n");
  // No keys configured any more: the orphan removes ours, keeps the rest.
  IdRun gone = driver_.Apply("users: [{name: bob, lock_passwd: false}]\n");
  ASSERT_TRUE(gone.report.ok()) << gone.Everything();
  EXPECT_EQ(File("/home/bob/.ssh/authorized_keys"),
            std::string(kKeyForeign) + " admin\n");
  ExpectConverged("users: [{name: bob, lock_passwd: false}]\n");
}

TEST_F(IdentityResourceTest, SymlinkedKeysFileIsReplacedNotFollowed) {
  sys_.AddDir("/home/bob/.ssh", {0700, 1000, 1000});
  sys_.AddFile("/etc/target", "precious\n", {0644, 0, 0});
  sys_.AddSymlink("/home/bob/.ssh/authorized_keys", "/etc/target");
  std::string yaml =
      std::string("users: [{name: bob, ssh_authorized_keys: ['") + kKeyA +
      "']}]\n";
  ASSERT_TRUE(driver_.Apply(yaml).report.ok());
  EXPECT_EQ(File("/etc/target"), "precious\n");
  EXPECT_EQ(sys_.GetFile("/home/bob/.ssh/authorized_keys")->type,
            FileType::kRegular);
}

TEST_F(IdentityResourceTest, SymlinkedSshDirIsRefused) {
  sys_.AddDir("/etc/evil", {0755, 0, 0});
  sys_.AddSymlink("/home/bob/.ssh", "/etc/evil");
  std::string yaml =
      std::string("users: [{name: bob, ssh_authorized_keys: ['") + kKeyA +
      "']}]\n";
  IdRun r = driver_.Plan(yaml);
  ASSERT_TRUE(r.plan.HasErrors());
  EXPECT_NE(r.Everything().find("/home/bob/.ssh is not a directory"),
            std::string::npos);
}

TEST_F(IdentityResourceTest, UserCreatedByFlamingoIsDeletedOthersLeftAlone) {
  ASSERT_TRUE(driver_.Apply("users: [alice, bob]\n").report.ok());
  IdRun r = driver_.Apply("users: []\n");
  ASSERT_TRUE(r.report.ok()) << r.Everything();
  EXPECT_TRUE(Entry("/etc/passwd", "alice").empty());
  EXPECT_TRUE(Entry("/etc/shadow", "alice").empty());
  EXPECT_TRUE(Entry("/etc/group", "alice").empty());  // its own group, ours
  EXPECT_FALSE(Entry("/etc/passwd", "bob").empty());
  EXPECT_NE(
      r.Everything().find("user[bob]: no longer in the config; left alone "
                          "(not created by flamingo)"),
      std::string::npos)
      << r.Everything();
  EXPECT_TRUE(sys_.Exists("/home/alice"));  // home kept
}

TEST_F(IdentityResourceTest, PlanningErrorsNameTheEntryAndWriteNothing) {
  auto before = sys_.mutation_count();
  IdRun taken = driver_.Apply("users:\n  - name: carol\n    uid: 1000\n");
  ASSERT_TRUE(taken.plan.HasErrors());
  EXPECT_NE(
      taken.Everything().find(
          "user-data:2:5: uid 1000 of user 'carol' is taken by user 'bob'"),
      std::string::npos)
      << taken.Everything();
  IdRun nogroup = driver_.Apply(
      "users:\n  - name: carol\n    create_groups: false\n    groups: "
      "[nope]\n");
  ASSERT_TRUE(nogroup.plan.HasErrors());
  EXPECT_NE(nogroup.Everything().find(
                "user-data:2:5: user 'carol': group 'nope' does not exist "
                "(create_groups is false)"),
            std::string::npos)
      << nogroup.Everything();
  IdRun nouser = driver_.Apply(
      "chpasswd:\n  users:\n  - {name: zed, password: x, type: text}\n");
  ASSERT_TRUE(nouser.plan.HasErrors());
  EXPECT_NE(nouser.Everything().find("user 'zed' does not exist"),
            std::string::npos);
  EXPECT_EQ(sys_.mutation_count(), before);
}

TEST_F(IdentityResourceTest, ChpasswdExpiresOnceAndRespectsTheUsersChange) {
  std::string yaml =
      "chpasswd:\n  users:\n  - {name: bob, password: first, type: text}\n";
  ASSERT_TRUE(driver_.Apply(yaml).report.ok());
  auto shadow = Entry("/etc/shadow", "bob");
  EXPECT_TRUE(PasswordMatches("first", shadow[1]));
  EXPECT_EQ(shadow[2], "0");  // must change at next login
  ExpectConverged(yaml);
  // The user changes it (passwd sets a new hash and the change date).
  std::string text = File("/etc/shadow");
  text.replace(text.find(shadow[1] + ":0:"), shadow[1].size() + 3,
               *HashPassword("mine", "$6$") + ":19999:");
  sys_.AddFile("/etc/shadow", text, {0640, 0, 42});
  ExpectConverged(yaml);
}

TEST_F(IdentityResourceTest, SudoersIncludedirIsAddedWhenMissing) {
  sys_.AddFile("/etc/sudoers", "root ALL=(ALL:ALL) ALL\n", {0440, 0, 0});
  std::string yaml = "users: [{name: bob, sudo: ['ALL=(ALL) ALL']}]\n";
  ASSERT_TRUE(driver_.Apply(yaml).report.ok());
  EXPECT_EQ(File("/etc/sudoers"),
            "root ALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\n");
  EXPECT_EQ(sys_.GetFile("/etc/sudoers")->attrs.mode, 0440u);
  ExpectConverged(yaml);
  // sudo: false (or removing it) deletes the drop-in flamingo created.
  ASSERT_TRUE(driver_.Apply("users: [{name: bob, sudo: false}]\n").report.ok());
  EXPECT_FALSE(sys_.Exists("/etc/sudoers.d/90-flamingo-bob"));
}

TEST_F(IdentityResourceTest, SshdDropInWhenIncludedReloadOnlyWhenLive) {
  sys_.AddFile("/etc/ssh/sshd_config",
               "Include /etc/ssh/sshd_config.d/*.conf\nPort 22\n",
               {0644, 0, 0});
  std::string yaml = "ssh_pwauth: false\ndisable_root: true\nusers: []\n";
  ASSERT_TRUE(driver_.Apply(yaml).report.ok());
  EXPECT_EQ(File("/etc/ssh/sshd_config.d/10-flamingo.conf"),
            "# Managed by flamingo (ssh_pwauth, disable_root)\n"
            "PasswordAuthentication no\nPermitRootLogin no\n");
  EXPECT_TRUE(sys_.exec_requests().empty());  // not live: no reload
  ExpectConverged(yaml);
  // Live without systemd (another init, a container, a chroot): sshd is
  // found by its pid file; none means it is not running, and it reads the
  // file when it starts.
  sys_.set_live(true);
  ASSERT_TRUE(driver_.Apply("ssh_pwauth: true\nusers: []\n").report.ok());
  EXPECT_TRUE(sys_.exec_requests().empty());
  sys_.AddFile("/run/sshd.pid", "4242\n");
  ASSERT_TRUE(driver_.Apply("ssh_pwauth: false\nusers: []\n").report.ok());
  ASSERT_EQ(sys_.exec_requests().size(), 2u);
  EXPECT_EQ(sys_.exec_requests()[0].argv,
            (std::vector<std::string>{"sshd", "-t"}));
  EXPECT_EQ(sys_.exec_requests()[1].argv,
            (std::vector<std::string>{"kill", "-HUP", "4242"}));
}

// With systemd's API: a reload job for the unit that runs sshd (Debian
// names it ssh.service), none when sshd is not running; no systemctl.
TEST_F(IdentityResourceTest, SshdReloadThroughTheServiceManager) {
  sys_.AddFile("/etc/ssh/sshd_config",
               "Include /etc/ssh/sshd_config.d/*.conf\n", {0644, 0, 0});
  FakeServiceManager sm;
  UnitState missing;
  missing.load_state = "not-found";
  missing.active_state = "inactive";
  sm.SetUnit("sshd.service", missing);
  UnitState stopped;
  stopped.load_state = "loaded";
  stopped.active_state = "inactive";
  sm.SetUnit("ssh.service", stopped);
  sys_.set_services(&sm);
  sys_.set_live(true);
  ASSERT_TRUE(driver_.Apply("ssh_pwauth: false\nusers: []\n").report.ok());
  EXPECT_TRUE(sm.calls().empty());  // inactive: reads the file at start
  EXPECT_TRUE(sys_.exec_requests().empty());  // and checks it itself
  UnitState running = stopped;
  running.active_state = "active";
  sm.SetUnit("ssh.service", running);
  ASSERT_TRUE(driver_.Apply("ssh_pwauth: true\nusers: []\n").report.ok());
  EXPECT_EQ(sm.calls(), std::vector<std::string>{"reload ssh.service"});
  ASSERT_EQ(sys_.exec_requests().size(), 1u);  // sshd -t, no systemctl
  EXPECT_EQ(sys_.exec_requests()[0].argv,
            (std::vector<std::string>{"sshd", "-t"}));
  sys_.set_services(nullptr);
}

TEST_F(IdentityResourceTest, SshdConfigRejectedBySshdIsRolledBack) {
  std::string original = "Port 22\nPasswordAuthentication yes\n";
  sys_.AddFile("/etc/ssh/sshd_config", original, {0600, 0, 0});
  sys_.AddFile("/run/sshd.pid", "4242\n");  // running, without systemd
  sys_.set_live(true);
  sys_.set_exec_handler([](const ExecRequest& req) -> Result<ExecResult> {
    ExecResult r;
    if (req.argv[0] == "sshd") {
      r.exit_code = 255;
      r.output_tail = "bad configuration";
    }
    return r;
  });
  IdRun r = driver_.Apply("ssh_pwauth: false\nusers: []\n");
  ASSERT_EQ(r.report.Count(Outcome::kFailed), 1u);
  EXPECT_NE(r.Everything().find("sshd -t rejected the new configuration"),
            std::string::npos)
      << r.Everything();
  EXPECT_EQ(File("/etc/ssh/sshd_config"), original);
  for (const auto& e : sys_.exec_requests()) EXPECT_NE(e.argv[0], "kill");
}

// Outside its unit sshd -t may fail only for want of /run/sshd: that is no
// verdict on the file, which stays.
TEST_F(IdentityResourceTest, SshdCheckWithoutPrivsepDirIsNotARejection) {
  sys_.AddFile("/etc/ssh/sshd_config", "Port 22\n", {0600, 0, 0});
  sys_.AddFile("/run/sshd.pid", "4242\n");
  sys_.set_live(true);
  sys_.set_exec_handler([](const ExecRequest& req) -> Result<ExecResult> {
    ExecResult r;
    if (req.argv[0] == "sshd") {
      r.exit_code = 255;
      r.output_tail = "Missing privilege separation directory: /run/sshd\n";
    }
    return r;
  });
  ASSERT_TRUE(driver_.Apply("ssh_pwauth: false\nusers: []\n").report.ok());
  EXPECT_NE(File("/etc/ssh/sshd_config").find("PasswordAuthentication no"),
            std::string::npos);
  ASSERT_EQ(sys_.exec_requests().size(), 2u);  // checked, then reloaded
  EXPECT_EQ(sys_.exec_requests()[1].argv[0], "kill");
}

TEST_F(IdentityResourceTest, SshdConfigEditedInPlaceWithoutInclude) {
  sys_.AddFile(
      "/etc/ssh/sshd_config",
      "Port 22\nPasswordAuthentication yes\nMatch User x\n  X11Forwarding no\n",
      {0600, 0, 0});
  std::string yaml = "ssh_pwauth: false\nusers: []\n";
  ASSERT_TRUE(driver_.Apply(yaml).report.ok());
  EXPECT_EQ(
      File("/etc/ssh/sshd_config"),
      "Port 22\nPasswordAuthentication no\nMatch User x\n  X11Forwarding no\n");
  EXPECT_EQ(sys_.GetFile("/etc/ssh/sshd_config")->attrs.mode, 0600u);
  EXPECT_FALSE(sys_.Exists("/etc/ssh/sshd_config.d/10-flamingo.conf"));
  ExpectConverged(yaml);
}

TEST_F(IdentityResourceTest, CloudKeysGoToDefaultUserAndRootBehindOptions) {
  std::string meta = std::string("public-keys: ['") + kKeyA + " cloud']\n";
  IdRun r = driver_.Apply("{}", meta);
  ASSERT_TRUE(r.report.ok()) << r.Everything();
  EXPECT_EQ(File("/home/cloud-user/.ssh/authorized_keys"),
            std::string(kKeyA) + " cloud\n");
  std::string root = File("/root/.ssh/authorized_keys");
  EXPECT_EQ(root.rfind(
                "no-port-forwarding,no-agent-forwarding,no-X11-forwarding,"
                "command=\"echo 'Please login as the user \\\"cloud-user\\\" "
                "rather than the user \\\"root\\\".';echo;sleep 10;exit 142\" ",
                0),
            0u)
      << root;
  EXPECT_EQ(Entry("/etc/group", "wheel")[3], "cloud-user");
  ExpectConverged("{}", meta);
}

TEST_F(IdentityResourceTest, DoasRulesAreABlockInDoasConf) {
  sys_.AddFile("/etc/doas.conf", "permit :wheel\n", {0640, 0, 0});
  std::string yaml =
      "users:\n  - name: bob\n    doas: [permit nopass bob, deny bob as "
      "root]\n";
  ASSERT_TRUE(driver_.Apply(yaml).report.ok());
  EXPECT_EQ(File("/etc/doas.conf"),
            "permit :wheel\n# flamingo: doas rules for bob\npermit nopass bob\n"
            "deny bob as root\n# flamingo: end bob\n");
  EXPECT_EQ(sys_.GetFile("/etc/doas.conf")->attrs.mode, 0640u);
  ExpectConverged(yaml);
  ASSERT_TRUE(driver_.Apply("users: [bob]\n").report.ok());
  EXPECT_EQ(File("/etc/doas.conf"), "permit :wheel\n");
}

TEST_F(IdentityResourceTest, WaitsForTheShadowUtilsLock) {
  // Someone (useradd, passwd) holds lckpwdf's lock: nothing is written until
  // it is released.
  sys_.AddFile("/etc/.pwd.lock", "", {0600, 0, 0});
  auto held = sys_.Lock("/etc/.pwd.lock", 0);
  ASSERT_TRUE(held.ok());
  int before = sys_.mutation_count();
  IdRun result;
  std::thread t([&] { result = driver_.Apply("users: [carol]\n"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(sys_.mutation_count(), before);
  held->reset();
  t.join();
  ASSERT_TRUE(result.report.ok()) << result.Everything();
  EXPECT_FALSE(Entry("/etc/passwd", "carol").empty());
}

TEST_F(IdentityResourceTest, AnInterruptedApplyConvergesOnTheNextRun) {
  std::string yaml = std::string(
                         "users:\n  - name: dora\n    groups: [ops]\n"
                         "    ssh_authorized_keys: ['") +
                     kKeyA + "']\n";
  // A crash after the n-th write (every later write fails): the files
  // written so far stay, and the next run converges from there.
  for (int n = 1; n <= 8; ++n) {
    FakeSystem sys;
    idtest::SeedEtc(&sys);
    Driver driver(&sys);
    sys.FailNthMutation(n, "No space left on device", /*and_after=*/true);
    IdRun broken = driver.Apply(yaml);
    EXPECT_FALSE(broken.report.ok()) << n;
    sys.ClearFaults();
    IdRun fixed = driver.Apply(yaml);
    ASSERT_TRUE(fixed.report.ok()) << n << fixed.Everything();
    IdRun again = driver.Plan(yaml);
    EXPECT_TRUE(again.Changes().empty()) << n << again.Everything();
    auto shadow =
        AccountTable::Parse(sys.GetFile("/etc/shadow")->content, kShadowFields);
    ASSERT_NE(shadow.Find("dora"), nullptr) << n;
    EXPECT_EQ((*shadow.Find("dora"))[1], "!") << n;
    EXPECT_TRUE(sys.Exists("/home/dora/.ssh/authorized_keys")) << n;
  }
}

TEST_F(IdentityResourceTest, RedirectUserAndEnabledRootGetTheCloudKeys) {
  std::string meta = std::string("public-keys: ['") + kKeyA + " cloud']\n";
  std::string yaml =
      "users: [default, {name: legacy, ssh_redirect_user: true}]\n"
      "disable_root: false\n";
  IdRun r = driver_.Apply(yaml, meta);
  ASSERT_TRUE(r.report.ok()) << r.Everything();
  // Root login enabled: the keys as they are.
  EXPECT_EQ(File("/root/.ssh/authorized_keys"),
            std::string(kKeyA) + " cloud\n");
  // The redirected user: the keys behind a message naming the default user.
  std::string legacy = File("/home/legacy/.ssh/authorized_keys");
  EXPECT_NE(legacy.find("Please login as the user \\\"cloud-user\\\" rather "
                        "than the user \\\"legacy\\\""),
            std::string::npos)
      << legacy;
  ExpectConverged(yaml, meta);
}

TEST_F(IdentityResourceTest, LockoutWarningIsInThePlan) {
  IdRun r = driver_.Plan("users: [{name: alice}]\n");
  ASSERT_EQ(r.plan.warnings.size(), 1u);
  EXPECT_NE(r.plan.warnings[0].find("no way in"), std::string::npos);
}

}  // namespace
}  // namespace flamingo::identity
