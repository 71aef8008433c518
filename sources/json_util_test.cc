#include "sources/json_util.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace flamingo {
namespace {

TEST(DatasourceUtil, AddPublicKeyStripsTrailingLineEndsAndSpaces) {
  std::vector<std::string> keys;
  AddPublicKey(&keys, "ssh-ed25519 AAAA a@b \r\n");
  AddPublicKey(&keys, "\tssh-rsa BBBB c@d\t");  // tabs are kept
  EXPECT_EQ(keys, (std::vector<std::string>{"ssh-ed25519 AAAA a@b",
                                            "\tssh-rsa BBBB c@d\t"}));
}

TEST(DatasourceUtil, AddPublicKeySkipsEmptyAndRepeatedKeys) {
  std::vector<std::string> keys;
  AddPublicKey(&keys, "");
  AddPublicKey(&keys, " \r\n");
  AddPublicKey(&keys, "ssh-ed25519 AAAA");
  AddPublicKey(&keys, "ssh-ed25519 AAAA\n");
  AddPublicKey(&keys, "ssh-ed25519 AAAB");
  EXPECT_EQ(keys,
            (std::vector<std::string>{"ssh-ed25519 AAAA", "ssh-ed25519 AAAB"}));
}

}  // namespace
}  // namespace flamingo
