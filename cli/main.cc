#include <fcntl.h>
#include <unistd.h>

#include "cli/cli.h"

int main(int argc, char** argv) {
  // Descriptors 0-2 are open (on /dev/null where the caller closed them), so
  // that no file flamingo opens gets one of their numbers and becomes a
  // command's stdin or output by accident (system/rooted_exec.cc).
  for (int fd = 0; fd < 3; ++fd) {
    if (::fcntl(fd, F_GETFD) < 0) ::open("/dev/null", O_RDWR);
  }
  return flamingo::RunCli(argc, argv);
}
