// Blackbox tests of write_files and hostname: the real binary against
// temporary roots (before-state, config, expected after-state), and every
// bad-input case with its exact message and an unchanged root.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/blackbox.h"

namespace flamingo::blackbox {
namespace {

constexpr char kMeta[] = "instance-id: iid-files-1\n";

class WriteFilesBlackboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_.Write("etc/passwd",
                "root:x:0:0::/root:/bin/sh\n"
                "nginx:x:990:985::/var/lib/nginx:/sbin/nologin\n");
    root_.Write("etc/group", "root:x:0:\nnginx:x:985:\n");
  }
  void Seed(const std::string& user_data, const std::string& meta = kMeta) {
    root_.Write("var/lib/cloud/seed/nocloud/user-data", user_data);
    root_.Write("var/lib/cloud/seed/nocloud/meta-data", meta);
  }
  RunResult Flamingo(std::vector<std::string> args) {
    args.push_back("--root");
    args.push_back(root_.path());
    return RunFlamingo(args);
  }
  struct stat Stat(const std::string& rel) {
    struct stat st {};
    EXPECT_EQ(lstat((root_.path() + "/" + rel).c_str(), &st), 0) << rel;
    return st;
  }
  std::map<std::string, std::string> Target() {
    return TargetSnapshot(root_.path());
  }
  TempDir root_;
};

