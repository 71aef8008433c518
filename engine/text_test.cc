#include "engine/text.h"

#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace flamingo {
namespace {

TEST(Text, AsciiLowerChangesOnlyUpperCaseLetters) {
  EXPECT_EQ(AsciiLower("Content-TYPE: Text/X-ShellScript"),
            "content-type: text/x-shellscript");
  EXPECT_EQ(AsciiLower(""), "");
  EXPECT_EQ(AsciiLower("@[`{ 09_"), "@[`{ 09_");  // neighbours of A-Z, a-z
  EXPECT_EQ(AsciiLower("\xC3\x89T\xC3\x89"), "\xC3\x89t\xC3\x89");  // UTF-8 É
}

TEST(Text, AsciiLowerMatchesCLocaleTolowerOnEveryByte) {
  for (int i = 0; i < 256; ++i) {
    char c = static_cast<char>(i);
    char want = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(AsciiLower(std::string(1, c)), std::string(1, want)) << i;
  }
}

TEST(Text, AsciiLowerKeepsEmbeddedNul) {
  std::string in("A\0B", 3);
  EXPECT_EQ(AsciiLower(in), std::string("a\0b", 3));
}

TEST(Text, TrimSpaceStripsSpaceTabCrLfAtBothEnds) {
  EXPECT_EQ(TrimSpace("  \t\r\nhello world\n\r\t "), "hello world");
  EXPECT_EQ(TrimSpace("a \t b"), "a \t b");  // inner whitespace kept
  EXPECT_EQ(TrimSpace("x"), "x");
  EXPECT_EQ(TrimSpace(""), "");
  EXPECT_EQ(TrimSpace(" \t\r\n"), "");
  // Other whitespace (vertical tab, form feed) is not in the set.
  EXPECT_EQ(TrimSpace("\v\fx\f\v"), "\v\fx\f\v");
}

TEST(Text, TrimSpaceWithAGivenSet) {
  // HTTP optional whitespace: CR and LF are kept.
  EXPECT_EQ(TrimSpace(" \tvalue\r\n", " \t"), "value\r\n");
  EXPECT_EQ(TrimSpace("\r\n value \t", " \t"), "\r\n value");
  EXPECT_EQ(TrimSpace(" \t \t", " \t"), "");
  EXPECT_EQ(TrimSpace("xxabcxx", "x"), "abc");
}

TEST(Text, IsValidUtf8FollowsRfc3629) {
  for (const char* ok :
       {"", "ascii", "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x90\xa6",
        "\xed\x9f\xbf", "\xf4\x8f\xbf\xbf"}) {
    EXPECT_TRUE(IsValidUtf8(ok)) << ok;
  }
  for (const char* bad :
       {"\xff", "a\x80", "\xc3", "\xc0\xaf",     // stray, cut, overlong
        "\xe0\x80\xaf", "\xed\xa0\x80",          // overlong, surrogate
        "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",  // above U+10FFFF
        "\xe2\x82", "\xe2\x28\xa1"}) {
    EXPECT_FALSE(IsValidUtf8(bad)) << bad;
  }
}

using Lines = std::vector<std::string_view>;

TEST(Text, SplitLinesAtNewlines) {
  EXPECT_EQ(SplitLines(""), Lines{});
  EXPECT_EQ(SplitLines("a"), Lines{"a"});
  EXPECT_EQ(SplitLines("a\n"), Lines{"a"});  // no empty line after the last
  EXPECT_EQ(SplitLines("a\n\nb"), (Lines{"a", "", "b"}));
  EXPECT_EQ(SplitLines("\n"), Lines{""});
  EXPECT_EQ(SplitLines("a\r\nb\n\n"), (Lines{"a\r", "b", ""}));
}

TEST(Text, NonEmptyLinesStripTheirEndsAndDropWhatIsLeftEmpty) {
  EXPECT_EQ(NonEmptyLines("a\r\n\r\n\nb"), (Lines{"a", "b"}));
  EXPECT_EQ(NonEmptyLines(" a \r\n  \n"), (Lines{" a ", "  "}));  // CR only
  EXPECT_EQ(NonEmptyLines(" a \r\n  \n", " \r"), Lines{" a"});
  EXPECT_EQ(NonEmptyLines(""), Lines{});
}

TEST(Text, SplitStringKeepsEmptyPieces) {
  EXPECT_EQ(SplitString("a::b", ":"), (Lines{"a", "", "b"}));
  EXPECT_EQ(SplitString("rsa, ecdsa", ", "), (Lines{"rsa", "ecdsa"}));
  EXPECT_EQ(SplitString(":a:", ":"), (Lines{"", "a", ""}));
  EXPECT_EQ(SplitString("", ":"), Lines{""});
}

TEST(Text, JoinStringsPutsTheSeparatorBetweenItems) {
  EXPECT_EQ(JoinStrings(std::vector<std::string>{"a", "b", "c"}, ", "),
            "a, b, c");
  EXPECT_EQ(JoinStrings(std::set<std::string>{"y", "x"}, "; "), "x; y");
  EXPECT_EQ(JoinStrings(std::vector<std::string>{"", "b"}, ","), ",b");
  EXPECT_EQ(JoinStrings(std::vector<std::string>{}, ","), "");
}

TEST(Text, FirstContentLineSkipsBlanksAndComments) {
  EXPECT_EQ(FirstContentLine("# a comment\n\n  web01 \r\nother\n"), "web01");
  EXPECT_EQ(FirstContentLine("Europe/Berlin"), "Europe/Berlin");
  EXPECT_EQ(FirstContentLine("\t\n# only\n"), "");
  EXPECT_EQ(FirstContentLine(""), "");
}

}  // namespace
}  // namespace flamingo
