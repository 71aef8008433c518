// HttpFetcher's redirects (both schemes) and the https:// path: libcurl
// through the transport interface, and a clear error without libcurl.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "sources/http_client.h"
#include "sources/http_curl.h"
#include "tests/test_http_server.h"

namespace flamingo {
namespace {

using flamingo::testing::FastFetchPolicy;
using flamingo::testing::TestHttpServer;
using flamingo::testing::TestRequest;
using flamingo::testing::TestResponse;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

TestResponse Redirect(int status, const std::string& location) {
  TestResponse r = TestResponse::Status(status);
  r.headers.push_back({"Location", location});
  return r;
}

// An https transport that records what it was asked and answers 200.
class RecordingTransport : public HttpTransport {
 public:
  explicit RecordingTransport(std::vector<HttpRequest>* log) : log_(log) {}
  Result<HttpResponse> RoundTrip(const HttpRequest& req, const FetchPolicy&,
                                 milliseconds) override {
    log_->push_back(req);
    HttpResponse r;
    r.status = 200;
    r.body = "secure";
    return r;
  }

 private:
  std::vector<HttpRequest>* log_;
};

TEST(HttpRedirect, RelativeAndAbsoluteLocationsAreFollowed) {
  TestHttpServer srv([](const TestRequest& r) {
    if (r.path == "/a/start") return Redirect(302, "next?x=1");
    if (r.path == "/a/next?x=1") return Redirect(301, "../b/final");
    if (r.path == "/b/final") return TestResponse::Status(200, "arrived");
    return TestResponse::Status(404);
  });
  HttpFetcher f;
  HttpRequest req;
  req.url = srv.url() + "/a/start";
  auto r = f.Fetch(req, FastFetchPolicy());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "arrived");
  EXPECT_EQ(r->attempts, 1);
  EXPECT_EQ(srv.request_count(), 3);
}

TEST(HttpRedirect, AtMostFiveThenAnError) {
  TestHttpServer srv([](const TestRequest& r) {
    return Redirect(307, r.path + "x");  // forever
  });
  HttpFetcher f;
  FetchPolicy p = FastFetchPolicy();
  p.max_attempts = 3;
  auto r = FetchBody(&f, srv.url() + "/loop", p);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("GET " + srv.url() + "/loop"),
            std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("more than 5 redirects"),
            std::string::npos)
      << r.status().message();
  EXPECT_EQ(srv.request_count(), 6);  // not retried
}

TEST(HttpRedirect, NotFollowedWhenThePolicySaysSo) {
  TestHttpServer srv([](const TestRequest&) { return Redirect(302, "/x"); });
  HttpFetcher f;
  FetchPolicy p = FastFetchPolicy();
  p.follow_redirects = false;
  HttpRequest req;
  req.url = srv.url() + "/";
  auto r = f.Fetch(req, p);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(r->Header("location"), "/x");
  EXPECT_EQ(srv.request_count(), 1);
}

TEST(HttpRedirect, SeeOtherTurnsPutIntoGetAndTemporaryKeepsIt) {
  TestHttpServer srv([](const TestRequest& r) {
    if (r.path == "/303") return Redirect(303, "/done");
    if (r.path == "/307") return Redirect(307, "/done");
    return TestResponse::Status(200, r.method + ":" + r.body);
  });
  HttpFetcher f;
  HttpRequest req;
  req.method = "PUT";
  req.body = "b";
  req.url = srv.url() + "/303";
  auto r = f.Fetch(req, FastFetchPolicy());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->body, "GET:");
  req.url = srv.url() + "/307";
  r = f.Fetch(req, FastFetchPolicy());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->body, "PUT:b");
}

