// Crash safety: SIGKILL `flamingo apply` at many different moments, then
// check that no file is truncated or half-written and that a re-run
// converges (behaviour.md, failure policy). The account files are written
// once per run: a kill leaves each of them wholly old or wholly new.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>

#include "resources/identity/account_table.h"
#include "tests/blackbox.h"

namespace flamingo::blackbox {
namespace {

constexpr int kFiles = 150;

std::string Content(int i, int version) {
  // Large enough that a torn write would show.
  return "version " + std::to_string(version) + " file " + std::to_string(i) +
         "\n" + std::string(4096, static_cast<char>('a' + version)) + "\n";
}

std::string UserData(int version) {
  std::string ud = "#cloud-config\nwrite_files:\n";
  for (int i = 0; i < kFiles; ++i) {
    ud += "  - path: /srv/crash/d" + std::to_string(i % 10) + "/f" +
          std::to_string(i) + "\n    content: |\n";
    std::string c = Content(i, version);
    size_t start = 0;
    while (start < c.size()) {
      size_t nl = c.find('\n', start);
      ud += "      " + c.substr(start, nl - start) + "\n";
      start = nl + 1;
    }
  }
  return ud;
}

// Spawns apply and kills it after `delay_us`. Returns true when it was
// killed (false: it finished first).
bool ApplyAndKill(const std::string& root, long delay_us) {
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execl(FLAMINGO_BIN, FLAMINGO_BIN, "apply", "--root", root.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  timespec ts{delay_us / 1000000, (delay_us % 1000000) * 1000};
  nanosleep(&ts, nullptr);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFSIGNALED(status);
}

// How long an uninterrupted apply takes that changes a root converged for
// `before` to `after` (in a scratch root that `prepare` sets up, as the
// test's own root): the kills are spread over that time, so that they land
// mid-way however fast this machine, or flamingo, is.
long ChangingApplyMicros(void (*prepare)(const TempDir&),
                         const std::string& before, const std::string& after) {
  TempDir scratch;
  prepare(scratch);
  const std::string ud = "var/lib/cloud/seed/nocloud/user-data";
  scratch.Write(ud, before);
  EXPECT_EQ(RunFlamingo({"apply", "--root", scratch.path()}).exit_code, 0);
  scratch.Write(ud, after);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(RunFlamingo({"apply", "--root", scratch.path()}).exit_code, 0);
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now() - start)
          .count());
}

// The kill delay of round `round` of `rounds`: spread from 2% to 98% of
// `full_us`, in an order that alternates early and late kills.
long KillDelay(int round, int rounds, long full_us) {
  double frac = 0.02 + 0.96 * ((round * 7) % rounds) / double(rounds - 1);
  return std::max(200L, static_cast<long>(frac * double(full_us)));
}

void PrepareFilesRoot(const TempDir& root) {
  root.Write("var/lib/cloud/seed/nocloud/meta-data",
             "instance-id: iid-crash\n");
}

TEST(CrashTest, KilledApplyNeverLeavesATornFileAndTheRerunConverges) {
  TempDir root;
  PrepareFilesRoot(root);
  const long full =
      ChangingApplyMicros(PrepareFilesRoot, UserData(1), UserData(0));
  constexpr int kRounds = 24;
  int killed = 0;
  // Alternate between two versions of the config so that every kill lands
  // in the middle of replacing old content with new content.
  for (int round = 0; round < kRounds; ++round) {
    int version = round % 2;
    root.Write("var/lib/cloud/seed/nocloud/user-data", UserData(version));
    long delay = KillDelay(round, kRounds, full);
    killed += ApplyAndKill(root.path(), delay);
    for (int i = 0; i < kFiles; ++i) {
      std::string rel =
          "srv/crash/d" + std::to_string(i % 10) + "/f" + std::to_string(i);
      if (!root.Exists(rel)) continue;
      std::string got = root.Read(rel);
      ASSERT_TRUE(got == Content(i, 0) || got == Content(i, 1))
          << rel << " is torn after a kill at " << delay << " us ("
          << got.size() << " bytes)";
    }
    // The state file is never torn either: status must read it.
    RunResult st = RunFlamingo({"status", "--root", root.path()});
    EXPECT_EQ(st.err.find("corrupt"), std::string::npos) << st.err;
  }
  EXPECT_GE(killed, 6) << "too few runs were killed mid-way to prove anything";
  RunResult rerun = RunFlamingo({"apply", "--root", root.path()});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err << rerun.out;
  RunResult plan =
      RunFlamingo({"plan", "--detailed-exitcode", "--root", root.path()});
  EXPECT_EQ(plan.exit_code, 0) << plan.out;
  for (int i = 0; i < kFiles; ++i) {
    std::string rel =
        "srv/crash/d" + std::to_string(i % 10) + "/f" + std::to_string(i);
    EXPECT_EQ(root.Read(rel), Content(i, 1));
  }
}

constexpr int kUsers = 40;

// Version 0: no supplementary group; version 1: every user in crashops.
std::string UsersData(int version) {
  std::string ud = "#cloud-config\ngroups: [crashops]\nusers:\n";
  for (int i = 0; i < kUsers; ++i) {
    ud += "  - name: crash" + std::to_string(i) + "\n    gecos: Crash " +
          std::to_string(i) + " v" + std::to_string(version) +
          "\n    shell: /bin/sh\n    no_create_home: true\n" +
          (version == 1 ? "    groups: [crashops]\n" : "");
  }
  return ud;
}

// Entries of an account file; fails the test when a line is malformed or
// the file does not end with a newline (torn).
std::vector<std::vector<std::string>> Entries(const TempDir& root,
                                              const std::string& rel,
                                              size_t fields) {
  std::string text = root.Read(rel);
  EXPECT_TRUE(text.empty() || text.back() == '\n') << rel << " is torn";
  std::vector<std::vector<std::string>> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(start, nl - start);
    start = nl + 1;
    auto f = identity::SplitFields(line);
    EXPECT_EQ(f.size(), fields) << rel << ": " << line;
    out.push_back(std::move(f));
  }
  return out;
}

