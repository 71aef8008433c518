#include "resources/unit_file.h"

#include <gtest/gtest.h>

namespace flamingo {
namespace {

TEST(UnitNameTest, AcceptsSystemdNames) {
  for (const char* n :
       {"docker.service", "sshd.socket", "getty@tty1.service", "getty@.service",
        "a-b_c:d.e\\x2d.timer", "user@1000.service", "foo@bar@baz.service",
        "-.mount", "multi-user.target"}) {
    EXPECT_EQ(UnitNameError(n), "") << n;
  }
}

TEST(UnitNameTest, RejectsWhatSystemdRejects) {
  EXPECT_NE(UnitNameError(""), "");
  EXPECT_NE(UnitNameError("docker"), "");
  EXPECT_NE(UnitNameError(".service"), "");
  EXPECT_NE(UnitNameError("docker.servic"), "");
  EXPECT_NE(UnitNameError("@foo.service"), "");
  EXPECT_NE(UnitNameError("../etc/passwd.service"), "");
  EXPECT_NE(UnitNameError("a b.service"), "");
  EXPECT_NE(UnitNameError(std::string(248, 'a') + ".service"), "");
  EXPECT_EQ(UnitNameError(std::string(247, 'a') + ".service"), "");
}

TEST(UnitNameTest, Templates) {
  EXPECT_TRUE(IsUnitTemplate("getty@.service"));
  EXPECT_FALSE(IsUnitTemplate("getty@tty1.service"));
  EXPECT_EQ(UnitTemplateOf("getty@tty1.service"), "getty@.service");
  EXPECT_EQ(UnitTemplateOf("getty.service"), "");
  EXPECT_EQ(UnitInstance("getty@.service", "tty2"), "getty@tty2.service");
}

TEST(UnitFileTest, ParsesSectionsAssignmentsAndContinuations) {
  ParsedUnit u = ParseUnitFile(
      "# comment\n"
      "[Unit]\n"
      "Description = Redis\n"
      "; another\n"
      "[Service]\n"
      "ExecStart=/bin/sh -c \\\n"
      "  'echo hi'\n"
      "Environment=\n"
      "[Install]\n"
      "WantedBy=multi-user.target  default.target\n");
  ASSERT_TRUE(u.errors.empty()) << u.errors[0].message;
  ASSERT_EQ(u.entries.size(), 4u);
  EXPECT_EQ(u.entries[0].key, "Description");
  EXPECT_EQ(u.entries[0].value, "Redis");
  EXPECT_EQ(u.entries[1].value, "/bin/sh -c  'echo hi'");
  EXPECT_EQ(u.entries[1].line, 6);
  EXPECT_EQ(u.entries[2].value, "");
  EXPECT_EQ(u.entries[3].line, 10);
  EXPECT_EQ(u.sections,
            (std::vector<std::string>{"Unit", "Service", "Install"}));
  InstallInfo i = ParseInstall(u);
  EXPECT_EQ(i.wanted_by,
            (std::vector<std::string>{"multi-user.target", "default.target"}));
}

TEST(UnitFileTest, ReportsEveryBadLineWithItsNumber) {
  ParsedUnit u = ParseUnitFile(
      "Description=before any section\n"
      "[Unit\n"
      "[Service]\n"
      "this is not an assignment\n"
      "=value\n"
      "Ok=1\n");
  ASSERT_EQ(u.errors.size(), 4u);
  EXPECT_EQ(u.errors[0].line, 1);
  EXPECT_NE(u.errors[0].message.find("outside of any section"),
            std::string::npos);
  EXPECT_EQ(u.errors[1].line, 2);
  EXPECT_EQ(u.errors[2].line, 4);
  EXPECT_NE(u.errors[2].message.find("Key=Value"), std::string::npos);
  EXPECT_EQ(u.errors[3].line, 5);
  ASSERT_EQ(u.entries.size(), 1u);
}

TEST(UnitFileTest, InstallEmptyAssignmentResetsTheList) {
  InstallInfo i = ParseInstall(ParseUnitFile(
      "[Install]\nWantedBy=a.target\nWantedBy=\nWantedBy=b.target\n"
      "Alias=x.service\nAlso=y.socket\nDefaultInstance=tty1\n"));
  EXPECT_EQ(i.wanted_by, (std::vector<std::string>{"b.target"}));
  EXPECT_EQ(i.alias, (std::vector<std::string>{"x.service"}));
  EXPECT_EQ(i.also, (std::vector<std::string>{"y.socket"}));
  EXPECT_EQ(i.default_instance, "tty1");
  EXPECT_FALSE(i.Empty());
  EXPECT_TRUE(ParseInstall(ParseUnitFile("[Unit]\nA=b\n")).Empty());
}

}  // namespace
}  // namespace flamingo
