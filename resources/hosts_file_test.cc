#include "resources/hosts_file.h"

#include <gtest/gtest.h>

namespace flamingo {
namespace {

using Lines = std::vector<std::string>;

const char kLocal4[] =
    "127.0.0.1 localhost localhost.localdomain localhost4 "
    "localhost4.localdomain4";
const char kLocal6[] =
    "::1 localhost localhost.localdomain localhost6 localhost6.localdomain6";

TEST(HostsFileTest, EmptyFileGetsTheWholeBlock) {
  Lines want = DesiredHostsLines("", "web", "web.example.com");
  EXPECT_EQ(want, (Lines{"127.0.1.1 web.example.com web", kLocal4, kLocal6}));
  EXPECT_EQ(RewriteHosts("", want),
            std::string("# BEGIN flamingo manage_etc_hosts\n"
                        "127.0.1.1 web.example.com web\n") +
                kLocal4 + "\n" + kLocal6 +
                "\n# END flamingo manage_etc_hosts\n");
}

TEST(HostsFileTest, SameHostnameAndFqdnIsListedOnce) {
  EXPECT_EQ(DesiredHostsLines("", "web", "web")[0], "127.0.1.1 web");
  EXPECT_EQ(DesiredHostsLines("", "web", "")[0], "127.0.1.1 web");
}

TEST(HostsFileTest, LocalhostLinesOutsideTheBlockAreNotRepeated) {
  std::string text =
      "127.0.0.1   localhost localhost.localdomain\n"
      "::1         localhost ip6-localhost\n"
      "10.0.0.2 db\n";
  EXPECT_EQ(DesiredHostsLines(text, "web", "web.example.com"),
            Lines{"127.0.1.1 web.example.com web"});
}

TEST(HostsFileTest, CommentedLocalhostDoesNotCount) {
  EXPECT_EQ(DesiredHostsLines("# 127.0.0.1 localhost\n", "h", "h").size(), 3u);
}

TEST(HostsFileTest, OtherLinesAreKeptByteForByte) {
  std::string text = "10.0.0.2\tdb   # the database\n\n# comment\n10.0.0.3 x";
  std::string out = RewriteHosts(text, {"127.0.1.1 h"});
  EXPECT_EQ(out, text +
                     "\n# BEGIN flamingo manage_etc_hosts\n127.0.1.1 h\n"
                     "# END flamingo manage_etc_hosts\n");
}

TEST(HostsFileTest, ExistingBlockIsReplacedInPlace) {
  std::string text =
      "10.0.0.1 a\n"
      "# BEGIN flamingo manage_etc_hosts\n127.0.1.1 old\n"
      "# END flamingo manage_etc_hosts\n"
      "10.0.0.2 b\n";
  EXPECT_EQ(ManagedHostsLines(text), Lines{"127.0.1.1 old"});
  EXPECT_EQ(RewriteHosts(text, {"127.0.1.1 new"}),
            "10.0.0.1 a\n"
            "# BEGIN flamingo manage_etc_hosts\n127.0.1.1 new\n"
            "# END flamingo manage_etc_hosts\n"
            "10.0.0.2 b\n");
}

TEST(HostsFileTest, RewriteIsIdempotent) {
  std::string text = "10.0.0.1 a\n";
  Lines want = DesiredHostsLines(text, "h", "h.d");
  std::string once = RewriteHosts(text, want);
  EXPECT_EQ(DesiredHostsLines(once, "h", "h.d"), want);
  EXPECT_EQ(ManagedHostsLines(once), want);
  EXPECT_EQ(RewriteHosts(once, want), once);
}

TEST(HostsFileTest, BeginWithoutEndReplacesOnlyTheMarker) {
  std::string text = "# BEGIN flamingo manage_etc_hosts\n10.0.0.9 keep-me\n";
  EXPECT_EQ(ManagedHostsLines(text), Lines{});
  EXPECT_EQ(RewriteHosts(text, {"127.0.1.1 h"}),
            "# BEGIN flamingo manage_etc_hosts\n127.0.1.1 h\n"
            "# END flamingo manage_etc_hosts\n10.0.0.9 keep-me\n");
}

}  // namespace
}  // namespace flamingo
