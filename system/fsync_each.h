// FsyncEach: fsync(2) a batch of file descriptors concurrently.
//
// Why: on a journaling filesystem the first fsync of a batch commits the
// journal for all of them, and every later one still asks the device for a
// cache flush of its own (ext4: one flush per fsync once the inode's
// transaction is committed). Issued from several threads at once, the
// block layer merges flushes that wait together (docs/performance.md: a
// ten-file first apply about 1 ms faster, for ~0.5 ms more CPU). Each fd
// is exactly as durable as after its own fsync: the order within a batch
// does not matter (callers order the batches: files, then directories).
//
// Contract: returns one errno value per fd, in the order given (0 = synced).
// Uses up to kFsyncEachMaxThreads threads besides the caller, none for two or
// fewer fds; if a thread cannot be started, the caller does the rest itself.
// Returns when every fsync has returned.
#pragma once

#include <cstddef>
#include <vector>

namespace flamingo {

inline constexpr size_t kFsyncEachMaxThreads = 7;

std::vector<int> FsyncEach(const std::vector<int>& fds);

}  // namespace flamingo
