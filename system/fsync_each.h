// FsyncEach: fsync(2) a batch of file descriptors concurrently.
//
// Why: on a journaling filesystem the first fsync of a batch commits the
// journal for all of them, and every later one still asks the device for a
// cache flush of its own (ext4: one flush per fsync once the inode's
// transaction is committed). Issued from several threads at once, the
// block layer merges those flushes and jbd2 merges the commits, so a batch
// costs about one or two flushes instead of one per file. The durability of
// each fd is exactly that of its own fsync: the order among the batch does
// not matter (callers order the batches: files, then their directories).
//
// Contract: returns one errno value per fd, in the order given (0 = synced).
// Uses up to kMaxThreads threads besides the caller, none for one or two
// fds; if a thread cannot be started, the caller does the rest itself.
// Returns when every fsync has returned.
#pragma once

#include <cstddef>
#include <vector>

namespace flamingo {

inline constexpr size_t kFsyncEachMaxThreads = 7;

std::vector<int> FsyncEach(const std::vector<int>& fds);

}  // namespace flamingo
