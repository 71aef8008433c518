#include "sources/http_url.h"

#include <gtest/gtest.h>

namespace flamingo {
namespace {

TEST(HttpUrl, Parts) {
  auto u = ParseHttpUrl("HTTP://169.254.169.254/latest/meta-data/?x=1#f");
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->host, "169.254.169.254");
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->target, "/latest/meta-data/?x=1");
  EXPECT_EQ(u->HostHeader(), "169.254.169.254");

  u = ParseHttpUrl("http://metadata.google.internal:8080?q");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->target, "/?q");
  EXPECT_EQ(u->HostHeader(), "metadata.google.internal:8080");

  u = ParseHttpUrl("https://[fd00:ec2::254]/latest");
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_TRUE(u->ipv6_literal);
  EXPECT_EQ(u->host, "fd00:ec2::254");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->HostHeader(), "[fd00:ec2::254]");
  EXPECT_EQ(u->Authority(), "[fd00:ec2::254]:443");

  u = ParseHttpUrl("http://[fe80::1%25eth0]:81/");
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_EQ(u->host, "fe80::1%eth0");
  EXPECT_EQ(u->HostHeader(), "[fe80::1]:81");

  u = ParseHttpUrl("http://u%3Ax:p@h:/caf\xc3\xa9");
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_EQ(u->userinfo, "u:x:p");
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->target, "/caf%C3%A9");
}

TEST(HttpUrl, Errors) {
  for (const char* bad :
       {"", "169.254.169.254/x", "ftp://h/", "http:/h", "http://",
        "http://:80/", "http://h:0/", "http://h:65536/", "http://h:8o/",
        "http://[::1/", "http://[::g]/", "http://[::1]x/", "http://h/a b",
        "http://h/\n", "http://ho$t/"}) {
    auto u = ParseHttpUrl(bad);
    EXPECT_FALSE(u.ok()) << bad;
  }
  EXPECT_EQ(ParseHttpUrl("ftp://h/").status().message(),
            "unsupported URL scheme \"ftp\"");
  EXPECT_EQ(ParseHttpUrl("http://h:99999/").status().message(),
            "invalid URL: bad port \"99999\"");
}

TEST(HttpUrl, ResolveLocation) {
  const std::string base = "http://h:81/a/b/c?q=1#frag";
  struct Case {
    const char* location;
    const char* want;
  };
  for (const Case& c : {
           Case{"https://other/x", "https://other/x"},
           Case{"//other:9/y", "http://other:9/y"},
           Case{"/abs?z", "http://h:81/abs?z"},
           Case{"?n=2", "http://h:81/a/b/c?n=2"},
           Case{"d", "http://h:81/a/b/d"},
           Case{"../d/./e#x", "http://h:81/a/d/e"},
           Case{"../../../../up", "http://h:81/up"},
           Case{"./", "http://h:81/a/b/"},
           Case{"..", "http://h:81/a/"},
           Case{"  /trimmed ", "http://h:81/trimmed"},
           Case{"#only", "http://h:81/a/b/c?q=1"},
       }) {
    auto r = ResolveLocation(base, c.location);
    ASSERT_TRUE(r.ok()) << c.location;
    EXPECT_EQ(*r, c.want) << c.location;
  }
  EXPECT_EQ(*ResolveLocation("http://h", "x"), "http://h/x");
  EXPECT_FALSE(ResolveLocation(base, "  ").ok());
}

}  // namespace
}  // namespace flamingo
