// RootedSystem::Exec in a chroot built from a static busybox, and Lock
// contention between processes.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "system/rooted_system.h"
#include "tests/blackbox.h"

namespace flamingo {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr const char* kBusybox = "/bin/busybox";  // package busybox-static

// True when `pid` is gone or a zombie (dead, waiting for its parent).
bool ProcessDead(pid_t pid) {
  std::string stat =
      blackbox::ReadFile("/proc/" + std::to_string(pid) + "/stat");
  if (stat.empty()) return true;
  size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() &&
         (stat[paren + 2] == 'Z' || stat[paren + 2] == 'X');
}

bool WaitDead(pid_t pid) {
  for (int i = 0; i < 100 && !ProcessDead(pid); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return ProcessDead(pid);
}

// Forks a child that runs `setup` and tells the parent whether it
// succeeded, then after `linger_ms` runs `last` and exits. Returns the
// child's pid once it has told, or -1 when `setup` failed.
pid_t ForkReporting(const std::function<bool()>& setup, int linger_ms,
                    const std::function<void()>& last = {}) {
  int ready[2];
  if (::pipe(ready) != 0) return -1;
  pid_t pid = ::fork();
  if (pid == 0) {
    char c = setup() ? '1' : '0';
    ssize_t ignored = ::write(ready[1], &c, 1);
    (void)ignored;
    ::usleep(linger_ms * 1000);
    if (last) last();
    ::_exit(0);
  }
  ::close(ready[1]);
  char c = 0;
  bool told = ::read(ready[0], &c, 1) == 1 && c == '1';
  ::close(ready[0]);
  if (!told) {
    ::waitpid(pid, nullptr, 0);
    return -1;
  }
  return pid;
}

class RootedExecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kBusybox))
        << "install busybox-static (scripts/install-deps.sh)";
    root_ = tmp_ / "root";
    fs::create_directories(root_ + "/bin");
    fs::create_directories(root_ + "/var/log");
    fs::create_directories(root_ + "/work");
    fs::copy_file(kBusybox, root_ + "/bin/busybox");
    for (const char* applet : {"sh", "echo", "cat", "pwd", "env", "sleep",
                               "yes", "head", "true", "ls"}) {
      fs::create_symlink("busybox", root_ + "/bin/" + applet);
    }
    blackbox::WriteFile(root_ + "/marker", "inside the root\n");
    // sh gives background jobs /dev/null as stdin.
    fs::create_directories(root_ + "/dev");
    ASSERT_EQ(
        ::mknod((root_ + "/dev/null").c_str(), S_IFCHR | 0666, makedev(1, 3)),
        0);
    auto sys = RootedSystem::Open(root_);
    ASSERT_TRUE(sys.ok()) << sys.status().message();
    sys_ = std::move(*sys);
  }
  ExecRequest Sh(const std::string& script) {
    ExecRequest req;
    req.argv = {"sh", "-c", script};
    req.env = {{"PATH", "/bin"}};
    return req;
  }

  blackbox::TempDir tmp_;
  std::string root_;
  std::unique_ptr<RootedSystem> sys_;
};

TEST_F(RootedExecTest, ReportsExitCodes) {
  auto ok = sys_->Exec(Sh("exit 0"));
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_TRUE(ok->success());
  auto three = sys_->Exec(Sh("exit 3"));
  ASSERT_TRUE(three.ok());
  EXPECT_EQ(three->exit_code, 3);
  EXPECT_FALSE(three->success());
  auto sig = sys_->Exec(Sh("kill -USR1 $$"));
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(sig->signaled);
  EXPECT_EQ(sig->signal, SIGUSR1);
}

// A command can move the directories Stat looked in: after it, Stat
// looks them up again.
TEST_F(RootedExecTest, StatSeesWhatACommandDidToTheTree) {
  ASSERT_TRUE(sys_->MakeDir("/x", {0755, 0, 0}).ok());
  ASSERT_TRUE(sys_->WriteFile("/x/f", "1", {0644, 0, 0}).ok());
  auto before = sys_->Stat("/x/f");
  ASSERT_TRUE(before.ok() && before->has_value());
  auto r = sys_->Exec(Sh("mv /x /y && mkdir /x"));
  ASSERT_TRUE(r.ok() && r->success()) << r.status().message();
  auto after = sys_->Stat("/x/f");
  ASSERT_TRUE(after.ok()) << after.status().message();
  EXPECT_FALSE(after->has_value());
  auto moved = sys_->Stat("/y/f");
  EXPECT_TRUE(moved.ok() && moved->has_value());
}

