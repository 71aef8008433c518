// Property: for random user/group configs applied one after another to the
// same machine (a FakeSystem seeded with a Debian-like /etc), after each
// apply the plan is empty, and /etc/{passwd,shadow,group,gshadow} stay
// consistent: checked by our own invariants on every case and by
// shadow-utils' pwck/grpck (-r -R on a copy written to disk).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>

#include "resources/identity/account_table.h"
#include "resources/identity/identity_test_util.h"
#include "tests/blackbox.h"

namespace flamingo::identity {
namespace {

const char* kKeys[] = {idtest::kKeyA, idtest::kKeyB, idtest::kKeyForeign};

struct GenUser {
  int name = 0;
  std::vector<int> groups;
  int shell = 0;
  bool lock = true;
  int gecos = 0;
  std::vector<int> keys;
  bool sudo = false;
  int password = 0;  // 0 none, 1/2 a plain one
};

std::string Yaml(const std::vector<GenUser>& users,
                 const std::vector<std::pair<int, bool>>& groups) {
  std::string y = "groups:\n";
  if (groups.empty()) y = "groups: []\n";
  for (const auto& [g, with_root] : groups) {
    y += "  - grp" + std::to_string(g) + (with_root ? ": [root]\n" : "\n");
  }
  y += users.empty() ? "users: []\n" : "users:\n";
  for (const auto& u : users) {
    y += "  - name: usr" + std::to_string(u.name) + "\n";
    y +=
        std::string("    shell: ") + (u.shell ? "/bin/bash" : "/bin/sh") + "\n";
    y += "    gecos: G" + std::to_string(u.gecos) + "\n";
    y += std::string("    lock_passwd: ") + (u.lock ? "true" : "false") + "\n";
    if (!u.groups.empty()) {
      y += "    groups: [";
      for (size_t i = 0; i < u.groups.size(); ++i) {
        y += (i ? ", grp" : "grp") + std::to_string(u.groups[i]);
      }
      y += "]\n";
    }
    if (!u.keys.empty()) {
      y += "    ssh_authorized_keys:\n";
      for (int k : u.keys) y += std::string("      - '") + kKeys[k] + "'\n";
    }
    if (u.sudo) y += "    sudo: 'ALL=(ALL) NOPASSWD:ALL'\n";
    if (u.password) {
      y += "    plain_text_passwd: pw" + std::to_string(u.password) + "\n";
    }
  }
  return y;
}

// Our invariants over the four files; "" when consistent.
std::string Inconsistency(FakeSystem& sys) {
  auto read = [&](const char* p) {
    auto f = sys.GetFile(p);
    return f ? f->content : std::string();
  };
  auto passwd = AccountTable::Parse(read("/etc/passwd"), kPasswdFields);
  auto shadow = AccountTable::Parse(read("/etc/shadow"), kShadowFields);
  auto group = AccountTable::Parse(read("/etc/group"), kGroupFields);
  auto gshadow = AccountTable::Parse(read("/etc/gshadow"), kGshadowFields);
  std::set<std::string, std::less<>> users, uids, groups, gids;
  for (const auto* f : passwd.Entries()) {
    if (!users.emplace((*f)[0]).second)
      return "duplicate user " + std::string((*f)[0]);
    if (!uids.emplace((*f)[2]).second)
      return "duplicate uid " + std::string((*f)[2]);
    if (!shadow.Find((*f)[0]))
      return "no shadow entry for " + std::string((*f)[0]);
  }
  for (const auto* f : shadow.Entries()) {
    if (!passwd.Find((*f)[0]))
      return "shadow entry without user " + std::string((*f)[0]);
  }
  for (const auto* f : group.Entries()) {
    if (!groups.emplace((*f)[0]).second)
      return "duplicate group " + std::string((*f)[0]);
    if (!gids.emplace((*f)[2]).second)
      return "duplicate gid " + std::string((*f)[2]);
    const auto* gs = gshadow.Find((*f)[0]);
    if (!gs) return "no gshadow entry for " + std::string((*f)[0]);
    if ((*gs)[3] != (*f)[3])
      return "member lists differ for " + std::string((*f)[0]);
    for (const auto& m : SplitList((*f)[3])) {
      if (!users.count(m))
        return "group " + std::string((*f)[0]) + " lists unknown " + m;
    }
  }
  for (const auto* f : passwd.Entries()) {
    if (!gids.count((*f)[3]))
      return "user " + std::string((*f)[0]) + " has unknown gid";
  }
  return "";
}

int RunCheck(const std::string& tool, const std::string& root) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open("/dev/null", O_WRONLY);
    if (getenv("IDENTITY_PWCK_VERBOSE") == nullptr) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    execlp(tool.c_str(), tool.c_str(), "-r", "-R", root.c_str(),
           static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Writes the fake's account files (and every home and shell they name) to
// a directory and runs pwck and grpck on it.
std::pair<int, int> ShadowUtilsCheck(FakeSystem& sys) {
  blackbox::TempDir dir;
  for (const char* p :
       {"/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow"}) {
    dir.Write(p + 1, sys.GetFile(p)->content, 0640);
  }
  auto passwd =
      AccountTable::Parse(sys.GetFile("/etc/passwd")->content, kPasswdFields);
  for (const auto* f : passwd.Entries()) {
    {
      std::string home = dir.path() + std::string((*f)[5]);
      for (size_t i = 1; i <= home.size(); ++i) {
        if (i == home.size() || home[i] == '/')
          mkdir(home.substr(0, i).c_str(), 0755);
      }
    }
    if (!dir.Exists(std::string((*f)[6].substr(1)))) {
      dir.Write(std::string((*f)[6].substr(1)), "", 0755);
    }
  }
  return {RunCheck("pwck", dir.path()), RunCheck("grpck", dir.path())};
}

RC_GTEST_PROP(IdentityPropertyTest, ApplyThenPlanIsEmptyAndFilesStayConsistent,
              ()) {
  FakeSystem sys;
  idtest::SeedEtc(&sys);
  idtest::Driver driver(&sys);
  int rounds = *rc::gen::inRange(1, 4);
  for (int round = 0; round < rounds; ++round) {
    auto names = *rc::gen::unique<std::vector<int>>(*rc::gen::inRange(0, 6),
                                                    rc::gen::inRange(0, 8));
    std::vector<GenUser> users;
    for (int n : names) {
      GenUser u;
      u.name = n;
      u.groups = *rc::gen::unique<std::vector<int>>(*rc::gen::inRange(0, 3),
                                                    rc::gen::inRange(0, 5));
      u.shell = *rc::gen::inRange(0, 2);
      u.lock = *rc::gen::arbitrary<bool>();
      u.gecos = *rc::gen::inRange(0, 3);
      u.keys = *rc::gen::unique<std::vector<int>>(*rc::gen::inRange(0, 3),
                                                  rc::gen::inRange(0, 3));
      u.sudo = *rc::gen::arbitrary<bool>();
      u.password = *rc::gen::inRange(0, 3);
      users.push_back(u);
    }
    std::vector<std::pair<int, bool>> groups;
    for (int g : *rc::gen::unique<std::vector<int>>(*rc::gen::inRange(0, 3),
                                                    rc::gen::inRange(0, 5))) {
      groups.push_back({g, *rc::gen::arbitrary<bool>()});
    }
    std::string yaml = Yaml(users, groups);
    idtest::IdRun applied = driver.Apply(yaml);
    RC_ASSERT(applied.built);
    RC_ASSERT(!applied.plan.HasErrors());
    if (!applied.report.ok()) RC_FAIL(yaml + applied.Everything());
    idtest::IdRun again = driver.Plan(yaml);
    if (!again.Changes().empty()) RC_FAIL(yaml + again.Everything());
    std::string problem = Inconsistency(sys);
    if (!problem.empty()) RC_FAIL(yaml + problem);
  }
  auto [pwck, grpck] = ShadowUtilsCheck(sys);
  if (pwck != 0 || grpck != 0) {
    RC_FAIL("pwck " + std::to_string(pwck) + ", grpck " +
            std::to_string(grpck) + "\n" + sys.GetFile("/etc/passwd")->content +
            sys.GetFile("/etc/shadow")->content +
            sys.GetFile("/etc/group")->content +
            sys.GetFile("/etc/gshadow")->content);
  }
}

}  // namespace
}  // namespace flamingo::identity
