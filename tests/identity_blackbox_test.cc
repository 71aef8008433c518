// Blackbox tests of users, groups, passwords, keys, sudo and sshd policy:
// the real binary against temporary roots seeded with this machine's real
// /etc/{passwd,shadow,group,gshadow,login.defs,skel}. After every apply,
// shadow-utils' own checkers (pwck -r -R, grpck -r -R) must be clean.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "tests/blackbox.h"

namespace flamingo::blackbox {
namespace {

const char kKeyA[] =
    "ssh-ed25519 "
    "AAAAC3NzaC1lZDI1NTE5AAAAIGnFzWcF0RU6vXEHy3xv2b8qQZk6qPq1H7Vz5Yg2V0sB";
const char kKeyB[] =
    "ssh-ed25519 "
    "AAAAC3NzaC1lZDI1NTE5AAAAIBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
const char kKeyForeign[] =
    "ssh-ed25519 "
    "AAAAC3NzaC1lZDI1NTE5AAAAIFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF";

// Runs a command (no shell); returns its exit code and output.
std::pair<int, std::string> Exec(std::vector<std::string> argv) {
  std::string out_path =
      "/tmp/flamingo-identity-exec." + std::to_string(getpid());
  pid_t pid = fork();
  if (pid == 0) {
    FILE* f = freopen(out_path.c_str(), "w", stdout);
    (void)f;
    dup2(1, 2);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  std::string out = ReadFile(out_path);
  unlink(out_path.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

class IdentityBlackboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* f :
         {"passwd", "shadow", "group", "gshadow", "login.defs"}) {
      std::string text = ReadFile(std::string("/etc/") + f);
      ASSERT_FALSE(text.empty()) << f;
      root_.Write(
          std::string("etc/") + f, text,
          std::string(f).find("shadow") != std::string::npos ? 0640 : 0644);
    }
    ASSERT_EQ(Exec({"cp", "-a", "/etc/skel", root_.path() + "/etc/skel"}).first,
              0);
    // Give every existing account its home and shell inside the root, so
    // that pwck is clean before we start (it checks them in the root).
    std::istringstream passwd(ReadFile("/etc/passwd"));
    std::string line;
    while (std::getline(passwd, line)) {
      std::vector<std::string> f;
      std::stringstream ss(line);
      std::string x;
      while (std::getline(ss, x, ':')) f.push_back(x);
      if (f.size() < 7) continue;
      if (f[5] != "/nonexistent") Exec({"mkdir", "-p", root_.path() + f[5]});
      MakeProgram(f[6]);
    }
    MakeProgram("/bin/sh");
    MakeProgram("/bin/bash");
    ASSERT_EQ(Pwck(), 0) << Exec({"pwck", "-r", "-R", root_.path()}).second;
    ASSERT_EQ(Grpck(), 0);
  }
  void MakeProgram(const std::string& path) {
    if (path.empty() || path[0] != '/') return;
    std::string full = root_.path() + path;
    Exec({"mkdir", "-p", full.substr(0, full.rfind('/'))});
    std::ofstream(full) << "#!/bin/true\n";
    chmod(full.c_str(), 0755);
  }
  int Pwck() { return Exec({"pwck", "-r", "-R", root_.path()}).first; }
  int Grpck() { return Exec({"grpck", "-r", "-R", root_.path()}).first; }
  void Seed(const std::string& user_data) {
    root_.Write("var/lib/cloud/seed/nocloud/user-data", user_data);
    root_.Write("var/lib/cloud/seed/nocloud/meta-data",
                "instance-id: iid-id-1\n");
  }
  RunResult Flamingo(std::vector<std::string> args) {
    args.push_back("--root");
    args.push_back(root_.path());
    return RunFlamingo(args);
  }
  void ApplyClean(const std::string& user_data) {
    Seed(user_data);
    RunResult r = Flamingo({"apply"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(Pwck(), 0) << Exec({"pwck", "-r", "-R", root_.path()}).second;
    EXPECT_EQ(Grpck(), 0) << Exec({"grpck", "-r", "-R", root_.path()}).second;
    RunResult again = Flamingo({"plan", "--detailed-exitcode"});
    EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  }
  std::string Line(const std::string& file, const std::string& name) {
    std::istringstream in(root_.Read(file));
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind(name + ":", 0) == 0) return line;
    }
    return "";
  }
  TempDir root_;
};

TEST_F(IdentityBlackboxTest, CreatesUsersGroupsKeysAndSudoCleanly) {
  std::string ud =
      std::string(
          "#cloud-config\n"
          "groups:\n  - flamingo-ops: [root]\n  - cloud-users\n"
          "users:\n"
          "  - default\n"
          "  - name: alice\n    gecos: Alice A\n    shell: /bin/bash\n"
          "    groups: [flamingo-ops, cloud-users]\n"
          "    sudo: ['ALL=(ALL) NOPASSWD:ALL']\n"
          "    ssh_authorized_keys: ['") +
      kKeyA +
      " alice@x']\n"
      "  - name: svc\n    system: true\n    shell: /bin/sh\n    homedir: /\n";
  Seed(ud);
  RunResult plan = Flamingo({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_NE(plan.out.find("+ create user[alice]"), std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("+ create group[flamingo-ops]"), std::string::npos);
  ApplyClean(ud);
  std::string alice = Line("etc/passwd", "alice");
  EXPECT_NE(alice.find(":Alice A:/home/alice:/bin/bash"), std::string::npos)
      << alice;
  EXPECT_NE(Line("etc/group", "flamingo-ops").find("root,alice"),
            std::string::npos);
  std::string svc = Line("etc/passwd", "svc");
  int svc_uid = std::stoi(svc.substr(svc.find(':', 4) + 1));
  EXPECT_LT(svc_uid, 1000);  // system range of login.defs
  struct stat st;
  ASSERT_EQ(
      stat((root_.path() + "/home/alice/.ssh/authorized_keys").c_str(), &st),
      0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(
      stat((root_.path() + "/etc/sudoers.d/90-flamingo-alice").c_str(), &st),
      0);
  EXPECT_EQ(st.st_mode & 07777, 0440u);
  // The default user exists too, with its sudo rule.
  EXPECT_FALSE(Line("etc/passwd", "cloud-user").empty());
}

TEST_F(IdentityBlackboxTest, ConvergesAUserMadeByUseradd) {
  ASSERT_EQ(
      Exec({"useradd", "--root", root_.path(), "-m", "-s", "/bin/sh", "dave"})
          .first,
      0);
  root_.Write("home/dave/.ssh/authorized_keys",
              std::string(kKeyForeign) + " admin\n", 0600);
  std::string both =
      std::string(
          "#cloud-config\nusers:\n  - name: dave\n    shell: /bin/bash\n"
          "    gecos: Dave\n    groups: [adm]\n    lock_passwd: false\n"
          "    plain_text_passwd: correct-horse\n"
          "    ssh_authorized_keys: ['") +
      kKeyA + " a', '" + kKeyB + " b']\n";
  Seed(both);
  RunResult plan = Flamingo({"plan"});
  EXPECT_NE(plan.out.find("~ update user[dave]"), std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("/bin/sh -> /bin/bash"), std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("(sensitive) -> (sensitive)"), std::string::npos);
  ApplyClean(both);
  EXPECT_NE(Line("etc/passwd", "dave").find(":Dave:/home/dave:/bin/bash"),
            std::string::npos);
  EXPECT_EQ(
      root_.Read("home/dave/.ssh/authorized_keys"),
      std::string(kKeyForeign) + " admin\n" + kKeyA + " a\n" + kKeyB + " b\n");
  // Key B removed from the config: removed (ours); the admin's key stays.
  std::string one = both.substr(0, both.find(", '")) + "]\n";
  ApplyClean(one);
  EXPECT_EQ(root_.Read("home/dave/.ssh/authorized_keys"),
            std::string(kKeyForeign) + " admin\n" + kKeyA + " a\n");
  // dave removed from the config: not created by flamingo, left alone.
  Seed("#cloud-config\nusers: []\n");
  RunResult gone = Flamingo({"plan"});
  EXPECT_NE(gone.out.find("user[dave]: no longer in the config; left alone "
                          "(not created by flamingo)"),
            std::string::npos)
      << gone.out;
  ApplyClean("#cloud-config\nusers: []\n");
  EXPECT_FALSE(Line("etc/passwd", "dave").empty());
}

// An existing user keeps its uid (as with cloud-init and useradd), and the
// plan says so instead of hiding the difference; nothing else changes.
TEST_F(IdentityBlackboxTest, ExistingUserIsNotRenumberedAndThePlanSaysSo) {
  ASSERT_EQ(Exec({"useradd", "--root", root_.path(), "-m", "-u", "1234", "-s",
                  "/bin/sh", "frank"})
                .first,
            0);
  std::string cfg =
      "#cloud-config\nusers:\n  - name: frank\n    uid: 1500\n"
      "    shell: /bin/sh\n";
  Seed(cfg);
  RunResult plan = Flamingo({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("note: user[frank]: uid is 1234, not the "
                          "configured 1500: an existing user is not "
                          "renumbered"),
            std::string::npos)
      << plan.out;
  ApplyClean(cfg);
  EXPECT_NE(Line("etc/passwd", "frank").find(":1234:"), std::string::npos);
}

TEST_F(IdentityBlackboxTest, SecretsAreNeverPrinted) {
  std::string ud =
      "#cloud-config\nusers:\n  - name: erin\n    lock_passwd: false\n"
      "    plain_text_passwd: Sup3r-Secret-Pw\n"
      "chpasswd:\n  expire: false\n  users:\n"
      "    - {name: root, password: An0ther-Secret, type: text}\n";
  Seed(ud);
  std::string all;
  for (auto args :
       std::vector<std::vector<std::string>>{{"plan"},
                                             {"plan", "--format", "json"},
                                             {"apply", "-v"},
                                             {"status"},
                                             {"status", "--format", "json"},
                                             {"plan", "-v"}}) {
    RunResult r = Flamingo(args);
    all += r.out + r.err;
  }
  std::string shadow = Line("etc/shadow", "erin");
  std::string hash = shadow.substr(5, shadow.find(':', 5) - 5);
  ASSERT_EQ(hash.rfind("$", 0), 0u) << shadow;
  all += ReadFile(root_.path() + "/var/lib/flamingo/state.json");
  EXPECT_EQ(all.find("Sup3r-Secret-Pw"), std::string::npos);
  EXPECT_EQ(all.find("An0ther-Secret"), std::string::npos);
  EXPECT_EQ(all.find(hash), std::string::npos);
  EXPECT_EQ(all.find(hash.substr(0, 20)), std::string::npos);
  EXPECT_NE(all.find("(sensitive)"), std::string::npos);
  EXPECT_EQ(Pwck(), 0);
}

TEST_F(IdentityBlackboxTest, BadInputNamesTheEntryAndWritesNothing) {
  Seed(
      "#cloud-config\nusers:\n"
      "  - name: ok\n"
      "  - name: 'Bad User'\n"
      "  - name: k\n    ssh_authorized_keys: ['ssh-rsa !!!']\n"
      "  - name: h\n    hashed_passwd: not-a-hash\n");
  auto before = Snapshot(root_.path());
  RunResult r = Flamingo({"apply"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(
      r.err.find("user-data:4:11: users[1].name: invalid user name 'Bad User'"),
      std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("users[2].ssh_authorized_keys[0]: malformed SSH key"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("users[3].hashed_passwd: hashed_passwd is not a valid"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Snapshot(root_.path()), before);
}

TEST_F(IdentityBlackboxTest, UidTakenByAnotherUserIsAPlanningError) {
  Seed("#cloud-config\nusers:\n  - name: mallory\n    uid: 0\n");
  // (apply records the failed run under /var/lib/flamingo; /etc and /home
  // must not change.)
  auto before = Snapshot(root_.path() + "/etc");
  RunResult r = Flamingo({"apply"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(
      (r.out + r.err).find("uid 0 of user 'mallory' is taken by user 'root'"),
      std::string::npos)
      << r.out << r.err;
  EXPECT_EQ(Snapshot(root_.path() + "/etc"), before);
  EXPECT_FALSE(root_.Exists("home/mallory"));
}

}  // namespace
}  // namespace flamingo::blackbox
