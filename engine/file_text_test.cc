#include "engine/file_text.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace flamingo {
namespace {

// Resident bytes of the mapping that starts at `addr` (/proc/self/smaps).
long ResidentKb(const void* addr) {
  std::ifstream smaps("/proc/self/smaps");
  char start[32];
  std::snprintf(start, sizeof start, "%lx-",
                reinterpret_cast<unsigned long>(addr));
  std::string line;
  bool in = false;
  while (std::getline(smaps, line)) {
    if (line.rfind(start, 0) == 0) {
      in = true;
    } else if (in && line.rfind("Rss:", 0) == 0) {
      return std::stol(line.substr(4));
    }
  }
  return -1;
}

TEST(FileTextTest, ACopyIsItsBytesAndKeepsThem) {
  FileText t(std::string("abc"));
  EXPECT_FALSE(t.mapped());
  t.Release(1u << 30);
  EXPECT_EQ(t.view(), "abc");
  FileText moved = std::move(t);
  EXPECT_EQ(moved.view(), "abc");
}

TEST(FileTextTest, AMappingGivesBackWhatWasReadAndStillReadsIt) {
  char path[] = "/tmp/file_text_testXXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  const size_t size = 4 * FileText::kReleaseStep + 123;
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>('a' + i % 26);
  ASSERT_EQ(::write(fd, bytes.data(), size), static_cast<ssize_t>(size));
  void* addr = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  ::unlink(path);
  ASSERT_NE(addr, MAP_FAILED);
  {
    FileText t = FileText::Mapped(addr, size);
    ASSERT_TRUE(t.mapped());
    EXPECT_EQ(t.view(), bytes);  // reads every page
    const long all = ResidentKb(addr);
    ASSERT_GE(all, static_cast<long>(size / 1024));
    // Less than a step: nothing given back yet.
    t.Release(FileText::kReleaseStep - 1);
    EXPECT_EQ(ResidentKb(addr), all);
    // Three steps and a bit: three steps given back.
    t.Release(3 * FileText::kReleaseStep + 10);
    EXPECT_LE(ResidentKb(addr),
              all - static_cast<long>(3 * FileText::kReleaseStep / 1024));
    // Still the same bytes (read from the file again).
    EXPECT_EQ(t.view(), bytes);
    FileText moved = std::move(t);
    EXPECT_FALSE(t.mapped());
    EXPECT_EQ(moved.view().size(), size);
  }
  EXPECT_EQ(ResidentKb(addr), -1);  // unmapped with its last owner
}

}  // namespace
}  // namespace flamingo
