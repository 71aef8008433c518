// libcurl, loaded on the first https:// fetch with dlopen(3): a run that
// fetches nothing over https (every metadata service is plain http, served
// by the built-in client) never maps libcurl and its thirty-odd
// dependencies (TLS, LDAP, SSH, ...), and an image without libcurl works
// except for https URLs.
#pragma once

#include <curl/curl.h>

#include <string>

namespace flamingo {

struct CurlApi {
  decltype(&curl_global_init) global_init;
  decltype(&curl_easy_init) easy_init;
  decltype(&curl_easy_cleanup) easy_cleanup;
  decltype(&curl_easy_setopt) easy_setopt;
  decltype(&curl_easy_perform) easy_perform;
  decltype(&curl_easy_strerror) easy_strerror;
  decltype(&curl_easy_getinfo) easy_getinfo;
  decltype(&curl_getdate) getdate;
  decltype(&curl_slist_append) slist_append;
  decltype(&curl_slist_free_all) slist_free_all;
};

inline constexpr char kCurlSoname[] = "libcurl.so.4";

// The loaded API (`soname`, curl_global_init done), or null with the
// reason in *error (dlerror's message, or the missing symbol). Thread-safe;
// each soname is loaded once per process.
const CurlApi* Curl(std::string* error, const char* soname = kCurlSoname);

}  // namespace flamingo
