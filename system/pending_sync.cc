#include "system/pending_sync.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>
#include <vector>

#include "system/fsync_each.h"

namespace flamingo {
namespace {

Status FsyncNow(int fd, const std::string& path) {
  if (::fsync(fd) != 0) return Status::FromErrno("sync " + path, errno);
  return Status::Ok();
}

}  // namespace

Status PendingSync::AddDir(int fd, const std::string& path) {
  return Add(fd, path, /*is_dir=*/true);
}

Status PendingSync::AddNewFile(int fd, const std::string& path) {
  return Add(fd, path, /*is_dir=*/false);
}

Status PendingSync::AdoptNewFile(UniqueFd readonly_fd,
                                 const std::string& path) {
  int fd = readonly_fd.get();
  return Add(fd, path, /*is_dir=*/false, std::move(readonly_fd));
}

Status PendingSync::Add(int fd, const std::string& path, bool is_dir,
                        UniqueFd adopted) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return FsyncNow(fd, path);
  {
    std::lock_guard<std::mutex> hold(mu_);
    Device& d = devices_[st.st_dev];
    if (d.syncfs) {
      ++d.count;
      return Status::Ok();
    }
    if ((is_dir ? d.dirs : d.files).count(st.st_ino) != 0) return Status::Ok();
    // A file is kept open read-only (a new open file description of the
    // same inode): a writable fd left open would make exec(2) of it fail
    // with ETXTBSY (scripts are written, then run, before Sync).
    UniqueFd keep =
        adopted.valid()
            ? std::move(adopted)
            : UniqueFd(
                  is_dir
                      ? ::fcntl(fd, F_DUPFD_CLOEXEC, 0)
                      : ::open(("/proc/self/fd/" + std::to_string(fd)).c_str(),
                               O_RDONLY | O_CLOEXEC));
    if (keep.valid()) {
      ++d.count;
      if (is_dir) {
        d.dirs.emplace(st.st_ino, Item{std::move(keep), path});
      } else {
        d.files.emplace(st.st_ino, Item{std::move(keep), path});
      }
      if (d.files.size() + d.dirs.size() > threshold_) {
        // One syncfs will do: keep a single fd on this filesystem.
        d.syncfs = true;
        d.any = d.files.empty() ? std::move(d.dirs.begin()->second)
                                : std::move(d.files.begin()->second);
        d.files.clear();
        d.dirs.clear();
      }
      return Status::Ok();
    }
  }
  // Out of file descriptors: make this one durable now instead.
  return FsyncNow(fd, path);
}

size_t PendingSync::Threshold() {
  struct rlimit limit;
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 ||
      limit.rlim_cur == RLIM_INFINITY) {
    return kSyncfsThreshold;
  }
  return std::min<size_t>(kSyncfsThreshold, limit.rlim_cur / 4);
}

PendingSync::~PendingSync() {
  for (auto& b : background_) b->thread.join();
}

void PendingSync::SyncInBackground() {
  auto b = std::make_unique<Background>();
  std::map<dev_t, Device> devices;
  {
    std::lock_guard<std::mutex> hold(mu_);
    if (devices_.empty()) return;
    devices.swap(devices_);
  }
  Background* job = b.get();
  job->thread = std::thread([job, devices = std::move(devices)]() mutable {
    job->status = SyncDevices(devices, &job->counts);
  });
  std::lock_guard<std::mutex> hold(mu_);
  background_.push_back(std::move(b));
}

Status PendingSync::Sync() {
  std::map<dev_t, Device> devices;
  std::vector<std::unique_ptr<Background>> background;
  {
    std::lock_guard<std::mutex> hold(mu_);
    devices.swap(devices_);
    background.swap(background_);
  }
  Counts counts;
  Status first = Status::Ok();
  for (auto& b : background) {
    b->thread.join();
    if (first.ok()) first = b->status;
    counts.fsyncs += b->counts.fsyncs;
    counts.syncfs += b->counts.syncfs;
  }
  Status now = SyncDevices(devices, &counts);
  if (first.ok()) first = std::move(now);
  std::lock_guard<std::mutex> hold(mu_);
  last_ = counts;
  return first;
}

Status PendingSync::SyncDevices(std::map<dev_t, Device>& devices,
                                Counts* counts) {
  Status first = Status::Ok();
  auto note = [&first](Status s) {
    if (!s.ok() && first.ok()) first = std::move(s);
  };
  for (auto& [dev, d] : devices) {
    if (d.syncfs) {
      ++counts->syncfs;
      if (::syncfs(d.any.fd.get()) != 0) {
        note(Status::FromErrno("sync " + d.any.path, errno));
      }
      continue;
    }
    // Files before directories: an entry is made durable after its inode.
    // The files concurrently (FsyncEach: their cache flushes merge).
    std::vector<const Item*> files;
    std::vector<int> fds;
    for (auto& [ino, f] : d.files) {
      // Removed again in the same run (a marker, a replaced file): nothing
      // of it can reappear, nothing to make durable.
      struct stat st;
      if (::fstat(f.fd.get(), &st) == 0 && st.st_nlink == 0) continue;
      files.push_back(&f);
      fds.push_back(f.fd.get());
    }
    std::vector<int> errors = FsyncEach(fds);
    counts->fsyncs += static_cast<int>(fds.size());
    for (size_t i = 0; i < errors.size(); ++i) {
      if (errors[i] != 0) {
        note(Status::FromErrno("sync " + files[i]->path, errors[i]));
      }
    }
    // Directories one by one: the files' fsyncs committed the journal that
    // holds their entries, so these rarely wait (a few microseconds each on
    // ext4), less than a thread takes to start.
    for (auto& [ino, dir] : d.dirs) {
      ++counts->fsyncs;
      note(FsyncNow(dir.fd.get(), dir.path));
    }
  }
  return first;
}

PendingSync::Counts PendingSync::last_counts() const {
  std::lock_guard<std::mutex> hold(mu_);
  return last_;
}

size_t PendingSync::pending() const {
  std::lock_guard<std::mutex> hold(mu_);
  size_t n = 0;
  for (const auto& [dev, d] : devices_) n += d.count;
  return n;
}

}  // namespace flamingo
