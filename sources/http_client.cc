#include "sources/http_client.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <thread>

#include "engine/text.h"
#include "sources/http_curl.h"
#include "sources/http_plain.h"
#include "sources/http_url.h"

namespace flamingo {

namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

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
  std::string v = TrimSpace(value);
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(),
                  [](char c) { return c >= '0' && c <= '9'; })) {
    if (v.size() > 9) return milliseconds(999999999LL * 1000);
    return milliseconds(std::stoll(v) * 1000);
  }
  // IMF-fixdate, RFC 850, asctime (RFC 9110 section 5.6.7); always GMT.
  time_t when = -1;
  for (const char* fmt :
       {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT",
        "%a %b %d %H:%M:%S %Y"}) {
    struct tm tm = {};
    const char* end = strptime(v.c_str(), fmt, &tm);
    if (end != nullptr && *end == '\0') {
      when = timegm(&tm);
      break;
    }
  }
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

namespace {

bool IsRedirect(long s) {
  return s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
}
constexpr int kMaxRedirects = 5;

}  // namespace

struct HttpFetcher::Attempt {
  Result<HttpResponse> result;
  bool permanent = false;  // retrying cannot help
};

HttpFetcher::HttpFetcher(Logger* logger, uint32_t seed)
    : HttpFetcher(logger, seed, nullptr, nullptr) {}

HttpFetcher::HttpFetcher(Logger* logger, uint32_t seed,
                         std::unique_ptr<HttpTransport> http,
                         std::unique_ptr<HttpTransport> https)
    : logger_(logger),
      seed_(seed),
      http_(http ? std::move(http) : MakePlainHttpTransport()),
      https_(https ? std::move(https) : MakeCurlTransport()) {}

HttpFetcher::~HttpFetcher() = default;

HttpFetcher::Attempt HttpFetcher::FetchOnce(const HttpRequest& original,
                                            const FetchPolicy& policy,
                                            milliseconds time_left) {
  const std::string what = original.method + " " + original.url;
  milliseconds timeout = std::min(policy.timeout, time_left);
  if (timeout.count() < 1) timeout = milliseconds(1);
  const auto deadline = Clock::now() + timeout;
  HttpRequest req = original;
  for (int hop = 0;; ++hop) {
    const std::string where =
        hop == 0 ? what : what + ": redirected to " + req.url;
    Result<HttpUrl> url = ParseHttpUrl(req.url);
    if (!url.ok()) {
      return {Status::Error(where + ": " + url.status().message()), true};
    }
    HttpTransport* transport =
        url->scheme == "https" ? https_.get() : http_.get();
    Status available = transport->Available();
    if (!available.ok()) {
      return {Status::Error(where + ": " + available.message()), true};
    }
    // The first hop has the whole attempt (its messages say "timed out
    // after <policy timeout> ms"); redirects what remains of it.
    milliseconds left =
        hop == 0 ? timeout
                 : std::chrono::ceil<milliseconds>(deadline - Clock::now());
    if (left.count() < 1) {
      return {Status::Error(where + ": timed out after " +
                            std::to_string(timeout.count()) +
                            " ms following redirects"),
              false};
    }
    Result<HttpResponse> r = transport->RoundTrip(req, policy, left);
    if (!r.ok()) {
      return {Status::Error(where + ": " + r.status().message()), false};
    }
    if (!policy.follow_redirects || !IsRedirect(r->status) ||
        r->Header("location").empty()) {
      return {std::move(r), false};
    }
    if (hop == kMaxRedirects) {
      return {Status::Error(where + ": more than " +
                            std::to_string(kMaxRedirects) + " redirects"),
              true};
    }
    Result<std::string> next = ResolveLocation(req.url, r->Header("location"));
    if (!next.ok()) {
      return {Status::Error(where + ": HTTP " + std::to_string(r->status) +
                            ": " + next.status().message()),
              true};
    }
    Result<HttpUrl> next_url = ParseHttpUrl(*next);
    if (!next_url.ok()) {
      return {Status::Error(where + ": redirect to " + *next + ": " +
                            next_url.status().message()),
              true};
    }
    if (next_url->scheme != url->scheme ||
        next_url->Authority() != url->Authority()) {
      // Credentials stay with the server they were meant for.
      std::erase_if(req.headers, [](const auto& h) {
        std::string n = AsciiLower(h.first);
        return n == "authorization" || n == "cookie";
      });
    }
    if (r->status == 303 && req.method != "HEAD") {
      req.method = "GET";
      req.body.clear();
    }
    req.url = *next;
  }
}

Result<HttpResponse> HttpFetcher::Fetch(const HttpRequest& req,
                                        const FetchPolicy& policy) {
  if (FileUrlPath(req.url) || req.url.rfind("file:", 0) == 0) {
    if (req.method != "GET") {
      return Status::Error(req.method + " " + req.url +
                           ": only GET on file:// URLs");
    }
    return ReadFileUrl(req.url, policy.max_bytes);
  }
  if (req.method != "GET" && req.method != "PUT" && req.method != "HEAD") {
    return Status::Error(req.method + " " + req.url +
                         ": unsupported method (GET, PUT, HEAD)");
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
    Attempt a = FetchOnce(req, policy, left);
    last = std::move(a.result);
    if (a.permanent) return last;
    std::optional<milliseconds> retry_after;
    if (last.ok()) {
      last->attempts = attempt;
      if (!Retryable(last->status)) return last;
      retry_after = ParseRetryAfter(last->Header("retry-after"));
    }
    if (attempt == attempts) break;
    if (!rng_) rng_.emplace(seed_ != 0 ? seed_ : std::random_device{}());
    milliseconds wait = BackoffDelay(policy, attempt, retry_after, &*rng_);
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
