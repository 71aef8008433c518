#include "sources/http_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "tests/test_http_server.h"

namespace flamingo {
namespace {

using flamingo::testing::FastFetchPolicy;
using flamingo::testing::TestHttpServer;
using flamingo::testing::TestRequest;
using flamingo::testing::TestResponse;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

long Ms(Clock::time_point start) {
  return static_cast<long>(
      std::chrono::duration_cast<milliseconds>(Clock::now() - start).count());
}

TEST(HttpClient, GetSendsHeadersAndReturnsBody) {
  TestHttpServer srv([](const TestRequest& r) {
    TestResponse resp =
        TestResponse::Status(200, "hello " + r.Header("x-test"));
    resp.headers.push_back({"X-Reply", "yes"});
    return resp;
  });
  ASSERT_TRUE(srv.ok());
  HttpFetcher f;
  HttpRequest req;
  req.url = srv.url() + "/a";
  req.headers = {{"X-Test", "42"}};
  auto r = f.Fetch(req, FastFetchPolicy());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello 42");
  EXPECT_EQ(r->Header("x-reply"), "yes");
}

TEST(HttpClient, PutWithBody) {
  TestHttpServer srv([](const TestRequest& r) {
    return TestResponse::Status(200, r.method + ":" + r.body);
  });
  HttpFetcher f;
  HttpRequest req;
  req.method = "PUT";
  req.url = srv.url() + "/latest/api/token";
  req.body = "x";
  auto r = f.Fetch(req, FastFetchPolicy());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->body, "PUT:x");
}

TEST(HttpClient, NotFoundIsAResponseAndOptional) {
  TestHttpServer srv(
      [](const TestRequest&) { return TestResponse::Status(404); });
  HttpFetcher f;
  auto opt = FetchOptional(&f, srv.url() + "/x", FastFetchPolicy());
  ASSERT_TRUE(opt.ok());
  EXPECT_FALSE(opt->has_value());
  auto body = FetchBody(&f, srv.url() + "/x", FastFetchPolicy());
  ASSERT_FALSE(body.ok());
  EXPECT_NE(body.status().message().find(srv.url() + "/x"), std::string::npos);
  EXPECT_NE(body.status().message().find("HTTP 404"), std::string::npos);
  EXPECT_EQ(srv.request_count(), 2);  // 404 is not retried
}

TEST(HttpClient, ServerErrorsAreRetriedThenReported) {
  TestHttpServer srv(
      [](const TestRequest&) { return TestResponse::Status(500); });
  HttpFetcher f(nullptr, 1);
  auto body = FetchBody(&f, srv.url() + "/m", FastFetchPolicy());
  ASSERT_FALSE(body.ok());
  EXPECT_NE(body.status().message().find("HTTP 500 after 3 attempts"),
            std::string::npos)
      << body.status().message();
  EXPECT_EQ(srv.request_count(), 3);
}

TEST(HttpClient, RecoversAfterTransientFailure) {
  std::atomic<int> n{0};
  TestHttpServer srv([&](const TestRequest&) {
    return ++n < 3 ? TestResponse::Status(503)
                   : TestResponse::Status(200, "ok");
  });
  HttpFetcher f(nullptr, 1);
  HttpRequest req;
  req.url = srv.url() + "/";
  auto r = f.Fetch(req, FastFetchPolicy());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "ok");
  EXPECT_EQ(r->attempts, 3);
}

TEST(HttpClient, RetryAfterIsHonoured) {
  std::atomic<int> n{0};
  TestHttpServer srv([&](const TestRequest&) {
    if (++n == 1) {
      TestResponse r = TestResponse::Status(429);
      r.headers.push_back({"Retry-After", "1"});
      return r;
    }
    return TestResponse::Status(200, "ok");
  });
  HttpFetcher f(nullptr, 1);
  auto start = Clock::now();
  auto body = FetchBody(&f, srv.url() + "/", FastFetchPolicy());
  ASSERT_TRUE(body.ok()) << body.status().message();
  EXPECT_GE(Ms(start), 950);
}

TEST(HttpClient, RetryAfterBeyondBudgetFailsAtOnce) {
  TestHttpServer srv([](const TestRequest&) {
    TestResponse r = TestResponse::Status(503);
    r.headers.push_back({"Retry-After", "120"});
    return r;
  });
  HttpFetcher f(nullptr, 1);
  auto start = Clock::now();
  auto body = FetchBody(&f, srv.url() + "/slow-down", FastFetchPolicy());
  ASSERT_FALSE(body.ok());
  EXPECT_LT(Ms(start), 1000);
  EXPECT_NE(body.status().message().find("Retry-After 120"), std::string::npos)
      << body.status().message();
  EXPECT_NE(body.status().message().find("/slow-down"), std::string::npos);
}