// What awaits Sync is made durable while a command runs; Sync waits for it.
TEST_F(RootedExecTest, PendingWritesAreSyncedWhileTheCommandRuns) {
  ASSERT_TRUE(sys_->WriteFile("/work/new.txt", "fresh\n", {0644, 0, 0}).ok());
  EXPECT_EQ(sys_->pending_sync(), 2u);  // the file and /work
  auto r = sys_->Exec(Sh("cat /work/new.txt"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->output_tail, "fresh\n");
  EXPECT_EQ(sys_->pending_sync(), 0u);  // taken by the background sync
  ASSERT_TRUE(sys_->Sync().ok());
  EXPECT_EQ(sys_->last_sync_counts().fsyncs, 2);
}

TEST_F(RootedExecTest, StagedReplacementsAreCommittedBeforeTheCommandRuns) {
  blackbox::WriteFile(root_ + "/work/conf", "old\n");
  sys_->SetStaging(true);
  ASSERT_TRUE(sys_->WriteFile("/work/conf", "new\n", {0644, 0, 0}).ok());
  auto r = sys_->Exec(Sh("cat /work/conf; ls -a /work"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->output_tail, "new\n.\n..\nconf\n");
}

TEST_F(RootedExecTest, RunsInsideChrootAndCwd) {
  ExecRequest req = Sh("cat /marker; pwd");
  req.cwd = "/work";
  auto r = sys_->Exec(req);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->output_tail, "inside the root\n/work\n");
}

TEST_F(RootedExecTest, OutputIsAppendedToLogInsideRoot) {
  ExecRequest req = Sh("echo out; echo err >&2");
  req.output_path = "/var/log/cmd.log";
  ASSERT_TRUE(sys_->Exec(req).ok());
  auto r = sys_->Exec(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->output_tail, "out\nerr\n");
  EXPECT_EQ(blackbox::ReadFile(root_ + "/var/log/cmd.log"),
            "out\nerr\nout\nerr\n");
  struct stat st = {};
  ASSERT_EQ(::stat((root_ + "/var/log/cmd.log").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(RootedExecTest, OutputTailKeepsLastFourKiB) {
  ExecRequest req = Sh("yes 0123456789 | head -c 10000; echo END");
  req.output_path = "/var/log/big.log";
  auto r = sys_->Exec(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->output_tail.size(), 4096u);
  EXPECT_THAT(r->output_tail, ::testing::EndsWith("END\n"));
  EXPECT_EQ(fs::file_size(root_ + "/var/log/big.log"), 10004u);
}

TEST_F(RootedExecTest, EnvironmentIsExactlyTheRequest) {
  ExecRequest req;
  req.argv = {"env"};
  req.env = {{"PATH", "/bin"}, {"FOO", "bar baz"}};
  auto r = sys_->Exec(req);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->output_tail, "FOO=bar baz\nPATH=/bin\n");
}

TEST_F(RootedExecTest, LooksUpCommandInRequestPath) {
  fs::create_directories(root_ + "/opt/bin");
  blackbox::WriteFile(root_ + "/opt/bin/hello",
                      "#!/bin/sh\necho hi from opt\n");
  fs::permissions(root_ + "/opt/bin/hello", fs::perms(0755));
  ExecRequest req;
  req.argv = {"hello"};
  req.env = {{"PATH", "/nonexistent:/opt/bin:/bin"}};
  auto r = sys_->Exec(req);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->output_tail, "hi from opt\n");
  req.env = {{"PATH", "/bin"}};
  auto missing = sys_->Exec(req);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("exec hello"));
}

TEST_F(RootedExecTest, BadCwdIsAnError) {
  ExecRequest req = Sh("true");
  req.cwd = "/no/such/dir";
  auto r = sys_->Exec(req);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("/no/such/dir"));
}

