// libcurl stays an optional run-time dependency: the binary does not link
// it (it is dlopen'd for https:// only), and the packaging does not require
// it.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/blackbox.h"

namespace flamingo {
namespace {

std::string ReadSource(const std::string& rel) {
  return blackbox::ReadSourceFile(rel);
}

TEST(RuntimeDeps, BinaryDoesNotLinkLibcurl) {
  std::string cmd =
      std::string("readelf -d '") + FLAMINGO_BIN + "' 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = pclose(p);
  if (rc != 0 || out.empty()) GTEST_SKIP() << "readelf not available";
  ASSERT_NE(out.find("(NEEDED)"), std::string::npos) << out;
  EXPECT_EQ(out.find("libcurl"), std::string::npos) << out;
}

TEST(RuntimeDeps, PackagingTreatsLibcurlAsOptional) {
  std::string spec = ReadSource("packaging/flamingo.spec");
  EXPECT_NE(spec.find("\nRecommends:     libcurl\n"), std::string::npos);
  EXPECT_EQ(spec.find("\nRequires:       libcurl"), std::string::npos);
  std::string rootfs = ReadSource("tests/boot/build-rootfs.sh");
  EXPECT_NE(rootfs.find("FLAMINGO_LIBS="), std::string::npos);
  EXPECT_EQ(rootfs.find("libcurl4"), std::string::npos);
}

}  // namespace
}  // namespace flamingo
