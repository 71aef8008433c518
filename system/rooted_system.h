// RootedSystem: the real System over a root directory (--root DIR, or "/"
// for the running machine).
//
// Every path is resolved by the kernel inside the root with openat2(2)
// RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS: ".." stops at the root and every
// symlink (absolute or relative, in any component) is resolved as if the
// root were "/", so nothing can lead outside it. The last component is then
// handled with *at(2) calls relative to its parent directory's fd and never
// followed (lstat semantics), except by ListDir.
//
// WriteFile's temporary file is ".flamingo-<16 hex digits>.tmp" in the
// target's directory; it is removed on every failure the process survives,
// but a SIGKILL or power loss between create and rename can leave one.
//
// Error messages name the operation and the path inside the target:
// "write /etc/motd: No space left on device".
//
// Lock takes an open-file-description record lock (F_OFD_SETLK, F_WRLCK on
// the whole file): it conflicts with the classic fcntl F_SETLK lock that
// lckpwdf(3) and other processes take on the same file, and also with a
// second Lock of the same file within this process.
//
// Staging (System::SetStaging): the staged replacements are kept here, by
// the path as written, with their temporaries (written, attributed, their
// writeback started); ListDir leaves those temporaries out.
//
// Thread-safe: the object holds the root fd, what awaits Sync (a
// PendingSync, under its own mutex) and the staged replacements (under
// another); Exec may be called from several threads.
#pragma once

#include <sys/stat.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "engine/system.h"
#include "system/nft/netfilter.h"
#include "system/pending_sync.h"
#include "system/systemd/service_manager.h"
#include "system/unique_fd.h"

namespace flamingo {

class RootedSystem : public System {
 public:
  // Opens `root` (an existing directory on the host). Fails with a clear
  // message when the kernel has no openat2(2) (Linux < 5.6).
  static Result<std::unique_ptr<RootedSystem>> Open(const std::string& root);

  // ---- SystemReader ----
  Result<std::optional<FileInfo>> Stat(std::string_view path) const override;
  Result<std::string> ReadFile(std::string_view path) const override;
  // A read-only mapping of a regular file of 64 KB or more (ReadFile's
  // copy below that, and for a staged file). flamingo replaces its files
  // by rename, so the mapped version keeps its size; a file truncated in
  // place by another program while it is read would fault the reader
  // (SIGBUS): meant for flamingo's own files (the state, the overlay).
  Result<FileText> ReadFileText(std::string_view path) const override;
  Result<std::vector<std::string>> ListDir(
      std::string_view path) const override;
  Result<std::string> ReadLink(std::string_view path) const override;
  bool IsLive() const override { return live_; }
  std::string RootDir() const override { return root_; }
  std::string KernelHostname() const override;
  int64_t Now() const override;

