// PendingSync against real files: what is kept, deduplicated, and how Sync
// makes it durable (fsyncs, or one syncfs past the threshold).
#include "system/pending_sync.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "tests/blackbox.h"

namespace flamingo {
namespace {

namespace fs = std::filesystem;

long OpenFds() {
  return std::distance(fs::directory_iterator("/proc/self/fd"),
                       fs::directory_iterator{});
}

class PendingSyncTest : public ::testing::Test {
 protected:
  UniqueFd Open(const std::string& rel, int flags) {
    std::string p = tmp_.path() + "/" + rel;
    if ((flags & O_DIRECTORY) != 0) fs::create_directories(p);
    return UniqueFd(::open(p.c_str(), flags | O_CLOEXEC, 0644));
  }
  blackbox::TempDir tmp_;
  PendingSync sync_;
};

TEST_F(PendingSyncTest, FewItemsAreFsyncedFilesThenDirectoriesOnce) {
  UniqueFd dir = Open("d", O_RDONLY | O_DIRECTORY);
  UniqueFd f1 = Open("d/a", O_WRONLY | O_CREAT);
  UniqueFd f2 = Open("d/b", O_WRONLY | O_CREAT);
  ASSERT_TRUE(dir.valid() && f1.valid() && f2.valid());
  long base = OpenFds();
  ASSERT_TRUE(sync_.AddNewFile(f1.get(), "/d/a").ok());
  ASSERT_TRUE(sync_.AddNewFile(f2.get(), "/d/b").ok());
  ASSERT_TRUE(sync_.AddDir(dir.get(), "/d").ok());
  ASSERT_TRUE(sync_.AddDir(dir.get(), "/d").ok());  // the same directory
  EXPECT_EQ(sync_.pending(), 3u);
  EXPECT_EQ(OpenFds(), base + 3);  // kept until Sync
  ASSERT_TRUE(sync_.Sync().ok());
  EXPECT_EQ(sync_.last_counts().fsyncs, 3);
  EXPECT_EQ(sync_.last_counts().syncfs, 0);
  EXPECT_EQ(OpenFds(), base);
  EXPECT_EQ(sync_.pending(), 0u);
  // Nothing pending: nothing to do.
  ASSERT_TRUE(sync_.Sync().ok());
  EXPECT_EQ(sync_.last_counts().fsyncs, 0);
}

// Under a low descriptor limit fewer are kept: at a soft limit of 128, 32
// (a quarter), so that the writer always has room for its next file.
TEST_F(PendingSyncTest, TheThresholdLeavesRoomUnderALowFileLimit) {
  struct rlimit saved;
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  struct rlimit low = saved;
  low.rlim_cur = 128;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  {
    PendingSync sync;
    EXPECT_EQ(sync.threshold(), 32u);
    long base = OpenFds();
    for (int i = 0; i < 40; ++i) {
      UniqueFd f = Open("g" + std::to_string(i), O_WRONLY | O_CREAT);
      ASSERT_TRUE(sync.AddNewFile(f.get(), "/g").ok());
    }
    EXPECT_EQ(OpenFds(), base + 1);  // switched to syncfs after 32
    ASSERT_TRUE(sync.Sync().ok());
    EXPECT_EQ(sync.last_counts().syncfs, 1);
  }
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);
  EXPECT_EQ(PendingSync().threshold(),
            saved.rlim_cur == RLIM_INFINITY || saved.rlim_cur >= 1024
                ? PendingSync::kSyncfsThreshold
                : static_cast<size_t>(saved.rlim_cur / 4));
}

TEST_F(PendingSyncTest, ManyItemsOnOneFilesystemBecomeOneSyncfs) {
  UniqueFd dir = Open("d", O_RDONLY | O_DIRECTORY);
  long base = OpenFds();
  const int n = static_cast<int>(PendingSync::kSyncfsThreshold) + 10;
  for (int i = 0; i < n; ++i) {
    UniqueFd f = Open("d/f" + std::to_string(i), O_WRONLY | O_CREAT);
    ASSERT_TRUE(sync_.AddNewFile(f.get(), "/d/f").ok());
  }
  ASSERT_TRUE(sync_.AddDir(dir.get(), "/d").ok());
  EXPECT_EQ(sync_.pending(), static_cast<size_t>(n) + 1);
  EXPECT_EQ(OpenFds(), base + 1);  // one fd kept for syncfs, not hundreds
  ASSERT_TRUE(sync_.Sync().ok());
  EXPECT_EQ(sync_.last_counts().fsyncs, 0);
  EXPECT_EQ(sync_.last_counts().syncfs, 1);
  EXPECT_EQ(OpenFds(), base);
}

TEST_F(PendingSyncTest, FailureNamesThePathAndTheRestIsStillDone) {
  // fsync(2) of a pipe fails with EINVAL: a stand-in for an I/O error.
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  UniqueFd r(p[0]), w(p[1]);
  UniqueFd f = Open("ok", O_WRONLY | O_CREAT);
  ASSERT_TRUE(sync_.AddNewFile(r.get(), "/broken").ok());
  ASSERT_TRUE(sync_.AddNewFile(f.get(), "/ok").ok());
  Status s = sync_.Sync();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "sync /broken: Invalid argument");
  EXPECT_EQ(sync_.last_counts().fsyncs, 2);
}

