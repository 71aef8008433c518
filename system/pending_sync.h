// PendingSync: what a RootedSystem has changed but not yet made durable,
// and how it makes it durable in as few cache flushes as it safely can.
//
// The rules (docs/architecture.md, "Durability"):
//  - A write that REPLACES a file fsyncs the new content before the rename
//    (the old content is never lost to a power cut); that is not here.
//  - A write that CREATES a file renames it in at once and is added here: a
//    power cut before Sync can leave it empty, but nothing existed before
//    and nothing recorded it yet (the state file is written after Sync), so
//    the next run re-creates it.
//  - Every changed directory (write, mkdir, remove, symlink) is added here.
//  - A created file's writeback is started by the writer as it writes it
//    (RootedSystem: sync_file_range), so the fsync at Sync mostly waits for
//    I/O already under way.
//  - Sync, per filesystem: fsync the pending files concurrently (FsyncEach:
//    their cache flushes merge), then each directory in turn; or,
//    when more than threshold() items wait on that filesystem (thousands
//    of files), one syncfs(2) instead. syncfs also writes back every other
//    dirty page of that filesystem, which can take long on a busy machine
//    (311 ms in a booted container on our shared VM, for a dozen files), so
//    it is kept for runs where per-item fsyncs would cost more.
//  - SyncInBackground does the same on a thread of its own while the
//    caller has nothing to do but wait (a script runs); the next Sync waits
//    for it and reports its errors.
//
// Thread-safe.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/status.h"
#include "system/unique_fd.h"

namespace flamingo {

class PendingSync {
 public:
  static constexpr size_t kSyncfsThreshold = 256;
  // Items kept open per filesystem before it switches to one syncfs:
  // kSyncfsThreshold, or a quarter of the process's soft RLIMIT_NOFILE when
  // that is less (the kept descriptors must leave the writer room: at a
  // limit of 256, 251 kept ones made the next temporary fail with EMFILE).
  // Read when the PendingSync is made.
  size_t threshold() const { return threshold_; }

  // `fd` is an open directory (resp. the created file); a directory fd is
  // duplicated, a file is reopened read-only (so it can be exec'd before
  // Sync); the caller keeps its own fd. `path` names it in error messages.
  // Returns an error only when it could not be kept AND an immediate fsync
  // failed.
  Status AddDir(int fd, const std::string& path);
  Status AddNewFile(int fd, const std::string& path);
  // AddNewFile for a read-only fd of the created file, which is kept as it
  // is (no second open); on a duplicate inode or after switching to syncfs
  // it is closed.
  Status AdoptNewFile(UniqueFd readonly_fd, const std::string& path);

  PendingSync() = default;
  PendingSync(const PendingSync&) = delete;
  PendingSync& operator=(const PendingSync&) = delete;
  ~PendingSync();  // waits for the background work

  // Makes everything added so far durable and forgets it, including what
  // SyncInBackground took (waited for). The first error is returned ("sync
  // PATH: strerror"); the rest is still attempted.
  Status Sync();
  // Starts making everything added so far durable on another thread, and
  // forgets it here; items added meanwhile wait for the next call. Nothing
  // pending: no thread.
  void SyncInBackground();

  // What the last Sync did (for tests and benchmarks).
  struct Counts {
    int fsyncs = 0;
    int syncfs = 0;
  };
  Counts last_counts() const;
  // Items waiting (files + directories), over all filesystems.
  size_t pending() const;

 private:
  struct Item {
    UniqueFd fd;
    std::string path;
  };
  struct Device {
    std::map<ino_t, Item> files;  // by inode: each once
    std::map<ino_t, Item> dirs;
    size_t count = 0;     // files + dirs added (also after switching)
    bool syncfs = false;  // too many: one syncfs, fds dropped but one
    Item any;             // an fd on this filesystem for syncfs
  };
  // `adopted`: a read-only fd of a file, kept instead of a new one.
  Status Add(int fd, const std::string& path, bool is_dir,
             UniqueFd adopted = UniqueFd());
  // The work of Sync on what it took from devices_.
  static Status SyncDevices(std::map<dev_t, Device>& devices, Counts* counts);

  const size_t threshold_ = Threshold();
  static size_t Threshold();
  mutable std::mutex mu_;
  std::map<dev_t, Device> devices_;
  Counts last_;
  // SyncInBackground's threads, each with its result.
  struct Background {
    std::thread thread;
    Status status;
    Counts counts;
  };
  std::vector<std::unique_ptr<Background>> background_;
};

}  // namespace flamingo
