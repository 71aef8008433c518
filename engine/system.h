// The operating system behind one injectable interface (LevelDB's Env,
// ninja's DiskInterface). Resources never touch the OS directly.
//
// SystemReader is read-only: the planner only ever receives one, so a plan
// cannot change anything by construction (ninja's DryRunCommandRunner).
// System adds the writes; only the applier receives one.
//
// Every path is an absolute path *inside the target* ("/etc/motd"). The real
// implementation (system/rooted_system.h) resolves it inside --root so that
// neither ".." nor a symlink can lead outside; the fake (system/fake_system.h)
// keeps everything in memory for unit tests.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/file_text.h"
#include "engine/status.h"

namespace flamingo {

// Optional OS facilities, each defined by its own module's header. A System
// returns null for a facility it does not have (e.g. no netlink under
// --root), and resources fall back to an offline equivalent.
class Netfilter;       // nftables over netlink (system/nft/)
class ServiceManager;  // systemd over D-Bus (system/systemd/)
class Fetcher;         // HTTP(S) with retries and bounded time (sources/)

enum class FileType { kRegular, kDirectory, kSymlink, kOther };

struct FileInfo {
  FileType type = FileType::kRegular;
  uint32_t mode = 0;  // permission bits including setuid/setgid/sticky (07777)
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint64_t size = 0;
  // Identity of the file's current version, for caches of parsed content
  // (an atomic replacement gives a new inode; any write moves mtime, any
  // change of content or attributes moves ctime). Compare for equality
  // only; 0 when the System cannot tell.
  uint64_t inode = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
};

// Whether two Stat results show the same version of a file, for caches of
// parsed content: both absent, or equal type, mode, owner, size, inode and
// times. Never true for a version the System cannot identify (inode and
// times all 0).
bool SameFileVersion(const std::optional<FileInfo>& a,
                     const std::optional<FileInfo>& b);

// Ownership and mode of something written. uid/gid are numeric: name lookup
// against the target's /etc/passwd and /etc/group is the caller's job.
struct FileAttrs {
  uint32_t mode = 0644;
  uint32_t uid = 0;
  uint32_t gid = 0;
};

// A command run by System::Exec.
struct ExecRequest {
  std::vector<std::string>
      argv;  // argv[0] is looked up in PATH (of the target)
  std::map<std::string, std::string> env;  // the complete environment
  std::string cwd = "/";                   // inside the target
  int timeout_seconds = 0;                 // 0 = none; then SIGTERM, SIGKILL
  // Appended to with the command's stdout and stderr (inside the target);
  // empty = discarded. Stdin is always /dev/null.
  std::string output_path;
};

// How much of a command's output ExecResult::output_tail keeps.
inline constexpr size_t kExecTailBytes = 4096;

struct ExecResult {
  int exit_code = 0;  // valid when !signaled && !timed_out
  int signal = 0;     // the signal that ended it, when signaled
  bool signaled = false;
  bool timed_out = false;
  std::string output_tail;  // the last kExecTailBytes of stdout+stderr
  bool success() const { return !signaled && !timed_out && exit_code == 0; }
};

// Commands System::ExecAfterExit runs once this process has exited.
struct DeferredExec {
  // Run one after the other, each only when the one before exited 0 (a
  // condition, then the action). Their output_path is where they write.
  std::vector<ExecRequest> steps;
  // How long to wait for this process to exit before the first step starts
  // anyway (cloud-init's power_state `timeout`); 0 = do not wait.
  int wait_seconds = 30;
};

class SystemReader {
 public:
  virtual ~SystemReader() = default;

  // lstat(2): nullopt when the path does not exist. Never follows a symlink
  // in the last component.
  virtual Result<std::optional<FileInfo>> Stat(std::string_view path) const = 0;
  // Reads a regular file, following symlinks inside the root only; an error
  // when missing or not a regular file.
  virtual Result<std::string> ReadFile(std::string_view path) const = 0;
  // ReadFile's bytes for a parser that reads them once, front to back: a
  // mapping where the System can make one (engine/file_text.h), else a
  // copy (this default).
  virtual Result<FileText> ReadFileText(std::string_view path) const {
    auto text = ReadFile(path);
    if (!text.ok()) return text.status();
    return FileText(std::move(text).value());
  }
  // Names in a directory (no "." or ".."), sorted.
  virtual Result<std::vector<std::string>> ListDir(
      std::string_view path) const = 0;
  virtual Result<std::string> ReadLink(std::string_view path) const = 0;

