// Offline enablement matches the real thing: the same unit files enabled by
// `systemctl --root A enable ...` and by `flamingo apply --root B` give the
// same symlinks (paths and targets).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include "tests/blackbox.h"

namespace flamingo {
namespace {

namespace fs = std::filesystem;
using blackbox::RunFlamingo;
using blackbox::TempDir;

std::map<std::string, std::string> Links(const std::string& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root + "/etc")) {
    if (e.is_symlink()) {
      out[e.path().string().substr(root.size())] =
          fs::read_symlink(e.path()).string();
    }
  }
  return out;
}

void AddUnits(const TempDir& d) {
  d.Write("etc/systemd/system/.keep", "");
  d.Write("lib/systemd/system/ssh.service",
          "[Service]\nExecStart=/usr/sbin/sshd -D\n[Install]\n"
          "WantedBy=multi-user.target\nAlias=sshd.service\nAlso=ssh.socket\n");
  d.Write("lib/systemd/system/ssh.socket",
          "[Socket]\nListenStream=22\n[Install]\nWantedBy=sockets.target\n");
  d.Write("lib/systemd/system/getty@.service",
          "[Service]\nExecStart=/sbin/agetty %I\n[Install]\n"
          "WantedBy=getty.target\nDefaultInstance=tty1\n");
  d.Write("lib/systemd/system/backup.timer",
          "[Timer]\nOnCalendar=daily\n[Install]\nWantedBy=timers.target\n"
          "RequiredBy=backup-check.target\n");
  d.Write("usr/lib/systemd/system/late.service",
          "[Service]\nExecStart=/bin/true\n[Install]\n"
          "WantedBy=multi-user.target graphical.target\n");
}

TEST(SystemctlParityTest, EnableMakesTheSameLinksAsSystemctlRoot) {
  if (std::system("systemctl --version >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "systemctl not installed";
  }
  TempDir a, b;
  AddUnits(a);
  AddUnits(b);
  std::string units =
      "ssh.service getty@.service getty@tty3.service backup.timer "
      "late.service";
  std::string cmd = "systemctl --root=" + a.path() + " --quiet enable " +
                    units + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;

  std::string yaml = "#cloud-config\nsystemd:\n  units:\n";
  for (const char* u : {"ssh.service", "getty@.service", "getty@tty3.service",
                        "backup.timer", "late.service"}) {
    yaml += std::string("    - name: ") + u + "\n      enable: true\n";
  }
  b.Write("in/user-data", yaml);
  b.Write("in/meta-data", "instance-id: i-parity\n");
  auto r = RunFlamingo({"apply", "--root", b.path(), "--user-data",
                        b.path() + "/in/user-data", "--meta-data",
                        b.path() + "/in/meta-data"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto want = Links(a.path());
  EXPECT_GE(want.size(), 7u);
  EXPECT_EQ(Links(b.path()), want);

  // A second apply changes nothing.
  auto again = RunFlamingo({"plan", "--detailed-exitcode", "--root", b.path(),
                            "--user-data", b.path() + "/in/user-data",
                            "--meta-data", b.path() + "/in/meta-data"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
}

TEST(SystemctlParityTest, MaskAndDisableMatchSystemctlRoot) {
  if (std::system("systemctl --version >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "systemctl not installed";
  }
  TempDir a, b;
  AddUnits(a);
  AddUnits(b);
  for (const TempDir* d : {&a, &b}) {
    std::string cmd = "systemctl --root=" + d->path() +
                      " --quiet enable ssh.service late.service >/dev/null "
                      "2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }
  std::string cmd = "systemctl --root=" + a.path() +
                    " --quiet disable late.service >/dev/null 2>&1 && "
                    "systemctl --root=" +
                    a.path() + " --quiet mask backup.timer >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  b.Write("in/user-data",
          "#cloud-config\ncoreos:\n  units:\n    - name: late.service\n"
          "      enable: false\n    - name: backup.timer\n      mask: true\n");
  b.Write("in/meta-data", "instance-id: i-parity\n");
  auto r = RunFlamingo({"apply", "--root", b.path(), "--user-data",
                        b.path() + "/in/user-data", "--meta-data",
                        b.path() + "/in/meta-data"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Links(b.path()), Links(a.path()));
}

}  // namespace
}  // namespace flamingo
