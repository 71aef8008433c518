// Helpers shared by the rooted_*.cc files. Not part of the System contract.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "engine/system.h"
#include "system/unique_fd.h"

namespace flamingo::rooted_internal {

// openat2(2) with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS relative to
// `dirfd`; adds O_CLOEXEC. Returns the fd or -errno.
int OpenAt2(int dirfd, const std::string& rel, int flags, unsigned mode);

// Opens `target` (absolute, inside the root) with OpenAt2; errors read
// "op path: strerror" and store the errno in *err when err is not null.
Result<UniqueFd> OpenInRootErr(int root_fd, std::string_view op,
                               std::string_view path, std::string_view target,
                               int flags, unsigned mode, int* err);

// True when the last component of `path` is "", "." or ".." (e.g. "/"):
// such a path has no (parent, name) split.
bool IsSpecialLast(std::string_view path);

FileType TypeOf(mode_t mode);

}  // namespace flamingo::rooted_internal
