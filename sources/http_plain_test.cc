// The built-in http:// client (sources/http_plain.h) through HttpFetcher,
// against servers the test starts on loopback: framing, limits, timeouts,
// malformed responses, request headers.
#include "sources/http_plain.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "sources/http_client.h"
#include "tests/test_http_server.h"

namespace flamingo {
namespace {

using flamingo::testing::TestHttpServer;
using flamingo::testing::TestRequest;
using flamingo::testing::TestResponse;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// One attempt: these tests look at what a single request does.
FetchPolicy Fast() {
  FetchPolicy p = flamingo::testing::FastFetchPolicy();
  p.max_attempts = 1;
  return p;
}

long Ms(Clock::time_point start) {
  return static_cast<long>(
      std::chrono::duration_cast<milliseconds>(Clock::now() - start).count());
}

TestResponse Raw(std::string bytes, int hold_ms = 0) {
  TestResponse r;
  r.raw = std::move(bytes);
  r.hold_ms = hold_ms;
  return r;
}

// A server answering every request with `raw`.
class RawServer {
 public:
  explicit RawServer(std::string raw, int hold_ms = 0)
      : srv_([raw, hold_ms](const TestRequest&) { return Raw(raw, hold_ms); }) {
  }
  std::string url(const std::string& path = "/") const {
    return srv_.url() + path;
  }
  TestHttpServer& server() { return srv_; }

 private:
  TestHttpServer srv_;
};

Result<HttpResponse> Get(const std::string& url, FetchPolicy p = Fast(),
                         const std::string& method = "GET") {
  HttpFetcher f(nullptr, 1);
  HttpRequest req;
  req.method = method;
  req.url = url;
  return f.Fetch(req, p);
}

// The error names method, URL and `reason`.
void ExpectError(const Result<HttpResponse>& r, const std::string& method,
                 const std::string& url, const std::string& reason) {
  ASSERT_FALSE(r.ok()) << url;
  const std::string m = r.status().message();
  EXPECT_EQ(m.rfind(method + " " + url + ": ", 0), 0u) << m;
  EXPECT_NE(m.find(reason), std::string::npos) << m << "\nwanted: " << reason;
}

TEST(HttpPlain, SendsHostConnectionCloseAndTheRequestHeaders) {
  TestHttpServer srv(
      [](const TestRequest&) { return TestResponse::Status(200, "x"); });
  HttpFetcher f;
  HttpRequest req;
  req.url = srv.url() + "/a/b?c=d#frag";
  req.headers = {{"Metadata-Flavor", "Google"}, {"Connection", "keep-alive"}};
  auto r = f.Fetch(req, Fast());
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(srv.requests().size(), 1u);
  TestRequest got = srv.requests()[0];
  EXPECT_EQ(got.method, "GET");
  EXPECT_EQ(got.path, "/a/b?c=d");
  EXPECT_EQ(got.Header("host"), "127.0.0.1:" + std::to_string(srv.port()));
  EXPECT_EQ(got.Header("connection"), "close");
  EXPECT_EQ(got.Header("metadata-flavor"), "Google");
  EXPECT_EQ(got.Header("user-agent"), "flamingo");
  EXPECT_EQ(got.Header("content-length"), "");
}

TEST(HttpPlain, PutWithBodyAndHeadersAsImdsV2) {
  TestHttpServer srv([](const TestRequest& r) {
    return TestResponse::Status(200, "token-" + r.body);
  });
  HttpFetcher f;
  HttpRequest req;
  req.method = "PUT";
  req.url = srv.url() + "/latest/api/token";
  req.headers = {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}};
  auto r = f.Fetch(req, Fast());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->body, "token-");
  req.body = "payload";
  r = f.Fetch(req, Fast());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->body, "token-payload");
  auto reqs = srv.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].method, "PUT");
  EXPECT_EQ(reqs[0].Header("x-aws-ec2-metadata-token-ttl-seconds"), "21600");
  EXPECT_EQ(reqs[0].Header("content-length"), "0");
  EXPECT_EQ(reqs[1].Header("content-length"), "7");
  EXPECT_EQ(reqs[1].body, "payload");
}

TEST(HttpPlain, ChunkedBodyWithExtensionsAndTrailers) {
  RawServer s(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Thing: A\r\n"
      "x-thing: B\r\n\r\n5;name=value\r\nhello\r\n6\r\n world\r\n"
      "0\r\nTrailer: t\r\n\r\n",
      3000);  // the chunked framing ends it, not the close
  auto start = Clock::now();
  auto r = Get(s.url());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->body, "hello world");
  EXPECT_EQ(r->Header("x-thing"), "B");  // lower-cased, last value
  EXPECT_LT(Ms(start), 1000);
}

