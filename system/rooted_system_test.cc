// RootedSystem files against real temporary directories: atomic writes,
// attrs, and every way a path could try to leave the root.
#include "system/rooted_system.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/blackbox.h"

namespace flamingo {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class RootedSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    root_ = tmp_ / "root";
    outside_ = tmp_ / "outside";
    fs::create_directories(root_ + "/etc");
    blackbox::WriteFile(outside_ + "/victim", "HOST");
    auto sys = RootedSystem::Open(root_);
    ASSERT_TRUE(sys.ok()) << sys.status().message();
    sys_ = std::move(*sys);
  }
  struct stat HostLstat(const std::string& path) {
    struct stat st = {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st;
  }
  void ExpectVictimUntouched() {
    EXPECT_EQ(blackbox::ReadFile(outside_ + "/victim"), "HOST");
    EXPECT_EQ(std::vector<std::string>{"victim"}, HostNames(outside_));
  }
  static std::vector<std::string> HostNames(const std::string& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) {
      names.push_back(e.path().filename());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  blackbox::TempDir tmp_;
  std::string root_, outside_;
  std::unique_ptr<RootedSystem> sys_;
};

TEST_F(RootedSystemTest, OpenReportsRootAndLiveness) {
  EXPECT_FALSE(sys_->IsLive());
  EXPECT_EQ(sys_->RootDir(), fs::canonical(root_).string());
  EXPECT_EQ(sys_->KernelHostname(), "");
  EXPECT_FALSE(sys_->SetKernelHostname("x").ok());
  auto live = RootedSystem::Open("/");
  ASSERT_TRUE(live.ok());
  EXPECT_TRUE((*live)->IsLive());
  EXPECT_FALSE((*live)->KernelHostname().empty());
  EXPECT_FALSE(RootedSystem::Open(tmp_ / "missing").ok());
}

TEST_F(RootedSystemTest, ReadFileTextMapsLargeFilesAndCopiesSmallOnes) {
  std::string big(200 * 1024, 'x');
  big += "end";
  blackbox::WriteFile(root_ + "/etc/big", big);
  blackbox::WriteFile(root_ + "/etc/small", "small\n");
  auto b = sys_->ReadFileText("/etc/big");
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_TRUE(b->mapped());
  EXPECT_EQ(b->view(), big);
  auto s = sys_->ReadFileText("/etc/small");
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->mapped());
  EXPECT_EQ(s->view(), "small\n");
  // ReadFile's errors, and its confinement to the root.
  EXPECT_FALSE(sys_->ReadFileText("/etc/missing").ok());
  EXPECT_FALSE(sys_->ReadFileText("/etc").ok());
  blackbox::WriteFile(outside_ + "/big", big);
  fs::create_symlink(outside_ + "/big", root_ + "/etc/out");
  auto out = sys_->ReadFileText("/etc/out");  // resolved inside the root
  EXPECT_FALSE(out.ok() && out->view() == big);
}

TEST_F(RootedSystemTest, AtomicWriteReplacesContentAndSetsModeAndOwner) {
  ASSERT_TRUE(sys_->WriteFile("/etc/motd", "one\n", {0644, 0, 0}).ok());
  ASSERT_TRUE(sys_->WriteFile("/etc/motd", "two\n", {0640, 1234, 5678}).ok());
  EXPECT_EQ(blackbox::ReadFile(root_ + "/etc/motd"), "two\n");
  struct stat st = HostLstat(root_ + "/etc/motd");
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(st.st_uid, 1234u);
  EXPECT_EQ(st.st_gid, 5678u);
  // No temporary file is left behind.
  EXPECT_EQ(*sys_->ListDir("/etc"), std::vector<std::string>{"motd"});
  auto info = sys_->Stat("/etc/motd");
  ASSERT_TRUE(info.ok() && info->has_value());
  EXPECT_EQ((*info)->size, 4u);
  EXPECT_EQ((*info)->mode, 0640u);
  EXPECT_EQ(*sys_->ReadFile("/etc/motd"), "two\n");
}

