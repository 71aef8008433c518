#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include "cli/cli.h"

int main(int argc, char** argv) {
  // Descriptors 0-2 are open (on /dev/null where the caller closed them), so
  // that no file flamingo opens gets one of their numbers and becomes a
  // command's stdin or output by accident (system/rooted_exec.cc).
  for (int fd = 0; fd < 3; ++fd) {
    if (::fcntl(fd, F_GETFD) < 0) ::open("/dev/null", O_RDWR);
  }
  // Blocks of 128 KiB and more (file and state texts, the plan's and the
  // records' arrays) are mapped and unmapped on their own, always: glibc
  // would otherwise raise this threshold each time such a block is freed,
  // and put the next ones in the heap, where they leave holes that later
  // large blocks do not fit (10,000 files: 2-3 MB of peak RSS).
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  return flamingo::RunCli(argc, argv);
}