TEST(HttpPlain, CloseDelimitedBody) {
  RawServer s("HTTP/1.0 200 OK\nContent-Type: text/plain\n\nuntil the end");
  auto r = Get(s.url());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->body, "until the end");
  EXPECT_EQ(r->Header("content-type"), "text/plain");
}

TEST(HttpPlain, ContentLengthEndsTheBodyWithoutWaitingForClose) {
  RawServer s("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcIGNORED", 3000);
  auto start = Clock::now();
  auto r = Get(s.url());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->body, "abc");
  EXPECT_LT(Ms(start), 1000);
}

TEST(HttpPlain, HeadHasNoBodyWhateverContentLengthSays) {
  RawServer s("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", 3000);
  auto start = Clock::now();
  auto r = Get(s.url(), Fast(), "HEAD");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "");
  EXPECT_EQ(s.server().requests().at(0).method, "HEAD");
  EXPECT_LT(Ms(start), 1000);
}

TEST(HttpPlain, InterimResponsesAreSkipped) {
  RawServer s(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n"
      "\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok");
  auto r = Get(s.url());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "ok");
  EXPECT_EQ(r->Header("link"), "");
}

TEST(HttpPlain, SizeLimitHoldsForEveryFraming) {
  FetchPolicy p = Fast();
  p.max_bytes = 10;
  RawServer exact("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789");
  auto ok = Get(exact.url(), p);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->body, "0123456789");
  for (std::string raw :
       {"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n01234567890",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "6\r\n012345\r\n5\r\n67890\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\n\r\n01234567890"}) {
    RawServer s(raw);
    ExpectError(Get(s.url("/big"), p), "GET", s.url("/big"),
                "response larger than the limit of 10 bytes");
  }
  // A declared length over the limit fails before any body arrives.
  RawServer declared("HTTP/1.1 200 OK\r\nContent-Length: 999999999\r\n\r\n",
                     3000);
  auto start = Clock::now();
  ExpectError(Get(declared.url(), p), "GET", declared.url(),
              "larger than the limit");
  EXPECT_LT(Ms(start), 1000);
}

TEST(HttpPlain, ServerStallingMidBodyTimesOut) {
  RawServer s("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789", 5000);
  FetchPolicy p = Fast();
  p.timeout = milliseconds(300);
  auto start = Clock::now();
  ExpectError(Get(s.url("/stall"), p), "GET", s.url("/stall"),
              "timed out after 300 ms reading the response");
  EXPECT_GE(Ms(start), 250);
  EXPECT_LT(Ms(start), 1500);
}

TEST(HttpPlain, ServerSilentTimesOut) {
  TestHttpServer srv([](const TestRequest&) {
    TestResponse r = TestResponse::Status(200);
    r.delay_ms = 5000;
    return r;
  });
  FetchPolicy p = Fast();
  p.timeout = milliseconds(300);
  auto start = Clock::now();
  ExpectError(Get(srv.url() + "/", p), "GET", srv.url() + "/",
              "timed out after 300 ms waiting for the response");
  EXPECT_LT(Ms(start), 1500);
}

TEST(HttpPlain, ConnectionRefused) {
  int port;
  {
    TestHttpServer srv(
        [](const TestRequest&) { return TestResponse::Status(200); });
    port = srv.port();
  }
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/x";
  ExpectError(
      Get(url), "GET", url,
      "connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");
}

