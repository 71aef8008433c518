// The https:// transport: one libcurl transfer per RoundTrip (libcurl
// loaded with dlopen on first use, sources/curl_api.h). Redirects are not
// followed here (HttpFetcher follows them for both schemes). When libcurl
// cannot be loaded, Available() says so: "HTTPS needs libcurl
// (libcurl.so.4): <dlerror>".
#pragma once

#include <memory>

#include "sources/curl_api.h"
#include "sources/http_client.h"

namespace flamingo {

// `soname`: the library to load (tests name a missing one).
std::unique_ptr<HttpTransport> MakeCurlTransport(
    const char* soname = kCurlSoname);

}  // namespace flamingo
