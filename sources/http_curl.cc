#include "sources/http_curl.h"

#include <curl/curl.h>

#include <algorithm>
#include <map>
#include <string>

#include "engine/text.h"

namespace flamingo {

namespace {

using std::chrono::milliseconds;

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
    t->headers.clear();  // a new response (100-continue)
    return len;
  }
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    t->headers[AsciiLower(TrimSpace(line.substr(0, colon)))] =
        TrimSpace(line.substr(colon + 1));
  }
  return len;
}

class CurlTransport : public HttpTransport {
 public:
  explicit CurlTransport(const char* soname) : soname_(soname) {}

  Status Available() override {
    std::string why;
    if (Curl(&why, soname_) != nullptr) return Status::Ok();
    return Status::Error("HTTPS needs libcurl (" + std::string(soname_) +
                         "): " + why);
  }

  Result<HttpResponse> RoundTrip(const HttpRequest& req,
                                 const FetchPolicy& policy,
                                 milliseconds timeout) override {
    std::string load_error;
    const CurlApi* api = Curl(&load_error, soname_);
    if (api == nullptr) {
      return Status::Error("HTTPS needs libcurl (" + std::string(soname_) +
                           "): " + load_error);
    }
    std::unique_ptr<CURL, void (*)(CURL*)> curl(api->easy_init(),
                                                api->easy_cleanup);
    if (!curl) return Status::Error("cannot initialise libcurl");
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
    if (timeout.count() < 1) timeout = milliseconds(1);
    api->easy_setopt(c, CURLOPT_URL, req.url.c_str());
    api->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    api->easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // HttpFetcher does
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
    if (req.method == "PUT") {
      api->easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
      api->easy_setopt(c, CURLOPT_POSTFIELDS, req.body.c_str());
      api->easy_setopt(c, CURLOPT_POSTFIELDSIZE,
                       static_cast<long>(req.body.size()));
    } else if (req.method == "HEAD") {
      api->easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (req.method != "GET") {
      return Status::Error("unsupported method");
    }
    CURLcode rc = api->easy_perform(c);
    if (t.oversized || rc == CURLE_FILESIZE_EXCEEDED) {
      return Status::Error("response larger than the limit of " +
                           std::to_string(policy.max_bytes) + " bytes");
    }
    if (rc != CURLE_OK) {
      std::string reason = errbuf[0] ? errbuf : api->easy_strerror(rc);
      if (rc == CURLE_OPERATION_TIMEDOUT) {
        reason = "timed out after " + std::to_string(timeout.count()) +
                 " ms (" + reason + ")";
      }
      return Status::Error(reason);
    }
    HttpResponse resp;
    api->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
    resp.body = std::move(t.body);
    resp.headers = std::move(t.headers);
    return resp;
  }

 private:
  const char* soname_;
};

}  // namespace

std::unique_ptr<HttpTransport> MakeCurlTransport(const char* soname) {
  return std::make_unique<CurlTransport>(soname);
}

}  // namespace flamingo