TEST_F(PendingSyncTest, BackgroundWorkIsWaitedForAndCountedBySync) {
  UniqueFd dir = Open("d", O_RDONLY | O_DIRECTORY);
  UniqueFd f1 = Open("d/a", O_WRONLY | O_CREAT);
  UniqueFd f2 = Open("d/b", O_WRONLY | O_CREAT);
  long base = OpenFds();
  ASSERT_TRUE(sync_.AddNewFile(f1.get(), "/d/a").ok());
  ASSERT_TRUE(sync_.AddDir(dir.get(), "/d").ok());
  sync_.SyncInBackground();  // takes a and d
  EXPECT_EQ(sync_.pending(), 0u);
  ASSERT_TRUE(sync_.AddNewFile(f2.get(), "/d/b").ok());
  ASSERT_TRUE(sync_.AddDir(dir.get(), "/d").ok());  // again: changed again
  EXPECT_EQ(sync_.pending(), 2u);
  ASSERT_TRUE(sync_.Sync().ok());
  EXPECT_EQ(sync_.last_counts().fsyncs, 4);  // both rounds
  EXPECT_EQ(OpenFds(), base);                // every kept fd closed
  sync_.SyncInBackground();                  // nothing pending: no thread
  ASSERT_TRUE(sync_.Sync().ok());
  EXPECT_EQ(sync_.last_counts().fsyncs, 0);
}

TEST_F(PendingSyncTest, ABackgroundFailureIsReportedByTheNextSync) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  UniqueFd r(p[0]), w(p[1]);
  ASSERT_TRUE(sync_.AddNewFile(r.get(), "/broken").ok());
  sync_.SyncInBackground();
  Status s = sync_.Sync();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "sync /broken: Invalid argument");
  EXPECT_TRUE(sync_.Sync().ok());  // reported once
}

TEST_F(PendingSyncTest, DestroyedWithBackgroundWorkWaitsForIt) {
  UniqueFd f = Open("a", O_WRONLY | O_CREAT);
  auto sync = std::make_unique<PendingSync>();
  ASSERT_TRUE(sync->AddNewFile(f.get(), "/a").ok());
  sync->SyncInBackground();
  sync.reset();  // joins (a joinable std::thread would terminate)
}

// A created script can be run before Sync: no writable fd of it stays open.
TEST_F(PendingSyncTest, KeptFileCanBeExecuted) {
  std::string path = tmp_.path() + "/run.sh";
  UniqueFd f(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0755));
  ASSERT_TRUE(f.valid());
  std::string text = "#!/bin/sh\nexit 3\n";
  ASSERT_EQ(::write(f.get(), text.data(), text.size()),
            static_cast<ssize_t>(text.size()));
  ASSERT_TRUE(sync_.AddNewFile(f.get(), "/run.sh").ok());
  f.reset();
  int rc = std::system(path.c_str());
  EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 3) << rc;
  ASSERT_TRUE(sync_.Sync().ok());
}

TEST_F(PendingSyncTest, FilesRemovedBeforeSyncAreNotSynced) {
  UniqueFd a = Open("a", O_WRONLY | O_CREAT);
  UniqueFd b = Open("b", O_WRONLY | O_CREAT);
  ASSERT_TRUE(sync_.AddNewFile(a.get(), "/a").ok());
  ASSERT_TRUE(sync_.AddNewFile(a.get(), "/a").ok());  // the same inode
  ASSERT_TRUE(sync_.AddNewFile(b.get(), "/b").ok());
  ASSERT_EQ(::unlink((tmp_.path() + "/b").c_str()), 0);
  ASSERT_TRUE(sync_.Sync().ok());
  EXPECT_EQ(sync_.last_counts().fsyncs, 1);
}

}  // namespace
}  // namespace flamingo
