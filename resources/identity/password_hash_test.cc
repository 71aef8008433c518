#include "resources/identity/password_hash.h"

#include <gtest/gtest.h>

namespace flamingo::identity {
namespace {

TEST(PasswordHashTest, HashesWithRandomSaltAndVerifies) {
  for (const char* prefix : {"$6$", "$y$"}) {
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
