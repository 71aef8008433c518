#include "sources/fs_image.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>

namespace flamingo {
namespace fsimage_internal {

Source::~Source() { close(fd_); }

Status Source::Read(uint64_t off, size_t len, std::string* out) const {
  if (off > size_ || len > size_ - off) {
    return Status::Error("read of " + std::to_string(len) +
                         " bytes at offset " + std::to_string(off) +
                         " is past the end of the filesystem");
  }
  out->assign(len, '\0');
  size_t done = 0;
  while (done < len) {
    ssize_t n = pread(fd_, out->data() + done, len - done,
                      static_cast<off_t>(off + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("read", errno);
    }
    if (n == 0) return Status::Error("unexpected end of device");
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

uint16_t Le16(const std::string& b, size_t off) {
  if (off + 2 > b.size()) return 0;
  return static_cast<uint16_t>(static_cast<unsigned char>(b[off]) |
                               (static_cast<unsigned char>(b[off + 1]) << 8));
}

uint32_t Le32(const std::string& b, size_t off) {
  if (off + 4 > b.size()) return 0;
  return static_cast<uint32_t>(Le16(b, off)) |
         (static_cast<uint32_t>(Le16(b, off + 2)) << 16);
}

std::string Ucs2ToUtf8(const std::string& b, size_t off, size_t units,
                       bool big_endian) {
  std::string out;
  for (size_t i = 0; i < units && off + 2 * i + 1 < b.size(); ++i) {
    unsigned char x = static_cast<unsigned char>(b[off + 2 * i]);
    unsigned char y = static_cast<unsigned char>(b[off + 2 * i + 1]);
    unsigned c = big_endian ? (x << 8) | y : (y << 8) | x;
    if (c >= 0xD800 && c <= 0xDFFF) c = '?';
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

bool NameEquals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace fsimage_internal

Result<std::unique_ptr<FsImage>> OpenFsImage(const std::string& device) {
  using namespace fsimage_internal;
  int fd = open(device.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return Status::FromErrno("open " + device, errno);
  struct stat st;
  uint64_t size = 0;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return Status::FromErrno("stat " + device, err);
  }
  if (S_ISBLK(st.st_mode)) {
    if (ioctl(fd, BLKGETSIZE64, &size) != 0) {
      int err = errno;
      close(fd);
      return Status::FromErrno("size of " + device, err);
    }
  } else if (S_ISREG(st.st_mode)) {
    size = static_cast<uint64_t>(st.st_size);
  } else {
    close(fd);
    return Status::Error(device + ": not a block device or image file");
  }
  auto src = std::make_shared<Source>(fd, size);
  Result<std::unique_ptr<FsImage>> iso = OpenIso9660(src);
  if (iso.ok()) return iso;
  Result<std::unique_ptr<FsImage>> fat = OpenVfat(src);
  if (fat.ok()) return fat;
  return Status::Error(device + ": neither ISO9660 (" + iso.status().message() +
                       ") nor FAT (" + fat.status().message() + ")");
}

}  // namespace flamingo
