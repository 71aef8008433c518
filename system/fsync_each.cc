#include "system/fsync_each.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <system_error>
#include <thread>

namespace flamingo {

std::vector<int> FsyncEach(const std::vector<int>& fds) {
  std::vector<int> errors(fds.size(), 0);
  std::atomic<size_t> next{0};
  // Each worker takes the next unsynced fd until none is left; errors[i] is
  // written by the one worker that took i.
  auto work = [&fds, &errors, &next] {
    for (size_t i; (i = next.fetch_add(1)) < fds.size();) {
      if (::fsync(fds[i]) != 0) errors[i] = errno;
    }
  };
  std::vector<std::thread> threads;
  if (fds.size() > 2) {
    size_t want = std::min(fds.size() - 1, kFsyncEachMaxThreads);
    threads.reserve(want);
    for (size_t t = 0; t < want; ++t) {
      try {
        threads.emplace_back(work);
      } catch (const std::system_error&) {
        break;  // out of threads: the caller's share grows
      }
    }
  }
  work();
  for (std::thread& t : threads) t.join();
  return errors;
}

}  // namespace flamingo
