// FakeSystem: an in-memory System for unit tests (LevelDB's memenv).
//
// Holds a tree of files (content, mode, uid, gid), directories and symlinks
// keyed by absolute path. Paths are resolved like the real RootedSystem:
// symlinks in intermediate components are followed *inside* the fake root
// (".." never climbs above "/"), the last component is never followed except
// by ListDir. Error messages have the real adapter's shape
// ("write /etc/motd: No such file or directory").
//
// Test helpers (AddFile, AddDir, AddSymlink, GetFile, Exists, setters) bypass
// fault injection and are not counted as mutations.
//
// Mutating calls (counted, logged, subject to fault injection): WriteFile,
// MakeDir, SetAttrs, Remove, MakeSymlink, SetKernelHostname, Exec. A failed
// call changes nothing. Lock is not a mutation.
//
// Not thread-safe, except that threads may contend in Lock on a lock file
// that already exists (a waiter wakes when the holder's handle is destroyed).
// A LockHandle may outlive the FakeSystem.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/system.h"

namespace flamingo {

class FakeSystem : public System {
 public:
  struct Entry {
    FileType type = FileType::kRegular;
    std::string content;  // regular files
    std::string target;   // symlinks
    FileAttrs attrs;
    // What Stat reports as inode, mtime_ns and ctime_ns: a new inode for
    // every file created or replaced; both times from a counter that ticks
    // on every change (ctime also on SetAttrs).
    uint64_t inode = 0;
    int64_t mtime = 0;
    int64_t ctime = 0;
  };
  using ExecHandler = std::function<Result<ExecResult>(const ExecRequest&)>;

  FakeSystem();
  ~FakeSystem() override;

  // ---- Test setup and inspection (no faults, not counted) ----
  // Adds or replaces a regular file; missing parents are created (0755 root).
  void AddFile(std::string_view path, std::string_view content,
               const FileAttrs& attrs = FileAttrs{});
  // Adds a directory and missing parents (all with `attrs`).
  void AddDir(std::string_view path, const FileAttrs& attrs = {0755, 0, 0});
  // Adds or replaces a symlink; missing parents are created (0755 root).
  void AddSymlink(std::string_view path, std::string_view target,
                  const FileAttrs& attrs = {0777, 0, 0});
  // The entry at exactly this (lexically normalized) path, symlinks not
  // followed; nullopt when absent.
  std::optional<Entry> GetFile(std::string_view path) const;
  // GetFile's content, or "<missing>" when nothing is there (for tests'
  // expectations on a file's bytes).
  std::string ContentOf(std::string_view path) const;
  bool Exists(std::string_view path) const;
  // Every path in the tree, sorted (handy for "nothing changed" checks).
  std::vector<std::string> AllPaths() const;

  void set_live(bool live) { live_ = live; }
  void set_root_dir(std::string dir) { root_dir_ = std::move(dir); }
  // The hostname KernelHostname() reports when live.
  void set_kernel_hostname(std::string name) { hostname_ = std::move(name); }
  void set_now(int64_t now) { now_ = now; }
  // What fetcher() returns (not owned; null by default).
  void set_fetcher(Fetcher* f) { fetcher_ = f; }
  Fetcher* fetcher() const override { return fetcher_; }
  // The ServiceManager services() returns (not owned; null = none).
  void set_services(ServiceManager* services) { services_ = services; }

  // Exec calls `handler` (after recording the request). Without a handler
  // every command succeeds with exit code 0 and no output. When the request
  // has an output_path, the result's output_tail is appended to that file
  // (created 0600; its parent must exist).
  void set_exec_handler(ExecHandler handler) { exec_ = std::move(handler); }
  const std::vector<ExecRequest>& exec_requests() const { return execs_; }
  // What ExecAfterExit was given (nothing is run).
  const std::vector<DeferredExec>& deferred_execs() const { return deferred_; }

  // ---- Fault injection ----
  // The n-th mutating call from now (n >= 1; 1 = the next one) fails with
  // "<op> <path>: <message>". With `and_after` every later mutating call
  // fails too (a crash: nothing after the failure happens).
  void FailNthMutation(int n, std::string message, bool and_after = false);
  // Every mutating call on `path` or below it (after resolving symlinks in
  // intermediate components) fails with "<op> <path>: <message>".
  void FailWritesUnder(std::string_view path, std::string message);
  void ClearFaults();
  // Sync() fails with this message (empty: succeeds again).
  void FailSync(std::string message) { sync_fault_ = std::move(message); }
  // Successful Sync() calls so far.
  int sync_count() const { return sync_count_; }
  // Mutating calls so far (including failed ones).
  int mutation_count() const { return mutation_count_; }
  // One line per mutating call: "write /etc/motd", "mkdir /x", "chattr /x",
  // "remove /x", "symlink /x", "sethostname h", "exec argv0".
  const std::vector<std::string>& mutations() const { return log_; }

