#include "engine/codec.h"

#include <gtest/gtest.h>

namespace flamingo {
namespace {

TEST(Base64Test, DecodesPaddedInput) {
  auto r = Base64Decode("aGVsbG8gd29ybGQ=");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, "hello world");
}

TEST(Base64Test, SkipsWhitespaceAndNonAlphabetLikePython) {
  // cloud-init's own example has a trailing "..." in its base64.
  auto r = Base64Decode(
      "CiMgVGhpcyBmaWxlIGNvbnRyb2xzIHRoZSBzdGF0ZSBvZiBTRUxpbnV4...");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, "\n# This file controls the state of SELinux");
  auto wrapped = Base64Decode("QU JD\nREVG\n");
  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ(*wrapped, "ABCDEF");
}

TEST(Base64Test, StopsAtPaddingThatEndsAQuad) {
  EXPECT_EQ(*Base64Decode("QQ==QQ=="), "A");
  EXPECT_EQ(*Base64Decode("QUJD="), "ABC");
  EXPECT_EQ(*Base64Decode("===="), "");
  EXPECT_EQ(*Base64Decode(""), "");
}

TEST(Base64Test, MissingPaddingIsAnError) {
  auto r = Base64Decode("QQ");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "invalid base64: incorrect padding");
  EXPECT_EQ(Base64Decode("Q=Q=").status().message(),
            "invalid base64: incorrect padding");
}

TEST(Base64Test, OneCharacterOverAMultipleOfFourIsAnError) {
  auto r = Base64Decode("QUJDR");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "invalid base64: the number of data characters (5) cannot be 1 "
            "more than a multiple of 4");
}

TEST(Base64Test, EncodeRoundTripsEveryLength) {
  std::string s;
  for (int i = 0; i < 70; ++i) {
    auto r = Base64Decode(Base64Encode(s));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, s);
    s.push_back(static_cast<char>(i * 37));
  }
  EXPECT_EQ(Base64Encode("ab"), "YWI=");
}

TEST(GzipTest, RoundTrips) {
  std::string text(100000, 'x');
  text += "tail";
  auto r = GunzipLimited(GzipCompress(text));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, text);
}

TEST(GzipTest, DecodesCloudInitExample) {
  auto raw = Base64Decode(
      "H4sIAIDb/U8C/1NW1E/KzNMvzuBKTc7IV8hIzcnJVyjPL8pJ4QIA6N+MVxsAAAA=");
  ASSERT_TRUE(raw.ok());
  auto r = GunzipLimited(*raw);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, "#!/bin/sh\necho hello world\n");
}

TEST(GzipTest, ReadsConcatenatedMembers) {
  auto r = GunzipLimited(GzipCompress("one ") + GzipCompress("two"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "one two");
}

TEST(GzipTest, NotGzipIsAnError) {
  EXPECT_EQ(GunzipLimited("plain text").status().message(),
            "invalid gzip data: not in gzip format");
}

TEST(GzipTest, TruncatedIsAnError) {
  std::string gz = GzipCompress("some text that is long enough to matter");
  EXPECT_EQ(GunzipLimited(gz.substr(0, gz.size() - 12)).status().message(),
            "invalid gzip data: truncated");
}

TEST(GzipTest, CorruptIsAnError) {
  std::string gz = GzipCompress("some text");
  gz[12] = static_cast<char>(gz[12] ^ 0xff);
  gz[13] = static_cast<char>(gz[13] ^ 0xff);
  auto r = GunzipLimited(gz);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("invalid gzip data: ", 0), 0u)
      << r.status().message();
}

TEST(GzipTest, OutputIsBounded) {
  std::string bomb = GzipCompress(std::string(1 << 20, '\0'));
  auto r = GunzipLimited(bomb, 4096);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "gzip data expands beyond 4096 bytes");
}

}  // namespace
}  // namespace flamingo
