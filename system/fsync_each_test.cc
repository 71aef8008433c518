// FsyncEach: each fd's result is reported at its own position, however many
// threads take part.
#include "system/fsync_each.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "system/unique_fd.h"
#include "tests/blackbox.h"

namespace flamingo {
namespace {

TEST(FsyncEachTest, NoFdsIsNoWork) { EXPECT_TRUE(FsyncEach({}).empty()); }

TEST(FsyncEachTest, ErrorsAreReportedAtTheirOwnPosition) {
  blackbox::TempDir tmp;
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  UniqueFd pipe_read(pipe_fds[0]), pipe_write(pipe_fds[1]);
  // 40 files, a pipe (fsync: EINVAL) and a closed descriptor (EBADF) at
  // fixed places among them: enough for every thread to take several.
  std::vector<UniqueFd> files;
  std::vector<int> fds;
  for (int i = 0; i < 40; ++i) {
    std::string path = tmp.path() + "/f" + std::to_string(i);
    files.emplace_back(
        ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    ASSERT_TRUE(files.back().valid());
    ASSERT_EQ(::write(files.back().get(), "x", 1), 1);
    fds.push_back(files.back().get());
  }
  UniqueFd closed(::dup(files[0].get()));
  int closed_fd = closed.get();
  closed.reset();
  fds.insert(fds.begin() + 7, pipe_read.get());
  fds.insert(fds.begin() + 30, closed_fd);

  std::vector<int> errors = FsyncEach(fds);

  ASSERT_EQ(errors.size(), fds.size());
  for (size_t i = 0; i < errors.size(); ++i) {
    int want = i == 7 ? EINVAL : i == 30 ? EBADF : 0;
    EXPECT_EQ(errors[i], want) << "fd at " << i;
  }
}

TEST(FsyncEachTest, OneOrTwoFds) {
  blackbox::TempDir tmp;
  UniqueFd f(::open((tmp.path() + "/a").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC,
                    0600));
  ASSERT_TRUE(f.valid());
  EXPECT_EQ(FsyncEach({f.get()}), std::vector<int>{0});
  EXPECT_EQ(FsyncEach({f.get(), -1}), (std::vector<int>{0, EBADF}));
}

}  // namespace
}  // namespace flamingo