  // ---- SystemReader ----
  Result<std::optional<FileInfo>> Stat(std::string_view path) const override;
  Result<std::string> ReadFile(std::string_view path) const override;
  Result<std::vector<std::string>> ListDir(
      std::string_view path) const override;
  Result<std::string> ReadLink(std::string_view path) const override;
  bool IsLive() const override { return live_; }
  std::string RootDir() const override { return live_ ? "/" : root_dir_; }
  std::string KernelHostname() const override { return live_ ? hostname_ : ""; }
  int64_t Now() const override { return now_; }

  // ---- System ----
  Result<std::unique_ptr<LockHandle>> Lock(std::string_view path,
                                           int timeout_seconds) override;
  Status WriteFile(std::string_view path, std::string_view content,
                   const FileAttrs& attrs) override;
  // Logged as "append PATH" (a mutation).
  Status AppendLog(std::string_view path, std::string_view text,
                   const FileAttrs& attrs) override;
  // Logged as "volatile write PATH" / "volatile remove PATH"; otherwise as
  // WriteFile / Remove (nothing is durable in memory anyway).
  Status WriteFileVolatile(std::string_view path, std::string_view content,
                           const FileAttrs& attrs) override;
  Status RemoveVolatile(std::string_view path) override;
  Status MakeDir(std::string_view path, const FileAttrs& attrs) override;
  Status SetAttrs(std::string_view path, const FileAttrs& attrs) override;
  Status Remove(std::string_view path) override;
  Status MakeSymlink(std::string_view path, std::string_view target) override;
  Status RenameFile(std::string_view from, std::string_view to) override;
  // Nothing to make durable in memory: counts the call (sync_count()).
  Status Sync() override;
  Status SetKernelHostname(std::string_view name) override;
  Result<ExecResult> Exec(const ExecRequest& request) override;
  // Records `deferred` (a mutation: "exec-after-exit argv0 of the last
  // step"; fault injection applies). Nothing runs.
  Status ExecAfterExit(const DeferredExec& deferred) override;
  const ServiceManager* services() const override { return services_; }
  ServiceManager* mutable_services() override { return services_; }

 private:
  struct LockTable;
  // WriteFile / Remove after BeginMutation.
  Status PutFile(std::string_view path, std::string_view content,
                 const FileAttrs& attrs);
  Status RemoveEntry(std::string_view path);

  // Resolves `path` inside the fake root. Intermediate symlinks are always
  // followed, the last one only when `follow_last`. The result is a
  // canonical path whose parent exists as a directory; the last component
  // may be missing. Errors are "<op> <path>: <strerror>"; the errno is
  // stored in *err when err is not null.
  Result<std::string> Resolve(std::string_view op, std::string_view path,
                              bool follow_last, int* err = nullptr) const;
  const Entry* Find(const std::string& canonical) const;
  // Stores `e` at `canonical` as a new file version (new inode and times).
  void Put(const std::string& canonical, Entry e);
  bool HasChildren(const std::string& canonical) const;
  // Counts and logs a mutating call; returns the injected fault, if any.
  Status BeginMutation(std::string_view op, std::string_view arg);
  Status PathFault(std::string_view op, std::string_view path,
                   const std::string& canonical) const;

  std::map<std::string, Entry> files_;
  uint64_t next_inode_ = 0;
  int64_t clock_ = 0;
  bool live_ = false;
  std::string root_dir_ = "/fake-root";
  std::string hostname_ = "localhost";
  int64_t now_ = 1700000000;
  Fetcher* fetcher_ = nullptr;
  ExecHandler exec_;
  ServiceManager* services_ = nullptr;
  std::vector<ExecRequest> execs_;
  std::vector<DeferredExec> deferred_;

  int mutation_count_ = 0;
  int sync_count_ = 0;
  std::string sync_fault_;
  int fail_at_ = 0;  // 0 = none
  bool fail_after_ = false;
  std::string fail_message_;
  std::map<std::string, std::string> path_faults_;
  std::vector<std::string> log_;
  std::shared_ptr<LockTable> locks_;
};

}  // namespace flamingo
