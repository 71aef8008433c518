// Test helper: runs a function in a forked child that first moves itself
// into a fresh network namespace (unshare(CLONE_NEWNET)); the test process
// itself never changes namespace. The function returns JSON, which comes
// back to the parent through a pipe. Test-only.
#pragma once

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace flamingo {
namespace testing_netns {

// {"error": "..."} when the child could not run fn or died.
inline nlohmann::json RunInNewNetns(const std::function<nlohmann::json()>& fn) {
  int fds[2];
  if (pipe(fds) != 0) return {{"error", "pipe failed"}};
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) return {{"error", "fork failed"}};
  if (pid == 0) {
    close(fds[0]);
    std::string out;
    if (unshare(CLONE_NEWNET) != 0) {
      out = nlohmann::json{{"error", std::string("unshare(CLONE_NEWNET): ") +
                                         std::strerror(errno)}}
                .dump();
    } else {
      try {
        out = fn().dump();
      } catch (const std::exception& e) {
        out = nlohmann::json{{"error", std::string("exception: ") + e.what()}}
                  .dump();
      }
    }
    size_t off = 0;
    while (off < out.size()) {
      ssize_t n = write(fds[1], out.data() + off, out.size() - off);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string data;
  char buf[65536];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof(buf))) > 0) data.append(buf, n);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return {{"error", "child died (status " + std::to_string(status) + ")"}};
  }
  auto j = nlohmann::json::parse(data, nullptr, false);
  if (j.is_discarded()) return {{"error", "bad child output: " + data}};
  return j;
}

// Runs a shell command (in the caller's namespace); returns its stdout, and
// its exit status through *status.
inline std::string Sh(const std::string& cmd, int* status = nullptr) {
  std::string out;
  FILE* f = popen((cmd + " 2>&1").c_str(), "r");
  if (f == nullptr) return "popen failed";
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  int st = pclose(f);
  if (status != nullptr) *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

// `nft -j list ruleset` as JSON (null on failure).
inline nlohmann::json NftRuleset() {
  int st = 0;
  std::string out = Sh("nft -j list ruleset", &st);
  if (st != 0) return nullptr;
  return nlohmann::json::parse(out, nullptr, false);
}

}  // namespace testing_netns
}  // namespace flamingo
