// Read-only readers for the small labelled filesystems datasources come on
// (NoCloud "cidata", ConfigDrive "config-2"): ISO9660 (with Joliet and Rock
// Ridge names) and FAT12/16/32 (with VFAT long names). They read the block
// device or image file directly with pread(): nothing is ever mounted, so
// nothing can stay mounted, and a kernel without iso9660/vfat still works.
// Every offset read from the image is bounds-checked; a corrupt image is an
// error, never a crash or a hang (directory walks and cluster chains are
// bounded).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/status.h"

namespace flamingo {

class FsImage {
 public:
  virtual ~FsImage() = default;
  virtual const std::string& type() const = 0;   // "iso9660" or "vfat"
  virtual const std::string& label() const = 0;  // volume label, trimmed
  // Reads a regular file by its path from the filesystem root
  // ("openstack/latest/meta_data.json"). Names match case-insensitively.
  // nullopt when the file (or a directory on the way) does not exist.
  virtual Result<std::optional<std::string>> ReadFile(const std::string& path,
                                                      size_t max_bytes) = 0;
};

// Opens `device` (a block device or an image file) and recognises the
// filesystem on it. Not a recognised filesystem: an error.
Result<std::unique_ptr<FsImage>> OpenFsImage(const std::string& device);

namespace fsimage_internal {

// A file descriptor with bounds-checked reads.
class Source {
 public:
  explicit Source(int fd, uint64_t size) : fd_(fd), size_(size) {}
  ~Source();
  Source(const Source&) = delete;
  Source& operator=(const Source&) = delete;
  uint64_t size() const { return size_; }
  // Reads exactly `len` bytes at `off`; an error past the end.
  Status Read(uint64_t off, size_t len, std::string* out) const;

 private:
  int fd_;
  uint64_t size_;
};

Result<std::unique_ptr<FsImage>> OpenIso9660(std::shared_ptr<Source> src);
Result<std::unique_ptr<FsImage>> OpenVfat(std::shared_ptr<Source> src);

uint16_t Le16(const std::string& b, size_t off);
uint32_t Le32(const std::string& b, size_t off);
// UCS-2 (big or little endian) to UTF-8 (BMP only; surrogates -> '?').
std::string Ucs2ToUtf8(const std::string& b, size_t off, size_t units,
                       bool big_endian);
bool NameEquals(const std::string& a,
                const std::string& b);  // ASCII case-insensitive

inline constexpr int kMaxPathDepth = 32;

// Finds the regular file at `path` below `root`, one component at a time:
// `read_dir(entry)` lists a directory (Result<std::vector<E>>) and
// `matches(entry, name)` compares a name. E has `bool dir` and a `size`.
// nullopt when a component is missing, a file stands where a directory is
// needed, or the path is deeper than kMaxPathDepth; an error for a
// directory at the end or a file larger than `max_bytes`.
template <typename E, typename ReadDir, typename Matches>
Result<std::optional<E>> FindFile(const std::string& path, E root,
                                  size_t max_bytes, ReadDir read_dir,
                                  Matches matches) {
  E cur = root;
  size_t pos = 0;
  int depth = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    std::string comp = path.substr(
        pos, slash == std::string::npos ? std::string::npos : slash - pos);
    pos = slash == std::string::npos ? path.size() + 1 : slash + 1;
    if (comp.empty() || comp == ".") continue;
    if (++depth > kMaxPathDepth || !cur.dir) return std::optional<E>();
    auto entries = read_dir(cur);
    if (!entries.ok()) return entries.status();
    bool found = false;
    for (const E& e : *entries) {
      if (matches(e, comp)) {
        cur = e;
        found = true;
        break;
      }
    }
    if (!found) return std::optional<E>();
  }
  if (cur.dir) return Status::Error(path + ": is a directory");
  if (cur.size > max_bytes) {
    return Status::Error(path + ": larger than the limit of " +
                         std::to_string(max_bytes) + " bytes");
  }
  return std::optional<E>(cur);
}

}  // namespace fsimage_internal
}  // namespace flamingo