  // True when operating on the running machine (root "/"): only then are
  // live-only effects (kernel hostname, service reloads, netlink) allowed.
  virtual bool IsLive() const = 0;
  // The root directory on the host ("/" when live). For messages only.
  virtual std::string RootDir() const = 0;
  // The running kernel's hostname ("" when not live).
  virtual std::string KernelHostname() const = 0;
  // Seconds since the epoch (injectable for tests).
  virtual int64_t Now() const = 0;

  // Facilities; null when unavailable.
  virtual const Netfilter* netfilter() const { return nullptr; }
  virtual const ServiceManager* services() const { return nullptr; }
  // Fetching a URL reads the outside world, never the target: allowed to a
  // reader (write_files `source: {uri: https://...}` at plan time).
  virtual Fetcher* fetcher() const { return nullptr; }
};

// Held lock; released when destroyed.
class LockHandle {
 public:
  virtual ~LockHandle() = default;
};

class System : public SystemReader {
 public:
  // Takes an exclusive POSIX record lock (fcntl F_SETLK, the lock lckpwdf(3)
  // takes on /etc/.pwd.lock) on `path`, creating it with mode 0600 if
  // missing. Waits up to timeout_seconds (0: fails at once when held).
  virtual Result<std::unique_ptr<LockHandle>> Lock(std::string_view path,
                                                   int timeout_seconds) = 0;
  // Atomically replaces `path` with `content`: a temporary file in the same
  // directory, fchmod/fchown, fsync, rename over the target. Never follows a
  // symlink at `path` (a symlink there is replaced). When it replaces a file,
  // the new content is durable before the rename: a power cut leaves the old
  // content or the new, never a torn file. A file it creates, the rename,
  // and every directory change below (mkdir, remove, symlink) are durable
  // after the next Sync(); until then a power cut can leave a created file
  // empty (nothing recorded it yet: the next run re-creates it).
  // REQUIRES: the parent directory exists.
  virtual Status WriteFile(std::string_view path, std::string_view content,
                           const FileAttrs& attrs) = 0;
  // A piece of a file's content (WriteFileFrom).
  using ContentSink = std::function<Status(std::string_view piece)>;
  // Hands a file's content to the sink it is given, piece by piece, in
  // order; its error (or the sink's) is the write's.
  using ContentProducer = std::function<Status(const ContentSink&)>;
  // WriteFile of content that `produce` hands to its sink in pieces, in
  // order: a large generated file (the state) is never whole in memory.
  // The same guarantees; an error from `produce` or the sink leaves `path`
  // untouched and is returned. The default collects the pieces and calls
  // WriteFile.
  virtual Status WriteFileFrom(std::string_view path, const FileAttrs& attrs,
                               const ContentProducer& produce) {
    auto content = Collect(produce);
    if (!content.ok()) return content.status();
    return WriteFile(path, *content, attrs);
  }
  // One file of a WriteFiles call.
  struct FileWrite {
    std::string path;
    std::string content;
    FileAttrs attrs;
  };
  // WriteFile of several files that belong together (the account files):
  // every temporary is written first, the replacements are fsynced together
  // (one journal commit instead of one per file), then each is renamed in
  // order. Stops at the first error: files renamed before it stay written,
  // the others are untouched. The default calls WriteFile for each.
  virtual Status WriteFiles(const std::vector<FileWrite>& files) {
    for (const FileWrite& f : files) {
      Status s = WriteFile(f.path, f.content, f.attrs);
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }
  // Appends `text` to the log file at `path`, starting on a new line (a
  // newline is added first when the file does not end with one); creates it
  // with attrs if missing. Never follows a symlink at `path`. Not a
  // replacement: old content is never rewritten. As with any log, the text
  // is left to the kernel's writeback and never fsynced, not even by
  // Sync(): a power cut within seconds can lose or cut it.
  // REQUIRES: the parent directory exists.
  virtual Status AppendLog(std::string_view path, std::string_view text,
                           const FileAttrs& attrs) = 0;
  // WriteFile and Remove for data that describes only the current boot (a
  // crash ends the boot, and with it what the data says): readers see the
  // change atomically, but it is never made durable, not even by Sync()
  // (no fsync, no wait for the disk). After a power cut the path may hold
  // the old content, the new, an empty file or nothing. The defaults are
  // the durable calls.
  virtual Status WriteFileVolatile(std::string_view path,
                                   std::string_view content,
                                   const FileAttrs& attrs) {
    return WriteFile(path, content, attrs);
  }
  // WriteFileFrom's volatile counterpart; the default collects the pieces.
  virtual Status WriteFileVolatileFrom(std::string_view path,
                                       const FileAttrs& attrs,
                                       const ContentProducer& produce) {
    auto content = Collect(produce);
    if (!content.ok()) return content.status();
    return WriteFileVolatile(path, *content, attrs);
  }
  virtual Status RemoveVolatile(std::string_view path) { return Remove(path); }
  // MakeDir for a directory that holds only such data (/run/flamingo under
  // --root): never made durable either.
  virtual Status MakeDirVolatile(std::string_view path,
                                 const FileAttrs& attrs) {
    return MakeDir(path, attrs);
  }
  // Creates one directory (the parent must exist) with attrs; ok if it exists
  // as a directory already (its attrs are then left alone).
  virtual Status MakeDir(std::string_view path, const FileAttrs& attrs) = 0;
  // Sets mode and owner of an existing path without following symlinks.
  virtual Status SetAttrs(std::string_view path, const FileAttrs& attrs) = 0;
  // Removes a file, symlink or empty directory; ok if it does not exist.
  virtual Status Remove(std::string_view path) = 0;
  // Atomically makes `path` a symlink to `target` (which is stored as given
  // and never resolved): a symlink under a temporary name in the same
  // directory, renamed over `path` (a file or symlink there is replaced; a
  // directory there is an error). REQUIRES: the parent directory exists.
  virtual Status MakeSymlink(std::string_view path,
                             std::string_view target) = 0;
  // Staging, for a write batch of resources whose Apply only writes files
  // through this System (resources/staged_writes.h). While it is on, a
  // WriteFile that replaces an existing file writes its temporary but
  // leaves the fsync and the rename to CommitStaged, which fsyncs all the
  // staged files at once (one journal commit) and renames each in the order
  // written, then turns staging off. Until then Stat and ReadFile of such a
  // path see the staged file, through this System only: the caller commits
  // before anything else may look (the engine commits a batch before any
  // resource outside it runs). Exec, Sync and WriteFiles commit first, and
  // so does any other call on a staged path. A System that does not stage
  // (the default) writes at once, and CommitStaged has nothing to do.
  virtual void SetStaging(bool /*on*/) {}
  virtual Status CommitStaged() { return Status::Ok(); }
  // Renames the regular file `from` over `to` in the same directory (a file
  // or symlink at `to` is replaced; never followed). For a file a command
  // wrote (ssh-keygen's keys): it keeps its inode, and with it its security
  // context. When it replaces, `from`'s content is made durable first, as
  // WriteFile's replacements; the directory change waits for Sync.
  virtual Status RenameFile(std::string_view from, std::string_view to) = 0;
  // Makes every change made through this System so far durable, in as few
  // cache flushes as it can (created files and changed directories are
  // batched). Callers that record what they applied (the engine, the state
  // file) Sync first.
  virtual Status Sync() = 0;
  // Sets the running kernel's hostname. REQUIRES: IsLive().
  virtual Status SetKernelHostname(std::string_view name) = 0;
  // Runs a command inside the target (chroot when the root is not "/").
  virtual Result<ExecResult> Exec(const ExecRequest& request) = 0;
  // Starts a detached process (its own session, none of this process's
  // open files but the steps' output) that waits until this process has
  // exited, or `wait_seconds` have passed, and then runs the steps as Exec
  // would (inside the target, the same environment rules; stdin
  // /dev/null, stdout and stderr appended to the step's output_path).
  // Nothing comes back: it outlives this process (a shutdown that must not
  // start before the state is saved). A step that does not exit 0 ends it,
  // with a line saying so in its output. An error only when it could not
  // be started (then nothing will run).
  virtual Status ExecAfterExit(const DeferredExec& deferred) = 0;

  // Writable facilities; null when unavailable.
  virtual Netfilter* mutable_netfilter() { return nullptr; }
  virtual ServiceManager* mutable_services() { return nullptr; }

  // All that `produce` hands to its sink, in one string (the defaults of
  // the From calls; a streamed text wanted whole).
  static Result<std::string> Collect(const ContentProducer& produce);
};

// The content of the regular file at `path` (read following symlinks inside
// the root, as ReadFile does), or nullopt when nothing is there; an error
// naming the path when something else (a directory, a symlink, a device)
// is there.
Result<std::optional<std::string>> ReadRegularFile(const SystemReader& sys,
                                                   std::string_view path);

// An error unless `deferred` has steps and each has an argv (what every
// ExecAfterExit checks first).
Status CheckDeferredExec(const DeferredExec& deferred);

// Creates `path` and every missing parent directory with `attrs`.
Status MakeDirs(System& sys, std::string_view path, const FileAttrs& attrs);

// The parent of an absolute path ("/a/b" -> "/a", "/a" -> "/").
std::string ParentPath(std::string_view path);
// Normalizes an absolute path lexically: collapses "//" and ".", resolves
// ".." without going above "/", strips a trailing "/". Returns "" when
// `path` is not absolute.
std::string NormalizePath(std::string_view path);

}  // namespace flamingo
