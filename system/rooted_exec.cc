// RootedSystem::Exec: start the child (vfork-style), chroot, exec with an
// exact environment, capture output, enforce a timeout on the whole process
// group.
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>

#include "engine/text.h"
#include "system/rooted_system.h"

namespace flamingo {
namespace {

constexpr auto kKillGrace = std::chrono::seconds(2);
constexpr const char* kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Why the child failed before exec, sent through a close-on-exec pipe.
struct ChildError {
  int stage;
  int err;
};
enum Stage { kSetup = 0, kChroot, kChdir, kExec };
const char* StageName(int stage) {
  switch (stage) {
    case kChroot:
      return "chroot";
    case kChdir:
      return "chdir";
    case kExec:
      return "exec";
    default:
      return "setup";
  }
}

// Everything the child needs, prepared before fork: the child only makes
// async-signal-safe system calls.
struct ChildSetup {
  int root_fd = -1;  // chroot here when >= 0
  int cwd_fd = -1;
  int stdin_fd = -1;
  int out_fd = -1;
  int err_fd = -1;
  std::vector<std::string> candidates;  // argv[0] resolved against PATH
  std::vector<char*> argv;
  std::vector<char*> envp;
};

[[noreturn]] void Fail(const ChildSetup& s, int stage, int err) {
  ChildError e{stage, err};
  ssize_t ignored = ::write(s.err_fd, &e, sizeof(e));
  (void)ignored;
  ::_exit(127);
}

// Every signal's disposition back to the default, none blocked.
void ResetSignals() {
  struct sigaction dfl = {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

// Runs in the child, in the parent's memory (see StartChild), with every
// signal blocked: dispositions go back to the defaults before any signal
// can be delivered to a handler of the parent's.
[[noreturn]] void RunChild(const ChildSetup& s) {
  ResetSignals();
  if (::setpgid(0, 0) != 0) Fail(s, kSetup, errno);
  if (s.root_fd >= 0) {
    if (::fchdir(s.root_fd) != 0 || ::chroot(".") != 0) {
      Fail(s, kChroot, errno);
    }
  }
  if (::fchdir(s.cwd_fd) != 0) Fail(s, kChdir, errno);
  if (::dup2(s.stdin_fd, 0) < 0 || ::dup2(s.out_fd, 1) < 0 ||
      ::dup2(s.out_fd, 2) < 0) {
    Fail(s, kSetup, errno);
  }
  ::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
  int err = ENOENT;
  bool eacces = false;
  for (const std::string& path : s.candidates) {
    ::execve(path.c_str(), s.argv.data(), s.envp.data());
    if (errno == EACCES) {
      eacces = true;
    } else if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP &&
               errno != ENAMETOOLONG) {
      err = errno;
      break;
    }
  }
  if (err == ENOENT && eacces) err = EACCES;
  Fail(s, kExec, err);
}

int ChildMain(void* setup) { RunChild(*static_cast<ChildSetup*>(setup)); }

// Starts the child as posix_spawn does: clone(CLONE_VM | CLONE_VFORK) on a
// stack of its own, so no page table is copied (fork of this process and
// its heap cost ~0.4 ms more per command here, measured with a 6 MB heap)
// and this thread waits until the child has exec'd or failed. The child
// only makes async-signal-safe system calls and reads `setup`. Signals are
// blocked around the clone so none reaches a handler in the child.
// `stack` is the child's: kChildStackBytes, only used until it has exec'd.
constexpr size_t kChildStackBytes = 64 * 1024;
pid_t StartChild(ChildSetup* setup, char* stack) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = ::clone(ChildMain, stack + kChildStackBytes,
                      CLONE_VM | CLONE_VFORK | SIGCHLD, setup);
  int err = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = err;
  return pid;
}

std::vector<std::string> Candidates(const ExecRequest& req) {
  const std::string& cmd = req.argv[0];
  if (cmd.find('/') != std::string::npos) return {cmd};
  auto it = req.env.find("PATH");
  std::string_view path = kDefaultPath;
  if (it != req.env.end()) path = it->second;
  std::vector<std::string> out;
  for (std::string_view dir : SplitString(path, ":")) {
    out.push_back((dir.empty() ? std::string(".") : std::string(dir)) + "/" +
                  cmd);
  }
  return out;
}

// A command's ChildSetup with the strings its argv and envp point into
// (heap-allocated, never moved: the pointers stay valid).
struct PreparedCommand {
  ChildSetup setup;
  std::vector<std::string> args, env;
  explicit PreparedCommand(const ExecRequest& request) : args(request.argv) {
    setup.candidates = Candidates(request);
    for (const auto& [k, v] : request.env) env.push_back(k + "=" + v);
    for (auto& a : args) setup.argv.push_back(a.data());
    setup.argv.push_back(nullptr);
    for (auto& e : env) setup.envp.push_back(e.data());
    setup.envp.push_back(nullptr);
  }
};

// Collects the child's output: appends it to the log and keeps the tail.
class OutputSink {
 public:
  OutputSink(int log_fd, std::string_view log_path)
      : log_fd_(log_fd), log_path_(log_path) {}
  void Add(const char* data, size_t n) {
    tail_.append(data, n);
    if (tail_.size() > 2 * kExecTailBytes)
      tail_.erase(0, tail_.size() - kExecTailBytes);
    while (log_fd_ >= 0 && n > 0) {
      ssize_t w = ::write(log_fd_, data, n);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        log_error_ = std::strerror(errno);
        log_fd_ = -1;
        break;
      }
      data += w;
      n -= static_cast<size_t>(w);
    }
  }
  std::string Tail() {
    if (tail_.size() > kExecTailBytes)
      tail_.erase(0, tail_.size() - kExecTailBytes);
    if (!log_error_.empty()) {
      tail_ += "\n[flamingo: writing " + log_path_ + " failed: " + log_error_ +
               "]\n";
    }
    return tail_;
  }

