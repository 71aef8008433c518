#include "resources/hostname_names.h"

#include <gtest/gtest.h>

namespace flamingo {
namespace {

using std::nullopt;

TEST(HostNamesTest, FqdnGivesHostnameItsFirstLabel) {
  HostNames n = ResolveHostNames(nullopt, "web.example.com", "meta.x");
  EXPECT_EQ(n.hostname, "web");
  EXPECT_EQ(n.fqdn, "web.example.com");
}

TEST(HostNamesTest, FqdnAndHostnameBothKept) {
  HostNames n = ResolveHostNames("myhost", "external.fqdn.me", nullopt);
  EXPECT_EQ(n.hostname, "myhost");
  EXPECT_EQ(n.fqdn, "external.fqdn.me");
}

TEST(HostNamesTest, DottedHostnameIsTheFqdn) {
  HostNames n = ResolveHostNames("db.example.org", nullopt, "meta");
  EXPECT_EQ(n.hostname, "db");
  EXPECT_EQ(n.fqdn, "db.example.org");
}

TEST(HostNamesTest, ShortHostnameTakesTheCloudsFqdn) {
  HostNames n = ResolveHostNames("myhost", nullopt, "vm1.example.com");
  EXPECT_EQ(n.hostname, "myhost");
  EXPECT_EQ(n.fqdn, "vm1.example.com");
}

TEST(HostNamesTest, ShortHostnameWithoutCloudDomain) {
  HostNames n = ResolveHostNames("myhost", nullopt, "vm1");
  EXPECT_EQ(n.hostname, "myhost");
  EXPECT_EQ(n.fqdn, "myhost");
}

TEST(HostNamesTest, MetaDataLocalHostnameIsTheFallback) {
  HostNames n = ResolveHostNames(nullopt, nullopt, "external.fqdn.me");
  EXPECT_EQ(n.hostname, "external");
  EXPECT_EQ(n.fqdn, "external.fqdn.me");
}

TEST(HostNamesTest, Ipv4LocalHostnameBecomesIpName) {
  HostNames n = ResolveHostNames(nullopt, nullopt, "10.0.0.5");
  EXPECT_EQ(n.hostname, "ip-10-0-0-5");
  EXPECT_EQ(n.fqdn, "ip-10-0-0-5");
}

TEST(HostNamesTest, NothingGivesNothing) {
  EXPECT_TRUE(ResolveHostNames(nullopt, nullopt, nullopt).empty());
}

TEST(SelectHostnameTest, PreferFqdnTrue) {
  HostNames n{"myhost", "myhost.example.com"};
  EXPECT_EQ(SelectHostname(n, true, true), "myhost.example.com");
}

TEST(SelectHostnameTest, PreferFqdnFalse) {
  HostNames n{"external", "external.fqdn.me"};
  EXPECT_EQ(SelectHostname(n, false, false), "external");
}

TEST(SelectHostnameTest, UnsetPrefersFqdnLikeRhel) {
  HostNames n{"external", "external.fqdn.me"};
  EXPECT_EQ(SelectHostname(n, nullopt, false), "external.fqdn.me");
}

TEST(SelectHostnameTest, UnsetKeepsAnExplicitShortHostname) {
  HostNames n{"myhost", "vm1.example.com"};
  EXPECT_EQ(SelectHostname(n, nullopt, true), "myhost");
}

TEST(HostnameProblemTest, Checks) {
  EXPECT_EQ(HostnameProblem("ok-host.example"), "");
  EXPECT_EQ(HostnameProblem(""), "is empty");
  EXPECT_EQ(HostnameProblem("a b"), "contains whitespace");
  EXPECT_EQ(HostnameProblem("a/b"), "contains '/'");
  EXPECT_EQ(HostnameProblem("-a"), "starts with '-'");
  EXPECT_EQ(HostnameProblem(std::string(254, 'a')),
            "is longer than 253 characters");
}

}  // namespace
}  // namespace flamingo
