// The locale module on the FakeSystem.
#include "resources/locale.h"

#include <gtest/gtest.h>

#include "resources/resource_testing.h"

namespace flamingo {
namespace {

using testing::Harness;

class LocaleTest : public ::testing::Test {
 protected:
  void SetUp() override { sys_.AddDir("/etc"); }
  void Converge(const std::string& yaml) {
    ASSERT_EQ(h_.Compile(yaml), "");
    ASSERT_TRUE(h_.Build().ok());
    ASSERT_TRUE(h_.ApplyOn(sys_).ok());
    ASSERT_FALSE(h_.MakePlanOn(sys_).HasChanges());
  }
  std::string File(const char* path) { return sys_.ContentOf(path); }
  FakeSystem sys_;
  Harness h_{{CompileLocale}};
};

TEST_F(LocaleTest, NoLocaleOrFalseLeavesItAlone) {
  EXPECT_EQ(h_.Compile("hostname: a\n"), "");
  EXPECT_EQ(h_.graph().size(), 0u);
  EXPECT_EQ(h_.Compile("locale: false\nlocale_configfile: /etc/x\n"), "");
  EXPECT_EQ(h_.graph().size(), 0u);
}

TEST_F(LocaleTest, CreatesLocaleConf) {
  Converge("locale: fr_CA.UTF-8\n");
  EXPECT_EQ(File("/etc/locale.conf"), "LANG=fr_CA.UTF-8\n");
  EXPECT_EQ(sys_.GetFile("/etc/locale.conf")->attrs.mode, 0644u);
}

TEST_F(LocaleTest, SetsLangAndKeepsTheOtherLines) {
  sys_.AddFile("/etc/locale.conf",
               "# set by the image\nLANG=\"en_US.UTF-8\"\nLC_TIME=C\n",
               {0640, 0, 0});
  ASSERT_EQ(h_.Compile("locale: ar_AE\n"), "");
  ASSERT_TRUE(h_.Build().ok());
  Plan plan = h_.MakePlanOn(sys_);
  const Change* c = testing::FindChange(plan, "locale[/etc/locale.conf]");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->action, Action::kUpdate);
  EXPECT_EQ(c->fields[0].before, "en_US.UTF-8");
  EXPECT_EQ(c->fields[0].after, "ar_AE");
  Converge("locale: ar_AE\n");
  EXPECT_EQ(File("/etc/locale.conf"),
            "# set by the image\nLANG=ar_AE\nLC_TIME=C\n");
  EXPECT_EQ(sys_.GetFile("/etc/locale.conf")->attrs.mode, 0640u);
}

TEST_F(LocaleTest, AQuotedSameValueIsConverged) {
  sys_.AddFile("/etc/locale.conf", "LANG='C.UTF-8'\n");
  ASSERT_EQ(h_.Compile("locale: C.UTF-8\n"), "");
  ASSERT_TRUE(h_.Build().ok());
  EXPECT_FALSE(h_.MakePlanOn(sys_).HasChanges());
}

TEST_F(LocaleTest, AnotherConfigFile) {
  sys_.AddFile("/etc/default/locale", "LANG=C.UTF-8\nLANG=de_DE\n");
  Converge("locale: fr_CA\nlocale_configfile: /etc/default/locale\n");
  EXPECT_EQ(File("/etc/default/locale"), "LANG=fr_CA\n");  // one LANG left
  EXPECT_EQ(File("/etc/locale.conf"), "<missing>");
}

TEST_F(LocaleTest, DriftIsRepaired) {
  Converge("locale: fr_CA\n");
  sys_.AddFile("/etc/locale.conf", "LANG=C\n");
  EXPECT_TRUE(h_.MakePlanOn(sys_).HasChanges());
  Converge("locale: fr_CA\n");
  EXPECT_EQ(File("/etc/locale.conf"), "LANG=fr_CA\n");
}

TEST_F(LocaleTest, BadValuesNameTheirPlace) {
  EXPECT_EQ(h_.Compile("locale: 'fr CA'\n"),
            "user-data:1:9: locale: invalid locale \"fr CA\": letters, digits, "
            "'_', '.', '@' and '-' only (e.g. fr_CA.UTF-8)\n");
  EXPECT_EQ(h_.Compile("locale: fr_CA\nlocale_configfile: etc/x\n"),
            "user-data:2:20: locale_configfile: expected an absolute file "
            "path\n");
}

TEST(LocaleText, LangLines) {
  EXPECT_EQ(LocaleLang("A=1\n  LANG=x\n"), "x");
  EXPECT_EQ(LocaleLang("LANGUAGE=x\n"), std::nullopt);
  EXPECT_EQ(SetLocaleLang("", "x"), "LANG=x\n");
  EXPECT_EQ(SetLocaleLang("A=1", "x"), "A=1\nLANG=x\n");
}

}  // namespace
}  // namespace flamingo