TEST(HttpClient, SlowServerTimesOutWithinTheBudget) {
  TestHttpServer srv([](const TestRequest&) {
    TestResponse r = TestResponse::Status(200, "late");
    r.delay_ms = 5000;
    return r;
  });
  HttpFetcher f(nullptr, 1);
  FetchPolicy p = FastFetchPolicy();
  p.timeout = milliseconds(200);
  p.total_budget = milliseconds(700);
  auto start = Clock::now();
  auto body = FetchBody(&f, srv.url() + "/slow", p);
  ASSERT_FALSE(body.ok());
  EXPECT_LT(Ms(start), 1500);
  EXPECT_NE(body.status().message().find("timed out"), std::string::npos)
      << body.status().message();
  EXPECT_NE(body.status().message().find(srv.url() + "/slow"),
            std::string::npos);
}

TEST(HttpClient, ClosedConnectionAndTruncatedBodyAreErrors) {
  TestHttpServer srv([](const TestRequest& r) {
    TestResponse resp = TestResponse::Status(200, std::string(1000, 'x'));
    resp.fault = r.path == "/close" ? TestResponse::Fault::kCloseWithoutResponse
                                    : TestResponse::Fault::kTruncateBody;
    return resp;
  });
  HttpFetcher f(nullptr, 1);
  FetchPolicy p = FastFetchPolicy();
  p.max_attempts = 2;
  for (std::string path : {"/close", "/truncate"}) {
    auto body = FetchBody(&f, srv.url() + path, p);
    ASSERT_FALSE(body.ok()) << path;
    EXPECT_NE(body.status().message().find(srv.url() + path), std::string::npos)
        << body.status().message();
  }
}

TEST(HttpClient, OversizedResponseRefused) {
  TestHttpServer srv([](const TestRequest&) {
    return TestResponse::Status(200, std::string(200000, 'x'));
  });
  HttpFetcher f(nullptr, 1);
  FetchPolicy p = FastFetchPolicy();
  p.max_bytes = 10000;
  auto body = FetchBody(&f, srv.url() + "/big", p);
  ASSERT_FALSE(body.ok());
  EXPECT_NE(
      body.status().message().find("larger than the limit of 10000 bytes"),
      std::string::npos)
      << body.status().message();
}

TEST(HttpClient, ConnectionRefusedNamesTheUrl) {
  int port;
  {
    TestHttpServer srv(
        [](const TestRequest&) { return TestResponse::Status(200); });
    port = srv.port();
  }
  HttpFetcher f(nullptr, 1);
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/gone";
  auto start = Clock::now();
  auto body = FetchBody(&f, url, FastFetchPolicy());
  ASSERT_FALSE(body.ok());
  EXPECT_LT(Ms(start), 3000);
  EXPECT_NE(body.status().message().find(url), std::string::npos);
}

TEST(HttpClient, FileUrls) {
  auto dir = std::filesystem::temp_directory_path() /
             ("flamingo-http-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  { std::ofstream(dir / "a") << "content"; }
  HttpFetcher f;
  auto ok = FetchBody(&f, "file://" + (dir / "a").string(), FastFetchPolicy());
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, "content");
  auto missing =
      FetchOptional(&f, "file://" + (dir / "nope").string(), FastFetchPolicy());
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  FetchPolicy p = FastFetchPolicy();
  p.max_bytes = 3;
  EXPECT_FALSE(FetchBody(&f, "file://" + (dir / "a").string(), p).ok());
  std::filesystem::remove_all(dir);
}

TEST(HttpClient, BackoffGrowsAndIsCapped) {
  FetchPolicy p;
  p.initial_backoff = milliseconds(100);
  p.max_backoff = milliseconds(400);
  std::mt19937 rng(7);
  for (int i = 0; i < 50; ++i) {
    auto d1 = BackoffDelay(p, 1, std::nullopt, &rng);
    EXPECT_GE(d1.count(), 50);
    EXPECT_LE(d1.count(), 100);
    auto d5 = BackoffDelay(p, 5, std::nullopt, &rng);
    EXPECT_GE(d5.count(), 200);
    EXPECT_LE(d5.count(), 400);
  }
  EXPECT_EQ(BackoffDelay(p, 1, milliseconds(3000), &rng).count(), 3000);
  EXPECT_EQ(ParseRetryAfter("7")->count(), 7000);
  EXPECT_FALSE(ParseRetryAfter("soon").has_value());
  EXPECT_TRUE(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT").has_value());
}

}  // namespace
}  // namespace flamingo