TEST(HttpRedirect, CredentialsStayWithTheirServer) {
  TestHttpServer other([](const TestRequest& r) {
    return TestResponse::Status(200, "auth=" + r.Header("authorization") +
                                         " token=" + r.Header("x-token"));
  });
  TestHttpServer srv([&](const TestRequest&) {
    return Redirect(302, other.url() + "/there");
  });
  HttpFetcher f;
  HttpRequest req;
  req.url = srv.url() + "/";
  req.headers = {{"Authorization", "Bearer s3cret"}, {"X-Token", "t"}};
  auto r = f.Fetch(req, FastFetchPolicy());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->body, "auth= token=t");
}

TEST(HttpRedirect, HttpToHttpsGoesThroughTheHttpsTransport) {
  TestHttpServer srv([](const TestRequest&) {
    return Redirect(301, "https://secure.invalid/doc");
  });
  std::vector<HttpRequest> log;
  HttpFetcher f(nullptr, 1, nullptr,
                std::make_unique<RecordingTransport>(&log));
  HttpRequest req;
  req.url = srv.url() + "/doc";
  req.headers = {{"X-Token", "t"}};
  auto r = f.Fetch(req, FastFetchPolicy());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->body, "secure");
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].url, "https://secure.invalid/doc");
  EXPECT_EQ(log[0].method, "GET");
}

TEST(HttpRedirect, OtherSchemesAreRefused) {
  TestHttpServer srv(
      [](const TestRequest&) { return Redirect(302, "file:///etc/shadow"); });
  HttpFetcher f;
  auto r = FetchBody(&f, srv.url() + "/", FastFetchPolicy());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("redirect to file:///etc/shadow"),
            std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("unsupported URL scheme"),
            std::string::npos);
  EXPECT_EQ(srv.request_count(), 1);
}

TEST(HttpsWithoutLibcurl, FailsClearlyAndOnlyHttps) {
  TestHttpServer srv(
      [](const TestRequest&) { return TestResponse::Status(200, "plain"); });
  HttpFetcher f(nullptr, 1, nullptr,
                MakeCurlTransport("libflamingo-no-such-curl.so.4"));
  FetchPolicy p = FastFetchPolicy();
  p.max_attempts = 3;
  p.initial_backoff = milliseconds(400);
  auto start = Clock::now();
  auto r = FetchBody(&f, "https://127.0.0.1:1/x", p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind(
                "GET https://127.0.0.1:1/x: HTTPS needs libcurl "
                "(libflamingo-no-such-curl.so.4): libflamingo-no-such-curl",
                0),
            0u)
      << r.status().message();
  EXPECT_LT(
      std::chrono::duration_cast<milliseconds>(Clock::now() - start).count(),
      300);  // not retried
  auto plain = FetchBody(&f, srv.url() + "/", p);
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_EQ(*plain, "plain");
}

TEST(HttpsThroughLibcurl, ErrorsComeFromLibcurl) {
  int port;
  {
    TestHttpServer srv(
        [](const TestRequest&) { return TestResponse::Status(200); });
    port = srv.port();
  }
  HttpFetcher f(nullptr, 1);
  FetchPolicy p = FastFetchPolicy();
  p.max_attempts = 1;
  std::string url = "https://127.0.0.1:" + std::to_string(port) + "/";
  auto r = FetchBody(&f, url, p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("GET " + url + ": ", 0), 0u)
      << r.status().message();
  EXPECT_EQ(r.status().message().find("needs libcurl"), std::string::npos)
      << r.status().message();
}

TEST(HttpsThroughLibcurl, PlainServerIsNotTls) {
  TestHttpServer srv(
      [](const TestRequest&) { return TestResponse::Status(200, "x"); });
  HttpFetcher f(nullptr, 1);
  FetchPolicy p = FastFetchPolicy();
  p.max_attempts = 1;
  std::string url = "https://127.0.0.1:" + std::to_string(srv.port()) + "/";
  auto r = FetchBody(&f, url, p);
  ASSERT_FALSE(r.ok());  // the TLS handshake fails: libcurl was used
  EXPECT_EQ(r.status().message().rfind("GET " + url + ": ", 0), 0u)
      << r.status().message();
}

}  // namespace
}  // namespace flamingo
