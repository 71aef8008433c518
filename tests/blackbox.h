// Helpers for blackbox tests: run the real flamingo binary against a
// temporary root, and inspect that root.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace flamingo::blackbox {

struct RunResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;     // stdout
  std::string err;     // stderr
};

// Runs FLAMINGO_BIN with `args` (no shell), stdin /dev/null, optional extra
// environment entries ("NAME=value"). Waits for it.
RunResult RunFlamingo(const std::vector<std::string>& args,
                      const std::vector<std::string>& env = {});

// A temporary directory, removed (recursively) when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const {
    return path_ + "/" + rel;
  }
  // Writes `content` to path()/rel, creating parents.
  void Write(const std::string& rel, const std::string& content,
             int mode = 0644) const;
  std::string Read(const std::string& rel) const;
  bool Exists(const std::string& rel) const;

 private:
  std::string path_;
};

// Every entry below `dir` (relative path -> "type mode uid:gid sha256|target"),
// for "nothing changed" assertions. Skips nothing.
std::map<std::string, std::string> Snapshot(const std::string& dir);
// Snapshot of a target root without flamingo's own state (/var/lib/flamingo:
// run times, the lock) and the runtime directory /run (the boot overlay):
// what "apply twice = apply once" compares.
std::map<std::string, std::string> TargetSnapshot(const std::string& root);

// Reads a file on the host; "" when missing.
std::string ReadFile(const std::string& path);
// A file of the source tree (FLAMINGO_SOURCE_DIR/rel); "" when unreadable.
std::string ReadSourceFile(const std::string& rel);
void WriteFile(const std::string& path, const std::string& content);

}  // namespace flamingo::blackbox
