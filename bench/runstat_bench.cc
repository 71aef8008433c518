// runstat_bench: runs a command REPEAT times and prints one line
//   "<median wall us> <median cpu us> <max rss KiB> <failures>"
// where cpu is the child's user + system time (wait4 rusage) and a failure
// is an exit status other than 0 (or 2 when --ok2 is given: plan
// --detailed-exitcode). With --reset CMD, `sh -c CMD` runs before each
// repetition and is not measured (a fresh copy of a root).
//
//   runstat_bench [--repeat N] [--reset CMD] [--ok2] -- COMMAND [ARGS...]
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Sample {
  long wall_us = 0;
  long cpu_us = 0;
  long rss_kib = 0;
  int status = 0;
};

Sample RunOnce(char** argv) {
  Sample s;
  auto t0 = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    if (null >= 0) {
      ::dup2(null, 1);
      ::dup2(null, 2);
    }
    ::execvp(argv[0], argv);
    ::_exit(127);
  }
  int status = 0;
  struct rusage ru = {};
  ::wait4(pid, &status, 0, &ru);
  auto t1 = std::chrono::steady_clock::now();
  s.wall_us =
      std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count();
  s.cpu_us = ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec +
             ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec;
  s.rss_kib = ru.ru_maxrss;
  s.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  return s;
}

long Median(std::vector<long> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int repeat = 5;
  const char* reset = nullptr;
  bool ok2 = false;
  int i = 1;
  for (; i < argc; ++i) {
    if (std::strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
      repeat = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--reset") == 0 && i + 1 < argc) {
      reset = argv[++i];
    } else if (std::strcmp(argv[i], "--ok2") == 0) {
      ok2 = true;
    } else if (std::strcmp(argv[i], "--") == 0) {
      ++i;
      break;
    } else {
      std::fprintf(stderr,
                   "usage: runstat_bench [--repeat N] [--reset CMD] "
                   "[--ok2] -- COMMAND [ARGS...]\n");
      return 1;
    }
  }
  if (i >= argc || repeat < 1) return 1;
  std::vector<long> wall, cpu;
  long rss = 0;
  int failures = 0;
  for (int r = 0; r < repeat; ++r) {
    if (reset != nullptr && std::system(reset) != 0) {
      std::fprintf(stderr, "runstat_bench: reset failed: %s\n", reset);
      return 1;
    }
    Sample s = RunOnce(argv + i);
    wall.push_back(s.wall_us);
    cpu.push_back(s.cpu_us);
    rss = std::max(rss, s.rss_kib);
    if (s.status != 0 && !(ok2 && s.status == 2)) ++failures;
  }
  std::printf("%ld %ld %ld %d\n", Median(wall), Median(cpu), rss, failures);
  return 0;
}
