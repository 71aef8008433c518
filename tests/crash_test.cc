// Crash safety: SIGKILL `flamingo apply` at many different moments, then
// check that no file is truncated or half-written and that a re-run
// converges (behaviour.md, failure policy).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <gtest/gtest.h>

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

TEST(CrashTest, KilledApplyNeverLeavesATornFileAndTheRerunConverges) {
  TempDir root;
  root.Write("var/lib/cloud/seed/nocloud/meta-data", "instance-id: iid-crash\n");
  int killed = 0;
  // Alternate between two versions of the config so that every kill lands
  // in the middle of replacing old content with new content.
  for (int round = 0; round < 24; ++round) {
    int version = round % 2;
    root.Write("var/lib/cloud/seed/nocloud/user-data", UserData(version));
    long delay = 500 + (round * 2371) % 40000;  // 0.5 ms .. 40 ms
    killed += ApplyAndKill(root.path(), delay);
    for (int i = 0; i < kFiles; ++i) {
      std::string rel = "srv/crash/d" + std::to_string(i % 10) + "/f" +
                        std::to_string(i);
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
    std::string rel = "srv/crash/d" + std::to_string(i % 10) + "/f" +
                      std::to_string(i);
    EXPECT_EQ(root.Read(rel), Content(i, 1));
  }
}

}  // namespace
}  // namespace flamingo::blackbox