TEST_F(RootedExecTest, TimeoutTerminatesTheWholeGroup) {
  ExecRequest req = Sh("sleep 100 & echo $! > /work/pid; wait");
  req.timeout_seconds = 1;
  auto start = std::chrono::steady_clock::now();
  auto r = sys_->Exec(req);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->timed_out);
  EXPECT_FALSE(r->success());
  EXPECT_LT(took, std::chrono::seconds(3));
  pid_t bg = std::stoi(blackbox::ReadFile(root_ + "/work/pid"));
  EXPECT_TRUE(WaitDead(bg)) << "background child " << bg << " survived";
}

TEST_F(RootedExecTest, TimeoutEscalatesToSigkill) {
  ExecRequest req = Sh("trap '' TERM; sleep 100 & echo $! > /work/pid; wait");
  req.timeout_seconds = 1;
  auto r = sys_->Exec(req);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->timed_out);
  EXPECT_TRUE(r->signaled);
  EXPECT_EQ(r->signal, SIGKILL);
  pid_t bg = std::stoi(blackbox::ReadFile(root_ + "/work/pid"));
  EXPECT_TRUE(WaitDead(bg));
}

// ---- ExecAfterExit ----

// Waits (at most 10 s) until `path` holds `want`; returns what it holds.
std::string WaitForContent(const std::string& path, const std::string& want) {
  std::string got;
  for (int i = 0; i < 500; ++i) {
    got = blackbox::ReadFile(path);
    if (got == want) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return got;
}

// A child process schedules the steps, holds the state lock, and exits
// 300 ms later: the steps start only then, in the root, one after the
// other; the lock is free as soon as the child is gone (the waiter did not
// inherit it) although the second step is still running.
TEST_F(RootedExecTest, ExecAfterExitRunsTheStepsOnceThisProcessHasExited) {
  // Kept open in the child until it exits.
  std::unique_ptr<RootedSystem> sys;
  Result<std::unique_ptr<LockHandle>> held = Status::Error("no system");
  pid_t pid = ForkReporting(
      [&] {
        auto opened = RootedSystem::Open(root_);
        if (!opened.ok()) return false;
        sys = std::move(*opened);
        held = sys->Lock("/work/lock", 0);
        DeferredExec d;
        d.wait_seconds = 30;
        ExecRequest first =
            Sh("test -e /work/exited && echo after > /work/out");
        ExecRequest second = Sh("sleep 1; echo second >> /work/out");
        second.output_path = "/var/log/after.log";
        d.steps = {first, second};
        return held.ok() && sys->ExecAfterExit(d).ok();
      },
      300, [&] { blackbox::WriteFile(root_ + "/work/exited", ""); });
  ASSERT_GT(pid, 0);
  EXPECT_FALSE(fs::exists(root_ + "/work/out"));  // the child still runs
  ::waitpid(pid, nullptr, 0);
  EXPECT_EQ(WaitForContent(root_ + "/work/out", "after\n"), "after\n");
  auto lock = sys_->Lock("/work/lock", 0);
  EXPECT_TRUE(lock.ok()) << lock.status().message();
  EXPECT_EQ(WaitForContent(root_ + "/work/out", "after\nsecond\n"),
            "after\nsecond\n");
}

// wait_seconds 0: the steps start at once, though this process lives on. A
// step that fails ends the run, and says so in its output; a step's
// timeout ends its process group.
TEST_F(RootedExecTest, ExecAfterExitStopsAtAFailedStep) {
  DeferredExec d;
  d.wait_seconds = 0;
  ExecRequest fails = Sh("echo checking; exit 3");
  fails.output_path = "/var/log/out.log";
  d.steps = {fails, Sh("echo never > /work/never")};
  ASSERT_TRUE(sys_->ExecAfterExit(d).ok());
  const std::string want =
      "checking\n[flamingo: `sh -c echo checking; exit 3` (run after "
      "flamingo exited) did not succeed: exit status 3]\n";
  EXPECT_EQ(WaitForContent(root_ + "/var/log/out.log", want), want);

  ExecRequest slow = Sh("sleep 30");
  slow.timeout_seconds = 1;
  slow.output_path = "/var/log/slow.log";
  d.steps = {slow, Sh("echo never > /work/never")};
  ASSERT_TRUE(sys_->ExecAfterExit(d).ok());
  const std::string killed =
      "[flamingo: `sh -c sleep 30` (run after flamingo exited) did not "
      "succeed: signal 15]\n";
  EXPECT_EQ(WaitForContent(root_ + "/var/log/slow.log", killed), killed);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(fs::exists(root_ + "/work/never"));
}

TEST_F(RootedExecTest, ExecAfterExitChecksWhatItCanBeforeItForks) {
  DeferredExec d;
  d.wait_seconds = 0;
  ExecRequest bad_cwd = Sh("true");
  bad_cwd.cwd = "/missing";
  d.steps = {bad_cwd};
  Status s = sys_->ExecAfterExit(d);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("/missing"));
  d.steps = {ExecRequest{}};
  EXPECT_FALSE(sys_->ExecAfterExit(d).ok());
  d.steps.clear();
  EXPECT_FALSE(sys_->ExecAfterExit(d).ok());
}