TEST_F(RootedSystemTest, WriteKeepsSetuidAfterChown) {
  ASSERT_TRUE(sys_->WriteFile("/etc/tool", "x", {04755, 0, 0}).ok());
  EXPECT_EQ(HostLstat(root_ + "/etc/tool").st_mode & 07777, 04755u);
  // Another owner: the chown happens, and the set-id bits it clears are set
  // again; likewise for SetAttrs (an O_PATH fd) on an existing file.
  ASSERT_TRUE(sys_->WriteFile("/etc/tool2", "x", {06750, 7, 8}).ok());
  struct stat st = HostLstat(root_ + "/etc/tool2");
  EXPECT_EQ(st.st_mode & 07777, 06750u);
  EXPECT_EQ(st.st_uid, 7u);
  EXPECT_EQ(st.st_gid, 8u);
  ASSERT_TRUE(sys_->SetAttrs("/etc/tool", {04711, 9, 10}).ok());
  st = HostLstat(root_ + "/etc/tool");
  EXPECT_EQ(st.st_mode & 07777, 04711u);
  EXPECT_EQ(st.st_uid, 9u);
  EXPECT_EQ(st.st_gid, 10u);
  // The same mode, another owner: the chown still clears the set-id bits,
  // so the mode is set again even though it looked right before.
  ASSERT_TRUE(sys_->SetAttrs("/etc/tool2", {06750, 11, 12}).ok());
  st = HostLstat(root_ + "/etc/tool2");
  EXPECT_EQ(st.st_mode & 07777, 06750u);
  EXPECT_EQ(st.st_uid, 11u);
}

TEST_F(RootedSystemTest, WriteNeedsParentAndLeavesNothingOnFailure) {
  Status s = sys_->WriteFile("/nodir/file", "x", {});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("write /nodir/file"));
  fs::create_directories(root_ + "/etc/isdir");
  EXPECT_FALSE(sys_->WriteFile("/etc/isdir", "x", {}).ok());
  EXPECT_EQ(*sys_->ListDir("/etc"), std::vector<std::string>{"isdir"});
}

TEST_F(RootedSystemTest, WriteFromPiecesIsTheirConcatenationOrNothing) {
  ASSERT_TRUE(sys_->WriteFile("/etc/state", "old\n", {0600, 0, 0}).ok());
  auto pieces = [](int n, Status end) {
    return [n, end](const System::ContentSink& sink) {
      for (int i = 0; i < n; ++i) {
        Status s = sink(std::string(70000, static_cast<char>('a' + i)));
        if (!s.ok()) return s;
      }
      return end;
    };
  };
  // A failing producer: the old file stays, and no temporary is left.
  Status failed =
      sys_->WriteFileFrom("/etc/state", {0600, 0, 0},
                          pieces(2, Status::Error("serializer stopped")));
  EXPECT_EQ(failed.message(), "serializer stopped");
  EXPECT_EQ(blackbox::ReadFile(root_ + "/etc/state"), "old\n");
  EXPECT_EQ(*sys_->ListDir("/etc"), std::vector<std::string>{"state"});
  ASSERT_TRUE(
      sys_->WriteFileFrom("/etc/state", {0640, 0, 0}, pieces(3, Status::Ok()))
          .ok());
  EXPECT_EQ(blackbox::ReadFile(root_ + "/etc/state"),
            std::string(70000, 'a') + std::string(70000, 'b') +
                std::string(70000, 'c'));
  EXPECT_EQ(HostLstat(root_ + "/etc/state").st_mode & 07777, 0640u);
  EXPECT_EQ(*sys_->ListDir("/etc"), std::vector<std::string>{"state"});
}

TEST_F(RootedSystemTest, SymlinkAtTargetIsReplacedNotFollowed) {
  fs::create_symlink(outside_ + "/victim", root_ + "/etc/abs");
  fs::create_symlink("../../outside/victim", root_ + "/etc/rel");
  ASSERT_TRUE(sys_->WriteFile("/etc/abs", "new", {}).ok());
  ASSERT_TRUE(sys_->WriteFile("/etc/rel", "new", {}).ok());
  EXPECT_TRUE(S_ISREG(HostLstat(root_ + "/etc/abs").st_mode));
  EXPECT_TRUE(S_ISREG(HostLstat(root_ + "/etc/rel").st_mode));
  EXPECT_EQ(blackbox::ReadFile(root_ + "/etc/abs"), "new");
  ExpectVictimUntouched();
}

TEST_F(RootedSystemTest, DotDotStaysInsideRoot) {
  fs::create_directories(root_ + "/outside");
  ASSERT_TRUE(sys_->WriteFile("/../../outside/victim", "in", {}).ok());
  EXPECT_EQ(blackbox::ReadFile(root_ + "/outside/victim"), "in");
  ExpectVictimUntouched();
  EXPECT_FALSE(sys_->ReadFile("/../../../../etc/hostname").ok());
}

