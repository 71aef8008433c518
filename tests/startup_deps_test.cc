// What the dynamic loader maps at every flamingo start: libraries that only
// some runs need (libsystemd for sd-bus, libcurl for HTTP) are loaded with
// dlopen on first use, so they must not be among the binary's dependencies.
#include <gtest/gtest.h>

#include <string>

#include "tests/blackbox.h"

namespace flamingo {
namespace {

TEST(StartupDepsTest, LazyLibrariesAreNotLoadedAtStart) {
  // What ldd(1) does: the loader lists every object it would map (direct
  // and indirect dependencies) and exits without running the program.
  blackbox::RunResult r =
      blackbox::RunFlamingo({}, {"LD_TRACE_LOADED_OBJECTS=1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_NE(r.out.find("libc.so.6"), std::string::npos) << r.out;
  for (const char* lazy : {"libsystemd", "libcurl", "libgcrypt"}) {
    EXPECT_EQ(r.out.find(lazy), std::string::npos)
        << lazy << " is mapped at start:\n"
        << r.out;
  }
}

}  // namespace
}  // namespace flamingo
