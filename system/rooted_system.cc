// RootedSystem: opening the root, path resolution, reads, Lock, hostname.
// Writes are in rooted_write.cc, Exec in rooted_exec.cc.
#include "system/rooted_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <thread>

#include "sources/http_client.h"
#include "system/nft/netlink_netfilter.h"
#include "system/rooted_internal.h"
#include "system/systemd/sd_bus_service_manager.h"

namespace flamingo {

Status PathError(std::string_view op, std::string_view path, int err) {
  std::string what(op);
  what += ' ';
  what += path;
  return Status::FromErrno(what, err);
}

namespace rooted_internal {

int OpenAt2(int dirfd, const std::string& rel, int flags, unsigned mode) {
  struct open_how how = {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & O_CREAT) != 0 ? mode : 0;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  for (int attempt = 0;; ++attempt) {
    long fd = syscall(SYS_openat2, dirfd, rel.c_str(), &how, sizeof(how));
    if (fd >= 0) return static_cast<int>(fd);
    // EAGAIN: a concurrent rename or mount raced the in-root check.
    if (errno == EINTR || (errno == EAGAIN && attempt < 32)) continue;
    return -errno;
  }
}

Result<UniqueFd> OpenInRootErr(int root_fd, std::string_view op,
                               std::string_view path, std::string_view target,
                               int flags, unsigned mode, int* err) {
  int dummy = 0;
  if (err == nullptr) err = &dummy;
  if (target.empty() || target[0] != '/' ||
      target.find('\0') != std::string_view::npos) {
    *err = EINVAL;
    return Status::Error(std::string(op) + " " + std::string(path) +
                         ": not an absolute path");
  }
  size_t start = target.find_first_not_of('/');
  std::string rel =
      start == std::string_view::npos ? "." : std::string(target.substr(start));
  int fd = OpenAt2(root_fd, rel, flags, mode);
  if (fd < 0) {
    *err = -fd;
    return PathError(op, path, -fd);
  }
  return UniqueFd(fd);
}

bool IsSpecialLast(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  std::string_view name = path.substr(path.rfind('/') + 1);
  return name.empty() || name == "." || name == "..";
}

FileType TypeOf(mode_t mode) {
  if (S_ISREG(mode)) return FileType::kRegular;
  if (S_ISDIR(mode)) return FileType::kDirectory;
  if (S_ISLNK(mode)) return FileType::kSymlink;
  return FileType::kOther;
}

}  // namespace rooted_internal

using namespace rooted_internal;  // NOLINT: this file implements it

RootedSystem::RootedSystem(std::string root, UniqueFd root_fd, bool live)
    : root_(std::move(root)), root_fd_(std::move(root_fd)), live_(live) {
  if (live_) netfilter_ = MakeNetlinkNetfilter();
}

Result<std::unique_ptr<RootedSystem>> RootedSystem::Open(
    const std::string& root) {
  if (root.empty()) return Status::Error("root: empty path");
  char* real = ::realpath(root.c_str(), nullptr);
  if (real == nullptr) return PathError("root", root, errno);
  std::string canonical(real);
  std::free(real);
  UniqueFd fd(::open(canonical.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return PathError("root", root, errno);
  int probe = OpenAt2(fd.get(), ".", O_PATH | O_DIRECTORY, 0);
  if (probe < 0) {
    if (-probe == ENOSYS) {
      return Status::Error(
          "root " + root +
          ": openat2(2) is not available; Linux 5.6 or newer is needed to "
          "resolve paths safely inside the root");
    }
    return PathError("root " + root + ": openat2(2) probe", "", -probe);
  }
  ::close(probe);
  bool live = canonical == "/";
  std::unique_ptr<RootedSystem> sys(
      new RootedSystem(canonical, std::move(fd), live));
  struct stat st;
  if (live && ::lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode)) {
    sys->services_ = NewSdBusServiceManager();
  }
  return sys;
}

Result<UniqueFd> RootedSystem::OpenInRoot(std::string_view op,
                                          std::string_view path, int flags,
                                          unsigned mode) const {
  return OpenInRootErr(root_fd_.get(), op, path, path, flags, mode, nullptr);
}

Result<RootedSystem::Parent> RootedSystem::OpenParent(std::string_view op,
                                                      std::string_view path,
                                                      int flags,
                                                      int* err) const {
  int dummy = 0;
  if (err == nullptr) err = &dummy;
  std::string_view p = path;
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  if (p.empty() || p[0] != '/' || IsSpecialLast(p)) {
    *err = EINVAL;
    return PathError(op, path, EINVAL);
  }
  size_t slash = p.rfind('/');
  std::string_view dir = slash == 0 ? "/" : p.substr(0, slash);
  auto fd =
      OpenInRootErr(root_fd_.get(), op, path, dir, flags | O_DIRECTORY, 0, err);
  if (!fd.ok()) return fd.status();
  return Parent{std::move(*fd), std::string(p.substr(slash + 1))};
}

Result<UniqueFd> RootedSystem::OpenLast(std::string_view op,
                                        std::string_view path, int flags,
                                        int* err) const {
  if (IsSpecialLast(path)) {
    return OpenInRootErr(root_fd_.get(), op, path, path, flags, 0, err);
  }
  // One openat2: the directories resolve inside the root, O_NOFOLLOW keeps
  // the last component as it is. Trailing slashes would make the kernel
  // follow a symlink there: they go first ("/a/b/" is "/a/b").
  std::string_view p = path;
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  return OpenInRootErr(root_fd_.get(), op, path, p, flags | O_NOFOLLOW, 0, err);
}

int RootedSystem::StatIn(std::string_view dir, const std::string& name,
                         struct stat* st) const {
  std::lock_guard<std::mutex> hold(dirs_mu_);
  int fd = -1;
  for (const auto& [path, open] : dirs_) {
    if (path == dir) {
      fd = open.get();
      break;
    }
  }
  if (fd < 0) {
    int err = 0;
    auto opened = OpenInRootErr(root_fd_.get(), "stat", dir, dir,
                                O_PATH | O_DIRECTORY, 0, &err);
    if (!opened.ok()) return err;
    if (dirs_.size() >= 64) dirs_.clear();  // a bound, not an LRU
    fd = opened->get();
    dirs_.emplace_back(std::string(dir), std::move(opened).value());
  }
  return ::fstatat(fd, name.c_str(), st, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : errno;
}

void RootedSystem::ForgetDirs() const {
  std::lock_guard<std::mutex> hold(dirs_mu_);
  dirs_.clear();
}

Result<std::optional<FileInfo>> RootedSystem::Stat(
    std::string_view path) const {
  struct stat st;
  if (int staged = StagedFd(path); staged >= 0) {
    if (::fstat(staged, &st) != 0) return PathError("stat", path, errno);
  } else if (!path.empty() && path[0] == '/' && !IsSpecialLast(path) &&
             path.find('\0') == std::string_view::npos) {
    // The parent resolved inside the root (cached), the name not followed:
    // what one openat2 of the path with O_NOFOLLOW finds.
    std::string_view p = path;
    while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
    const size_t slash = p.rfind('/');
    std::string_view dir =
        slash == 0 ? std::string_view("/") : p.substr(0, slash);
    if (int err = StatIn(dir, std::string(p.substr(slash + 1)), &st);
        err != 0) {
      if (err == ENOENT) return std::optional<FileInfo>();
      return PathError("stat", path, err);
    }
  } else {
    int err = 0;
    auto fd = OpenLast("stat", path, O_PATH, &err);
    if (!fd.ok()) {
      if (err == ENOENT) return std::optional<FileInfo>();
      return fd.status();
    }
    if (::fstat(fd->get(), &st) != 0) return PathError("stat", path, errno);
  }
  FileInfo info;
  info.type = TypeOf(st.st_mode);
  info.mode = st.st_mode & 07777;
  info.uid = st.st_uid;
  info.gid = st.st_gid;
  info.size = static_cast<uint64_t>(st.st_size);
  info.inode = static_cast<uint64_t>(st.st_ino);
  info.mtime_ns =
      static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  info.ctime_ns =
      static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
  return std::optional<FileInfo>(info);
}

namespace {

// All of `fd`'s bytes (pread from 0: the descriptor's offset is left
// alone), `size` of them reserved at once: appending to an empty string
// would double the buffer, and hold both halves while it moves, for a
// state file or a user-data of a megabyte. The file may still grow while
// it is read.
Result<std::string> ReadAll(int fd, size_t size, std::string_view path) {
  std::string out;
  out.reserve(size);
  char buf[65536];
  for (off_t at = 0;;) {
    ssize_t n = ::pread(fd, buf, sizeof(buf), at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return PathError("read", path, errno);
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
    at += n;
  }
}

}  // namespace

Result<UniqueFd> RootedSystem::OpenRegular(std::string_view path,
                                           struct stat* st) const {
  // Reading follows symlinks, but only inside the root (RESOLVE_IN_ROOT):
  // /etc/os-release -> ../usr/lib/os-release is read from the image.
  auto fd = OpenInRoot("read", path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  if (!fd.ok()) return fd.status();
  if (::fstat(fd->get(), st) != 0) return PathError("read", path, errno);
  if (S_ISDIR(st->st_mode)) return PathError("read", path, EISDIR);
  if (!S_ISREG(st->st_mode)) {
    return Status::Error("read " + std::string(path) + ": not a regular file");
  }
  return fd;
}

Result<std::string> RootedSystem::ReadFile(std::string_view path) const {
  if (int staged = StagedFd(path); staged >= 0) {
    return ReadAll(staged, 0, path);
  }
  struct stat st;
  auto fd = OpenRegular(path, &st);
  if (!fd.ok()) return fd.status();
  return ReadAll(fd->get(), static_cast<size_t>(st.st_size), path);
}

Result<FileText> RootedSystem::ReadFileText(std::string_view path) const {
  constexpr off_t kMapFrom = 64 * 1024;
  if (StagedFd(path) >= 0) return SystemReader::ReadFileText(path);
  struct stat st;
  auto fd = OpenRegular(path, &st);
  if (!fd.ok()) return fd.status();
  const size_t size = static_cast<size_t>(st.st_size);
  if (st.st_size >= kMapFrom) {
    // flamingo replaces its files by rename, never in place: the mapped
    // version keeps its size while it is read.
    void* addr = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd->get(), 0);
    if (addr != MAP_FAILED) return FileText::Mapped(addr, size);
  }
  // Small, or not mappable: a copy, from the descriptor already open.
  auto copy = ReadAll(fd->get(), size, path);
  if (!copy.ok()) return copy.status();
  return FileText(std::move(copy).value());
}

Result<std::vector<std::string>> RootedSystem::ListDir(
    std::string_view path) const {
  auto fd = OpenInRoot("listdir", path, O_RDONLY | O_DIRECTORY);
  if (!fd.ok()) return fd.status();
  DIR* dir = ::fdopendir(fd->get());
  if (dir == nullptr) return PathError("listdir", path, errno);
  fd->release();  // owned by dir now
  std::vector<std::string> names;
  errno = 0;
  std::vector<std::string> hidden;  // staged temporaries
  {
    std::lock_guard<std::mutex> hold(staged_mu_);
    for (const Staged& w : staged_) hidden.push_back(w.tmp);
  }
  while (struct dirent* ent = ::readdir(dir)) {
    std::string_view name(ent->d_name);
    if (name != "." && name != ".." &&
        std::find(hidden.begin(), hidden.end(), name) == hidden.end()) {
      names.emplace_back(name);
    }
    errno = 0;
  }
  int read_err = errno;
  ::closedir(dir);
  if (read_err != 0) return PathError("listdir", path, read_err);
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::string> RootedSystem::ReadLink(std::string_view path) const {
  if (StagedFd(path) >= 0) return PathError("readlink", path, EINVAL);
  auto parent = OpenParent("readlink", path, O_PATH);
  if (!parent.ok()) return parent.status();
  std::string buf(256, '\0');
  for (;;) {
    ssize_t n = ::readlinkat(parent->fd.get(), parent->name.c_str(), buf.data(),
                             buf.size());
    if (n < 0) return PathError("readlink", path, errno);
    if (static_cast<size_t>(n) < buf.size()) {
      buf.resize(static_cast<size_t>(n));
      return buf;
    }
    buf.resize(buf.size() * 2);
  }
}

std::string RootedSystem::KernelHostname() const {
  if (!live_) return "";
  struct utsname u;
  if (::uname(&u) != 0) return "";
  return u.nodename;
}

int64_t RootedSystem::Now() const {
  return static_cast<int64_t>(std::time(nullptr));
}

Status RootedSystem::SetKernelHostname(std::string_view name) {
  if (!live_) {
    return Status::Error("sethostname: not the live system (root " + root_ +
                         ")");
  }
  if (::sethostname(name.data(), name.size()) != 0) {
    return PathError("sethostname", name, errno);
  }
  return Status::Ok();
}

namespace {

class FdLockHandle : public LockHandle {
 public:
  explicit FdLockHandle(UniqueFd fd) : fd_(std::move(fd)) {}

 private:
  UniqueFd fd_;  // closing the last fd of the description releases the lock
};

}  // namespace

Result<std::unique_ptr<LockHandle>> RootedSystem::Lock(std::string_view path,
                                                       int timeout_seconds) {
  auto parent = OpenParent("lock", path, O_PATH);
  if (!parent.ok()) return parent.status();
  UniqueFd fd(::openat(parent->fd.get(), parent->name.c_str(),
                       O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
                       0600));
  if (!fd.valid()) return PathError("lock", path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return PathError("lock", path, errno);
  if (!S_ISREG(st.st_mode)) {
    return Status::Error("lock " + std::string(path) + ": not a regular file");
  }
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::seconds(std::max(timeout_seconds, 0));
  for (;;) {
    struct flock fl = {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;  // l_start = l_len = 0: the whole file
    if (::fcntl(fd.get(), F_OFD_SETLK, &fl) == 0) break;
    if (errno != EAGAIN && errno != EACCES && errno != EINTR) {
      return PathError("lock", path, errno);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Error("lock " + std::string(path) +
                           ": held by another process (waited " +
                           std::to_string(timeout_seconds) + "s)");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return std::unique_ptr<LockHandle>(new FdLockHandle(std::move(fd)));
}

RootedSystem::~RootedSystem() {
  // Best effort: callers that must know Sync explicitly.
  (void)Sync();
}

Fetcher* RootedSystem::fetcher() const {
  if (!fetcher_) fetcher_ = std::make_unique<HttpFetcher>();
  return fetcher_.get();
}

}  // namespace flamingo
