// A tiny HTTP/1.1 server for tests: listens on 127.0.0.1 on an ephemeral
// port, serves each connection on its own thread through a handler, and can
// inject faults (delay, close without a response, truncated body).
// Only loopback; stopped and joined by the destructor.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "sources/http_client.h"

namespace flamingo::testing {

struct TestRequest {
  std::string method;
  std::string path;                            // with the query string
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string Header(const std::string& n) const {
    auto it = headers.find(n);
    return it == headers.end() ? "" : it->second;
  }
};

struct TestResponse {
  enum class Fault { kNone, kCloseWithoutResponse, kTruncateBody };
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  int delay_ms = 0;  // before answering (interrupted by shutdown)
  Fault fault = Fault::kNone;
  // When non-empty: sent verbatim instead of a response made of the fields
  // above (chunked, close-delimited, malformed responses).
  std::string raw;
  // With `raw`: after sending, keep the connection open this long before
  // closing it (a server that stalls mid-body; interrupted by shutdown).
  int hold_ms = 0;
  static TestResponse Status(int s, std::string body = "") {
    TestResponse r;
    r.status = s;
    r.body = std::move(body);
    return r;
  }
};

class TestHttpServer {
 public:
  using Handler = std::function<TestResponse(const TestRequest&)>;
  // `address`: "127.0.0.1" or "::1" (loopback only).
  explicit TestHttpServer(Handler handler,
                          const std::string& address = "127.0.0.1");
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  bool ok() const { return fd_ >= 0; }
  int port() const { return port_; }
  std::string url() const {
    std::string host = address_.find(':') == std::string::npos
                           ? address_
                           : "[" + address_ + "]";
    return "http://" + host + ":" + std::to_string(port_);
  }
  int request_count() const { return count_.load(); }
  std::vector<TestRequest> requests() const;

 private:
  void Loop();
  void Serve(int conn);
  Handler handler_;
  std::string address_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> count_{0};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<std::thread> workers_;
  std::vector<TestRequest> log_;
};

// The fetch policy of tests against a TestHttpServer: short limits so that
// failures and retries take milliseconds (1 s per request, 0.5 s to connect,
// 3 attempts with 10-50 ms backoff, 3 s in all); the rest as FetchPolicy's
// defaults.
FetchPolicy FastFetchPolicy();

}  // namespace flamingo::testing