TEST(RootedExecLiveTest, RunsOnTheLiveSystemWithoutChroot) {
  auto sys = RootedSystem::Open("/");
  ASSERT_TRUE(sys.ok());
  ExecRequest req;
  req.argv = {"sh", "-c", "exit 7"};
  req.env = {{"PATH", "/usr/bin:/bin"}};
  auto r = (*sys)->Exec(req);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->exit_code, 7);
}

// ---- Lock ----

class RootedLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(tmp_ / "root/etc");
    auto sys = RootedSystem::Open(tmp_ / "root");
    ASSERT_TRUE(sys.ok());
    sys_ = std::move(*sys);
  }
  // Forks a child that tries Lock(timeout 0) with its own RootedSystem;
  // returns true when the child got the lock.
  bool ChildCanLock() {
    pid_t pid = ::fork();
    if (pid == 0) {
      auto sys = RootedSystem::Open(tmp_ / "root");
      ::_exit(sys.ok() && (*sys)->Lock("/etc/.pwd.lock", 0).ok() ? 0 : 1);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }

  blackbox::TempDir tmp_;
  std::unique_ptr<RootedSystem> sys_;
};

TEST_F(RootedLockTest, ExcludesOtherProcessesUntilReleased) {
  auto lock = sys_->Lock("/etc/.pwd.lock", 0);
  ASSERT_TRUE(lock.ok()) << lock.status().message();
  struct stat st = {};
  ASSERT_EQ(::stat((tmp_ / "root/etc/.pwd.lock").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(ChildCanLock());
  EXPECT_FALSE(sys_->Lock("/etc/.pwd.lock", 0).ok());  // same process too
  lock->reset();
  EXPECT_TRUE(ChildCanLock());
}

TEST_F(RootedLockTest, WaitsForAClassicFcntlLockHolder) {
  // The child takes the lock the way lckpwdf(3) does and releases it after
  // 300 ms; Lock with a timeout waits for it.
  pid_t pid = ForkReporting(
      [&] {
        int fd = ::open((tmp_ / "root/etc/.pwd.lock").c_str(),
                        O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        struct flock fl = {};
        fl.l_type = F_WRLCK;
        fl.l_whence = SEEK_SET;
        return fd >= 0 && ::fcntl(fd, F_SETLK, &fl) == 0;
      },
      300);
  ASSERT_GT(pid, 0);
  EXPECT_FALSE(sys_->Lock("/etc/.pwd.lock", 0).ok());
  auto lock = sys_->Lock("/etc/.pwd.lock", 5);
  EXPECT_TRUE(lock.ok()) << lock.status().message();
  ::waitpid(pid, nullptr, 0);
}

TEST_F(RootedLockTest, RefusesSymlinkedLockFile) {
  blackbox::TempDir other;
  fs::create_symlink(other / "lock", tmp_ / "root/etc/.pwd.lock");
  EXPECT_FALSE(sys_->Lock("/etc/.pwd.lock", 0).ok());
  EXPECT_FALSE(fs::exists(other / "lock"));
}

}  // namespace
}  // namespace flamingo