 private:
  int log_fd_;
  std::string log_path_;
  std::string tail_;
  std::string log_error_;
};

// Reads what is available; returns false at end of file.
bool Drain(int fd, OutputSink* sink) {
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n > 0) {
      sink->Add(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && errno == EAGAIN;  // more may come later
  }
}

// ---- ExecAfterExit: the detached waiter ----

// One step of a deferred run: its command, the descriptors it uses and the
// line written to its output when it does not succeed.
struct DeferredStep {
  std::unique_ptr<PreparedCommand> cmd;
  UniqueFd cwd, log;
  int timeout_seconds = 0;
  // "[flamingo: `ARGV` (run after flamingo exited) did not succeed: "; the
  // status and "]\n" follow.
  std::string failed;
};

// Everything the waiter uses, prepared before fork: after the fork of a
// process that may have other threads, the waiter makes async-signal-safe
// calls only.
struct WaiterSetup {
  pid_t parent = 0;
  int parent_pidfd = -1;  // -1: the kernel has no pidfd: watch getppid()
  int wait_ms = 0;
  int stdin_fd = -1, out_fd = -1;
  std::vector<int> keep;  // descriptors to keep open, sorted
  std::vector<std::unique_ptr<DeferredStep>> steps;
  char* stack = nullptr;  // kChildStackBytes for StartChild
};

int64_t MonotonicMs() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// Waits until `fd` (a pidfd) is readable or `ms` (< 0: no limit) passed.
// Returns true when it became readable.
bool PollReadable(int fd, int64_t ms) {
  const int64_t end = ms < 0 ? -1 : MonotonicMs() + ms;
  for (;;) {
    int left = -1;
    if (end >= 0) {
      int64_t l = end - MonotonicMs();
      if (l < 0) l = 0;
      left = static_cast<int>(std::min<int64_t>(l, 60000));
    }
    struct pollfd p = {fd, POLLIN, 0};
    int n = ::poll(&p, 1, left);
    if (n > 0) return true;
    if (n == 0 && end >= 0 && MonotonicMs() >= end) return false;
  }
}

void WriteAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    data += w;
    n -= static_cast<size_t>(w);
  }
}