TEST_F(WriteFilesBlackboxTest, EveryPropertyEndToEnd) {
  root_.Write("etc/crontab", "SHELL=/bin/sh\n");
  root_.Write("srv/templates/motd", "from the image\n");
  Seed(
      "#cloud-config\n"
      "write_files:\n"
      "  - path: /etc/nginx/conf.d/site.conf\n"
      "    content: \"server {}\\n\"\n"
      "    owner: nginx:nginx\n"
      "    permissions: '0640'\n"
      "    defer: true\n"
      "  - path: /usr/bin/hello\n"
      "    encoding: gzip\n"
      "    content: !!binary |\n"
      "      H4sIAIDb/U8C/1NW1E/KzNMvzuBKTc7IV8hIzcnJVyjPL8pJ4QIA6N+MVxsAAAA=\n"
      "    permissions: 0755\n"
      "  - path: /etc/sysconfig/selinux\n"
      "    encoding: b64\n"
      "    content: U0VMSU5VWD1lbmZvcmNpbmcK\n"
      "  - path: /etc/crontab\n"
      "    content: \"15 * * * * root ship_logs\\n\"\n"
      "    append: true\n"
      "  - path: /etc/motd\n"
      "    source:\n"
      "      uri: file:///srv/templates/motd\n"
      "  - path: /root/CLOUD_INIT_WAS_HERE\n");
  RunResult r = Flamingo({"apply"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(root_.Read("etc/nginx/conf.d/site.conf"), "server {}\n");
  struct stat site = Stat("etc/nginx/conf.d/site.conf");
  EXPECT_EQ(site.st_mode & 07777, 0640u);
  EXPECT_EQ(site.st_uid, 990u);
  EXPECT_EQ(site.st_gid, 985u);
  struct stat confd = Stat("etc/nginx/conf.d");
  EXPECT_EQ(confd.st_mode & 07777, 0755u);
  EXPECT_EQ(confd.st_uid, 990u);
  EXPECT_EQ(Stat("etc/nginx").st_uid, 0u);
  EXPECT_EQ(root_.Read("usr/bin/hello"), "#!/bin/sh\necho hello world\n");
  EXPECT_EQ(Stat("usr/bin/hello").st_mode & 07777, 0755u);
  EXPECT_EQ(root_.Read("etc/sysconfig/selinux"), "SELINUX=enforcing\n");
  EXPECT_EQ(Stat("etc/sysconfig/selinux").st_mode & 07777, 0644u);
  EXPECT_EQ(root_.Read("etc/crontab"),
            "SHELL=/bin/sh\n15 * * * * root ship_logs\n");
  EXPECT_EQ(root_.Read("etc/motd"), "from the image\n");
  EXPECT_TRUE(root_.Exists("root/CLOUD_INIT_WAS_HERE"));

  RunResult plan = Flamingo({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  auto once = Target();
  RunResult again = Flamingo({"apply"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(Target(), once);
  EXPECT_EQ(root_.Read("etc/crontab"),
            "SHELL=/bin/sh\n15 * * * * root ship_logs\n");
}

TEST_F(WriteFilesBlackboxTest, PlanNeverPrintsContent) {
  Seed(
      "#cloud-config\nwrite_files:\n  - path: /etc/token\n"
      "    content: hunter2-secret\n");
  RunResult plan = Flamingo({"plan"});
  EXPECT_EQ(plan.out.find("hunter2"), std::string::npos) << plan.out;
  EXPECT_EQ(Flamingo({"plan", "--format", "json"}).out.find("hunter2"),
            std::string::npos);
}

TEST_F(WriteFilesBlackboxTest, DecodingErrorsNameTheirPlaceAndChangeNothing) {
  Seed(
      "#cloud-config\n"
      "write_files:\n"
      "  - path: /etc/a\n"
      "    encoding: b64\n"
      "    content: QUJDR\n"
      "  - path: /etc/b\n"
      "    encoding: gzip\n"
      "    content: !!binary aGVsbG8=\n"
      "  - path: /etc/c\n"
      "    permissions: '0999'\n"
      "  - path: /etc/d\n"
      "    encoding: gz+b64\n"
      "    content: QQ\n"
      "  - path: \"/etc/e\\0f\"\n");
  auto before = Snapshot(root_.path());
  RunResult r = Flamingo({"apply"});
  EXPECT_EQ(r.exit_code, 1);
  const std::string ud = "/var/lib/cloud/seed/nocloud/user-data";
  EXPECT_NE(
      r.err.find(ud + ":5:14: write_files[0].content: invalid base64: the "
                      "number of data characters (5) cannot be 1 more than a "
                      "multiple of 4\n"),
      std::string::npos)
      << r.err;
  EXPECT_NE(
      r.err.find(ud + ":8:14: write_files[1].content: invalid gzip data: not "
                      "in gzip format\n"),
      std::string::npos)
      << r.err;
  EXPECT_NE(
      r.err.find(ud + ":10:18: write_files[2].permissions: invalid "
                      "permissions \"0999\": expected an octal number such "
                      "as \"0644\"\n"),
      std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(ud + ":13:14: write_files[3].content: invalid base64: "
                            "incorrect padding\n"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(ud + ":14:11: write_files[4].path: path must not "
                            "contain a NUL byte\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Snapshot(root_.path()), before);
}

TEST_F(WriteFilesBlackboxTest, UnknownOwnerNamesItsPlaceAndChangesNothing) {
  Seed(
      "#cloud-config\nwrite_files:\n  - path: /etc/a\n  - path: /etc/d\n"
      "    owner: bob:nginx\n");
  auto before = Target();
  RunResult r = Flamingo({"apply"});
  EXPECT_EQ(r.exit_code, 1);
  const std::string ud = "/var/lib/cloud/seed/nocloud/user-data";
  EXPECT_NE((r.out + r.err)
                .find("file[/etc/d]: " + ud +
                      ":5:12: write_files[1].owner: unknown user \"bob\" (not "
                      "in /etc/passwd)"),
            std::string::npos)
      << r.out << r.err;
  EXPECT_EQ(Target(), before);
  EXPECT_FALSE(root_.Exists("etc/a"));
}

// A numeric owner past uid_t: an error, not a crash (it was: std::stoul
// threw) and not wrapped around (4294967296 was taken as 0, root).
TEST_F(WriteFilesBlackboxTest, NumericOwnerOutOfRangeNamesItsPlace) {
  const std::string ud = "/var/lib/cloud/seed/nocloud/user-data";
  for (const char* owner :
       {"4294967296:0", "99999999999999999999:0", "0:4294967295"}) {
    SCOPED_TRACE(owner);
    Seed(std::string("#cloud-config\nwrite_files:\n  - path: /etc/d\n") +
         "    owner: \"" + owner + "\"\n");
    auto before = Target();
    RunResult r = Flamingo({"apply"});
    EXPECT_EQ(r.exit_code, 1);
    const std::string id(owner);
    const bool uid = id.rfind("0:", 0) != 0;
    const std::string number =
        uid ? id.substr(0, id.find(':')) : id.substr(id.find(':') + 1);
    EXPECT_NE(
        (r.out + r.err)
            .find("file[/etc/d]: " + ud +
                  ":4:12: write_files[0].owner: " + (uid ? "uid " : "gid ") +
                  number + " is out of range (0 to 4294967294)"),
        std::string::npos)
        << r.out << r.err;
    EXPECT_EQ(Target(), before);
    EXPECT_FALSE(root_.Exists("etc/d"));
  }
}

TEST_F(WriteFilesBlackboxTest, SymlinkAtPathIsReplacedNotFollowed) {
  TempDir outside;
  outside.Write("victim", "keep\n");
  ASSERT_EQ(symlink((outside.path() + "/victim").c_str(),
                    (root_.path() + "/etc/link").c_str()),
            0);
  Seed("#cloud-config\nwrite_files:\n  - path: /etc/link\n    content: mine\n");
  RunResult r = Flamingo({"apply"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(outside.Read("victim"), "keep\n");
  EXPECT_TRUE(S_ISREG(Stat("etc/link").st_mode));
  EXPECT_EQ(root_.Read("etc/link"), "mine");
}

TEST_F(WriteFilesBlackboxTest, SymlinkedParentStaysInsideTheRoot) {
  TempDir outside;
  // An absolute symlink in the image: resolved inside the root, so the
  // write lands in <root><outside> and never in the host's <outside>.
  ASSERT_EQ(symlink(outside.path().c_str(), (root_.path() + "/srv").c_str()),
            0);
  root_.Write(outside.path().substr(1) + "/.keep", "");
  Seed("#cloud-config\nwrite_files:\n  - path: /srv/x\n    content: in\n");
  RunResult r = Flamingo({"apply"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_FALSE(outside.Exists("x"));
  EXPECT_EQ(root_.Read(outside.path().substr(1) + "/x"), "in");
}

TEST_F(WriteFilesBlackboxTest, FileSourceIsReadFromTheRootNotTheHost) {
  // /etc/os-release exists on the host, not in the root: content is used.
  Seed(
      "#cloud-config\nwrite_files:\n  - path: /etc/copy\n    source:\n"
      "      uri: file:///etc/os-release\n    content: fallback\n");
  RunResult r = Flamingo({"apply"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(root_.Read("etc/copy"), "fallback");
}

TEST_F(WriteFilesBlackboxTest, HostnameUnderRootWritesOnlyTheRoot) {
  char before[256] = {};
  gethostname(before, sizeof(before) - 1);
  root_.Write("etc/hosts", "10.0.0.2 db\n");
  Seed("#cloud-config\nmanage_etc_hosts: localhost\n",
       "instance-id: iid-h\nlocal-hostname: vm7.example.com\n");
  RunResult r = Flamingo({"apply"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(root_.Read("etc/hostname"), "vm7.example.com\n");
  EXPECT_EQ(root_.Read("etc/hosts"),
            "10.0.0.2 db\n"
            "# BEGIN flamingo manage_etc_hosts\n"
            "127.0.1.1 vm7.example.com vm7\n"
            "127.0.0.1 localhost localhost.localdomain localhost4 "
            "localhost4.localdomain4\n"
            "::1 localhost localhost.localdomain localhost6 "
            "localhost6.localdomain6\n"
            "# END flamingo manage_etc_hosts\n");
  char after[256] = {};
  gethostname(after, sizeof(after) - 1);
  EXPECT_STREQ(before, after);
  EXPECT_EQ(Flamingo({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST_F(WriteFilesBlackboxTest, BadHostnameNamesItsPlaceAndChangesNothing) {
  // A type/enum error is the schema's; a semantic one the compiler's.
  // Both at once: the schema error holds the hostname section back, the
  // write_files section still gets its semantic check.
  Seed(
      "#cloud-config\nmanage_etc_hosts: maybe\nwrite_files:\n"
      "  - path: /x\n    permissions: '0999'\n");
  auto before = Snapshot(root_.path());
  RunResult r = Flamingo({"apply"});
  EXPECT_EQ(r.exit_code, 1);
  const std::string ud = "/var/lib/cloud/seed/nocloud/user-data";
  EXPECT_NE(r.err.find(ud + ":2:19: manage_etc_hosts: must be one of: true, "
                            "false, localhost, template (got 'maybe')\n"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(ud + ":5:18: write_files[0].permissions: invalid "
                            "permissions \"0999\""),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Snapshot(root_.path()), before);

  Seed("#cloud-config\nhostname: 'my host'\n");
  before = Snapshot(root_.path());
  r = Flamingo({"apply"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(ud + ":2:11: hostname: invalid hostname \"my host\": "
                            "contains whitespace\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Snapshot(root_.path()), before);
}

TEST_F(WriteFilesBlackboxTest, TimezoneLinksLocaltimeInsideTheRoot) {
  char host_before[256] = {};
  ASSERT_GT(readlink("/etc/localtime", host_before, sizeof(host_before) - 1),
            -1);
  root_.Write("usr/share/zoneinfo/Europe/Berlin", "TZif2 berlin");
  root_.Write("usr/share/zoneinfo/Etc/UTC", "TZif2 utc");
  root_.Write("etc/timezone", "Etc/UTC\n");
  ASSERT_EQ(symlink("/usr/share/zoneinfo/Etc/UTC",
                    (root_.path() + "/etc/localtime").c_str()),
            0);
  Seed("#cloud-config\ntimezone: Europe/Berlin\n");
  RunResult plan = Flamingo({"plan"});
  EXPECT_NE(plan.out.find("~ update timezone[/etc/localtime]"),
            std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("localtime:    /usr/share/zoneinfo/Etc/UTC -> "
                          "../usr/share/zoneinfo/Europe/Berlin\n"),
            std::string::npos)
      << plan.out;
  RunResult r = Flamingo({"apply"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  char link[256] = {};
  ASSERT_GT(readlink((root_.path() + "/etc/localtime").c_str(), link,
                     sizeof(link) - 1),
            0);
  EXPECT_STREQ(link, "../usr/share/zoneinfo/Europe/Berlin");
  EXPECT_EQ(root_.Read("etc/timezone"), "Europe/Berlin\n");
  char host_after[256] = {};
  readlink("/etc/localtime", host_after, sizeof(host_after) - 1);
  EXPECT_STREQ(host_before, host_after);
  EXPECT_EQ(Flamingo({"plan", "--detailed-exitcode"}).exit_code, 0);
}

// yum_repos: the .repo files inside the root; one that was there before
// (not written by flamingo) is left as it is; a bad repository id changes
// nothing.
TEST_F(WriteFilesBlackboxTest, YumReposWritesRepoFilesInsideTheRoot) {
  root_.Write("etc/yum.repos.d/fedora.repo", "[fedora]\nbaseurl=mine\n");
  Seed(
      "#cloud-config\n"
      "yum_repos:\n"
      "  epel testing:\n"
      "    baseurl: http://example.org/epel/$basearch\n"
      "    gpgcheck: true\n"
      "  fedora:\n"
      "    metalink: http://example.org/metalink\n");
  RunResult plan = Flamingo({"plan"});
  EXPECT_NE(
      plan.out.find("+ create yum_repo[/etc/yum.repos.d/epel_testing.repo]"),
      std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("note: yum_repo[/etc/yum.repos.d/fedora.repo]: "
                          "exists and was not written by flamingo: left as "
                          "it is\n"),
            std::string::npos)
      << plan.out;
  RunResult r = Flamingo({"apply"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(root_.Read("etc/yum.repos.d/epel_testing.repo"),
            "# Written by flamingo (cloud-config yum_repos)\n"
            "[epel_testing]\n"
            "baseurl = http://example.org/epel/$basearch\n"
            "gpgcheck = 1\n");
  EXPECT_EQ(Stat("etc/yum.repos.d/epel_testing.repo").st_mode & 07777, 0644u);
  EXPECT_EQ(root_.Read("etc/yum.repos.d/fedora.repo"),
            "[fedora]\nbaseurl=mine\n");
  EXPECT_EQ(Flamingo({"plan", "--detailed-exitcode"}).exit_code, 0);

  Seed("#cloud-config\nyum_repos:\n  ../../etc/x:\n    baseurl: http://a/\n");
  auto target = Target();
  RunResult bad = Flamingo({"apply"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("user-data:3:3: yum_repos.../../etc/x: repository id "
                         "\"../../etc/x\" cannot name a .repo file"),
            std::string::npos)
      << bad.err;
  EXPECT_EQ(Target(), target);
}

TEST_F(WriteFilesBlackboxTest, UnknownTimezoneNamesItselfAndChangesNothing) {
  root_.Write("usr/share/zoneinfo/Europe/Berlin", "TZif2 berlin");
  // A planning error (the zone is looked up in the target): the plan names
  // it, and no other resource (the hostname) is applied either.
  Seed("#cloud-config\ntimezone: Europe/Berln\nhostname: web01\n");
  auto target = Target();
  RunResult r = Flamingo({"apply"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("! timezone[/etc/localtime]: unknown timezone "
                       "\"Europe/Berln\": /usr/share/zoneinfo/Europe/Berln "
                       "does not exist in the target\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.err, "error: planning failed; nothing was changed\n");
  EXPECT_EQ(Target(), target);
  auto before = Snapshot(root_.path());

  Seed("#cloud-config\ntimezone: ../../etc/shadow\n");
  before = Snapshot(root_.path());  // validation fails before any lock
  r = Flamingo({"apply"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/var/lib/cloud/seed/nocloud/user-data:2:11: "
                       "timezone: invalid timezone \"../../etc/shadow\""),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Snapshot(root_.path()), before);
}

TEST_F(WriteFilesBlackboxTest, LocaleSetsLangInsideTheRoot) {
  root_.Write("etc/locale.conf", "LANG=C.UTF-8\nLC_TIME=C\n");
  Seed("#cloud-config\nlocale: fr_CA.UTF-8\nhostname: web01\n");
  RunResult plan = Flamingo({"plan"});
  EXPECT_NE(plan.out.find("~ update locale[/etc/locale.conf]\n"
                          "    LANG: C.UTF-8 -> fr_CA.UTF-8\n"),
            std::string::npos)
      << plan.out;
  RunResult r = Flamingo({"apply"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(root_.Read("etc/locale.conf"), "LANG=fr_CA.UTF-8\nLC_TIME=C\n");
  EXPECT_EQ(root_.Read("etc/hostname"), "web01\n");
  EXPECT_EQ(Flamingo({"plan", "--detailed-exitcode"}).exit_code, 0);
}

}  // namespace
}  // namespace flamingo::blackbox
