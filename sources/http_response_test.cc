#include "sources/http_response.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>

namespace flamingo {
namespace {

// Feeds `raw` in pieces of `step` bytes, then EOF unless done.
Result<HttpResponse> Parse(const std::string& raw, size_t step = 0,
                           bool head = false, size_t max = 1 << 20) {
  HttpResponseParser p(head, max);
  if (step == 0) step = raw.size() + 1;
  for (size_t i = 0; i < raw.size() && !p.done(); i += step) {
    Status s = p.Feed(std::string_view(raw).substr(i, step));
    if (!s.ok()) return s;
  }
  if (!p.done()) {
    Status s = p.Finish();
    if (!s.ok()) return s;
  }
  return p.response();
}

TEST(HttpResponseParser, ByteByByteEqualsWhole) {
  const std::string raw =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n"
      "\r\n3\r\nabc\r\nA;e=1\r\n0123456789\r\n0\r\nT: x\r\n\r\n";
  for (size_t step : {0, 1, 2, 3, 7}) {
    auto r = Parse(raw, step);
    ASSERT_TRUE(r.ok()) << step << ": " << r.status().message();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "abc0123456789");
    EXPECT_EQ(r->Header("x-a"), "1");
    EXPECT_EQ(r->Header("t"), "");  // trailers are not headers
  }
}

TEST(HttpResponseParser, NoBodyStatusesAndHead) {
  for (std::string s : {"204 No Content", "304 Not Modified"}) {
    HttpResponseParser p(false, 100);
    ASSERT_TRUE(p.Feed("HTTP/1.1 " + s + "\r\nContent-Length: 5\r\n\r\n").ok());
    EXPECT_TRUE(p.done()) << s;
  }
  HttpResponseParser head(true, 100);
  ASSERT_TRUE(head.Feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n").ok());
  EXPECT_TRUE(head.done());
  EXPECT_EQ(head.response().Header("content-length"), "5");
}

TEST(HttpResponseParser, ReasonIsOptionalAndFoldedHeadersAreJoined) {
  auto r = Parse("HTTP/1.0 404\r\nX-Long: one\r\n  two\r\n\r\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->Header("x-long"), "one two");
}

TEST(HttpResponseParser, TransferEncodingWinsOverContentLength) {
  auto r = Parse(
      "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: "
      "Chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->body, "ok");
}

TEST(HttpResponseParser, LimitCountsAcrossChunks) {
  auto r = Parse(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n",
      0, false, 5);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "response larger than the limit of 5 bytes");
  auto ok = Parse(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
      0, false, 5);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
}

TEST(HttpResponseParser, FailedStaysFailedAndExtraBytesAreIgnored) {
  HttpResponseParser p(false, 100);
  EXPECT_FALSE(p.Feed("HTTP/1.1 abc\r\n").ok());
  EXPECT_FALSE(p.Feed("HTTP/1.1 200 OK\r\n\r\n").ok());
  EXPECT_FALSE(p.Finish().ok());
  HttpResponseParser q(false, 100);
  ASSERT_TRUE(q.Feed("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxyz").ok());
  EXPECT_TRUE(q.done());
  EXPECT_TRUE(q.Feed("more garbage").ok());
  EXPECT_EQ(q.response().body, "x");
}

TEST(HttpResponseParser, ClosedInsideTheStatusLineQuotesIt) {
  auto r = Parse("HTTP/1.1 2");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "connection closed inside the status line \"HTTP/1.1 2\"");
  auto nul = Parse(std::string("HTTP/1.1 200 OK\r\nA: \0\r\n\r\n", 25));
  ASSERT_FALSE(nul.ok());
  EXPECT_NE(nul.status().message().find("\\x00"), std::string::npos)
      << nul.status().message();
}

// Splitting the input anywhere gives the same result as one piece.
RC_GTEST_PROP(HttpResponseParser, SplitsDoNotMatter,
              (const std::string& body, size_t step_seed, bool chunked)) {
  std::string raw = "HTTP/1.1 200 OK\r\n";
  if (chunked) {
    raw += "Transfer-Encoding: chunked\r\n\r\n";
    for (size_t i = 0; i < body.size(); i += 7) {
      std::string part = body.substr(i, 7);
      char hex[16];
      snprintf(hex, sizeof hex, "%zx", part.size());
      raw += std::string(hex) + "\r\n" + part + "\r\n";
    }
    raw += "0\r\n\r\n";
  } else {
    raw += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }
  size_t step = 1 + step_seed % 13;
  auto r = Parse(raw, step);
  RC_ASSERT(r.ok());
  RC_ASSERT(r->body == body);
}

}  // namespace
}  // namespace flamingo
