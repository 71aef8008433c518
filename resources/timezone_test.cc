// The timezone module on the FakeSystem.
#include "resources/timezone.h"

#include <gtest/gtest.h>

#include "resources/resource_testing.h"

namespace flamingo {
namespace {

using testing::Harness;

constexpr char kBerlin[] = "TZif2\0\0 berlin";

class TimezoneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sys_.AddDir("/etc");
    sys_.AddFile("/usr/share/zoneinfo/Europe/Berlin",
                 std::string(kBerlin, sizeof(kBerlin) - 1));
    sys_.AddFile("/usr/share/zoneinfo/Etc/UTC", "TZif2 utc");
    // Debian links some zones to others.
    sys_.AddSymlink("/usr/share/zoneinfo/UTC", "Etc/UTC");
  }
  // Compiles (no diagnostics expected), plans; "" or the planning error.
  std::string PlanError(const std::string& yaml) {
    EXPECT_EQ(h_.Compile(yaml), "");
    EXPECT_TRUE(h_.Build().ok());
    Plan p = h_.MakePlanOn(sys_);
    for (const auto& item : p.items) {
      if (!item.error.ok()) return item.error.message();
    }
    return "";
  }
  void Converge(const std::string& yaml) {
    ASSERT_EQ(PlanError(yaml), "");
    ApplyReport r = h_.ApplyOn(sys_);
    ASSERT_TRUE(r.ok());
    ASSERT_FALSE(h_.MakePlanOn(sys_).HasChanges());
  }
  std::string Link(const char* path) {
    auto e = sys_.GetFile(path);
    if (!e) return "<missing>";
    return e->type == FileType::kSymlink ? "-> " + e->target : e->content;
  }

  FakeSystem sys_;
  Harness h_{{CompileTimezone}};
};

TEST_F(TimezoneTest, NoKeyNoResource) {
  EXPECT_EQ(h_.Compile("hostname: a\n"), "");
  EXPECT_EQ(h_.graph().size(), 0u);
}

TEST_F(TimezoneTest, EmptyStringSetsNothing) {
  EXPECT_EQ(h_.Compile("timezone: ''\n"), "");
  EXPECT_EQ(h_.graph().size(), 0u);
}

TEST_F(TimezoneTest, LinksLocaltimeWhereThereIsNone) {
  Converge("timezone: Europe/Berlin\n");
  EXPECT_EQ(Link("/etc/localtime"), "-> ../usr/share/zoneinfo/Europe/Berlin");
  EXPECT_EQ(Link("/etc/timezone"), "<missing>");  // never created
}

TEST_F(TimezoneTest, ReplacesAnotherZonesLinkAndUpdatesEtcTimezone) {
  sys_.AddSymlink("/etc/localtime", "/usr/share/zoneinfo/Etc/UTC");
  sys_.AddFile("/etc/timezone", "Etc/UTC\n");
  ASSERT_EQ(PlanError("timezone: Europe/Berlin\n"), "");
  Plan plan = h_.MakePlanOn(sys_);
  const Change* found = testing::FindChange(plan, "timezone[/etc/localtime]");
  ASSERT_NE(found, nullptr);
  const Change& c = *found;
  EXPECT_EQ(c.action, Action::kUpdate);
  ASSERT_EQ(c.fields.size(), 2u);
  EXPECT_EQ(c.fields[0].name, "localtime");
  EXPECT_EQ(c.fields[0].before, "/usr/share/zoneinfo/Etc/UTC");
  EXPECT_EQ(c.fields[0].after, "../usr/share/zoneinfo/Europe/Berlin");
  EXPECT_EQ(c.fields[1].name, "etc_timezone");
  EXPECT_EQ(c.fields[1].before, "Etc/UTC");
  Converge("timezone: Europe/Berlin\n");
  EXPECT_EQ(Link("/etc/localtime"), "-> ../usr/share/zoneinfo/Europe/Berlin");
  EXPECT_EQ(Link("/etc/timezone"), "Europe/Berlin\n");
}

TEST_F(TimezoneTest, AnAbsoluteLinkToTheSameZoneIsConverged) {
  sys_.AddSymlink("/etc/localtime", "/usr/share/zoneinfo/Europe/Berlin");
  sys_.AddFile("/etc/timezone", "# set by the image\nEurope/Berlin\n");
  ASSERT_EQ(PlanError("timezone: Europe/Berlin\n"), "");
  EXPECT_FALSE(h_.MakePlanOn(sys_).HasChanges());
}