TEST_F(RootedSystemTest, AbsoluteSymlinkToHostEtcResolvesInsideRoot) {
  // /etc -> /etc is a loop inside the root, never the host's /etc.
  fs::remove(root_ + "/etc");
  fs::create_symlink("/etc", root_ + "/etc");
  Status s = sys_->WriteFile("/etc/flamingo-escape-test", "x", {});
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(fs::exists("/etc/flamingo-escape-test"));
  auto passwd = sys_->ReadFile("/etc/passwd");
  EXPECT_FALSE(passwd.ok());
}

TEST_F(RootedSystemTest, SymlinkedParentPointingOutsideStaysInside) {
  // /evil -> <host path of outside>: resolved as <root><host path>.
  fs::create_symlink(outside_, root_ + "/evil");
  EXPECT_FALSE(sys_->WriteFile("/evil/victim", "x", {}).ok());
  EXPECT_FALSE(sys_->ReadFile("/evil/victim").ok());
  auto st = sys_->Stat("/evil/victim");
  ASSERT_TRUE(st.ok());
  EXPECT_FALSE(st->has_value());
  fs::create_directories(root_ + outside_);
  ASSERT_TRUE(sys_->WriteFile("/evil/victim", "in", {}).ok());
  EXPECT_EQ(blackbox::ReadFile(root_ + outside_ + "/victim"), "in");
  ExpectVictimUntouched();
}

TEST_F(RootedSystemTest, RelativeSymlinkClimbingOutStaysInside) {
  fs::create_directories(root_ + "/a/b");
  fs::create_directories(root_ + "/outside");
  fs::create_symlink("../../../../../../outside", root_ + "/a/b/up");
  ASSERT_TRUE(sys_->WriteFile("/a/b/up/victim", "in", {}).ok());
  EXPECT_EQ(blackbox::ReadFile(root_ + "/outside/victim"), "in");
  ASSERT_TRUE(sys_->MakeDir("/a/b/up/d", {0755, 0, 0}).ok());
  EXPECT_TRUE(fs::is_directory(root_ + "/outside/d"));
  ASSERT_TRUE(sys_->Remove("/a/b/up/victim").ok());
  ExpectVictimUntouched();
}

TEST_F(RootedSystemTest, StatHasLstatSemantics) {
  fs::create_symlink("/etc", root_ + "/link");
  auto st = sys_->Stat("/link");
  ASSERT_TRUE(st.ok() && st->has_value());
  EXPECT_EQ((*st)->type, FileType::kSymlink);
  auto root = sys_->Stat("/");
  ASSERT_TRUE(root.ok() && root->has_value());
  EXPECT_EQ((*root)->type, FileType::kDirectory);
  auto missing = sys_->Stat("/no/such/thing");
  ASSERT_TRUE(missing.ok()) << missing.status().message();
  EXPECT_FALSE(missing->has_value());
  EXPECT_EQ(*sys_->ReadLink("/link"), "/etc");
  EXPECT_FALSE(sys_->ReadLink("/etc").ok());
}

TEST_F(RootedSystemTest, ReadFileFollowsSymlinksOnlyInsideTheRoot) {
  blackbox::WriteFile(root_ + "/etc/real", "data");
  fs::create_symlink("real", root_ + "/etc/link");
  fs::create_symlink("/etc/real", root_ + "/etc/abs");
  fs::create_symlink("/etc/hostname", root_ + "/etc/host-hostname");
  EXPECT_EQ(*sys_->ReadFile("/etc/real"), "data");
  EXPECT_EQ(*sys_->ReadFile("/etc/link"), "data");
  EXPECT_EQ(*sys_->ReadFile("/etc/abs"), "data");  // resolved in the root
  // The host has /etc/hostname; the root does not: not found, not leaked.
  EXPECT_FALSE(sys_->ReadFile("/etc/host-hostname").ok());
}

TEST_F(RootedSystemTest, ReadFileRefusesNonRegularFiles) {
  EXPECT_FALSE(sys_->ReadFile("/etc").ok());
  ASSERT_EQ(::mkfifo((root_ + "/etc/fifo").c_str(), 0600), 0);
  EXPECT_FALSE(sys_->ReadFile("/etc/fifo").ok());  // and does not block
}

