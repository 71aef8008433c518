// libFuzzer target: any bytes as an ISO9660/FAT image; opening it and
// reading the NoCloud and ConfigDrive files must never crash or hang.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "sources/fs_image.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int fd = memfd_create("fsimage", MFD_CLOEXEC);
  if (fd < 0) return 0;
  if (write(fd, data, size) != static_cast<ssize_t>(size)) {
    close(fd);
    return 0;
  }
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  auto fs = flamingo::OpenFsImage(path);
  if (fs.ok()) {
    for (const char* f :
         {"meta-data", "user-data", "openstack/latest/meta_data.json"}) {
      (void)(*fs)->ReadFile(f, 1 << 20);
    }
  }
  close(fd);
  return 0;
}
