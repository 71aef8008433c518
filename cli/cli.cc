#include "cli/cli.h"

#include <cstdio>

#include "version.h"

namespace flamingo {

int RunCli(int, char**) {
  std::printf("flamingo %s\n", FLAMINGO_VERSION);
  return 0;
}

}  // namespace flamingo