TEST_F(RootedSystemTest, ListDirIsSorted) {
  for (const char* n : {"c", "a", "b"})
    blackbox::WriteFile(root_ + "/d/" + n, "");
  EXPECT_EQ(*sys_->ListDir("/d"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_FALSE(sys_->ListDir("/d/a").ok());
}

TEST_F(RootedSystemTest, MakeDirSetsAttrsAndIsIdempotent) {
  ASSERT_TRUE(sys_->MakeDir("/srv", {02775, 10, 20}).ok());
  struct stat st = HostLstat(root_ + "/srv");
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 02775u);
  EXPECT_EQ(st.st_uid, 10u);
  ASSERT_TRUE(sys_->MakeDir("/srv", {0700, 0, 0}).ok());
  EXPECT_EQ(HostLstat(root_ + "/srv").st_mode & 07777, 02775u);
  blackbox::WriteFile(root_ + "/file", "");
  EXPECT_FALSE(sys_->MakeDir("/file", {}).ok());
  EXPECT_FALSE(sys_->MakeDir("/x/y", {}).ok());
  ASSERT_TRUE(MakeDirs(*sys_, "/x/y/z", {0750, 0, 0}).ok());
  EXPECT_TRUE(fs::is_directory(root_ + "/x/y/z"));
}

TEST_F(RootedSystemTest, SetAttrsRefusesSymlinkAndChangesFile) {
  fs::create_symlink(outside_ + "/victim", root_ + "/etc/link");
  ::chmod((outside_ + "/victim").c_str(), 0644);
  Status s = sys_->SetAttrs("/etc/link", {0600, 0, 0});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("symlink"));
  EXPECT_EQ(HostLstat(outside_ + "/victim").st_mode & 07777, 0644u);
  blackbox::WriteFile(root_ + "/etc/f", "");
  ASSERT_TRUE(sys_->SetAttrs("/etc/f", {01700, 7, 8}).ok());
  struct stat st = HostLstat(root_ + "/etc/f");
  EXPECT_EQ(st.st_mode & 07777, 01700u);
  EXPECT_EQ(st.st_gid, 8u);
  EXPECT_FALSE(sys_->SetAttrs("/etc/missing", {}).ok());
}

TEST_F(RootedSystemTest, RemoveFilesSymlinksAndEmptyDirs) {
  blackbox::WriteFile(root_ + "/d/f", "");
  fs::create_symlink(outside_ + "/victim", root_ + "/d/link");
  fs::create_directories(root_ + "/d/sub");
  EXPECT_FALSE(sys_->Remove("/d").ok());  // not empty
  ASSERT_TRUE(sys_->Remove("/d/f").ok());
  ASSERT_TRUE(sys_->Remove("/d/link").ok());
  ASSERT_TRUE(sys_->Remove("/d/sub").ok());
  ASSERT_TRUE(sys_->Remove("/d").ok());
  EXPECT_TRUE(sys_->Remove("/d").ok());          // missing is fine
  EXPECT_TRUE(sys_->Remove("/no/such/x").ok());  // missing parent too
  EXPECT_FALSE(fs::exists(root_ + "/d"));
  EXPECT_FALSE(sys_->Remove("/").ok());
  ExpectVictimUntouched();
}

// Created files and changed directories wait for Sync; a replacement is
// fsynced before its rename, so only its directory waits.
TEST_F(RootedSystemTest, SyncBatchesCreatedFilesAndChangedDirectories) {
  ASSERT_TRUE(sys_->Sync().ok());  // nothing pending
  ASSERT_TRUE(sys_->WriteFile("/etc/a", "1", {0644, 0, 0}).ok());
  ASSERT_TRUE(sys_->WriteFile("/etc/b", "1", {0644, 0, 0}).ok());
  ASSERT_TRUE(sys_->Sync().ok());
  EXPECT_EQ(sys_->last_sync_counts().fsyncs, 3);  // a, b, /etc
  ASSERT_TRUE(sys_->WriteFile("/etc/a", "2", {0644, 0, 0}).ok());
  ASSERT_TRUE(sys_->Sync().ok());
  EXPECT_EQ(sys_->last_sync_counts().fsyncs, 1);  // /etc only
  // Many: one syncfs for the filesystem.
  ASSERT_TRUE(sys_->MakeDir("/srv", {0755, 0, 0}).ok());
  for (size_t i = 0; i < PendingSync::kSyncfsThreshold + 4; ++i) {
    std::string n = std::to_string(i);
    ASSERT_TRUE(sys_->WriteFile("/srv/g" + n, n, {0644, 0, 0}).ok());
  }
  ASSERT_TRUE(sys_->Sync().ok());
  EXPECT_EQ(sys_->last_sync_counts().fsyncs, 0);
  EXPECT_EQ(sys_->last_sync_counts().syncfs, 1);
  EXPECT_EQ(*sys_->ReadFile("/srv/g19"), "19");
}