TEST_F(TimezoneTest, ACopiedZoneFileIsReplacedByTheLink) {
  sys_.AddFile("/etc/localtime", "TZif2 utc");
  Converge("timezone: Europe/Berlin\n");
  EXPECT_EQ(Link("/etc/localtime"), "-> ../usr/share/zoneinfo/Europe/Berlin");
}

TEST_F(TimezoneTest, AZoneThatIsALinkInsideZoneinfoIsAccepted) {
  Converge("timezone: UTC\n");
  EXPECT_EQ(Link("/etc/localtime"), "-> ../usr/share/zoneinfo/UTC");
}

TEST_F(TimezoneTest, DriftIsRepaired) {
  Converge("timezone: Europe/Berlin\n");
  sys_.AddSymlink("/etc/localtime", "../usr/share/zoneinfo/Etc/UTC");
  EXPECT_TRUE(h_.MakePlanOn(sys_).HasChanges());
  Converge("timezone: Europe/Berlin\n");
  EXPECT_EQ(Link("/etc/localtime"), "-> ../usr/share/zoneinfo/Europe/Berlin");
}

TEST_F(TimezoneTest, AnUnknownZoneFailsPlanningAndWritesNothing) {
  EXPECT_EQ(PlanError("timezone: Europe/Berln\n"),
            "timezone[/etc/localtime]: unknown timezone \"Europe/Berln\": "
            "/usr/share/zoneinfo/Europe/Berln does not exist in the target");
  EXPECT_EQ(Link("/etc/localtime"), "<missing>");
}

TEST_F(TimezoneTest, AFileThatIsNoZoneIsRefused) {
  sys_.AddFile("/usr/share/zoneinfo/zone.tab", "# tz\n");
  EXPECT_EQ(PlanError("timezone: zone.tab\n"),
            "timezone[/etc/localtime]: unknown timezone \"zone.tab\": "
            "/usr/share/zoneinfo/zone.tab is "
            "not a zone file (no TZif header)");
}

TEST_F(TimezoneTest, ADirectoryAtLocaltimeIsAnError) {
  sys_.AddDir("/etc/localtime");
  EXPECT_EQ(PlanError("timezone: Europe/Berlin\n"),
            "timezone[/etc/localtime]: /etc/localtime exists and is neither a "
            "symlink nor a file");
}

TEST_F(TimezoneTest, BadNamesAreReportedWithTheirPlace) {
  EXPECT_EQ(h_.Compile("timezone: ../../etc/shadow\n"),
            "user-data:1:11: timezone: invalid timezone \"../../etc/shadow\": "
            "has an empty, \".\" or \"..\" component\n");
  EXPECT_EQ(h_.graph().size(), 0u);
  EXPECT_EQ(h_.Compile("timezone: /usr/share/zoneinfo/UTC\n"),
            "user-data:1:11: timezone: invalid timezone "
            "\"/usr/share/zoneinfo/UTC\": absolute: name the zone below "
            "/usr/share/zoneinfo, e.g. Europe/Berlin\n");
  EXPECT_EQ(h_.Compile("timezone: 'Europe/Ber lin'\n"),
            "user-data:1:11: timezone: invalid timezone \"Europe/Ber lin\": "
            "has the character ' ' (allowed: letters, digits, '.', '_', '+', "
            "'-', '/')\n");
  EXPECT_EQ(h_.Compile("timezone: [UTC]\n"),
            "user-data:1:11: timezone: expected a string, got a list\n");
}

TEST(TimezoneName, Problems) {
  EXPECT_EQ(TimezoneNameProblem("America/Argentina/Buenos_Aires"), "");
  EXPECT_EQ(TimezoneNameProblem("Etc/GMT+5"), "");
  EXPECT_EQ(TimezoneNameProblem("EST5EDT"), "");
  EXPECT_NE(TimezoneNameProblem(""), "");
  EXPECT_NE(TimezoneNameProblem("Europe//Berlin"), "");
  EXPECT_NE(TimezoneNameProblem("Europe/"), "");
  EXPECT_NE(TimezoneNameProblem("./UTC"), "");
  EXPECT_NE(TimezoneNameProblem(std::string(256, 'a')), "");
}

}  // namespace
}  // namespace flamingo
