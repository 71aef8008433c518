// RootedSystem: WriteFile, MakeDir, SetAttrs, Remove. Every call works on
// the parent directory's fd (resolved inside the root) and the last
// component's plain name, never following a symlink there.
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <mutex>
#include <utility>
#include <vector>

#include "system/fsync_each.h"
#include "system/rooted_internal.h"
#include "system/rooted_system.h"

namespace flamingo {
namespace {

Status StepError(std::string_view op, std::string_view path,
                 std::string_view step, int err) {
  std::string what(op);
  what += ' ';
  what += path;
  what += ": ";
  what += step;
  return Status::FromErrno(what, err);
}

std::string TempName() {
  unsigned char bytes[8] = {};
  if (::getrandom(bytes, sizeof(bytes), 0) != sizeof(bytes)) {
    // Fall back to something unique enough; O_EXCL catches collisions.
    auto v = static_cast<unsigned long long>(::getpid()) ^
             reinterpret_cast<unsigned long long>(&bytes);
    for (unsigned char& b : bytes) b = static_cast<unsigned char>(v >>= 3);
  }
  std::string name = ".flamingo-";
  char hex[3];
  for (unsigned char b : bytes) {
    std::snprintf(hex, sizeof(hex), "%02x", b);
    name += hex;
  }
  return name + ".tmp";
}

Status WriteAll(int fd, std::string_view content, std::string_view path) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return StepError("write", path, "write", errno);
    content.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// chown of an fd opened normally or with O_PATH (there fchown fails with
// EBADF and the AT_EMPTY_PATH form does it). Returns 0 or the errno.
int ChownFd(int fd, uid_t uid, gid_t gid) {
  if (::fchown(fd, uid, gid) == 0) return 0;
  if (errno != EBADF) return errno;
  return ::fchownat(fd, "", uid, gid, AT_EMPTY_PATH) == 0 ? 0 : errno;
}

// chmod likewise: fchmod, else fchmodat2 with AT_EMPTY_PATH, else (older
// kernels) the fd's /proc link, which names exactly this inode.
int ChmodFd(int fd, mode_t mode) {
  if (::fchmod(fd, mode) == 0) return 0;
  if (errno != EBADF) return errno;
#ifdef SYS_fchmodat2
  if (::syscall(SYS_fchmodat2, fd, "", mode, AT_EMPTY_PATH) == 0) return 0;
  if (errno != ENOSYS && errno != EINVAL) return errno;
#endif
  std::string proc = "/proc/self/fd/" + std::to_string(fd);
  return ::chmod(proc.c_str(), mode) == 0 ? 0 : errno;
}

// Owner, then mode (chown clears setuid/setgid), of an fd opened with
// O_PATH or normally. What is already right is not set again: most files
// flamingo writes are root's, as the temporary it creates already is, and a
// chown is a journaled inode change.
Status ApplyAttrs(int fd, const FileAttrs& attrs, std::string_view op,
                  std::string_view path) {
  const mode_t mode = attrs.mode & 07777;
  struct stat st;
  const bool known = ::fstat(fd, &st) == 0;
  bool mode_ok = known && (st.st_mode & 07777) == mode;
  if (!known || st.st_uid != attrs.uid || st.st_gid != attrs.gid) {
    if (int e = ChownFd(fd, attrs.uid, attrs.gid)) {
      return StepError(op, path, "chown", e);
    }
    mode_ok = false;  // the chown may have cleared set-id bits
  }
  if (!mode_ok) {
    if (int e = ChmodFd(fd, mode)) return StepError(op, path, "chmod", e);
  }
  return Status::Ok();
}

// Content that is one piece already.
System::ContentProducer Whole(std::string_view content) {
  return [content](const System::ContentSink& sink) { return sink(content); };
}

}  // namespace

RootedSystem::Staged::~Staged() {
  if (!tmp.empty() && parent.fd.valid()) {
    fd.reset();
    ::unlinkat(parent.fd.get(), tmp.c_str(), 0);
  }
}

Status RootedSystem::Stage(std::string_view path,
                           const ContentProducer& produce,
                           const FileAttrs& attrs, bool durable, Staged* out) {
  auto parent = OpenParent("write", path, O_RDONLY);
  if (!parent.ok()) return parent.status();
  out->path = std::string(path);
  out->parent = std::move(parent).value();
  int dir = out->parent.fd.get();
  std::string tmp;
  for (int attempt = 0; attempt < 8 && !out->fd.valid(); ++attempt) {
    tmp = TempName();
    out->fd.reset(::openat(dir, tmp.c_str(),
                           O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                           0600));
    if (!out->fd.valid() && errno != EEXIST) {
      return StepError("write", path, "create temporary file", errno);
    }
  }
  if (!out->fd.valid()) {
    return StepError("write", path, "create temporary", EEXIST);
  }
  out->tmp = tmp;
  const int fd = out->fd.get();
  Status s = produce(
      [fd, path](std::string_view piece) { return WriteAll(fd, piece, path); });
  if (s.ok()) s = ApplyAttrs(out->fd.get(), attrs, "write", path);
  if (!s.ok()) return s;
  // What the write will replace (Commit and CommitVolatile decide by it).
  struct stat st;
  if (::fstatat(dir, out->parent.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    out->replacing = true;
    out->replaces_other = !S_ISREG(st.st_mode);
  } else {
    out->replacing = out->replaces_other = errno != ENOENT;
  }
  out->durable = durable;
  if (!durable) return Status::Ok();  // renamed as it is, left to writeback
  // The first few writes of a run start writing their data out now
  // (advisory): the disk works while the run goes on, and the fsyncs that
  // follow find it allocated and under way, in one journal commit. Beyond
  // those, submitting the writeback here, one file after the other in the
  // applying thread, costs more than it saves: the concurrent fsyncs of
  // Sync submit it in parallel (docs/performance.md: ten files ~1.5 ms
  // faster than without any early writeback, 1,000 files ~15% faster than
  // with it for every file).
  if (early_writebacks_left_ > 0) {
    --early_writebacks_left_;
    ::sync_file_range(out->fd.get(), 0, 0, SYNC_FILE_RANGE_WRITE);
  }
  // From here on a read-only fd does (fsync, and Sync later): a writable
  // one kept open would make exec(2) of the file fail with ETXTBSY.
  UniqueFd reader(
      ::openat(dir, tmp.c_str(), O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC));
  if (reader.valid()) {
    if (::close(out->fd.release()) != 0) {
      return StepError("write", path, "close", errno);
    }
    out->fd = std::move(reader);
    out->readonly = true;
  }
  return Status::Ok();
}

std::vector<int> RootedSystem::FsyncReplacements(
    const std::vector<Staged>& staged) {
  std::vector<int> fds;
  std::vector<size_t> which;
  for (size_t i = 0; i < staged.size(); ++i) {
    if (!staged[i].replacing) continue;
    fds.push_back(staged[i].fd.get());
    which.push_back(i);
  }
  std::vector<int> synced = FsyncEach(fds);
  std::vector<int> errors(staged.size(), 0);
  for (size_t k = 0; k < which.size(); ++k) errors[which[k]] = synced[k];
  return errors;
}

Status RootedSystem::Commit(Staged* w, bool fsync_done) {
  if (!w->durable) return CommitVolatile(w);  // never fsynced
  int dir = w->parent.fd.get();
  // Replacing: the new content is durable before it takes the old one's
  // place. Creating: nothing can be lost; PendingSync makes it durable.
  if (w->replacing && !fsync_done && ::fsync(w->fd.get()) != 0) {
    return StepError("write", w->path, "fsync", errno);
  }
  if (::renameat(dir, w->tmp.c_str(), dir, w->parent.name.c_str()) != 0) {
    return StepError("write", w->path, "rename", errno);
  }
  w->tmp.clear();  // renamed: nothing to clean up
  if (w->replaces_other) ForgetDirs();
  Status s = Status::Ok();
  if (w->replacing) {
    w->fd.reset();  // read-only, or fsynced: nothing to report at close
  } else if (w->readonly) {
    s = pending_.AdoptNewFile(std::move(w->fd), w->path);
  } else {
    s = pending_.AddNewFile(w->fd.get(), w->path);
    if (::close(w->fd.release()) != 0 && s.ok()) {
      s = StepError("write", w->path, "close", errno);
    }
  }
  if (!s.ok()) return s;
  return MarkDirty(dir, w->path);
}

Status RootedSystem::CommitVolatile(Staged* w) {
  int dir = w->parent.fd.get();
  const char* name = w->parent.name.c_str();
  w->fd.reset();  // left to the kernel's writeback
  // A regular file being replaced trades places with the temporary, which
  // then goes: readers see the old content or the new, as with rename(2).
  // rename(2) over a file would also start the new file's writeback on
  // ext4 (auto_da_alloc): boot-finished at a reboot took ~150 us, now ~110.
  if (w->replacing && !w->replaces_other &&
      ::renameat2(dir, w->tmp.c_str(), dir, name, RENAME_EXCHANGE) == 0) {
    // The old content is now under the temporary name, which the Staged
    // destructor removes (best effort, as for any temporary).
    return Status::Ok();
  }
  // Nothing there, not a regular file, or no RENAME_EXCHANGE (EINVAL).
  if (::renameat(dir, w->tmp.c_str(), dir, name) != 0) {
    return StepError("write", w->path, "rename", errno);
  }
  w->tmp.clear();
  if (w->replaces_other) ForgetDirs();
  return Status::Ok();
}

Status RootedSystem::WriteFile(std::string_view path, std::string_view content,
                               const FileAttrs& attrs) {
  return WriteFileFrom(path, attrs, Whole(content));
}

Status RootedSystem::WriteFileFrom(std::string_view path,
                                   const FileAttrs& attrs,
                                   const ContentProducer& produce) {
  Staged w;
  Status s = Stage(path, produce, attrs, /*durable=*/true, &w);
  if (!s.ok()) return s;
  {
    std::lock_guard<std::mutex> hold(staged_mu_);
    if (staging_ && w.replacing) {
      // A second write of a staged path replaces its staged temporary.
      for (auto it = staged_.begin(); it != staged_.end(); ++it) {
        if (it->path == path) {
          staged_.erase(it);
          break;
        }
      }
      staged_.push_back(std::move(w));
      return Status::Ok();
    }
  }
  return Commit(&w, /*fsync_done=*/false);
}

void RootedSystem::SetStaging(bool on) {
  std::lock_guard<std::mutex> hold(staged_mu_);
  staging_ = on;
}

Status RootedSystem::CommitStaged() {
  std::vector<Staged> staged;
  {
    std::lock_guard<std::mutex> hold(staged_mu_);
    staging_ = false;
    staged.swap(staged_);
  }
  if (staged.empty()) return Status::Ok();
  // Every new content durable before any rename (all are replacements).
  std::vector<int> errors = FsyncReplacements(staged);
  Status first = Status::Ok();
  for (size_t i = 0; i < staged.size(); ++i) {
    Status s = errors[i] != 0
                   ? StepError("write", staged[i].path, "fsync", errors[i])
                   : Commit(&staged[i], /*fsync_done=*/true);
    if (!s.ok() && first.ok()) first = std::move(s);
  }
  return first;  // the temporaries not renamed are removed with `staged`
}

int RootedSystem::StagedFd(std::string_view path) const {
  std::lock_guard<std::mutex> hold(staged_mu_);
  for (const Staged& w : staged_) {
    if (w.path == path) return w.fd.get();
  }
  return -1;
}

Status RootedSystem::CommitIfStaged(std::string_view path) {
  return StagedFd(path) >= 0 ? CommitStaged() : Status::Ok();
}

Status RootedSystem::WriteFileVolatile(std::string_view path,
                                       std::string_view content,
                                       const FileAttrs& attrs) {
  return WriteFileVolatileFrom(path, attrs, Whole(content));
}

Status RootedSystem::WriteFileVolatileFrom(std::string_view path,
                                           const FileAttrs& attrs,
                                           const ContentProducer& produce) {
  if (Status c = CommitIfStaged(path); !c.ok()) return c;
  Staged w;
  Status s = Stage(path, produce, attrs, /*durable=*/false, &w);
  if (!s.ok()) return s;
  return Commit(&w, /*fsync_done=*/false);
}

Status RootedSystem::WriteFiles(const std::vector<FileWrite>& files) {
  if (Status c = CommitStaged(); !c.ok()) return c;
  std::vector<Staged> staged(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    Status s = Stage(files[i].path, Whole(files[i].content), files[i].attrs,
                     /*durable=*/true, &staged[i]);
    if (!s.ok()) return s;
  }
  // All replacements' data durable before any rename.
  std::vector<int> errors = FsyncReplacements(staged);
  for (size_t i = 0; i < staged.size(); ++i) {
    if (errors[i] != 0) {
      return StepError("write", staged[i].path, "fsync", errors[i]);
    }
  }
  for (Staged& w : staged) {
    Status s = Commit(&w, /*fsync_done=*/true);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status RootedSystem::AppendLog(std::string_view path, std::string_view text,
                               const FileAttrs& attrs) {
  if (Status c = CommitIfStaged(path); !c.ok()) return c;
  auto parent = OpenParent("append", path, O_RDONLY);
  if (!parent.ok()) return parent.status();
  int dir = parent->fd.get();
  const char* name = parent->name.c_str();
  const int flags = O_RDWR | O_APPEND | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC;
  bool created = false;
  UniqueFd fd(::openat(dir, name, flags | O_CREAT | O_EXCL, 0600));
  if (fd.valid()) {
    created = true;
    Status s = ApplyAttrs(fd.get(), attrs, "append", path);
    if (!s.ok()) return s;
  } else if (errno == EEXIST) {
    fd.reset(::openat(dir, name, flags));
  }
  if (!fd.valid()) return PathError("append", path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return PathError("append", path, errno);
  if (!S_ISREG(st.st_mode)) {
    return Status::Error("append " + std::string(path) +
                         ": not a regular file");
  }
  std::string out;
  char last = '\n';
  if (st.st_size > 0 && ::pread(fd.get(), &last, 1, st.st_size - 1) != 1) {
    return PathError("append", path, errno);
  }
  if (last != '\n') out += '\n';
  out += text;
  Status s = WriteAll(fd.get(), out, path);
  if (!s.ok()) return s;
  // A log: its text is left to the kernel's writeback, never fsynced (see
  // System::AppendLog); only a new log's directory entry waits for Sync.
  return created ? MarkDirty(dir, path) : Status::Ok();
}

Status RootedSystem::MakeDir(std::string_view path, const FileAttrs& attrs) {
  return MakeDirAs(path, attrs, /*durable=*/true);
}

Status RootedSystem::MakeDirVolatile(std::string_view path,
                                     const FileAttrs& attrs) {
  return MakeDirAs(path, attrs, /*durable=*/false);
}

Status RootedSystem::MakeDirAs(std::string_view path, const FileAttrs& attrs,
                               bool durable) {
  if (Status c = CommitIfStaged(path); !c.ok()) return c;
  auto parent = OpenParent("mkdir", path, O_RDONLY);
  if (!parent.ok()) return parent.status();
  int dir = parent->fd.get();
  const char* name = parent->name.c_str();
  // 0700 until owner and mode are set: nobody else can use it meanwhile.
  if (::mkdirat(dir, name, 0700) != 0) {
    int err = errno;
    struct stat st;
    if (err == EEXIST && ::fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
      if (S_ISDIR(st.st_mode)) return Status::Ok();
      return Status::Error("mkdir " + std::string(path) +
                           ": exists and is not a directory");
    }
    return PathError("mkdir", path, err);
  }
  UniqueFd fd(
      ::openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  Status s = fd.valid() ? ApplyAttrs(fd.get(), attrs, "mkdir", path)
                        : PathError("mkdir", path, errno);
  if (!s.ok()) {
    ::unlinkat(dir, name, AT_REMOVEDIR);
    return s;
  }
  return durable ? MarkDirty(dir, path) : Status::Ok();
}

Status RootedSystem::SetAttrs(std::string_view path, const FileAttrs& attrs) {
  if (Status c = CommitIfStaged(path); !c.ok()) return c;
  auto fd = OpenLast("chattr", path, O_PATH);
  if (!fd.ok()) return fd.status();
  struct stat st;
  if (::fstat(fd->get(), &st) != 0) return PathError("chattr", path, errno);
  if (S_ISLNK(st.st_mode)) {
    return Status::Error("chattr " + std::string(path) +
                         ": refusing to change a symlink");
  }
  return ApplyAttrs(fd->get(), attrs, "chattr", path);
}

Status RootedSystem::Remove(std::string_view path) {
  return RemoveEntry(path, /*durable=*/true);
}

Status RootedSystem::RemoveVolatile(std::string_view path) {
  return RemoveEntry(path, /*durable=*/false);
}

Status RootedSystem::RemoveEntry(std::string_view path, bool durable) {
  if (Status c = CommitIfStaged(path); !c.ok()) return c;
  if (rooted_internal::IsSpecialLast(path)) {
    return Status::Error("remove " + std::string(path) +
                         ": refusing to remove a directory by this name");
  }
  int err = 0;
  auto parent = OpenParent("remove", path, O_RDONLY, &err);
  if (!parent.ok()) return err == ENOENT ? Status::Ok() : parent.status();
  int dir = parent->fd.get();
  const char* name = parent->name.c_str();
  struct stat st;
  if (::fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return errno == ENOENT ? Status::Ok() : PathError("remove", path, errno);
  }
  if (::unlinkat(dir, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) != 0) {
    return errno == ENOENT ? Status::Ok() : PathError("remove", path, errno);
  }
  if (!S_ISREG(st.st_mode)) ForgetDirs();
  return durable ? MarkDirty(dir, path) : Status::Ok();
}

Status RootedSystem::RenameFile(std::string_view from, std::string_view to) {
  if (Status c = CommitIfStaged(from); !c.ok()) return c;
  if (Status c = CommitIfStaged(to); !c.ok()) return c;
  if (ParentPath(NormalizePath(from)) != ParentPath(NormalizePath(to))) {
    return Status::Error("rename " + std::string(from) + " to " +
                         std::string(to) + ": not in the same directory");
  }
  auto src = OpenParent("rename", from, O_RDONLY);
  if (!src.ok()) return src.status();
  auto dst = OpenParent("rename", to, O_RDONLY);
  if (!dst.ok()) return dst.status();
  int dir = src->fd.get();
  UniqueFd file(::openat(dir, src->name.c_str(),
                         O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC));
  if (!file.valid()) return PathError("rename", from, errno);
  struct stat st;
  if (::fstat(file.get(), &st) != 0) return PathError("rename", from, errno);
  if (!S_ISREG(st.st_mode)) {
    return Status::Error("rename " + std::string(from) +
                         ": not a regular file");
  }
  struct stat old;
  const bool replacing = ::fstatat(dst->fd.get(), dst->name.c_str(), &old,
                                   AT_SYMLINK_NOFOLLOW) == 0;
  if (replacing && S_ISDIR(old.st_mode)) return PathError("rename", to, EISDIR);
  // Replacing: the new content is durable before it takes the old one's place.
  if (replacing && ::fsync(file.get()) != 0) {
    return StepError("rename", from, "fsync", errno);
  }
  if (::renameat(dir, src->name.c_str(), dst->fd.get(), dst->name.c_str()) !=
      0) {
    return StepError("rename", from, "rename", errno);
  }
  if (replacing && !S_ISREG(old.st_mode)) ForgetDirs();
  if (!replacing) {
    Status s = pending_.AdoptNewFile(std::move(file), std::string(to));
    if (!s.ok()) return s;
  }
  return MarkDirty(dst->fd.get(), to);
}

Status RootedSystem::MakeSymlink(std::string_view path,
                                 std::string_view target) {
  if (Status c = CommitIfStaged(path); !c.ok()) return c;
  if (target.empty()) {
    return Status::Error("symlink " + std::string(path) + ": empty target");
  }
  auto parent = OpenParent("symlink", path, O_RDONLY);
  if (!parent.ok()) return parent.status();
  int dir = parent->fd.get();
  std::string tgt(target);
  std::string tmp;
  bool made = false;
  for (int attempt = 0; attempt < 8 && !made; ++attempt) {
    tmp = TempName();
    if (::symlinkat(tgt.c_str(), dir, tmp.c_str()) == 0) {
      made = true;
    } else if (errno != EEXIST) {
      return StepError("symlink", path, "create temporary symlink", errno);
    }
  }
  if (!made) return StepError("symlink", path, "create temporary", EEXIST);
  if (::renameat(dir, tmp.c_str(), dir, parent->name.c_str()) != 0) {
    int err = errno;
    ::unlinkat(dir, tmp.c_str(), 0);
    return StepError("symlink", path, "rename", err);
  }
  ForgetDirs();  // whatever was there, a directory's path may lead here now
  return MarkDirty(dir, path);
}

Status RootedSystem::MarkDirty(int dir, std::string_view path) {
  return pending_.AddDir(dir, ParentPath(path));
}

Status RootedSystem::Sync() {
  Status staged = CommitStaged();
  Status synced = pending_.Sync();
  return staged.ok() ? synced : staged;
}

}  // namespace flamingo