// Staging (System::SetStaging): replacements wait, visible through the
// System only, until CommitStaged; new files are written at once.
TEST_F(RootedSystemTest, StagedReplacementsWaitForOneCommit) {
  blackbox::WriteFile(root_ + "/etc/a", "old a");
  blackbox::WriteFile(root_ + "/etc/b", "old b");
  sys_->SetStaging(true);
  ASSERT_TRUE(sys_->WriteFile("/etc/a", "new a", {0600, 0, 0}).ok());
  ASSERT_TRUE(sys_->WriteFile("/etc/b", "first b", {0644, 0, 0}).ok());
  ASSERT_TRUE(sys_->WriteFile("/etc/b", "new b", {0640, 0, 0}).ok());
  ASSERT_TRUE(sys_->WriteFile("/etc/c", "new c", {0644, 0, 0}).ok());
  // On disk: the old contents, the created file, and two temporaries.
  EXPECT_EQ(blackbox::ReadFile(root_ + "/etc/a"), "old a");
  EXPECT_EQ(blackbox::ReadFile(root_ + "/etc/b"), "old b");
  EXPECT_EQ(blackbox::ReadFile(root_ + "/etc/c"), "new c");
  EXPECT_EQ(HostNames(root_ + "/etc").size(), 5u);
  // Through the System: the staged files, and no temporaries.
  EXPECT_EQ(*sys_->ReadFile("/etc/a"), "new a");
  EXPECT_EQ(*sys_->ReadFile("/etc/b"), "new b");
  auto st = sys_->Stat("/etc/b");
  ASSERT_TRUE(st.ok() && st->has_value());
  EXPECT_EQ((*st)->mode, 0640u);
  EXPECT_EQ((*st)->size, 5u);
  EXPECT_EQ((*st)->type, FileType::kRegular);
  EXPECT_FALSE(sys_->ReadLink("/etc/a").ok());
  EXPECT_EQ(*sys_->ListDir("/etc"), (std::vector<std::string>{"a", "b", "c"}));

  ASSERT_TRUE(sys_->CommitStaged().ok());
  EXPECT_EQ(blackbox::ReadFile(root_ + "/etc/a"), "new a");
  EXPECT_EQ(blackbox::ReadFile(root_ + "/etc/b"), "new b");
  EXPECT_EQ(HostLstat(root_ + "/etc/b").st_mode & 07777, 0640u);
  EXPECT_EQ(HostNames(root_ + "/etc"),
            (std::vector<std::string>{"a", "b", "c"}));
  // Committing turned staging off: the next replacement is written at once.
  ASSERT_TRUE(sys_->WriteFile("/etc/a", "newer a", {0600, 0, 0}).ok());
  EXPECT_EQ(blackbox::ReadFile(root_ + "/etc/a"), "newer a");
}

TEST_F(RootedSystemTest, CallsOnAStagedPathSyncAndExecCommitFirst) {
  blackbox::WriteFile(root_ + "/etc/a", "old");
  blackbox::WriteFile(root_ + "/etc/b", "old");
  sys_->SetStaging(true);
  ASSERT_TRUE(sys_->WriteFile("/etc/a", "new", {0644, 0, 0}).ok());
  ASSERT_TRUE(sys_->WriteFile("/etc/b", "new", {0644, 0, 0}).ok());
  ASSERT_TRUE(sys_->Remove("/etc/a").ok());  // commits both, then removes
  EXPECT_EQ(HostNames(root_ + "/etc"), std::vector<std::string>{"b"});
  EXPECT_EQ(blackbox::ReadFile(root_ + "/etc/b"), "new");

  sys_->SetStaging(true);
  ASSERT_TRUE(sys_->WriteFile("/etc/b", "newer", {0644, 0, 0}).ok());
  ASSERT_TRUE(sys_->Sync().ok());
  EXPECT_EQ(blackbox::ReadFile(root_ + "/etc/b"), "newer");

  sys_->SetStaging(true);
  ASSERT_TRUE(sys_->WriteFile("/etc/b", "newest", {0644, 0, 0}).ok());
  ASSERT_TRUE(sys_->MakeSymlink("/etc/b", "/x").ok());
  EXPECT_EQ(HostNames(root_ + "/etc"), std::vector<std::string>{"b"});
  EXPECT_TRUE(S_ISLNK(HostLstat(root_ + "/etc/b").st_mode));
}

