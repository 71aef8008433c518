#include "resources/file_decode.h"

#include <gtest/gtest.h>

#include "engine/codec.h"
#include "resources/resource_testing.h"

namespace flamingo {
namespace {

using testing::ParseYaml;

// The value of key `k` in a one-line YAML map.
Value Scalar(const std::string& yaml) {
  Value m = ParseYaml(yaml, "t");
  return *m.Get("k");
}

TEST(PermissionsTest, QuotedOctalString) {
  EXPECT_EQ(*ParsePermissions(Scalar("k: '0644'")), 0644u);
}

TEST(PermissionsTest, PythonOctalPrefix) {
  EXPECT_EQ(*ParsePermissions(Scalar("k: '0o755'")), 0755u);
  EXPECT_EQ(*ParsePermissions(Scalar("k: '0O600'")), 0600u);
}

TEST(PermissionsTest, OctalWithoutLeadingZero) {
  EXPECT_EQ(*ParsePermissions(Scalar("k: '644'")), 0644u);
}

TEST(PermissionsTest, SetuidBits) {
  EXPECT_EQ(*ParsePermissions(Scalar("k: '4755'")), 04755u);
}

TEST(PermissionsTest, UnquotedOctalIsAlreadyAnIntegerFromPyYaml) {
  // YAML 1.1: 0644 is the integer 420, which cloud-init uses as is.
  Value v = Scalar("k: 0644");
  ASSERT_TRUE(v.is_int());
  EXPECT_EQ(*ParsePermissions(v), 0644u);
}

TEST(PermissionsTest, DecimalIntegerIsTakenAsTheMode) {
  EXPECT_EQ(*ParsePermissions(Scalar("k: 420")), 0644u);
}

TEST(PermissionsTest, NonOctalStringIsAnError) {
  EXPECT_EQ(ParsePermissions(Scalar("k: rw-r--r--")).status().message(),
            "invalid permissions \"rw-r--r--\": expected an octal number "
            "such as \"0644\"");
  EXPECT_EQ(ParsePermissions(Scalar("k: '0889'")).status().message(),
            "invalid permissions \"0889\": expected an octal number such as "
            "\"0644\"");
  EXPECT_EQ(ParsePermissions(Scalar("k: ''")).status().message(),
            "invalid permissions \"\": expected an octal number such as "
            "\"0644\"");
}

TEST(PermissionsTest, TooLargeIsAnError) {
  EXPECT_EQ(ParsePermissions(Scalar("k: '17777'")).status().message(),
            "invalid permissions \"17777\": more than 0o7777");
  EXPECT_EQ(ParsePermissions(Scalar("k: 4096")).status().message(),
            "invalid permissions 4096: more than 0o7777");
}

TEST(PermissionsTest, NegativeIsAnError) {
  EXPECT_EQ(ParsePermissions(Scalar("k: -1")).status().message(),
            "invalid permissions -1: must not be negative");
}

TEST(PermissionsTest, BoolIsAnError) {
  EXPECT_EQ(ParsePermissions(Scalar("k: true")).status().message(),
            "invalid permissions: expected an octal string such as \"0644\" "
            "or an integer");
}

TEST(PermissionsTest, FormatMode) {
  EXPECT_EQ(FormatMode(0644), "0644");
  EXPECT_EQ(FormatMode(04755), "4755");
  EXPECT_EQ(FormatMode(0), "0000");
}

TEST(OwnerTest, UserAndGroup) {
  OwnerSpec o = ParseOwner("nginx:www");
  EXPECT_EQ(o.user, "nginx");
  EXPECT_EQ(o.group, "www");
}

TEST(OwnerTest, UserAloneKeepsGroupRoot) {
  OwnerSpec o = ParseOwner("alice");
  EXPECT_EQ(o.user, "alice");
  EXPECT_EQ(o.group, "root");
}

TEST(OwnerTest, BlanksNoneAndMinusOneMeanRoot) {
  OwnerSpec o = ParseOwner(" none : -1 ");
  EXPECT_EQ(o.user, "root");
  EXPECT_EQ(o.group, "root");
  OwnerSpec g = ParseOwner(":staff");
  EXPECT_EQ(g.user, "root");
  EXPECT_EQ(g.group, "staff");
}

TEST(EncodingTest, EveryKnownEncodingHasItsSteps) {
  using V = std::vector<std::string>;
  EXPECT_EQ(*EncodingSteps("text/plain"), V{});
  EXPECT_EQ(*EncodingSteps(""), V{});
  for (const char* e : {"b64", "base64"}) {
    EXPECT_EQ(*EncodingSteps(e), V{"base64"}) << e;
  }
  for (const char* e : {"gz", "gzip"}) {
    EXPECT_EQ(*EncodingSteps(e), V{"gzip"}) << e;
  }
  for (const char* e : {"gz+b64", "gz+base64", "gzip+b64", "gzip+base64"}) {
    EXPECT_EQ(*EncodingSteps(e), (V{"base64", "gzip"})) << e;
  }
}

TEST(EncodingTest, CaseAndBlanksAreIgnoredAsCloudInitDoes) {
  EXPECT_EQ(*EncodingSteps(" GZIP+B64 "),
            (std::vector<std::string>{"base64", "gzip"}));
}

TEST(EncodingTest, UnknownEncoding) {
  EXPECT_FALSE(EncodingSteps("rot13").has_value());
}

TEST(DecodeContentTest, PlainTextIsUnchanged) {
  EXPECT_EQ(*DecodeContent(Scalar("k: hello"), "text/plain"), "hello");
}

TEST(DecodeContentTest, Base64) {
  EXPECT_EQ(*DecodeContent(Scalar("k: aGVsbG8="), "b64"), "hello");
}

TEST(DecodeContentTest, GzipBase64) {
  std::string b64 = Base64Encode(GzipCompress("zipped\n"));
  EXPECT_EQ(*DecodeContent(Scalar("k: " + b64), "gz+b64"), "zipped\n");
}

TEST(DecodeContentTest, YamlBinaryIsDecodedBeforeTheEncoding) {
  std::string b64 = Base64Encode(GzipCompress("binary gz\n"));
  EXPECT_EQ(*DecodeContent(Scalar("k: !!binary " + b64), "gzip"),
            "binary gz\n");
  EXPECT_EQ(*DecodeContent(Scalar("k: !!binary aGk="), ""), "hi");
}

TEST(DecodeContentTest, BadBinaryIsAnError) {
  EXPECT_EQ(DecodeContent(Scalar("k: !!binary QQ"), "").status().message(),
            "invalid !!binary data: invalid base64: incorrect padding");
}

TEST(DecodeContentTest, BadBase64IsAnError) {
  EXPECT_EQ(DecodeContent(Scalar("k: QUJDR"), "base64").status().message(),
            "invalid base64: the number of data characters (5) cannot be 1 "
            "more than a multiple of 4");
}

TEST(DecodeContentTest, NotGzipIsAnError) {
  EXPECT_EQ(DecodeContent(Scalar("k: aGVsbG8="), "gz+b64").status().message(),
            "invalid gzip data: not in gzip format");
}

}  // namespace
}  // namespace flamingo