TEST(HttpPlain, EarlyCloseIsAnError) {
  RawServer empty("");
  TestHttpServer closer([](const TestRequest&) {
    TestResponse r;
    r.fault = TestResponse::Fault::kCloseWithoutResponse;
    return r;
  });
  ExpectError(Get(closer.url() + "/"), "GET", closer.url() + "/",
              "connection closed without a response");
  RawServer headers("HTTP/1.1 200 OK\r\nContent-Len");
  ExpectError(Get(headers.url()), "GET", headers.url(),
              "connection closed before the end of the response headers");
  RawServer body("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123");
  ExpectError(Get(body.url()), "GET", body.url(),
              "connection closed after 4 of 10 body bytes");
  RawServer chunk(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab");
  ExpectError(Get(chunk.url()), "GET", chunk.url(),
              "connection closed inside the chunked body");
}

TEST(HttpPlain, MalformedResponsesAreClearErrors) {
  struct Case {
    std::string raw;
    std::string reason;
  };
  for (const Case& c : std::vector<Case>{
           {"SSH-2.0-OpenSSH_9.2\r\n\r\n",
            "malformed status line \"SSH-2.0-OpenSSH_9.2\""},
           {"HTTP/1.1 2x0 OK\r\n\r\n", "malformed status line"},
           {"HTTP/1.1 999 What\r\n\r\n", "malformed status line"},
           {"HTTP/2 200\r\n\r\n", "malformed status line"},
           {"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
            "malformed response header \"no colon here\""},
           {"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
            "malformed response header"},
           {"HTTP/1.1 200 OK\r\n continued: x\r\n\r\n",
            "continuation of nothing"},
           {"HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n",
            "malformed Content-Length \"12abc\""},
           {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            "conflicting Content-Length headers"},
           {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            "unsupported Transfer-Encoding"},
           {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "malformed chunk size \"zz\""},
           {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            "2\r\nabc\r\n0\r\n\r\n",
            "malformed chunked body"},
           {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            "fffffffffffffffff\r\n",
            "chunk size too large"},
           {"HTTP/1.1 101 Switching Protocols\r\n\r\n", "101"},
           {"HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", "stray CR"},
           {"HTTP/1.1 200 OK\r\nX: " + std::string(70000, 'a') + "\r\n\r\n",
            "response headers larger than 65536 bytes"},
       }) {
    RawServer s(c.raw);
    ExpectError(Get(s.url("/m")), "GET", s.url("/m"), c.reason);
  }
}

TEST(HttpPlain, MalformedResponsesAreRetriedLikeOtherTransportFailures) {
  RawServer s("garbage\r\n\r\n");
  FetchPolicy p = Fast();
  p.max_attempts = 3;
  auto r = Get(s.url(), p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(s.server().request_count(), 3);
}

TEST(HttpPlain, HostNamesAreResolved) {
  TestHttpServer srv(
      [](const TestRequest& r) { return TestResponse::Status(200, r.path); });
  // localhost comes from /etc/hosts: no DNS traffic.
  std::string url = "http://localhost:" + std::to_string(srv.port()) + "/n";
  auto r = Get(url);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->body, "/n");
  EXPECT_EQ(srv.requests().at(0).Header("host"),
            "localhost:" + std::to_string(srv.port()));
}

TEST(HttpPlain, Ipv6LiteralWithPort) {
  TestHttpServer srv(
      [](const TestRequest& r) { return TestResponse::Status(200, r.path); },
      "::1");
  if (!srv.ok()) GTEST_SKIP() << "no IPv6 loopback";
  EXPECT_EQ(srv.url(), "http://[::1]:" + std::to_string(srv.port()));
  auto r = Get(srv.url() + "/six");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->body, "/six");
  EXPECT_EQ(srv.requests().at(0).Header("host"),
            "[::1]:" + std::to_string(srv.port()));
}

TEST(HttpPlain, UserInfoBecomesBasicAuth) {
  TestHttpServer srv([](const TestRequest& r) {
    return TestResponse::Status(200, r.Header("authorization"));
  });
  std::string url =
      "http://al%40ice:s3cret@127.0.0.1:" + std::to_string(srv.port()) + "/";
  auto r = Get(url);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->body, "Basic YWxAaWNlOnMzY3JldA==");  // al@ice:s3cret
}

TEST(HttpPlain, BadRequestsFailAtOnceWithoutTraffic) {
  TestHttpServer srv(
      [](const TestRequest&) { return TestResponse::Status(200); });
  HttpFetcher f;
  HttpRequest req;
  req.url = srv.url() + "/";
  req.headers = {{"X-Evil", "a\r\nInjected: yes"}};
  ExpectError(f.Fetch(req, Fast()), "GET", req.url,
              "invalid value of request header X-Evil");
  req.headers = {{"Bad Name", "x"}};
  ExpectError(f.Fetch(req, Fast()), "GET", req.url,
              "invalid request header name");
  FetchPolicy retrying = Fast();
  retrying.max_attempts = 3;
  for (std::string url : {"http://", "http://127.0.0.1:99999/", "http://[::1/",
                          "http://a b/", "gopher://x/"}) {
    HttpRequest bad;
    bad.url = url;
    auto r = f.Fetch(bad, retrying);
    ExpectError(r, "GET", url, "");
    EXPECT_NE(r.status().message().find("URL"), std::string::npos)
        << r.status().message();
  }
  req.headers.clear();
  req.method = "POST";
  ExpectError(f.Fetch(req, Fast()), "POST", req.url, "unsupported method");
  EXPECT_EQ(srv.request_count(), 0);
}

}  // namespace
}  // namespace flamingo