TEST_F(RootedSystemTest, StagedWritesAreCommittedWhenTheSystemGoes) {
  blackbox::WriteFile(root_ + "/etc/a", "old");
  sys_->SetStaging(true);
  ASSERT_TRUE(sys_->WriteFile("/etc/a", "new", {0644, 0, 0}).ok());
  sys_.reset();
  EXPECT_EQ(blackbox::ReadFile(root_ + "/etc/a"), "new");
  EXPECT_EQ(HostNames(root_ + "/etc"), std::vector<std::string>{"a"});
}

TEST_F(RootedSystemTest, RenameFileKeepsTheInodeAndStaysInItsDirectory) {
  blackbox::WriteFile(root_ + "/etc/new", "new key");
  blackbox::WriteFile(root_ + "/etc/key", "old key");
  ino_t ino = HostLstat(root_ + "/etc/new").st_ino;
  ASSERT_TRUE(sys_->RenameFile("/etc/new", "/etc/key").ok());
  EXPECT_EQ(blackbox::ReadFile(root_ + "/etc/key"), "new key");
  EXPECT_EQ(HostLstat(root_ + "/etc/key").st_ino, ino);
  EXPECT_EQ(HostNames(root_ + "/etc"), std::vector<std::string>{"key"});
  // A new name: created, so it waits for Sync with its directory.
  ASSERT_TRUE(sys_->Sync().ok());
  blackbox::WriteFile(root_ + "/etc/b.tmp", "b");
  ASSERT_TRUE(sys_->RenameFile("/etc/b.tmp", "/etc/b").ok());
  ASSERT_TRUE(sys_->Sync().ok());
  EXPECT_EQ(sys_->last_sync_counts().fsyncs, 2);  // b and /etc
  // Refused: another directory, a directory, a symlink, nothing there.
  fs::create_directories(root_ + "/srv/d");
  blackbox::WriteFile(root_ + "/srv/f", "f");
  EXPECT_FALSE(sys_->RenameFile("/srv/f", "/etc/f").ok());
  EXPECT_FALSE(sys_->RenameFile("/srv/d", "/srv/e").ok());
  EXPECT_FALSE(sys_->RenameFile("/srv/f", "/srv/d").ok());
  ASSERT_EQ(::symlink("/outside", (root_ + "/srv/link").c_str()), 0);
  EXPECT_FALSE(sys_->RenameFile("/srv/link", "/srv/g").ok());
  EXPECT_FALSE(sys_->RenameFile("/srv/none", "/srv/g").ok());
  EXPECT_EQ(blackbox::ReadFile(root_ + "/srv/f"), "f");
  ExpectVictimUntouched();
}

TEST_F(RootedSystemTest, WriteFilesWritesAllOrStopsBeforeRenamingAny) {
  ASSERT_TRUE(sys_->WriteFile("/etc/group", "old\n", {0644, 0, 0}).ok());
  ASSERT_TRUE(sys_->Sync().ok());
  // The second file cannot be staged: nothing is renamed, no temporary left.
  Status bad = sys_->WriteFiles({{"/etc/group", "new\n", {0644, 0, 0}},
                                 {"/nodir/gshadow", "x", {0640, 0, 0}}});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.message(), HasSubstr("write /nodir/gshadow"));
  EXPECT_EQ(*sys_->ReadFile("/etc/group"), "old\n");
  EXPECT_EQ(*sys_->ListDir("/etc"), std::vector<std::string>{"group"});
  ASSERT_TRUE(sys_->WriteFiles({{"/etc/group", "new\n", {0644, 0, 0}},
                                {"/etc/gshadow", "g\n", {0640, 0, 42}}})
                  .ok());
  EXPECT_EQ(*sys_->ReadFile("/etc/group"), "new\n");
  EXPECT_EQ(*sys_->ReadFile("/etc/gshadow"), "g\n");
  EXPECT_EQ(HostLstat(root_ + "/etc/gshadow").st_gid, 42u);
  EXPECT_EQ(*sys_->ListDir("/etc"),
            (std::vector<std::string>{"group", "gshadow"}));
  ASSERT_TRUE(sys_->Sync().ok());
  EXPECT_EQ(sys_->last_sync_counts().fsyncs, 2);  // gshadow (new), /etc
}

