// libcurl, loaded on first use with dlopen(3): a run that fetches nothing
// (the NoCloud seed, a config drive, --root image builds) never maps
// libcurl and its thirty-odd dependencies (TLS, LDAP, SSH, ...), which
// costs milliseconds and megabytes at every boot otherwise.
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

// The loaded API (libcurl.so.4, curl_global_init done), or null with the
// reason in *error. Thread-safe; loads once per process.
const CurlApi* Curl(std::string* error);

}  // namespace flamingo
