// yum_repos (cc_yum_add_repo) on the FakeSystem, through the real planner
// and applier.
#include "resources/yum_repos.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "resources/resource_testing.h"

namespace flamingo {
namespace {

using ::testing::ElementsAre;
using testing::FindChange;
using testing::Harness;

class YumReposTest : public ::testing::Test {
 protected:
  // Compiles (expecting no diagnostics) and applies.
  ApplyReport Converge(const std::string& yaml) {
    EXPECT_EQ(h_.Compile(yaml), "");
    EXPECT_TRUE(h_.Build().ok());
    return h_.ApplyOn(sys_);
  }
  std::string File(const std::string& path) { return sys_.ContentOf(path); }

  FakeSystem sys_;
  Harness h_{{CompileYumRepos}};
};

TEST_F(YumReposTest, WritesOneFilePerRepositoryAsYumReadsIt) {
  ApplyReport r = Converge(
      "yum_repos:\n"
      "  epel testing:\n"
      "    baseurl: http://example.org/epel/$basearch\n"
      "    enabled: false\n"
      "    gpgcheck: true\n"
      "    Priority: 5\n"
      "    name: EPEL testing\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(File("/etc/yum.repos.d/epel_testing.repo"),
            "# Written by flamingo (cloud-config yum_repos)\n"
            "[epel_testing]\n"
            "baseurl = http://example.org/epel/$basearch\n"
            "enabled = 0\n"
            "gpgcheck = 1\n"
            "priority = 5\n"
            "name = EPEL testing\n");
  auto f = sys_.GetFile("/etc/yum.repos.d/epel_testing.repo");
  EXPECT_EQ(f->attrs.mode, 0644u);
  EXPECT_EQ(f->attrs.uid, 0u);
  EXPECT_EQ(sys_.GetFile("/etc/yum.repos.d")->attrs.mode, 0755u);
  // Converged: nothing more to do.
  EXPECT_FALSE(h_.MakePlanOn(sys_).HasChanges());
}

TEST_F(YumReposTest, FurtherLinesOfAValueAreIndentedAndTheDirectoryIsSet) {
  ASSERT_TRUE(Converge("yum_repo_dir: /store//repos/\n"
                       "yum_repos:\n"
                       "  r:\n"
                       "    baseurl: \"http://a/\\nhttp://b/\\n\"\n")
                  .ok());
  EXPECT_EQ(File("/store/repos/r.repo"),
            "# Written by flamingo (cloud-config yum_repos)\n"
            "[r]\n"
            "baseurl = http://a/\n    http://b/\n");
}

TEST_F(YumReposTest, AFileFlamingoDidNotWriteIsLeftAsItIs) {
  sys_.AddFile("/etc/yum.repos.d/epel.repo", "[epel]\nbaseurl=mine\n",
               {0600, 0, 0});
  ASSERT_EQ(h_.Compile("yum_repos:\n  epel:\n    baseurl: http://x/\n"), "");
  ASSERT_TRUE(h_.Build().ok());
  Plan plan = h_.MakePlanOn(sys_);
  EXPECT_FALSE(plan.HasChanges());
  EXPECT_THAT(plan.notes,
              ElementsAre("yum_repo[/etc/yum.repos.d/epel.repo]: exists and "
                          "was not written by flamingo: left as it is"));
  ASSERT_TRUE(h_.ApplyOn(sys_).ok());
  EXPECT_EQ(File("/etc/yum.repos.d/epel.repo"), "[epel]\nbaseurl=mine\n");
  EXPECT_EQ(sys_.GetFile("/etc/yum.repos.d/epel.repo")->attrs.mode, 0600u);
}

TEST_F(YumReposTest, AFileFlamingoWroteIsKeptAsConfigured) {
  ASSERT_TRUE(Converge("yum_repos:\n  r:\n    baseurl: http://x/\n").ok());
  // Drift by hand is set back.
  sys_.AddFile("/etc/yum.repos.d/r.repo", "[r]\nbaseurl=http://evil/\n",
               {0644, 0, 0});
  Plan plan = h_.MakePlanOn(sys_);
  const Change* c = FindChange(plan, "yum_repo[/etc/yum.repos.d/r.repo]");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->action, Action::kUpdate);
  ASSERT_TRUE(h_.ApplyOn(sys_).ok());
  EXPECT_NE(File("/etc/yum.repos.d/r.repo").find("baseurl = http://x/\n"),
            std::string::npos);
  // A changed configuration is applied to the file flamingo wrote.
  ASSERT_TRUE(
      Converge("yum_repos:\n  r:\n    baseurl: http://y/\n    enabled: 0\n")
          .ok());
  EXPECT_EQ(File("/etc/yum.repos.d/r.repo"),
            "# Written by flamingo (cloud-config yum_repos)\n"
            "[r]\n"
            "baseurl = http://y/\n"
            "enabled = 0\n");
}

TEST_F(YumReposTest, BadRepositoriesAreErrorsWithTheirPlace) {
  EXPECT_EQ(h_.Compile("yum_repo_dir: repos\n"
                       "yum_repos:\n"
                       "  ../x:\n"
                       "    baseurl: http://a/\n"
                       "  b:\n"
                       "    name: only a name\n"
                       "  c d:\n"
                       "    baseurl: http://c/\n"
                       "  c_d:\n"
                       "    baseurl: http://d/\n"),
            "user-data:1:15: yum_repo_dir: must be an absolute path, not "
            "\"repos\"\n"
            "user-data:3:3: yum_repos.../x: repository id \"../x\" cannot "
            "name a .repo file (no '/', and not \".\" or \"..\")\n"
            "user-data:6:5: yum_repos.b: repository \"b\" needs baseurl, "
            "metalink or mirrorlist\n"
            "user-data:9:3: yum_repos.c_d: repository id \"c_d\" names "
            "c_d.repo, as an earlier one does\n");
}

}  // namespace
}  // namespace flamingo