// "exit status 3", "signal 9", "not started" into buf (async-signal-safe).
size_t DescribeStatus(int status, bool started, char* buf) {
  const char* word = !started              ? "not started"
                     : WIFSIGNALED(status) ? "signal "
                                           : "exit status ";
  size_t n = std::strlen(word);
  std::memcpy(buf, word, n);
  if (!started) return n;
  unsigned v = static_cast<unsigned>(WIFSIGNALED(status) ? WTERMSIG(status)
                                                         : WEXITSTATUS(status));
  char digits[12];
  size_t d = 0;
  do {
    digits[d++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (d > 0) buf[n++] = digits[--d];
  return n;
}

// Runs one step to its end (SIGTERM to its group at the timeout, SIGKILL
// kKillGrace later, as Exec does). Returns true when it exited 0; else writes
// step.failed and why.
bool RunStep(DeferredStep& step, char* stack) {
  pid_t pid = StartChild(&step.cmd->setup, stack);
  int status = 0;
  if (pid > 0) {
    if (step.timeout_seconds > 0) {
      int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
      if (pidfd >= 0 &&
          !PollReadable(pidfd, int64_t{step.timeout_seconds} * 1000)) {
        ::kill(-pid, SIGTERM);
        const int64_t grace =
            std::chrono::duration_cast<std::chrono::milliseconds>(kKillGrace)
                .count();
        if (!PollReadable(pidfd, grace)) ::kill(-pid, SIGKILL);
      }
      if (pidfd >= 0) ::close(pidfd);
    }
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  }
  char why[40];
  size_t n = DescribeStatus(status, pid > 0, why);
  int fd = step.cmd->setup.out_fd;
  WriteAll(fd, step.failed.data(), step.failed.size());
  WriteAll(fd, why, n);
  WriteAll(fd, "]\n", 2);
  return false;
}

[[noreturn]] void RunWaiter(WaiterSetup& w) {
  // Default dispositions, nothing blocked: the shutdown's SIGTERM ends it.
  ResetSignals();
  ::setsid();
  ::dup2(w.stdin_fd, 0);
  ::dup2(w.out_fd, 1);
  ::dup2(w.out_fd, 2);
  // None of this process's other files: above all not the state lock, which
  // the next run of flamingo must be able to take.
  unsigned next = 3;
  for (int fd : w.keep) {
    if (fd < 3) continue;
    if (static_cast<unsigned>(fd) > next) {
      ::syscall(SYS_close_range, next, static_cast<unsigned>(fd) - 1, 0U);
    }
    next = static_cast<unsigned>(fd) + 1;
  }
  ::syscall(SYS_close_range, next, ~0U, 0U);
  if (w.parent_pidfd >= 0) {
    PollReadable(w.parent_pidfd, w.wait_ms);
    ::close(w.parent_pidfd);
  } else {
    const int64_t end = MonotonicMs() + w.wait_ms;
    while (::getppid() == w.parent && MonotonicMs() < end) {
      struct timespec tick = {0, 20 * 1000 * 1000};
      ::nanosleep(&tick, nullptr);
    }
  }
  for (auto& step : w.steps) {
    if (!RunStep(*step, w.stack)) ::_exit(1);
  }
  ::_exit(0);
}

}  // namespace

Result<UniqueFd> RootedSystem::OpenExecOutput(std::string_view path) const {
  if (path.empty()) return UniqueFd();
  auto parent = OpenParent("exec output", path, O_PATH);
  if (!parent.ok()) return parent.status();
  UniqueFd log(::openat(
      parent->fd.get(), parent->name.c_str(),
      O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600));
  if (!log.valid()) return PathError("exec output", path, errno);
  return log;
}

Status RootedSystem::ExecAfterExit(const DeferredExec& deferred) {
  if (Status c = CheckDeferredExec(deferred); !c.ok()) return c;
  // The commands see the files as they are: staged replacements first.
  if (Status c = CommitStaged(); !c.ok()) return c;
  const std::string op = "exec after exit " + deferred.steps.back().argv[0];
  UniqueFd devnull_r(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  UniqueFd devnull_w(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  if (!devnull_r.valid() || !devnull_w.valid()) {
    return PathError(op, "/dev/null", errno);
  }
  WaiterSetup w;
  w.parent = ::getpid();
  w.wait_ms = static_cast<int>(
      std::clamp<int64_t>(int64_t{deferred.wait_seconds} * 1000, 0, INT32_MAX));
  w.stdin_fd = devnull_r.get();
  w.out_fd = devnull_w.get();
  w.keep = {devnull_r.get(), devnull_w.get()};
  if (!live_) w.keep.push_back(root_fd_.get());
  for (const ExecRequest& request : deferred.steps) {
    auto step = std::make_unique<DeferredStep>();
    auto log = OpenExecOutput(request.output_path);
    if (!log.ok()) return log.status();
    step->log = std::move(*log);
    auto cwd = OpenInRoot(op + ": cwd", request.cwd.empty() ? "/" : request.cwd,
                          O_PATH | O_DIRECTORY);
    if (!cwd.ok()) return cwd.status();
    step->cwd = std::move(*cwd);
    step->cmd = std::make_unique<PreparedCommand>(request);
    ChildSetup& setup = step->cmd->setup;
    setup.root_fd = live_ ? -1 : root_fd_.get();
    setup.cwd_fd = step->cwd.get();
    setup.stdin_fd = devnull_r.get();
    setup.out_fd = step->log.valid() ? step->log.get() : devnull_w.get();
    setup.err_fd = devnull_w.get();  // the exit status tells (127)
    step->timeout_seconds = request.timeout_seconds;
    step->failed = "[flamingo: `" + JoinStrings(request.argv, " ") +
                   "` (run after flamingo exited) did not succeed: ";
    w.keep.push_back(step->cwd.get());
    if (step->log.valid()) w.keep.push_back(step->log.get());
    if (w.steps.empty() && step->log.valid()) w.out_fd = step->log.get();
    w.steps.push_back(std::move(step));
  }
  UniqueFd self(static_cast<int>(::syscall(SYS_pidfd_open, w.parent, 0)));
  w.parent_pidfd = self.get();
  if (self.valid()) w.keep.push_back(self.get());
  std::sort(w.keep.begin(), w.keep.end());
  std::unique_ptr<char[]> stack(new char[kChildStackBytes]);
  w.stack = stack.get();

  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = ::fork();
  if (pid == 0) RunWaiter(w);
  int err = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) return PathError(op, "fork", err);
  return Status::Ok();
}

Result<ExecResult> RootedSystem::Exec(const ExecRequest& request) {
  if (request.argv.empty()) return Status::Error("exec: empty argv");
  // The command sees the files as they are: staged replacements first.
  if (Status c = CommitStaged(); !c.ok()) return c;
  // Whatever the command did to the tree, Stat finds out afresh.
  struct ForgetOnReturn {
    const RootedSystem* sys;
    ~ForgetOnReturn() { sys->ForgetDirs(); }
  } forget{this};
  const std::string op = "exec " + request.argv[0];
  auto log = OpenExecOutput(request.output_path);
  if (!log.ok()) return log.status();
  auto cwd = OpenInRoot(op + ": cwd", request.cwd.empty() ? "/" : request.cwd,
                        O_PATH | O_DIRECTORY);
  if (!cwd.ok()) return cwd.status();
  UniqueFd devnull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!devnull.valid()) return PathError(op, "/dev/null", errno);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return PathError(op, "pipe", errno);
  UniqueFd out_rd(fds[0]), out_wr(fds[1]);
  if (::pipe2(fds, O_CLOEXEC) != 0) return PathError(op, "pipe", errno);
  UniqueFd err_rd(fds[0]), err_wr(fds[1]);

  auto cmd = std::make_unique<PreparedCommand>(request);
  ChildSetup& setup = cmd->setup;
  setup.root_fd = live_ ? -1 : root_fd_.get();
  setup.cwd_fd = cwd->get();
  setup.stdin_fd = devnull.get();
  setup.out_fd = out_wr.get();
  setup.err_fd = err_wr.get();

  // While the command runs this thread only waits: the writes so far are
  // made durable meanwhile (the next Sync waits for that). The child makes
  // only async-signal-safe calls, so the extra thread does not matter.
  pending_.SyncInBackground();
  std::unique_ptr<char[]> stack(new char[kChildStackBytes]);
  pid_t pid = StartChild(&setup, stack.get());
  if (pid < 0) return PathError(op, "clone", errno);
  // The child has made itself a process group leader before exec (or failed
  // and said so below): the timeout kills the whole group.
  out_wr.reset();
  err_wr.reset();

  ChildError ce{};
  ssize_t got;
  do {
    got = ::read(err_rd.get(), &ce, sizeof(ce));
  } while (got < 0 && errno == EINTR);
  if (got == static_cast<ssize_t>(sizeof(ce))) {
    ::waitpid(pid, nullptr, 0);
    if (ce.stage == kExec) return Status::FromErrno(op, ce.err);
    if (ce.stage == kChdir)
      return PathError(op + ": chdir", request.cwd, ce.err);
    return Status::FromErrno(op + ": " + StageName(ce.stage), ce.err);
  }

  using Clock = std::chrono::steady_clock;
  ::fcntl(out_rd.get(), F_SETFL, O_NONBLOCK);
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  OutputSink sink(log->get(), request.output_path);
  bool pipe_open = true, timed_out = false;
  auto deadline = Clock::time_point::max(), kill_at = deadline;
  if (request.timeout_seconds > 0) {
    deadline = Clock::now() + std::chrono::seconds(request.timeout_seconds);
  }
  for (;;) {
    siginfo_t info = {};
    ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
    if (info.si_pid == pid) break;  // a zombie: the group id stays reserved
    auto now = Clock::now();
    if (!timed_out && now >= deadline) {
      timed_out = true;
      ::kill(-pid, SIGTERM);
      kill_at = now + kKillGrace;
    } else if (timed_out && now >= kill_at) {
      ::kill(-pid, SIGKILL);
      kill_at = Clock::time_point::max();
    }
    auto wake = std::min(deadline, kill_at);
    if (timed_out) wake = kill_at;
    int ms = 100;  // without a pidfd, how often to look for the exit
    if (pidfd.valid()) ms = -1;
    if (wake != Clock::time_point::max()) {
      auto left = std::min<int64_t>(
          60000,
          std::chrono::duration_cast<std::chrono::milliseconds>(wake - now)
                  .count() +
              1);
      ms = ms < 0 ? static_cast<int>(left)
                  : std::min(ms, static_cast<int>(left));
    }
    struct pollfd pfds[2] = {{pidfd.get(), POLLIN, 0},
                             {pipe_open ? out_rd.get() : -1, POLLIN, 0}};
    ::poll(pfds, 2, ms);
    if (pipe_open && pfds[1].revents != 0) {
      pipe_open = Drain(out_rd.get(), &sink);
    }
  }
  if (pipe_open) Drain(out_rd.get(), &sink);  // what is left in the pipe
  if (timed_out) ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ExecResult result;
  result.timed_out = timed_out;
  if (WIFSIGNALED(status)) {
    result.signaled = true;
    result.signal = WTERMSIG(status);
  } else {
    result.exit_code = WEXITSTATUS(status);
  }
  result.output_tail = sink.Tail();
  return result;
}

}  // namespace flamingo
