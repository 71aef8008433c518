#include "resources/identity/password_hash.h"

#include <gtest/gtest.h>

namespace flamingo::identity {
namespace {

TEST(PasswordHashTest, HashesWithRandomSaltAndVerifies) {
  for (const char* prefix : {"$6$", "$y$", "$5$", "$1$", "$2b$", "$gy$"}) {
    auto a = HashPassword("s3cret", prefix);
    auto b = HashPassword("s3cret", prefix);
    ASSERT_TRUE(a.ok()) << a.status().message();
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(a->rfind(prefix, 0), 0u);
    EXPECT_NE(*a, *b);  // random salt
    EXPECT_TRUE(PasswordMatches("s3cret", *a));
    EXPECT_FALSE(PasswordMatches("s3cret!", *a));
    EXPECT_TRUE(PasswordMatches("s3cret", LockedHash(*a)));
    EXPECT_TRUE(IsValidHash(*a));
  }
}

TEST(PasswordHashTest, PrefixFollowsLoginDefs) {
  EXPECT_EQ(HashPrefixFor("YESCRYPT"), "$y$");
  EXPECT_EQ(HashPrefixFor("SHA512"), "$6$");
  EXPECT_EQ(HashPrefixFor(""), "$6$");
}

TEST(PasswordHashTest, ValidatesHashes) {
  const char* good =
      "$6$rounds=4096$5DJ8a9WMTEzIo5J4$"
      "Yms6imfeBvf3Yfu84mQBerh18l7OR1Wm1BJXZqFSp"
      "J6BVas0AYJqIjP7czkOaAZHZi1kxQ5Y1IhgWN8K9NgxR1";
  EXPECT_TRUE(IsValidHash(good));
  EXPECT_TRUE(IsValidHash(std::string("!") + good));
  EXPECT_TRUE(IsValidHash("*"));
  EXPECT_TRUE(IsValidHash("!"));
  EXPECT_FALSE(IsValidHash("password1"));
  EXPECT_FALSE(IsValidHash("$6$abc$short"));
  EXPECT_FALSE(IsValidHash(std::string(good).substr(0, 60)));
  EXPECT_FALSE(IsValidHash("$6$salt$has:colon"));
  EXPECT_FALSE(IsValidHash(""));
  // Checked by shape (no crypt run), scheme by scheme.
  EXPECT_TRUE(IsValidHash("abJnggxhB/yWI"));  // DES
  EXPECT_FALSE(IsValidHash("abJnggxhB/yW!"));
  EXPECT_TRUE(IsValidHash("$1$saltsalt$qjXMvbEw8oaL.CzflDugX/"));
  EXPECT_FALSE(IsValidHash("$1$saltsaltx$qjXMvbEw8oaL.CzflDugX/"));
  EXPECT_TRUE(IsValidHash(
      "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"));
  EXPECT_FALSE(IsValidHash(
      "$2b$1x$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"));
  EXPECT_TRUE(IsValidHash(
      "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd."
      "RhAtQ7"));
  EXPECT_FALSE(IsValidHash("$y$j9T$F5Jx5fExrKuPp53xLKQ..1$short"));
  EXPECT_FALSE(IsValidHash(std::string(good).replace(8, 1, "x")));  // rounds
  EXPECT_FALSE(IsValidHash("$6$toolongsaltvalue1234$" + std::string(86, 'a')));
  EXPECT_TRUE(IsValidHash("$6$saltvalue1234567$" + std::string(86, 'a')));
  EXPECT_FALSE(IsValidHash("$6$salt$" + std::string(86, 'a') + "$x"));
}

TEST(PasswordHashTest, LockHelpers) {
  EXPECT_EQ(LockedHash("$6$x"), "!$6$x");
  EXPECT_EQ(LockedHash("!$6$x"), "!$6$x");
  EXPECT_EQ(UnlockedHash("!!$6$x"), "$6$x");
  EXPECT_TRUE(IsLocked("!"));
  EXPECT_FALSE(IsLocked("$6$x"));
  EXPECT_FALSE(PasswordMatches("", "!"));
  EXPECT_FALSE(PasswordMatches("x", "*"));
}

}  // namespace
}  // namespace flamingo::identity
