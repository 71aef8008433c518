// HTTP(S) and file:// fetching for datasources and user-data includes.
//
// Fetcher is the interface every consumer takes (datasources, #include,
// write_files' `source: {uri, headers}`), so tests and other modules can
// inject their own. HttpFetcher is the real one: the retry/backoff loop and
// redirects for both schemes, over two transports (HttpTransport):
//  - http:// (every cloud metadata service): the built-in HTTP/1.1 client
//    (sources/http_plain.h), no library needed;
//  - https://: libcurl, loaded with dlopen on the first https fetch
//    (sources/http_curl.h). libcurl is optional: without it an https fetch
//    fails with "GET https://...: HTTPS needs libcurl (libcurl.so.4): ..."
//    (not retried) and nothing else is affected.
//
// Contract of Fetch():
//  - Transport failures (DNS, refused, timeout, connection closed early,
//    response over the size limit, malformed URL) are errors whose message
//    names the method, the URL and the reason.
//  - Any HTTP status is a *response* (ok Result); 5xx, 429 and transport
//    failures are retried with exponential backoff and full jitter, honouring
//    Retry-After, as long as the total wait stays within policy.total_budget.
//    Other 4xx are not retried. After the last attempt the last response (or
//    error) is returned. Use FetchBody()/FetchOptional() to turn non-2xx
//    statuses into errors.
//  - Redirects (301, 302, 303, 307, 308 with a Location) are followed when
//    policy.follow_redirects, at most 5, to http:// or https:// only, within
//    one attempt's timeout; 303 turns the request into a GET without body;
//    Authorization and Cookie headers are dropped when the host changes.
//    Malformed URLs, redirect errors and a missing libcurl are not retried.
//  - file:// URLs are read from the local filesystem: a missing file is
//    status 404, other read errors are errors; the size limit applies.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "engine/logger.h"
#include "engine/status.h"

namespace flamingo {

struct HttpRequest {
  std::string method = "GET";  // GET, PUT, HEAD
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // sent with PUT
};

struct HttpResponse {
  long status = 0;  // HTTP status; 200 for a readable file:// URL
  std::string body;
  // Response header names lower-cased (the last value of each name).
  std::map<std::string, std::string> headers;
  int attempts = 1;  // how many requests were made
  std::string Header(const std::string& lower_name) const;
};

struct FetchPolicy {
  std::chrono::milliseconds timeout{2000};  // per request, whole transfer
  std::chrono::milliseconds connect_timeout{1000};  // per request
  int max_attempts = 3;
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{2000};
  // Upper bound on the time spent in all attempts and waits together.
  std::chrono::milliseconds total_budget{10000};
  size_t max_bytes = 16u << 20;  // larger responses are refused
  bool follow_redirects = true;  // at most 5, http/https only
};

class Fetcher {
 public:
  virtual ~Fetcher() = default;
  virtual Result<HttpResponse> Fetch(const HttpRequest& request,
                                     const FetchPolicy& policy) = 0;
};

// One request/response exchange with one server: no retries, no redirects
// (a 3xx is returned as a response).
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Ok when the transport can be used; otherwise why not (the fetcher fails
  // at once, without retries).
  virtual Status Available() { return Status::Ok(); }
  // `timeout` bounds the whole exchange, connecting included;
  // policy.connect_timeout bounds connecting, policy.max_bytes the body.
  // Errors give the reason only ("connection refused", "timed out after N
  // ms ..."); the fetcher puts "METHOD URL: " in front.
  virtual Result<HttpResponse> RoundTrip(const HttpRequest& request,
                                         const FetchPolicy& policy,
                                         std::chrono::milliseconds timeout) = 0;
};

class HttpFetcher : public Fetcher {
 public:
  // `logger` may be null; retries are logged at debug level. The built-in
  // http:// transport and the libcurl https:// transport.
  explicit HttpFetcher(Logger* logger = nullptr, uint32_t seed = 0);
  // Other transports (tests); null keeps the default one.
  HttpFetcher(Logger* logger, uint32_t seed,
              std::unique_ptr<HttpTransport> http,
              std::unique_ptr<HttpTransport> https);
  ~HttpFetcher() override;
  Result<HttpResponse> Fetch(const HttpRequest& request,
                             const FetchPolicy& policy) override;

 private:
  struct Attempt;
  Attempt FetchOnce(const HttpRequest& request, const FetchPolicy& policy,
                    std::chrono::milliseconds time_left);
  Logger* logger_;
  uint32_t seed_;  // 0: from std::random_device
  // Seeded at the first backoff: most fetchers (one per run) never retry,
  // and seeding costs a random_device read and 2.5 KB of state.
  std::optional<std::mt19937> rng_;
  std::unique_ptr<HttpTransport> http_;
  std::unique_ptr<HttpTransport> https_;
};

// Reads a file:// URL (or a plain absolute path). Missing file: status 404.
Result<HttpResponse> ReadFileUrl(const std::string& url, size_t max_bytes);

// GET `url`; an error unless the final status is 2xx ("GET URL: HTTP 404").
Result<std::string> FetchBody(
    Fetcher* fetcher, const std::string& url, const FetchPolicy& policy,
    const std::vector<std::pair<std::string, std::string>>& headers = {});

// Like FetchBody, but 404 (a missing optional document) gives nullopt.
Result<std::optional<std::string>> FetchOptional(
    Fetcher* fetcher, const std::string& url, const FetchPolicy& policy,
    const std::vector<std::pair<std::string, std::string>>& headers = {});

// The wait before retry number `attempt` (1-based): full jitter over
// min(max_backoff, initial_backoff * 2^(attempt-1)), at least
// `retry_after` when the server asked for it.
std::chrono::milliseconds BackoffDelay(
    const FetchPolicy& policy, int attempt,
    std::optional<std::chrono::milliseconds> retry_after, std::mt19937* rng);

// Parses a Retry-After header: delta-seconds or an HTTP date (RFC 9110:
// IMF-fixdate, RFC 850 or asctime format).
std::optional<std::chrono::milliseconds> ParseRetryAfter(
    const std::string& value);

// "file:///a/b" -> "/a/b"; nullopt for other schemes.
std::optional<std::string> FileUrlPath(const std::string& url);

}  // namespace flamingo
