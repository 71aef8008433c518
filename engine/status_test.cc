#include "engine/status.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <utility>

namespace flamingo {
namespace {

TEST(StatusTest, OkHasNoMessage) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.message(), "");
  EXPECT_TRUE(Status::Ok().ok());
  EXPECT_TRUE(s.WithContext("write").ok());
  EXPECT_EQ(sizeof(Status), sizeof(void*));
}

TEST(StatusTest, AnErrorKeepsItsMessageEvenEmpty) {
  EXPECT_FALSE(Status::Error("").ok());
  Status s = Status::Error("No space left on device");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.WithContext("write /a").message(),
            "write /a: No space left on device");
  EXPECT_EQ(s.message(), "No space left on device");  // unchanged
  EXPECT_EQ(Status::FromErrno("open /a", ENOENT).message(),
            "open /a: No such file or directory");
}

TEST(StatusTest, CopiesAreDeepAndMovesLeaveOk) {
  Status a = Status::Error("a");
  Status b = a;
  EXPECT_EQ(b.message(), "a");
  b = b.WithContext("x");
  EXPECT_EQ(a.message(), "a");
  EXPECT_EQ(b.message(), "x: a");
  Status& self = b;
  b = self;
  EXPECT_EQ(b.message(), "x: a");
  a = Status();
  EXPECT_TRUE(a.ok());
  Status c = std::move(b);
  EXPECT_EQ(c.message(), "x: a");
  Result<int> r = Status::Error("bad");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "bad");
  Result<int> v = 7;
  EXPECT_TRUE(v.ok());
  EXPECT_TRUE(v.status().ok());
}

}  // namespace
}  // namespace flamingo
