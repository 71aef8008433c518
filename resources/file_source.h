// Reading write_files `source.uri` content at plan and apply time.
//
// file:// URIs are read inside the target root through the SystemReader
// (file:///srv/motd = <root>/srv/motd), so --root never reads the host.
//
// http(s) is the seam for the datasource work: it will go through the
// sources module's HTTP fetcher (retries, bounded time) handed in here.
// Until then an http(s) URI is an error, and the caller falls back to the
// entry's `content` as cloud-init does when a download fails.
#pragma once

#include <string>
#include <string_view>

#include "engine/status.h"
#include "engine/system.h"

namespace flamingo {

// The bytes behind `uri`. Errors: "read /srv/x: No such file or directory",
// "http(s) sources are not supported yet", "unsupported URI".
Result<std::string> ReadSource(const SystemReader& sys, std::string_view uri);

}  // namespace flamingo
