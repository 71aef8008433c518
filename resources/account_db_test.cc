#include "resources/account_db.h"

#include <gtest/gtest.h>

#include "system/fake_system.h"

namespace flamingo {
namespace {

TEST(AccountDbCacheTest, ParsesAgainOnlyWhenAFileChanged) {
  FakeSystem sys;
  sys.AddFile("/etc/passwd",
              "root:x:0:0::/root:/bin/sh\nann:x:1000:1000::/:\n");
  sys.AddFile("/etc/group", "root:x:0:\nann:x:1000:\n");
  AccountDbCache cache;
  auto first = cache.Get(sys);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ((*first)->UserId("ann"), 1000u);
  auto second = cache.Get(sys);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->get(), second->get());  // not parsed again
  // Same size, other content: the file's identity tells.
  sys.AddFile("/etc/passwd",
              "root:x:0:0::/root:/bin/sh\nann:x:1001:1000::/:\n");
  auto third = cache.Get(sys);
  ASSERT_TRUE(third.ok());
  EXPECT_NE(first->get(), third->get());
  EXPECT_EQ((*third)->UserId("ann"), 1001u);
  ASSERT_TRUE(sys.Remove("/etc/group").ok());
  auto fourth = cache.Get(sys);
  ASSERT_TRUE(fourth.ok());
  EXPECT_FALSE((*fourth)->GroupId("ann").has_value());
}

}  // namespace
}  // namespace flamingo