  // ---- System ----
  Result<std::unique_ptr<LockHandle>> Lock(std::string_view path,
                                           int timeout_seconds) override;
  Status WriteFile(std::string_view path, std::string_view content,
                   const FileAttrs& attrs) override;
  Status WriteFileFrom(std::string_view path, const FileAttrs& attrs,
                       const ContentProducer& produce) override;
  Status WriteFiles(const std::vector<FileWrite>& files) override;
  Status WriteFileVolatile(std::string_view path, std::string_view content,
                           const FileAttrs& attrs) override;
  Status WriteFileVolatileFrom(std::string_view path, const FileAttrs& attrs,
                               const ContentProducer& produce) override;
  Status RemoveVolatile(std::string_view path) override;
  Status AppendLog(std::string_view path, std::string_view text,
                   const FileAttrs& attrs) override;
  Status MakeDir(std::string_view path, const FileAttrs& attrs) override;
  Status MakeDirVolatile(std::string_view path,
                         const FileAttrs& attrs) override;
  Status SetAttrs(std::string_view path, const FileAttrs& attrs) override;
  Status Remove(std::string_view path) override;
  Status MakeSymlink(std::string_view path, std::string_view target) override;
  Status RenameFile(std::string_view from, std::string_view to) override;
  Status SetKernelHostname(std::string_view name) override;
  // Makes pending changes durable (system/pending_sync.h: created files and
  // changed directories, one fsync each or one syncfs per filesystem). The
  // destructor does it too, best effort.
  Status Sync() override;
  void SetStaging(bool on) override;
  Status CommitStaged() override;
  // What the last Sync did (tests, benchmarks).
  PendingSync::Counts last_sync_counts() const {
    return pending_.last_counts();
  }
  // Items waiting for Sync and not yet being synced (tests, benchmarks).
  size_t pending_sync() const { return pending_.pending(); }
  // Starts making the pending changes durable in the background
  // (PendingSync::SyncInBackground: the command only runs meanwhile);
  // forks; the child enters a new process group, chroots into the root
  // (unless live), changes to request.cwd, gets /dev/null as stdin and a
  // pipe as stdout+stderr, and execs argv[0] looked up in the request's
  // PATH with exactly the request's environment. The parent appends the
  // output to request.output_path (created 0600 inside the root) and keeps
  // the last 4 KiB as output_tail. On timeout the group gets SIGTERM, then
  // SIGKILL 2 s later. A command that cannot be started (not found, bad
  // cwd) is an error Status, not an ExecResult.
  Result<ExecResult> Exec(const ExecRequest& request) override;
  // Forks a waiter (its own session; stdin /dev/null, stdout and stderr the
  // first step's output; every other descriptor closed, the state lock
  // among them) that polls a pidfd of this process (or, on kernels without
  // pidfds, watches for being reparented) for at most wait_seconds, then
  // starts each step as Exec does (chroot unless live, exact environment,
  // the step's timeout on its process group) without a pipe: the output
  // goes straight to the step's output_path.
  Status ExecAfterExit(const DeferredExec& deferred) override;

  // nftables over netlink (system/nft/netlink_netfilter.h): only when live.
  const Netfilter* netfilter() const override { return netfilter_.get(); }
  Netfilter* mutable_netfilter() override { return netfilter_.get(); }
  // systemd over D-Bus: only when live and systemd runs (/run/systemd/system
  // is a directory, sd_booted(3)); connects on first use.
  const ServiceManager* services() const override { return services_.get(); }
  // HttpFetcher (built-in http, libcurl https), created on first use.
  Fetcher* fetcher() const override;
  ~RootedSystem() override;
  ServiceManager* mutable_services() override {
    ForgetDirs();  // unit files and links change outside this object
    return services_.get();
  }

  // Opens `path` inside the root with openat2(2) (`flags` | O_CLOEXEC,
  // following symlinks inside the root). Exposed for other system/ adapters.
  Result<UniqueFd> OpenInRoot(std::string_view op, std::string_view path,
                              int flags, unsigned mode = 0) const;

 private:
  RootedSystem(std::string root, UniqueFd root_fd, bool live);

  // `path` opened for reading inside the root, and its fstat in *st; an
  // error (ReadFile's) for a directory or anything not a regular file.
  Result<UniqueFd> OpenRegular(std::string_view path, struct stat* st) const;
  // The output file of a command (output_path, appended to, created 0600
  // inside the root); an invalid descriptor for "".
  Result<UniqueFd> OpenExecOutput(std::string_view path) const;

  // MakeDir; `durable`: the new entry is made durable at the next Sync.
  Status MakeDirAs(std::string_view path, const FileAttrs& attrs, bool durable);

  // The parent directory of `path` opened inside the root (flags |
  // O_DIRECTORY), and the last component's name (never "", "." or "..",
  // which are EINVAL). The errno of a failure is stored in *err if given.
  struct Parent {
    UniqueFd fd;
    std::string name;
  };
  Result<Parent> OpenParent(std::string_view op, std::string_view path,
                            int flags, int* err = nullptr) const;
  // Opens the last component of `path` without following it (a symlink is
  // opened itself with O_PATH, else ELOOP); "/" and paths ending in "." or
  // ".." are opened as they are.
  Result<UniqueFd> OpenLast(std::string_view op, std::string_view path,
                            int flags, int* err = nullptr) const;