TEST_F(RootedSystemTest, VolatileWriteAndRemoveAreAtomicButNeverSynced) {
  ASSERT_TRUE(sys_->MakeDir("/etc", {0755, 0, 0}).ok());
  ASSERT_TRUE(sys_->Sync().ok());
  ASSERT_TRUE(
      sys_->WriteFileVolatile("/etc/boot.json", "one", {0600, 0, 5}).ok());
  ASSERT_TRUE(
      sys_->WriteFileVolatile("/etc/boot.json", "two", {0640, 0, 5}).ok());
  EXPECT_EQ(*sys_->ReadFile("/etc/boot.json"), "two");
  EXPECT_EQ(HostLstat(root_ + "/etc/boot.json").st_mode & 07777, 0640u);
  EXPECT_EQ(HostLstat(root_ + "/etc/boot.json").st_gid, 5u);
  EXPECT_EQ(*sys_->ListDir("/etc"), std::vector<std::string>{"boot.json"});
  ASSERT_TRUE(sys_->RemoveVolatile("/etc/boot.json").ok());
  EXPECT_TRUE(sys_->ListDir("/etc")->empty());
  ASSERT_TRUE(sys_->Sync().ok());
  EXPECT_EQ(sys_->last_sync_counts().fsyncs, 0);
  // Never through a symlink either.
  fs::create_symlink(outside_ + "/victim", root_ + "/etc/link");
  ASSERT_TRUE(sys_->WriteFileVolatile("/etc/link", "x", {0600, 0, 0}).ok());
  EXPECT_FALSE(fs::is_symlink(root_ + "/etc/link"));
  ExpectVictimUntouched();
}

// A volatile write over a file trades places with it (RENAME_EXCHANGE) and
// removes the old one: a reader that had the old file open keeps the old
// content whole, the path has the new, and no temporary is left. Anything
// but a regular file there is renamed over as before, or fails.
TEST_F(RootedSystemTest, AVolatileReplacementSwapsInANewFile) {
  ASSERT_TRUE(sys_->MakeDir("/etc", {0755, 0, 0}).ok());
  ASSERT_TRUE(sys_->WriteFileVolatile("/etc/f", "old", {0644, 0, 0}).ok());
  const ino_t old_inode = HostLstat(root_ + "/etc/f").st_ino;
  std::ifstream reader(root_ + "/etc/f");
  ASSERT_TRUE(sys_->WriteFileVolatile("/etc/f", "new", {0644, 0, 0}).ok());
  std::string seen;
  std::getline(reader, seen);
  EXPECT_EQ(seen, "old");
  EXPECT_EQ(*sys_->ReadFile("/etc/f"), "new");
  EXPECT_NE(HostLstat(root_ + "/etc/f").st_ino, old_inode);
  EXPECT_EQ(*sys_->ListDir("/etc"), std::vector<std::string>{"f"});

  ASSERT_TRUE(sys_->MakeDir("/etc/d", {0755, 0, 0}).ok());
  Status s = sys_->WriteFileVolatile("/etc/d", "x", {0644, 0, 0});
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(fs::is_directory(root_ + "/etc/d"));
  EXPECT_EQ(*sys_->ListDir("/etc"), (std::vector<std::string>{"d", "f"}));
}

