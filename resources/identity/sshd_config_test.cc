#include "resources/identity/sshd_config.h"

#include <gtest/gtest.h>

namespace flamingo::identity {
namespace {

TEST(SshdConfigTest, DetectsIncludeOfDropInDirectory) {
  std::vector<std::string> keys = {"PasswordAuthentication"};
  EXPECT_TRUE(IncludesDropIn("Include /etc/ssh/sshd_config.d/*.conf\n",
                             kSshdDropInPath, keys));
  EXPECT_TRUE(IncludesDropIn("include sshd_config.d/*.conf\nPort 22\n",
                             kSshdDropInPath, keys));
  EXPECT_FALSE(IncludesDropIn("Port 22\n", kSshdDropInPath, keys));
  EXPECT_FALSE(
      IncludesDropIn("Include /etc/ssh/other/*.conf\n", kSshdDropInPath, keys));
  // Set before the Include: the main file wins, so the drop-in would not.
  EXPECT_FALSE(IncludesDropIn(
      "PasswordAuthentication yes\nInclude /etc/ssh/sshd_config.d/*.conf\n",
      kSshdDropInPath, keys));
  EXPECT_FALSE(
      IncludesDropIn("Match User x\nInclude /etc/ssh/sshd_config.d/*.conf\n",
                     kSshdDropInPath, keys));
}

TEST(SshdConfigTest, SetOptionReplacesFirstOrInsertsBeforeMatch) {
  std::string c =
      "#PasswordAuthentication yes\nPort 22\npasswordauthentication yes\n"
      "Match User bob\n  PasswordAuthentication yes\n";
  std::string out = SetOption(c, "PasswordAuthentication", "no");
  EXPECT_EQ(out,
            "#PasswordAuthentication yes\nPort 22\nPasswordAuthentication no\n"
            "Match User bob\n  PasswordAuthentication yes\n");
  EXPECT_EQ(GetOption(out, "PASSWORDAUTHENTICATION"), "no");
  EXPECT_EQ(SetOption(out, "PasswordAuthentication", "no"), out);
  std::string added = SetOption(c, "PermitRootLogin", "no");
  EXPECT_EQ(
      added,
      "#PasswordAuthentication yes\nPort 22\npasswordauthentication yes\n"
      "PermitRootLogin no\nMatch User bob\n  PasswordAuthentication yes\n");
  EXPECT_EQ(SetOption("Port 22", "PermitRootLogin", "no"),
            "Port 22\nPermitRootLogin no\n");
}

}  // namespace
}  // namespace flamingo::identity