  // WriteFile in two steps: Stage writes the temporary (removed again when
  // the Staged is destroyed unrenamed), Commit renames it into place.
  struct Staged {
    std::string path;
    Parent parent;
    std::string tmp;
    UniqueFd fd;
    bool durable = true;          // false: renamed as it is, never synced
    bool readonly = false;        // fd is a read-only reopen (else the writer)
    bool replacing = false;       // something is at the path (or unknown)
    bool replaces_other = false;  // something but a regular file (or unknown)
    Staged() = default;
    Staged(Staged&&) = default;
    Staged& operator=(Staged&&) = default;
    // Removes the temporary unless it was renamed.
    ~Staged();
  };
  // `durable` false (WriteFileVolatile): no writeback started, the writer
  // fd kept, and Commit only renames or exchanges (CommitVolatile; nothing
  // waits for Sync). Either way Stage notes what the write will replace.
  // The content is what `produce` hands to its sink (WriteFileFrom).
  Status Stage(std::string_view path, const ContentProducer& produce,
               const FileAttrs& attrs, bool durable, Staged* out);
  // fsync(2)s the replacing members of `staged` at once (FsyncEach: one
  // journal commit, their cache flushes merged). One errno per member, in
  // order; 0 for a synced member and for one that creates a file (made
  // durable at Sync instead).
  static std::vector<int> FsyncReplacements(const std::vector<Staged>& staged);
  Status Commit(Staged* staged, bool fsync_done);
  // Commit of a volatile write (`durable` false).
  Status CommitVolatile(Staged* staged);

  // Remove; `durable`: the directory waits for Sync (else left as it is).
  Status RemoveEntry(std::string_view path, bool durable);

  // Remembers `dir` (the open parent directory of `path`) as changed.
  Status MarkDirty(int dir, std::string_view path);

  // The directories Stat looked in, opened inside the root (O_PATH) and
  // kept by the path as written, so that a Stat is one fstatat(2), not an
  // openat2, an fstat and a close. An entry stays right as long as no
  // component of its path is replaced or removed: every call that may
  // replace or remove a directory or a symlink forgets them all (Remove,
  // RenameFile, MakeSymlink, a write over anything but a regular file,
  // mutable_services), and so does Exec (a command may change anything).
  // Creating an entry, or replacing a regular file, changes no directory's
  // path. StatIn: fstatat(2) of `name` (not followed) in the directory
  // `dir` (a path inside the root, followed inside it), under the cache's
  // lock; 0, or the errno of opening `dir` or of the fstatat.
  int StatIn(std::string_view dir, const std::string& name,
             struct stat* st) const;
  void ForgetDirs() const;

  // The staged replacement of `path` (the fd of its temporary), or -1.
  int StagedFd(std::string_view path) const;
  // CommitStaged when `path` is staged (a call that changes it or its
  // name's meaning comes next); else nothing.
  Status CommitIfStaged(std::string_view path);

  std::string root_;
  UniqueFd root_fd_;
  mutable std::mutex dirs_mu_;
  mutable std::vector<std::pair<std::string, UniqueFd>> dirs_;  // StatIn
  PendingSync pending_;  // what Sync must make durable
  // Durable writes that may still start their writeback at once (Stage;
  // the applying thread only).
  int early_writebacks_left_ = 32;
  mutable std::mutex staged_mu_;
  bool staging_ = false;
  std::vector<Staged> staged_;  // in the order written; one per path
  bool live_;
  std::unique_ptr<Netfilter> netfilter_;  // null unless live
  std::unique_ptr<ServiceManager> services_;
  mutable std::unique_ptr<Fetcher> fetcher_;
};

// "op path: strerror(err)" — the error shape of every System adapter.
Status PathError(std::string_view op, std::string_view path, int err);

}  // namespace flamingo
