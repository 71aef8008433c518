// RootedSystem::MakeSymlink and FakeSystem::MakeSymlink against the same
// expectations: atomic replacement, never following, never leaving the root.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "system/fake_system.h"
#include "system/rooted_system.h"
#include "tests/blackbox.h"

namespace flamingo {
namespace {

namespace fs = std::filesystem;

TEST(RootedSymlinkTest, CreatesReplacesAndStaysInsideTheRoot) {
  blackbox::TempDir tmp;
  ASSERT_FALSE(tmp.path().empty());
  std::string root = tmp / "root";
  fs::create_directories(root + "/etc/systemd/system");
  fs::create_directories(tmp / "outside");
  // A symlinked directory pointing outside is resolved inside the root.
  fs::create_directory_symlink(tmp / "outside", root + "/escape");
  auto sys = RootedSystem::Open(root);
  ASSERT_TRUE(sys.ok());
  EXPECT_EQ((*sys)->services(), nullptr);  // not live: no systemd facility

  std::string link = "/etc/systemd/system/x.service";
  ASSERT_TRUE((*sys)->MakeSymlink(link, "/dev/null").ok());
  EXPECT_EQ(fs::read_symlink(root + link), "/dev/null");
  // Replace an existing regular file and an existing link.
  std::string file = root + "/etc/systemd/system/y.service";
  { std::ofstream(file) << "[Service]\n"; }
  ASSERT_TRUE(
      (*sys)->MakeSymlink("/etc/systemd/system/y.service", "/lib/y").ok());
  EXPECT_EQ(fs::read_symlink(file), "/lib/y");
  ASSERT_TRUE((*sys)->MakeSymlink(link, "/lib/x.service").ok());
  EXPECT_EQ(fs::read_symlink(root + link), "/lib/x.service");
  auto rl = (*sys)->ReadLink(link);
  ASSERT_TRUE(rl.ok());
  EXPECT_EQ(*rl, "/lib/x.service");
  // No temporary names left behind.
  for (const auto& e : fs::directory_iterator(root + "/etc/systemd/system")) {
    EXPECT_EQ(e.path().filename().string().find(".flamingo-"),
              std::string::npos);
  }
  // A directory is not replaced; a missing parent is an error.
  fs::create_directories(root + "/etc/d");
  EXPECT_FALSE((*sys)->MakeSymlink("/etc/d", "/x").ok());
  EXPECT_TRUE(fs::is_directory(root + "/etc/d"));
  auto s = (*sys)->MakeSymlink("/nope/x", "/x");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("symlink /nope/x"), std::string::npos);
  // Through the escaping link: lands in root/outside? No: /escape resolves
  // to tmp/outside as an absolute path *inside* the root, which is missing.
  EXPECT_FALSE((*sys)->MakeSymlink("/escape/z", "/x").ok());
  EXPECT_FALSE(fs::exists(fs::symlink_status(tmp / "outside/z")));
}

TEST(FakeSymlinkTest, BehavesLikeTheRealOne) {
  FakeSystem sys;
  sys.AddDir("/etc/systemd/system");
  ASSERT_TRUE(
      sys.MakeSymlink("/etc/systemd/system/x.service", "/dev/null").ok());
  auto e = sys.GetFile("/etc/systemd/system/x.service");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->type, FileType::kSymlink);
  EXPECT_EQ(e->target, "/dev/null");
  EXPECT_EQ(sys.mutations().back(), "symlink /etc/systemd/system/x.service");
  sys.AddDir("/etc/d");
  EXPECT_FALSE(sys.MakeSymlink("/etc/d", "/x").ok());
  EXPECT_FALSE(sys.MakeSymlink("/nope/x", "/x").ok());
  sys.FailWritesUnder("/etc", "Read-only file system");
  EXPECT_FALSE(sys.MakeSymlink("/etc/systemd/system/y", "/x").ok());
  EXPECT_FALSE(sys.Exists("/etc/systemd/system/y"));
}

}  // namespace
}  // namespace flamingo
