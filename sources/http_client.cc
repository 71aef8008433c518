#include "sources/http_client.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <thread>

#include "sources/curl_api.h"

namespace flamingo {

namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

std::string Lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

struct Transfer {
  std::string body;
  std::map<std::string, std::string> headers;
  size_t max_bytes = 0;
  bool oversized = false;
};

size_t WriteCb(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  if (t->body.size() + len > t->max_bytes) {
    t->oversized = true;
    return 0;  // aborts the transfer
  }
  t->body.append(data, len);
  return len;
}

size_t HeaderCb(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  std::string line(data, len);
  if (line.rfind("HTTP/", 0) == 0) {
    t->headers.clear();  // a new response (redirect, 100-continue)
    return len;
  }
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    t->headers[Lower(Trim(line.substr(0, colon)))] =
        Trim(line.substr(colon + 1));
  }
  return len;
}

bool Retryable(long status) { return status == 429 || status >= 500; }

}  // namespace

std::string HttpResponse::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

std::optional<std::string> FileUrlPath(const std::string& url) {
  if (url.rfind("file://", 0) != 0) return std::nullopt;
  std::string rest = url.substr(7);
  // file://localhost/path or file:///path
  if (rest.rfind("localhost/", 0) == 0) rest = rest.substr(9);
  if (rest.empty() || rest[0] != '/') return std::nullopt;
  return rest;
}

Result<HttpResponse> ReadFileUrl(const std::string& url, size_t max_bytes) {
  std::string path = url;
  if (auto p = FileUrlPath(url)) path = *p;
  if (path.empty() || path[0] != '/') {
    return Status::Error("GET " + url + ": not an absolute file:// URL");
  }
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  HttpResponse resp;
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      resp.status = 404;
      return resp;
    }
    return Status::FromErrno("GET " + url, errno);
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return Status::Error("GET " + url + ": not a regular file");
  }
  char buf[65536];
  while (true) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      close(fd);
      return Status::FromErrno("GET " + url, err);
    }
    if (n == 0) break;
    if (resp.body.size() + static_cast<size_t>(n) > max_bytes) {
      close(fd);
      return Status::Error("GET " + url + ": larger than the limit of " +
                           std::to_string(max_bytes) + " bytes");
    }
    resp.body.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  resp.status = 200;
  return resp;
}

std::optional<milliseconds> ParseRetryAfter(const std::string& value) {
  std::string v = Trim(value);
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(),
                  [](char c) { return c >= '0' && c <= '9'; })) {
    if (v.size() > 9) return milliseconds(999999999LL * 1000);
    return milliseconds(std::stoll(v) * 1000);
  }
  const CurlApi* api = Curl(nullptr);
  if (api == nullptr) return std::nullopt;
  time_t when = api->getdate(v.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  time_t now = time(nullptr);
  return milliseconds(when > now ? static_cast<long long>(when - now) * 1000
                                 : 0);
}

milliseconds BackoffDelay(const FetchPolicy& policy, int attempt,
                          std::optional<milliseconds> retry_after,
                          std::mt19937* rng) {
  long long cap = policy.initial_backoff.count();
  for (int i = 1; i < attempt && cap < policy.max_backoff.count(); ++i)
    cap *= 2;
  cap = std::min<long long>(cap, policy.max_backoff.count());
  std::uniform_int_distribution<long long> dist(cap / 2, std::max(cap, 0LL));
  milliseconds d(dist(*rng));
  if (retry_after && *retry_after > d) d = *retry_after;
  return d;
}

CurlFetcher::CurlFetcher(Logger* logger, uint32_t seed)
    : logger_(logger), rng_(seed ? seed : std::random_device{}()) {}

