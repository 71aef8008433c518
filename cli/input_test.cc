#include "cli/input.h"

#include <gtest/gtest.h>

namespace flamingo {
namespace {

InstanceInput Input(std::string user_data) {
  InstanceInput in;
  in.instance.user_data = std::move(user_data);
  return in;
}

TEST(InputTest, DecodesTheRawUserDataOnce) {
  InstanceInput in = Input("#cloud-config\nhostname: a\n");
  Diagnostics diags;
  DecodeInstanceUserData(&in, &diags);
  EXPECT_TRUE(diags.empty());
  ASSERT_NE(in.config.Get("hostname"), nullptr);
  EXPECT_EQ(in.config.Get("hostname")->text(), "a");
}

TEST(InputTest, ReleasedUserDataIsNeverDecodedAsEmpty) {
  InstanceInput in = Input("#cloud-config\nhostname: a\n");
  ReleaseRawUserData(&in);
  EXPECT_TRUE(in.instance.user_data.empty());
  EXPECT_EQ(in.instance.user_data.capacity(), std::string().capacity());
  Diagnostics diags;
  DecodeInstanceUserData(&in, &diags);
  ASSERT_TRUE(diags.HasErrors());
  EXPECT_EQ(diags.items()[0].ToString(),
            "user-data: internal error: decoded again after it was released");
  EXPECT_FALSE(in.user_data_decoded);
}

}  // namespace
}  // namespace flamingo