// Stat keeps the directories it looked in open (one fstatat per Stat):
// what this object changes afterwards shows at once, also when a directory
// on the way is replaced, by a symlink, a file written over a symlink, or
// a rename over one.
TEST_F(RootedSystemTest, StatSeesChangesToTheDirectoriesItLookedIn) {
  auto exists = [&](const std::string& p) {
    auto st = sys_->Stat(p);
    EXPECT_TRUE(st.ok()) << p << ": " << st.status().message();
    return st.ok() && st->has_value();
  };
  ASSERT_TRUE(sys_->MakeDir("/a", {0755, 0, 0}).ok());
  EXPECT_FALSE(exists("/a/f"));
  ASSERT_TRUE(sys_->WriteFile("/a/f", "1", {0644, 0, 0}).ok());
  EXPECT_TRUE(exists("/a/f"));
  // /a becomes a symlink to /b.
  ASSERT_TRUE(sys_->MakeDir("/b", {0755, 0, 0}).ok());
  ASSERT_TRUE(sys_->WriteFile("/b/g", "2", {0644, 0, 0}).ok());
  ASSERT_TRUE(sys_->Remove("/a/f").ok());
  ASSERT_TRUE(sys_->Remove("/a").ok());
  ASSERT_TRUE(sys_->MakeSymlink("/a", "/b").ok());
  EXPECT_TRUE(exists("/a/g"));
  EXPECT_FALSE(exists("/a/f"));
  // A file written over the symlink: /a/g is no more.
  ASSERT_TRUE(sys_->WriteFile("/a", "file now", {0644, 0, 0}).ok());
  auto gone = sys_->Stat("/a/g");
  EXPECT_EQ(gone.status().message(), "stat /a/g: Not a directory");
  // A rename over a symlink to a directory.
  ASSERT_TRUE(sys_->MakeSymlink("/c", "/b").ok());
  EXPECT_TRUE(exists("/c/g"));
  ASSERT_TRUE(sys_->WriteFile("/c.new", "x", {0644, 0, 0}).ok());
  ASSERT_TRUE(sys_->RenameFile("/c.new", "/c").ok());
  EXPECT_FALSE(sys_->Stat("/c/g").ok());
  // A volatile write over a symlink to a directory.
  ASSERT_TRUE(sys_->MakeSymlink("/d", "/b").ok());
  EXPECT_TRUE(exists("/d/g"));
  ASSERT_TRUE(sys_->WriteFileVolatile("/d", "x", {0644, 0, 0}).ok());
  EXPECT_FALSE(sys_->Stat("/d/g").ok());
  // Still inside the root: an absolute symlink on the way resolves in it.
  fs::create_symlink("/", root_ + "/up");
  EXPECT_FALSE(exists("/up/victim"));
  fs::create_symlink(outside_, root_ + "/out");
  EXPECT_FALSE(exists("/out/victim"));
  auto nul = sys_->Stat(std::string("/b/g\0x", 7));
  EXPECT_FALSE(nul.ok());
}

TEST_F(RootedSystemTest, AVolatileDirectoryIsNeverSynced) {
  ASSERT_TRUE(sys_->MakeDirVolatile("/run", {0755, 0, 0}).ok());
  ASSERT_TRUE(sys_->MakeDirVolatile("/run/flamingo", {0700, 0, 0}).ok());
  EXPECT_EQ(HostLstat(root_ + "/run").st_mode & 07777, 0755u);
  EXPECT_EQ(HostLstat(root_ + "/run/flamingo").st_mode & 07777, 0700u);
  ASSERT_TRUE(sys_->MakeDirVolatile("/run", {0700, 0, 0}).ok());  // exists
  EXPECT_EQ(HostLstat(root_ + "/run").st_mode & 07777, 0755u);
  ASSERT_TRUE(sys_->Sync().ok());
  EXPECT_EQ(sys_->last_sync_counts().fsyncs, 0);
  // The durable one waits for Sync.
  ASSERT_TRUE(sys_->MakeDir("/srv", {0755, 0, 0}).ok());
  ASSERT_TRUE(sys_->Sync().ok());
  EXPECT_GT(sys_->last_sync_counts().fsyncs, 0);
}

TEST_F(RootedSystemTest, AppendLogAppendsOnANewLineAndNeverFollowsSymlinks) {
  ASSERT_TRUE(sys_->AppendLog("/etc/out.log", "one", {0600, 0, 7}).ok());
  EXPECT_EQ(HostLstat(root_ + "/etc/out.log").st_mode & 07777, 0600u);
  EXPECT_EQ(HostLstat(root_ + "/etc/out.log").st_gid, 7u);
  ASSERT_TRUE(sys_->AppendLog("/etc/out.log", "two\n", {0644, 0, 0}).ok());
  ASSERT_TRUE(sys_->AppendLog("/etc/out.log", "three\n", {0644, 0, 0}).ok());
  EXPECT_EQ(*sys_->ReadFile("/etc/out.log"), "one\ntwo\nthree\n");
  ASSERT_TRUE(sys_->Sync().ok());
  // The new entry in /etc only: a log's text is never fsynced.
  EXPECT_EQ(sys_->last_sync_counts().fsyncs, 1);
  fs::create_symlink(outside_ + "/victim", root_ + "/etc/link.log");
  EXPECT_FALSE(sys_->AppendLog("/etc/link.log", "x", {0600, 0, 0}).ok());
  ExpectVictimUntouched();
}

}  // namespace
}  // namespace flamingo
