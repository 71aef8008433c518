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

// chown then chmod (chown clears setuid/setgid) of an fd opened with O_PATH
// or normally.
Status ApplyAttrs(int fd, const FileAttrs& attrs, std::string_view op,
                  std::string_view path) {
  if (::fchownat(fd, "", attrs.uid, attrs.gid, AT_EMPTY_PATH) != 0) {
    return StepError(op, path, "chown", errno);
  }
  mode_t mode = attrs.mode & 07777;
#ifdef SYS_fchmodat2
  if (::syscall(SYS_fchmodat2, fd, "", mode, AT_EMPTY_PATH) == 0) {
    return Status::Ok();
  }
  if (errno != ENOSYS && errno != EINVAL) {
    return StepError(op, path, "chmod", errno);
  }
#endif
  // Older kernels: the fd's /proc link names exactly this inode.
  std::string proc = "/proc/self/fd/" + std::to_string(fd);
  if (::chmod(proc.c_str(), mode) != 0) {
    return StepError(op, path, "chmod", errno);
  }
  return Status::Ok();
}

}  // namespace

Status RootedSystem::WriteFile(std::string_view path, std::string_view content,
                               const FileAttrs& attrs) {
  auto parent = OpenParent("write", path, O_RDONLY);
  if (!parent.ok()) return parent.status();
  int dir = parent->fd.get();
  std::string tmp;
  UniqueFd fd;
  for (int attempt = 0; attempt < 8 && !fd.valid(); ++attempt) {
    tmp = TempName();
    fd.reset(::openat(dir, tmp.c_str(),
                      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                      0600));
    if (!fd.valid() && errno != EEXIST) {
      return StepError("write", path, "create temporary file", errno);
    }
  }
  if (!fd.valid()) return StepError("write", path, "create temporary", EEXIST);
  auto fail = [&](Status s) {
    fd.reset();
    ::unlinkat(dir, tmp.c_str(), 0);
    return s;
  };
  Status s = WriteAll(fd.get(), content, path);
  if (!s.ok()) return fail(s);
  s = ApplyAttrs(fd.get(), attrs, "write", path);
  if (!s.ok()) return fail(s);
  if (::fsync(fd.get()) != 0) {
    return fail(StepError("write", path, "fsync", errno));
  }
  if (::close(fd.release()) != 0) {
    return fail(StepError("write", path, "close", errno));
  }
  if (::renameat(dir, tmp.c_str(), dir, parent->name.c_str()) != 0) {
    return fail(StepError("write", path, "rename", errno));
  }
  return MarkDirty(dir, "write", path);
}

Status RootedSystem::MakeDir(std::string_view path, const FileAttrs& attrs) {
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
  return MarkDirty(dir, "mkdir", path);
}

Status RootedSystem::SetAttrs(std::string_view path, const FileAttrs& attrs) {
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
  return MarkDirty(dir, "remove", path);
}

Status RootedSystem::MakeSymlink(std::string_view path,
                                 std::string_view target) {
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
  return MarkDirty(dir, "symlink", path);
}

Status RootedSystem::MarkDirty(int dir, std::string_view op,
                               std::string_view path) {
  struct stat st;
  if (::fstat(dir, &st) == 0) {
    std::lock_guard<std::mutex> hold(dirty_mu_);
    auto key = std::make_pair(st.st_dev, st.st_ino);
    if (dirty_.count(key) != 0) return Status::Ok();
    UniqueFd keep(::fcntl(dir, F_DUPFD_CLOEXEC, 0));
    if (keep.valid()) {
      dirty_.emplace(key, DirtyDir{std::move(keep), ParentPath(path)});
      return Status::Ok();
    }
  }
  // Out of fds (or fstat failed): make it durable now instead.
  if (::fsync(dir) != 0) return StepError(op, path, "fsync dir", errno);
  return Status::Ok();
}

Status RootedSystem::Sync() {
  std::map<std::pair<dev_t, ino_t>, DirtyDir> dirty;
  {
    std::lock_guard<std::mutex> hold(dirty_mu_);
    dirty.swap(dirty_);
  }
  Status first = Status::Ok();
  for (auto& [key, d] : dirty) {
    if (::fsync(d.fd.get()) != 0 && first.ok()) {
      first = Status::FromErrno("sync " + d.path, errno);
    }
  }
  return first;
}

}  // namespace flamingo