void PrepareUsersRoot(const TempDir& root) {
  for (const char* f : {"passwd", "shadow", "group", "gshadow", "login.defs"}) {
    root.Write(
        std::string("etc/") + f, ReadFile(std::string("/etc/") + f),
        std::string(f).find("shadow") != std::string::npos ? 0640 : 0644);
  }
  root.Write("var/lib/cloud/seed/nocloud/meta-data",
             "instance-id: iid-crash-users\n");
}

TEST(CrashTest, KilledUserApplyLeavesEachAccountFileWhollyOldOrNew) {
  TempDir root;
  PrepareUsersRoot(root);
  const long full =
      ChangingApplyMicros(PrepareUsersRoot, UsersData(1), UsersData(0));
  constexpr int kRounds = 16;
  int killed = 0;
  for (int round = 0; round < kRounds; ++round) {
    int version = round % 2;
    root.Write("var/lib/cloud/seed/nocloud/user-data", UsersData(version));
    long delay = KillDelay(round, kRounds, full);
    killed += ApplyAndKill(root.path(), delay);
    // passwd: none of the users, or all of them with one version's gecos.
    int users = 0;
    std::set<std::string> versions;
    for (const auto& f : Entries(root, "etc/passwd", 7)) {
      if (f[0].rfind("crash", 0) != 0) continue;
      ++users;
      versions.insert(f[4].substr(f[4].rfind(' ') + 1));
    }
    EXPECT_TRUE(users == 0 || users == kUsers) << users << " after " << delay;
    EXPECT_LE(versions.size(), 1u) << "mixed versions after " << delay;
    int shadowed = 0;
    for (const auto& f : Entries(root, "etc/shadow", 9)) {
      shadowed += f[0].rfind("crash", 0) == 0;
    }
    EXPECT_TRUE(shadowed == 0 || shadowed == kUsers) << shadowed;
    // group and gshadow: crashops lists no user or every user.
    for (const char* rel : {"etc/group", "etc/gshadow"}) {
      for (const auto& f : Entries(root, rel, 4)) {
        if (f[0] != "crashops") continue;
        size_t members = identity::SplitList(f[3]).size();
        EXPECT_TRUE(members == 0 || members == kUsers)
            << rel << ": " << members << " members after " << delay;
      }
    }
    RunResult st = RunFlamingo({"status", "--root", root.path()});
    EXPECT_EQ(st.err.find("corrupt"), std::string::npos) << st.err;
  }
  EXPECT_GE(killed, 4) << "too few runs were killed mid-way to prove anything";
  RunResult rerun = RunFlamingo({"apply", "--root", root.path()});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err << rerun.out;
  RunResult plan =
      RunFlamingo({"plan", "--detailed-exitcode", "--root", root.path()});
  EXPECT_EQ(plan.exit_code, 0) << plan.out;
  int v1 = 0;
  for (const auto& f : Entries(root, "etc/passwd", 7)) {
    v1 += f[0].rfind("crash", 0) == 0 && f[4].find(" v1") != std::string::npos;
  }
  EXPECT_EQ(v1, kUsers);
}

}  // namespace
}  // namespace flamingo::blackbox
