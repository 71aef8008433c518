#include "resources/identity/sudoers_check.h"

#include <gtest/gtest.h>

namespace flamingo::identity {
namespace {

TEST(SudoersCheckTest, AcceptsCommonRules) {
  for (const char* r : {
           "ALL=(ALL) NOPASSWD:ALL",
           "ALL=(ALL:ALL) ALL",
           "ALL = (root) NOPASSWD: /usr/bin/systemctl restart nginx",
           "host1,!host2=(ALL) /bin/ls, /usr/bin/id : other=ALL",
           "ALL=(%wheel) SETENV: NOPASSWD: sudoedit /etc/hosts",
           "ALL=(ALL) TIMEOUT=10 ALL",
           "ALL=(:wheel) ALL",
           "ALL=ADMIN_CMDS",
           "ALL=(ALL) sha256:abc123 /usr/bin/true",
           "ALL=(ALL) /bin/echo a\\,b\\:c",
           "ALL=(ALL) !/usr/bin/passwd root",
       }) {
    SudoCheck c = CheckSudoRule(r);
    EXPECT_TRUE(c.ok) << r << ": " << c.message << " at " << c.offset;
  }
}

TEST(SudoersCheckTest, RejectsBrokenRulesWithPosition) {
  struct Case {
    const char* rule;
    size_t offset;
  } cases[] = {
      {"ALL(ALL) ALL", 3},           // missing '='
      {"ALL=(ALL NOPASSWD:ALL", 9},  // unclosed runas
      {"ALL=(ALL) bin/ls", 10},      // relative command
      {"ALL=(ALL)", 9},              // no command
      {"=ALL", 0},                   // no host
      {"ALL=ALL\nroot ALL=ALL", 7},  // a second line smuggled in
      {"ALL=(ALL) /bin/x a=b", 18},  // unescaped '='
  };
  for (const auto& c : cases) {
    SudoCheck r = CheckSudoRule(c.rule);
    EXPECT_FALSE(r.ok) << c.rule;
    EXPECT_EQ(r.offset, c.offset) << c.rule << ": " << r.message;
  }
}

}  // namespace
}  // namespace flamingo::identity