Result<HttpResponse> CurlFetcher::FetchOnce(const HttpRequest& req,
                                            const FetchPolicy& policy,
                                            milliseconds time_left) {
  const std::string what = req.method + " " + req.url;
  std::string load_error;
  // Loaded lazily: runs that fetch nothing never map libcurl or TLS.
  const CurlApi* api = Curl(&load_error);
  if (api == nullptr) return Status::Error(what + ": " + load_error);
  std::unique_ptr<CURL, void (*)(CURL*)> curl(api->easy_init(),
                                              api->easy_cleanup);
  if (!curl) return Status::Error(what + ": cannot initialise libcurl");
  CURL* c = curl.get();
  Transfer t;
  t.max_bytes = policy.max_bytes;
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_slist* hdrs = nullptr;
  for (const auto& [k, v] : req.headers) {
    hdrs = api->slist_append(hdrs, (k + ": " + v).c_str());
  }
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> hdr_guard(
      hdrs, api->slist_free_all);
  milliseconds timeout = std::min(policy.timeout, time_left);
  if (timeout.count() < 1) timeout = milliseconds(1);
  api->easy_setopt(c, CURLOPT_URL, req.url.c_str());
  api->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  api->easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  api->easy_setopt(c, CURLOPT_FOLLOWLOCATION,
                   policy.follow_redirects ? 1L : 0L);
  api->easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  api->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  api->easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  api->easy_setopt(
      c, CURLOPT_CONNECTTIMEOUT_MS,
      static_cast<long>(std::min(policy.connect_timeout, timeout).count()));
  // Metadata services are link-local: never through a proxy.
  api->easy_setopt(
      c, CURLOPT_NOPROXY,
      "127.0.0.1,localhost,::1,169.254.169.254,metadata.google.internal");
  api->easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(policy.max_bytes));
  api->easy_setopt(c, CURLOPT_WRITEFUNCTION, WriteCb);
  api->easy_setopt(c, CURLOPT_WRITEDATA, &t);
  api->easy_setopt(c, CURLOPT_HEADERFUNCTION, HeaderCb);
  api->easy_setopt(c, CURLOPT_HEADERDATA, &t);
  api->easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  api->easy_setopt(c, CURLOPT_USERAGENT, "flamingo");
  api->easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
  if (req.method == "PUT" || req.method == "POST") {
    api->easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    api->easy_setopt(c, CURLOPT_POSTFIELDS, req.body.c_str());
    api->easy_setopt(c, CURLOPT_POSTFIELDSIZE,
                     static_cast<long>(req.body.size()));
  } else if (req.method == "HEAD") {
    api->easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (req.method != "GET") {
    return Status::Error(what + ": unsupported method");
  }
  CURLcode rc = api->easy_perform(c);
  if (t.oversized || rc == CURLE_FILESIZE_EXCEEDED) {
    return Status::Error(what + ": response larger than the limit of " +
                         std::to_string(policy.max_bytes) + " bytes");
  }
  if (rc != CURLE_OK) {
    std::string reason = errbuf[0] ? errbuf : api->easy_strerror(rc);
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      reason = "timed out after " + std::to_string(timeout.count()) + " ms (" +
               reason + ")";
    }
    return Status::Error(what + ": " + reason);
  }
  HttpResponse resp;
  api->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
  resp.body = std::move(t.body);
  resp.headers = std::move(t.headers);
  return resp;
}

Result<HttpResponse> CurlFetcher::Fetch(const HttpRequest& req,
                                        const FetchPolicy& policy) {
  if (FileUrlPath(req.url) || req.url.rfind("file:", 0) == 0) {
    if (req.method != "GET") {
      return Status::Error(req.method + " " + req.url +
                           ": only GET on file:// URLs");
    }
    return ReadFileUrl(req.url, policy.max_bytes);
  }
  const auto start = Clock::now();
  const auto deadline = start + policy.total_budget;
  int attempts = std::max(1, policy.max_attempts);
  Result<HttpResponse> last =
      Status::Error(req.method + " " + req.url + ": not attempted");
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    auto left =
        std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    last = FetchOnce(req, policy, left);
    std::optional<milliseconds> retry_after;
    if (last.ok()) {
      last->attempts = attempt;
      if (!Retryable(last->status)) return last;
      retry_after = ParseRetryAfter(last->Header("retry-after"));
    }
    if (attempt == attempts) break;
    milliseconds wait = BackoffDelay(policy, attempt, retry_after, &rng_);
    left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    std::string why = last.ok() ? "HTTP " + std::to_string(last->status)
                                : last.status().message();
    if (wait >= left) {
      if (logger_) {
        logger_->Debug(req.method + " " + req.url + ": " + why +
                       "; next wait of " + std::to_string(wait.count()) +
                       " ms exceeds the remaining budget, giving up");
      }
      if (retry_after && last.ok()) {
        return Status::Error(req.method + " " + req.url + ": HTTP " +
                             std::to_string(last->status) + ", Retry-After " +
                             last->Header("retry-after") +
                             " exceeds the remaining wait budget of " +
                             std::to_string(left.count()) + " ms");
      }
      break;
    }
    if (logger_) {
      logger_->Debug(req.method + " " + req.url + ": " + why + "; retry " +
                     std::to_string(attempt + 1) + " in " +
                     std::to_string(wait.count()) + " ms");
    }
    std::this_thread::sleep_for(wait);
  }
  return last;
}

namespace {
std::string StatusReason(const std::string& url, const HttpResponse& r) {
  std::string m = "GET " + url + ": HTTP " + std::to_string(r.status);
  if (r.attempts > 1) m += " after " + std::to_string(r.attempts) + " attempts";
  return m;
}
}  // namespace

Result<std::string> FetchBody(
    Fetcher* fetcher, const std::string& url, const FetchPolicy& policy,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  HttpRequest req;
  req.url = url;
  req.headers = headers;
  Result<HttpResponse> r = fetcher->Fetch(req, policy);
  if (!r.ok()) return r.status();
  if (r->status < 200 || r->status > 299)
    return Status::Error(StatusReason(url, *r));
  return std::move(r->body);
}

Result<std::optional<std::string>> FetchOptional(
    Fetcher* fetcher, const std::string& url, const FetchPolicy& policy,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  HttpRequest req;
  req.url = url;
  req.headers = headers;
  Result<HttpResponse> r = fetcher->Fetch(req, policy);
  if (!r.ok()) return r.status();
  if (r->status == 404) return std::optional<std::string>();
  if (r->status < 200 || r->status > 299)
    return Status::Error(StatusReason(url, *r));
  return std::optional<std::string>(std::move(r->body));
}

}  // namespace flamingo
