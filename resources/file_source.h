// Reading write_files `source.uri` content at plan and apply time.
//
// file:// URIs are read inside the target root through the SystemReader
// (file:///srv/motd = <root>/srv/motd), so --root never reads the host.
// http(s) URIs go through the system's Fetcher (retries with backoff, a
// bounded total time, a size limit), with the entry's `source.headers`.
// On any failure the caller falls back to the entry's `content`, as
// cloud-init does when a download fails. The file kind fetches an http(s)
// source once per run (ContentPiece::fetched), not at every observation.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/status.h"
#include "engine/system.h"

namespace flamingo {

// The bytes behind `uri`. Errors: "read /srv/x: No such file or directory",
// "GET URL: HTTP 404", "no HTTP fetcher available", "unsupported URI".
Result<std::string> ReadSource(
    const SystemReader& sys, std::string_view uri,
    const std::vector<std::pair<std::string, std::string>>& headers = {});

}  // namespace flamingo
