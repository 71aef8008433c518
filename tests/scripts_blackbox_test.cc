// Blackbox tests of bootcmd / runcmd / user scripts with the real binary
// against temporary roots that hold a static busybox as /bin/sh (so the
// chroot in System::Exec works), with the boot id given by --boot-id.
// docs/reference/scripts.md, docs/boot-modes.md.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "engine/text.h"
#include "tests/blackbox.h"

namespace flamingo::blackbox {
namespace {

namespace fs = std::filesystem;

constexpr char kBusybox[] = "/usr/bin/busybox";  // package busybox-static

bool Has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

size_t Count(const std::string& s, const std::string& part) {
  size_t n = 0;
  for (size_t i = s.find(part); i != std::string::npos;
       i = s.find(part, i + 1)) {
    ++n;
  }
  return n;
}

class ScriptsBlackboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kBusybox)) GTEST_SKIP() << "needs busybox-static";
    fs::create_directories(root_.path() + "/bin");
    fs::copy_file(kBusybox, root_.path() + "/bin/busybox");
    fs::copy_file(kBusybox, root_.path() + "/bin/sh");
    chmod((root_.path() + "/bin/busybox").c_str(), 0755);
    chmod((root_.path() + "/bin/sh").c_str(), 0755);
    // Applet links (sleep, touch, env, ...) inside the root.
    for (const char* applet : {"sleep", "touch", "env", "sort", "cat", "echo",
                               "mkdir", "ls", "grep", "rm"}) {
      fs::create_symlink("busybox", root_.path() + "/bin/" + applet);
    }
  }

  void Seed(const std::string& user_data,
            const std::string& instance = "iid-one") {
    root_.Write("var/lib/cloud/seed/nocloud/user-data", user_data);
    root_.Write("var/lib/cloud/seed/nocloud/meta-data",
                "instance-id: " + instance + "\n");
  }

  RunResult Flamingo(std::vector<std::string> args,
                     const std::vector<std::string>& env = {}) {
    args.push_back("--root");
    args.push_back(root_.path());
    return RunFlamingo(args, env);
  }
  RunResult Boot(const std::string& boot_id) {
    return Flamingo({"apply", "--boot", "--boot-id", boot_id});
  }
  std::string Read(const std::string& rel) {
    return root_.Exists(rel) ? root_.Read(rel) : "";
  }
  // An image with an OpenSSH server: rsa and dsa host keys ("image"), and
  // an ssh-keygen stand-in running `script`.
  void ImageWithSshKeygen(const std::string& script) {
    root_.Write("usr/bin/ssh-keygen", "#!/bin/sh\n" + script, 0755);
    for (const char* t : {"rsa", "dsa"}) {
      root_.Write(std::string("etc/ssh/ssh_host_") + t + "_key", "image");
      root_.Write(std::string("etc/ssh/ssh_host_") + t + "_key.pub", "image");
    }
  }
  bool MarkersLeft() {
    std::string dir = root_.path() + "/var/lib/flamingo/running";
    return fs::exists(dir) && !fs::is_empty(dir);
  }

  // Starts flamingo with `args`, waits until the script wrote /script.pid,
  // SIGKILLs flamingo, then the script's process group.
  void KillWhileTheScriptRuns(std::vector<std::string> args) {
    args.insert(args.begin(), FLAMINGO_BIN);
    args.push_back("--root");
    args.push_back(root_.path());
    root_.Write("script.pid", "");
    pid_t pid = fork();
    if (pid == 0) {
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(FLAMINGO_BIN, argv.data());
      _exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (Read("script.pid").empty() &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFSIGNALED(status)) << "flamingo finished before the kill";
    // The script runs in its own process group: end it too.
    std::string script_pid = Read("script.pid");
    ASSERT_FALSE(script_pid.empty()) << "the script never started";
    kill(-std::stoi(script_pid), SIGKILL);
    root_.Write("script.pid", "");
  }

  TempDir root_;
};

constexpr char kUserData[] =
    "#cloud-config\n"
    "bootcmd:\n"
    "  - echo boot $INSTANCE_ID >> /order\n"
    "runcmd:\n"
    "  - echo run $INSTANCE_ID >> /order\n"
    "  - [sh, -c, 'env | sort > /env.txt']\n"
    "  - cd /bin\n"
    "  - pwd > /cwd.txt\n"
    "  - echo hello from runcmd\n";

TEST_F(ScriptsBlackboxTest, FirstBootRunsBootcmdFirstAndRuncmdOnce) {
  Seed(kUserData);
  RunResult r = Flamingo({"apply", "--boot", "--boot-id", "boot-1"},
                         {"LEAKED_FROM_CALLER=yes"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_TRUE(Has(r.out, "script[bootcmd]")) << r.out;
  EXPECT_EQ(Read("order"), "boot iid-one\nrun iid-one\n");
  // Shell state carries across items, as in cloud-init's runcmd script.
  EXPECT_EQ(Read("cwd.txt"), "/bin\n");
  // A clean, documented environment.
  std::string env = Read("env.txt");
  EXPECT_TRUE(Has(env, "INSTANCE_ID=iid-one\n")) << env;
  EXPECT_TRUE(Has(env, "HOME=/root\n")) << env;
  EXPECT_TRUE(Has(env, "LANG=C.UTF-8\n")) << env;
  EXPECT_TRUE(Has(env, "FLAMINGO_BOOT_ID=boot-1\n")) << env;
  EXPECT_TRUE(Has(env,
                  "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:"
                  "/usr/bin:/sbin:/bin\n"))
      << env;
  EXPECT_FALSE(Has(env, "LEAKED_FROM_CALLER")) << env;
  // Output captured with a header per script.
  std::string log = Read("var/log/flamingo-output.log");
  EXPECT_TRUE(Has(log,
                  "==== flamingo: script[runcmd] (once per instance) "
                  "instance iid-one, boot boot-1"))
      << log;
  EXPECT_TRUE(Has(log, "hello from runcmd\n")) << log;
  EXPECT_LT(log.find("script[bootcmd]"), log.find("script[runcmd]"));
  EXPECT_FALSE(MarkersLeft());
  EXPECT_EQ(Flamingo({"status"}).exit_code, 0);
}

TEST_F(ScriptsBlackboxTest, SecondBootOfTheSameInstanceRunsOnlyBootcmd) {
  Seed(kUserData);
  ASSERT_EQ(Boot("boot-1").exit_code, 0);
  RunResult plan = Flamingo({"plan", "--boot", "--boot-id", "boot-2"});
  EXPECT_TRUE(Has(plan.out, "> run script[bootcmd]")) << plan.out;
  EXPECT_FALSE(Has(plan.out, "> run script[runcmd]")) << plan.out;
  RunResult r = Boot("boot-2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Read("order"), "boot iid-one\nrun iid-one\nboot iid-one\n");
  // The same boot again, plain apply, reconcile: nothing runs.
  ASSERT_EQ(Boot("boot-2").exit_code, 0);
  ASSERT_EQ(Flamingo({"apply"}).exit_code, 0);
  ASSERT_EQ(Flamingo({"apply", "--reconcile"}).exit_code, 0);
  EXPECT_EQ(Read("order"), "boot iid-one\nrun iid-one\nboot iid-one\n");
  EXPECT_EQ(Flamingo({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST_F(ScriptsBlackboxTest, RebootWithOnlyBootcmdToRunKeepsStateJsonAsItIs) {
  Seed(kUserData);
  ASSERT_EQ(Boot("boot-1").exit_code, 0);
  const std::string state_path = root_.path() + "/var/lib/flamingo/state.json";
  // The overlay lives in /run (a tmpfs at boot): nothing on disk changes.
  const std::string boot_path = root_.path() + "/run/flamingo/boot.json";
  struct stat before = {};
  ASSERT_EQ(stat(state_path.c_str(), &before), 0);
  const std::string state_text = Read("var/lib/flamingo/state.json");
  EXPECT_FALSE(fs::exists(boot_path));

  // Only a per-boot script ran: its record and the run summary go to the
  // boot overlay; state.json (what must outlive the boot) is not rewritten.
  RunResult r = Boot("boot-2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  struct stat after = {};
  ASSERT_EQ(stat(state_path.c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);
  EXPECT_EQ(Read("var/lib/flamingo/state.json"), state_text);
  ASSERT_TRUE(fs::exists(boot_path));
  EXPECT_EQ(fs::status(boot_path).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_TRUE(Has(Read("run/flamingo/boot.json"), "\"boot-2\""));
  EXPECT_FALSE(fs::exists(root_.path() + "/var/lib/flamingo/boot.json"));
  RunResult st = Flamingo({"status"});
  EXPECT_TRUE(Has(st.out, "apply --boot: ok (reboot fast path)")) << st.out;
  // The overlay is read back: the same boot does not run bootcmd again.
  ASSERT_EQ(Boot("boot-2").exit_code, 0);
  EXPECT_EQ(Read("order"), "boot iid-one\nrun iid-one\nboot iid-one\n");

  // A run that changes what must outlive the boot folds the overlay into
  // state.json and removes it.
  Seed(std::string(kUserData) +
       "write_files:\n  - path: /new\n    content: x\n");
  ASSERT_EQ(Boot("boot-2").exit_code, 0);
  EXPECT_FALSE(fs::exists(boot_path));
  const std::string folded = Read("var/lib/flamingo/state.json");
  EXPECT_TRUE(Has(folded, "\"generation\": 2")) << folded;
  EXPECT_TRUE(Has(folded, "\"boot_id\": \"boot-2\"")) << folded;
  EXPECT_EQ(Read("order"), "boot iid-one\nrun iid-one\nboot iid-one\n");
}

TEST_F(ScriptsBlackboxTest, BootInPhasesRunsRuncmdOnlyInTheLatePhase) {
  Seed(kUserData +
       std::string("write_files:\n  - path: /early.txt\n    content: e\n"));
  RunResult plan =
      Flamingo({"plan", "--boot", "--boot-id", "boot-1", "--phase", "late"});
  EXPECT_TRUE(Has(plan.out, "> run script[runcmd]")) << plan.out;
  EXPECT_FALSE(Has(plan.out, "bootcmd")) << plan.out;
  EXPECT_FALSE(Has(plan.out, "early.txt")) << plan.out;

  // The early unit: files, users, bootcmd; no runcmd yet.
  RunResult early =
      Flamingo({"apply", "--boot", "--boot-id", "boot-1", "--phase", "early"});
  ASSERT_EQ(early.exit_code, 0) << early.err;
  EXPECT_EQ(Read("order"), "boot iid-one\n");
  EXPECT_EQ(Read("early.txt"), "e");
  RunResult st = Flamingo({"status"});
  EXPECT_TRUE(Has(st.out, "apply --boot --phase early: ok")) << st.out;

  // The late unit, once the network is online: runcmd, then one summary of
  // the whole boot.
  RunResult late =
      Flamingo({"apply", "--boot", "--boot-id", "boot-1", "--phase", "late"});
  ASSERT_EQ(late.exit_code, 0) << late.err;
  EXPECT_EQ(Read("order"), "boot iid-one\nrun iid-one\n");
  st = Flamingo({"status", "--format", "json"});
  EXPECT_TRUE(Has(st.out, "\"command\": \"apply --boot --phase early,late\""))
      << st.out;
  EXPECT_TRUE(Has(st.out, "script[bootcmd]")) << st.out;
  EXPECT_TRUE(Has(st.out, "script[runcmd]")) << st.out;

  // The next boot: the early phase runs bootcmd (fast path), the late one
  // nothing.
  ASSERT_EQ(
      Flamingo({"apply", "--boot", "--boot-id", "boot-2", "--phase", "early"})
          .exit_code,
      0);
  ASSERT_EQ(
      Flamingo({"apply", "--boot", "--boot-id", "boot-2", "--phase", "late"})
          .exit_code,
      0);
  EXPECT_EQ(Read("order"), "boot iid-one\nrun iid-one\nboot iid-one\n");
  EXPECT_EQ(Flamingo({"plan", "--detailed-exitcode"}).exit_code, 0);
}

// The end of every boot's late phase: /var/lib/cloud/instance/boot-finished
// (what provisioning tools wait for) and the final message, inside the root.
TEST_F(ScriptsBlackboxTest, TheLatePhaseEndsWithBootFinishedAndTheMessage) {
  Seed(kUserData + std::string("final_message: \"done on $DATASOURCE\"\n"));
  ASSERT_EQ(
      Flamingo({"apply", "--boot", "--boot-id", "boot-1", "--phase", "early"})
          .exit_code,
      0);
  EXPECT_FALSE(root_.Exists("var/lib/cloud/instance"));
  RunResult late =
      Flamingo({"apply", "--boot", "--boot-id", "boot-1", "--phase", "late"});
  ASSERT_EQ(late.exit_code, 0) << late.out << late.err;
  EXPECT_TRUE(Has(late.out,
                  "> final_message[/var/lib/cloud/instance/boot-finished]: "
                  "ran"))
      << late.out;
  EXPECT_EQ(fs::read_symlink(root_.path() + "/var/lib/cloud/instance"),
            "/var/lib/cloud/instances/iid-one");
  // No /proc/uptime in this root: the uptime is unknown.
  EXPECT_TRUE(
      Has(Read("var/lib/cloud/instances/iid-one/boot-finished"), "unknown - "));
  EXPECT_TRUE(Has(Read("var/log/flamingo-output.log"), "done on nocloud\n"));
  // Once per boot; the next boot writes it again.
  EXPECT_EQ(
      Flamingo({"plan", "--boot", "--boot-id", "boot-1", "--detailed-exitcode"})
          .exit_code,
      0);
  RunResult plan2 = Flamingo({"plan", "--boot", "--boot-id", "boot-2"});
  EXPECT_TRUE(Has(plan2.out,
                  "> run final_message[/var/lib/cloud/instance/boot-finished]"))
      << plan2.out;
}

// power_state changes the running machine only: with --root the plan says
// so, apply schedules nothing and records nothing, and the plan stays empty.
// (Scheduling on a live system is the booted test's: tests/boot/run.sh.)
TEST_F(ScriptsBlackboxTest, PowerStateIsLeftAloneWithRoot) {
  Seed(kUserData + std::string("power_state: {mode: reboot, delay: 5}\n"));
  RunResult plan = Flamingo({"plan", "--boot", "--boot-id", "b1"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_TRUE(Has(plan.out,
                  "note: power_state[shutdown]: the running machine's power "
                  "only: nothing is done with --root\n"))
      << plan.out;
  EXPECT_FALSE(Has(plan.out, "> run power_state")) << plan.out;
  RunResult apply = Boot("b1");
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_FALSE(Has(Read("var/log/flamingo-output.log"), "power_state"));
  const std::string state = Read("var/lib/flamingo/state.json");
  EXPECT_TRUE(Has(state,
                  "\"power_state[shutdown]\": {\n   \"kind\": "
                  "\"power_state\",\n   \"name\": \"shutdown\",\n"
                  "   \"record\": {}\n"))
      << state;
  EXPECT_EQ(
      Flamingo({"plan", "--boot", "--boot-id", "b1", "--detailed-exitcode"})
          .exit_code,
      0);
}

TEST_F(ScriptsBlackboxTest, BadPowerStateNamesItsPlaceAndChangesNothing) {
  Seed(
      "#cloud-config\npower_state:\n  mode: sleep\n  delay: soon\n"
      "  timeout: -1\n  condition: [test, {a: b}]\n  wait: 3\n");
  auto before = Snapshot(root_.path());
  RunResult r = Boot("b1");
  EXPECT_EQ(r.exit_code, 1);
  const std::string ud = "/var/lib/cloud/seed/nocloud/user-data";
  for (const std::string& want : {
           ud + ":3:9: power_state.mode: must be one of: poweroff, reboot, "
                "halt (got 'sleep')\n",
           ud + ":4:10: power_state.delay: does not match the pattern "
                "^(now|\\+?[0-9]+)$\n",
           ud + ":5:12: power_state.timeout: must be at least 0 (got -1)\n",
           ud + ":6:21: power_state.condition[1]: expected a string, a "
                "number or a boolean, got a mapping\n",
           ud + ":7:3: power_state: unknown property 'wait'",
       }) {
    EXPECT_TRUE(Has(r.err, want)) << want << "\n---\n" << r.err;
  }
  EXPECT_EQ(Snapshot(root_.path()), before);
}

TEST_F(ScriptsBlackboxTest, AFailedLatePhaseShowsInStatusAfterAGoodEarlyOne) {
  Seed("#cloud-config\nbootcmd: [echo ok]\nruncmd: ['exit 3']\n");
  ASSERT_EQ(Flamingo({"apply", "--boot", "--boot-id", "b1", "--phase", "early"})
                .exit_code,
            0);
  RunResult late =
      Flamingo({"apply", "--boot", "--boot-id", "b1", "--phase", "late"});
  EXPECT_EQ(late.exit_code, 1);
  RunResult st = Flamingo({"status"});
  EXPECT_EQ(st.exit_code, 1) << st.out;
  EXPECT_TRUE(Has(st.out, "apply --boot --phase early,late: FAILED")) << st.out;
  // The early phase had converged the declarative work: the next boot's
  // early phase is the fast path, and the late one retries runcmd.
  RunResult next = Flamingo(
      {"apply", "--boot", "--boot-id", "b2", "--phase", "early", "-v"});
  EXPECT_TRUE(Has(next.err, "reboot fast path")) << next.err;
}

TEST_F(ScriptsBlackboxTest, PhaseMustBeEarlyLateOrAll) {
  RunResult r = Flamingo({"apply", "--phase", "middle"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Has(r.err, "--phase must be early, late or all, not 'middle'"))
      << r.err;
}

TEST_F(ScriptsBlackboxTest, ChangedInstanceIdRunsPerInstanceWorkAgain) {
  Seed(kUserData);
  ASSERT_EQ(Boot("boot-1").exit_code, 0);
  Seed(kUserData, "iid-two");
  RunResult plan = Flamingo({"plan", "--boot", "--boot-id", "boot-2"});
  EXPECT_TRUE(Has(plan.out,
                  "ran for instance iid-one; this is a new "
                  "instance iid-two"))
      << plan.out;
  ASSERT_EQ(Boot("boot-2").exit_code, 0);
  EXPECT_EQ(Read("order"),
            "boot iid-one\nrun iid-one\nboot iid-two\nrun iid-two\n");
}

TEST_F(ScriptsBlackboxTest, KilledMidScriptIsReportedInterruptedAndRunsAgain) {
  Seed(
      "#cloud-config\nruncmd:\n"
      "  - echo started >> /runs\n"
      "  - echo $$ > /script.pid\n"
      "  - if [ ! -e /go-on ]; then sleep 60; fi\n"
      "  - echo finished >> /runs\n");
  KillWhileTheScriptRuns({"apply", "--boot", "--boot-id", "boot-1"});
  EXPECT_EQ(Read("runs"), "started\n");
  EXPECT_TRUE(MarkersLeft());
  RunResult plan = Flamingo({"plan", "--boot", "--boot-id", "boot-2"});
  EXPECT_TRUE(Has(plan.out,
                  "> run script[runcmd]  (once per instance: "
                  "interrupted before it finished"))
      << plan.out;
  // A plain apply does not run it, but warns.
  RunResult by_hand = Flamingo({"apply"});
  EXPECT_TRUE(Has(by_hand.err, "interrupted")) << by_hand.err;
  EXPECT_EQ(Read("runs"), "started\n");

  root_.Write("go-on", "");
  RunResult r = Boot("boot-2");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(Read("runs"), "started\nstarted\nfinished\n");
  EXPECT_FALSE(MarkersLeft());
  // Done now: the next boot does not run it.
  ASSERT_EQ(Boot("boot-3").exit_code, 0);
  EXPECT_EQ(Count(Read("runs"), "started"), 2u);
}

TEST_F(ScriptsBlackboxTest, InterruptedRerunRunsAgainOnTheRebootFastPath) {
  Seed(
      "#cloud-config\nruncmd:\n"
      "  - echo started >> /runs\n"
      "  - echo $$ > /script.pid\n"
      "  - if [ -e /hang ]; then sleep 60; fi\n"
      "  - echo finished >> /runs\n");
  ASSERT_EQ(Boot("boot-1").exit_code, 0);
  root_.Write("hang", "");
  KillWhileTheScriptRuns({"apply", "--rerun-scripts"});
  EXPECT_EQ(Read("runs"), "started\nfinished\nstarted\n");
  std::filesystem::remove(root_.path() + "/hang");
  // Same instance, same input: the reboot fast path, which still evaluates
  // every script and finds the marker.
  RunResult r = Boot("boot-2");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  RunResult st = Flamingo({"status"});
  EXPECT_TRUE(Has(st.out, "apply --boot: ok (reboot fast path)")) << st.out;
  EXPECT_EQ(Read("runs"), "started\nfinished\nstarted\nstarted\nfinished\n");
  EXPECT_FALSE(MarkersLeft());
}

// Commands that need no shell run without one (direct_command.h); what a
// user sees is what the shell would give: every command runs in order,
// the exit code is the last one's, a command that cannot start gets the
// shell's message and code, a file without "#!" is run by the shell, and
// the environment has the PWD sh exports.
TEST_F(ScriptsBlackboxTest, DirectCommandsBehaveAsTheShellWouldRunThem) {
  root_.Write("usr/local/bin/no-shebang", "touch /from-no-shebang\n");
  chmod((root_.path() + "/usr/local/bin/no-shebang").c_str(), 0755);
  Seed(
      "#cloud-config\nruncmd:\n"
      "  - [missing-program, an-argument]\n"
      "  - no-shebang\n"
      "  - [sh, -c, 'env > /env.txt']\n"
      "  - touch /last\n");
  RunResult r = Boot("boot-1");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(root_.Exists("last"));
  EXPECT_TRUE(Has(Read("env.txt"), "PWD=/\n")) << Read("env.txt");
  EXPECT_TRUE(Has(Read("env.txt"), "INSTANCE_ID=iid-one\n"));
  EXPECT_TRUE(
      Has(Read("var/log/flamingo-output.log"), "missing-program: not found"))
      << Read("var/log/flamingo-output.log");

  Seed("#cloud-config\nruncmd:\n  - touch /first\n  - [missing-program]\n",
       "iid-two");
  r = Boot("boot-2");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Has(r.out, "script[runcmd]: failed: failed with exit code 127"))
      << r.out;
  EXPECT_TRUE(root_.Exists("first"));
}

// SSH host keys (docs/reference/ssh-host-keys.md) with an ssh-keygen
// stand-in (a shell script writing the -f file and its .pub, as the real
// one does): made once per instance at boot, the image's other types
// removed, and never in a plain apply.
TEST_F(ScriptsBlackboxTest, HostKeysAreMadeOncePerInstanceAtBoot) {
  ImageWithSshKeygen(
      "echo \"private $3 $INSTANCE_ID\" > \"$7\"\n"
      "echo \"public $3\" > \"$7.pub\"\n"
      "echo \"$3\" >> /keygen.log\n");
  Seed("#cloud-config\nssh_genkeytypes: [rsa, ed25519]\n");
  ASSERT_EQ(Flamingo({"apply"}).exit_code, 0);
  EXPECT_EQ(Read("etc/ssh/ssh_host_rsa_key"), "image");  // not at boot
  RunResult plan = Flamingo({"plan", "--boot", "--boot-id", "boot-1"});
  EXPECT_TRUE(Has(plan.out,
                  "> run ssh_host_keys[/etc/ssh]  (once per instance: not yet "
                  "made for instance iid-one)\n"
                  "    generate: (none) -> rsa, ed25519\n"
                  "    remove:   dsa -> (none)\n"))
      << plan.out;
  RunResult r = Boot("boot-1");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Read("etc/ssh/ssh_host_rsa_key"), "private rsa iid-one\n");
  EXPECT_EQ(Read("etc/ssh/ssh_host_ed25519_key.pub"), "public ed25519\n");
  EXPECT_FALSE(root_.Exists("etc/ssh/ssh_host_dsa_key"));
  EXPECT_FALSE(root_.Exists("etc/ssh/ssh_host_dsa_key.pub"));
  struct stat st {};
  ASSERT_EQ(lstat((root_.path() + "/etc/ssh/ssh_host_rsa_key").c_str(), &st),
            0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  // A reboot, and an apply with changed input: nothing new.
  ASSERT_EQ(Boot("boot-2").exit_code, 0);
  Seed("#cloud-config\nssh_genkeytypes: [rsa, ed25519]\nhostname: h2\n");
  RunResult third = Boot("boot-3");
  ASSERT_EQ(third.exit_code, 0) << third.out << third.err;
  EXPECT_EQ(Read("keygen.log"), "rsa\ned25519\n");
  // The image cloned to a new instance: new keys.
  Seed("#cloud-config\nssh_genkeytypes: [rsa, ed25519]\n", "iid-two");
  ASSERT_EQ(Boot("boot-4").exit_code, 0);
  EXPECT_EQ(Read("etc/ssh/ssh_host_rsa_key"), "private rsa iid-two\n");
  EXPECT_EQ(Read("keygen.log"), "rsa\ned25519\nrsa\ned25519\n");
}

// ssh_keys: the host keys given in the config, installed once per instance
// instead of generated; a missing public key derived by the ssh-keygen
// stand-in ("-y -f FILE" prints it). Key material never reaches the plan,
// the output or the state file.
TEST_F(ScriptsBlackboxTest, GivenHostKeysAreInstalledAndNeverShown) {
  ImageWithSshKeygen(
      "[ \"$1\" = -y ] || exit 9\n"
      "echo \"ssh-ed25519 derived-from-$(head -c 14 \"$3\")\"\n");
  const std::string config =
      "#cloud-config\n"
      "ssh_keys:\n"
      "  rsa_private: |\n"
      "    -----BEGIN OPENSSH PRIVATE KEY-----\n"
      "    SECRET-RSA-MATERIAL\n"
      "    -----END OPENSSH PRIVATE KEY-----\n"
      "  rsa_public: ssh-rsa AAAAB3Nz-given\n"
      "  ed25519_private: SECRET-ED25519-MATERIAL\n";
  Seed(config);
  RunResult plan = Flamingo({"plan", "--boot", "--boot-id", "boot-1"});
  EXPECT_TRUE(Has(plan.out,
                  "> run ssh_host_keys[/etc/ssh]  (once per instance: not yet "
                  "made for instance iid-one)\n"
                  "    install: (none) -> ed25519, rsa\n"
                  "    remove:  dsa -> (none)\n"))
      << plan.out;
  RunResult json =
      Flamingo({"plan", "--boot", "--boot-id", "boot-1", "--format", "json"});
  RunResult r = Boot("boot-1");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const std::string& shown : {plan.out, plan.err, json.out, r.out, r.err,
                                   Read("var/lib/flamingo/state.json")}) {
    EXPECT_FALSE(Has(shown, "SECRET")) << shown;
  }
  EXPECT_EQ(Read("etc/ssh/ssh_host_rsa_key"),
            "-----BEGIN OPENSSH PRIVATE KEY-----\nSECRET-RSA-MATERIAL\n"
            "-----END OPENSSH PRIVATE KEY-----\n");
  EXPECT_EQ(Read("etc/ssh/ssh_host_rsa_key.pub"), "ssh-rsa AAAAB3Nz-given\n");
  EXPECT_EQ(Read("etc/ssh/ssh_host_ed25519_key"), "SECRET-ED25519-MATERIAL\n");
  EXPECT_EQ(Read("etc/ssh/ssh_host_ed25519_key.pub"),
            "ssh-ed25519 derived-from-SECRET-ED25519\n");
  EXPECT_FALSE(root_.Exists("etc/ssh/ssh_host_dsa_key"));
  struct stat st {};
  ASSERT_EQ(
      lstat((root_.path() + "/etc/ssh/ssh_host_ed25519_key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(
      lstat((root_.path() + "/etc/ssh/ssh_host_ed25519_key.pub").c_str(), &st),
      0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  // Once per instance: a key changed by hand stays.
  root_.Write("etc/ssh/ssh_host_rsa_key", "rotated by hand");
  ASSERT_EQ(Boot("boot-2").exit_code, 0);
  EXPECT_EQ(Read("etc/ssh/ssh_host_rsa_key"), "rotated by hand");
}

// The host's command output, or "" when it fails.
std::string HostOutput(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  return pclose(p) == 0 ? out : "";
}

// The same with the real ssh-keygen (openssh-client, scripts/install-deps.sh)
// copied into the root with the libraries ldd lists, and a real key pair:
// the public key ssh-keygen -y derives inside the root is the pair's.
TEST_F(ScriptsBlackboxTest, GivenPrivateKeyGetsItsRealPublicKey) {
  ASSERT_FALSE(HostOutput("command -v ssh-keygen").empty())
      << "ssh-keygen (openssh-client) is a test dependency";
  std::string libs =
      HostOutput("ldd /usr/bin/ssh-keygen | grep -o '/[^ ]*' | sort -u");
  ASSERT_FALSE(libs.empty());
  libs = TrimSpace(libs);
  for (std::string_view lib : SplitString(libs, "\n")) {
    root_.Write(std::string(lib.substr(1)), ReadFile(std::string(lib)), 0755);
  }
  root_.Write("usr/bin/ssh-keygen", ReadFile("/usr/bin/ssh-keygen"), 0755);
  ASSERT_EQ(mkdir((root_.path() + "/dev").c_str(), 0755), 0);
  ASSERT_EQ(mknod((root_.path() + "/dev/null").c_str(), S_IFCHR | 0666,
                  makedev(1, 3)),
            0);
  root_.Write("etc/ssh/ssh_host_ed25519_key", "image");
  if (Read("etc/passwd").find("root:") != 0) {  // ssh-keygen looks up uid 0
    root_.Write("etc/passwd",
                "root:x:0:0:root:/root:/bin/sh\n" + Read("etc/passwd"));
  }
  TempDir keys;
  ASSERT_FALSE(HostOutput("ssh-keygen -q -t ed25519 -N '' -C test -f " +
                          keys.path() + "/k && echo ok")
                   .empty());
  std::string config = "#cloud-config\nssh_keys:\n  ed25519_private: |\n";
  const std::string private_key = TrimSpace(ReadFile(keys.path() + "/k"));
  for (std::string_view line : SplitString(private_key, "\n")) {
    config += "    " + std::string(line) + "\n";
  }
  Seed(config);
  RunResult r = Boot("boot-1");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Read("etc/ssh/ssh_host_ed25519_key"), ReadFile(keys.path() + "/k"));
  // The same type and key as the pair's public key (a comment may differ).
  auto type_and_key = [](const std::string& text) {
    const std::string line = TrimSpace(text);
    auto f = SplitString(line, " ");
    return f.size() < 2 ? std::string()
                        : std::string(f[0]) + " " + std::string(f[1]);
  };
  std::string want = type_and_key(ReadFile(keys.path() + "/k.pub"));
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(type_and_key(Read("etc/ssh/ssh_host_ed25519_key.pub")), want);
}

TEST_F(ScriptsBlackboxTest, FailingScriptExitCodeIsInStatusAndItRunsAgain) {
  Seed(
      "#cloud-config\nruncmd:\n"
      "  - echo attempt >> /runs\n"
      "  - echo 'disk /dev/vdb not found' >&2\n"
      "  - exit 7\n");
  RunResult r = Boot("boot-1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Has(r.out, "script[runcmd]: failed: failed with exit code 7"))
      << r.out;
  RunResult st = Flamingo({"status"});
  EXPECT_EQ(st.exit_code, 1);
  EXPECT_TRUE(Has(st.out, "failed: script[runcmd]: failed with exit code 7"))
      << st.out;
  EXPECT_TRUE(Has(st.out, "    disk /dev/vdb not found")) << st.out;
  RunResult js = Flamingo({"status", "--format", "json"});
  EXPECT_TRUE(Has(js.out, "exit code 7")) << js.out;
  // Not pretended done: the next boot of the same instance runs it again.
  RunResult plan = Flamingo({"plan", "--boot", "--boot-id", "boot-2"});
  EXPECT_TRUE(Has(plan.out, "failed last time (exit code 7)")) << plan.out;
  EXPECT_EQ(Boot("boot-2").exit_code, 1);
  EXPECT_EQ(Read("runs"), "attempt\nattempt\n");
}

// A failed script's output is quoted in the results, the state file and the
// JSON output; bytes that are not UTF-8 there once aborted the run at its
// state save (nlohmann's dump throws on them), losing its results. They are
// written as U+FFFD now.
TEST_F(ScriptsBlackboxTest, FailedScriptWithNonUtf8OutputIsRecorded) {
  Seed(
      "#cloud-config\nruncmd:\n"
      "  - printf 'bad \\377\\376 bytes\\n'\n"
      "  - exit 3\n");
  RunResult r = Boot("boot-1");
  EXPECT_EQ(r.exit_code, 1) << r.err;  // failed, not aborted (134)
  EXPECT_TRUE(Has(r.out, "bad \xff\xfe bytes")) << r.out;  // text: as is
  const std::string state = Read("var/lib/flamingo/state.json");
  EXPECT_TRUE(Has(state, "bad \xEF\xBF\xBD\xEF\xBF\xBD bytes")) << state;
  RunResult js = Flamingo({"status", "--format", "json"});
  EXPECT_EQ(js.exit_code, 1);
  EXPECT_TRUE(Has(js.out, "bad \xEF\xBF\xBD\xEF\xBF\xBD bytes")) << js.out;
  RunResult plan = Flamingo({"plan", "--boot", "--boot-id", "boot-2"});
  EXPECT_TRUE(Has(plan.out, "failed last time (exit code 3)")) << plan.out;
}

// A script whose file name is not UTF-8 keeps its history under the hex of
// its name: the state file (JSON text) could not hold the name itself, and
// a per-once script matched nothing on reload and ran at every boot.
TEST_F(ScriptsBlackboxTest, ScriptWithANonUtf8NameRunsOnce) {
  Seed("#cloud-config\n{}\n");
  root_.Write("var/lib/cloud/scripts/per-once/a\xff.sh",
              "#!/bin/sh\necho per-once >> /order\n", 0755);
  ASSERT_EQ(Boot("boot-1").exit_code, 0);
  ASSERT_EQ(Boot("boot-2").exit_code, 0);
  ASSERT_EQ(Flamingo({"apply"}).exit_code, 0);
  EXPECT_EQ(Read("order"), "per-once\n");
  EXPECT_TRUE(Has(Read("var/lib/flamingo/state.json"), "\"hex:61ff2e7368/"))
      << Read("var/lib/flamingo/state.json");
}

TEST_F(ScriptsBlackboxTest, TimeoutKillsTheScript) {
  Seed(
      "#cloud-config\nflamingo: {script_timeout: 1}\n"
      "runcmd:\n  - sleep 30\n  - echo not reached > /after\n");
  auto start = std::chrono::steady_clock::now();
  RunResult r = Boot("boot-1");
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_LT(took, std::chrono::seconds(15));
  EXPECT_TRUE(Has(r.out, "timed out after 1 s and was killed")) << r.out;
  EXPECT_FALSE(root_.Exists("after"));
  EXPECT_FALSE(MarkersLeft());
}

TEST_F(ScriptsBlackboxTest, PlanRunsNothingAndLeavesNoFileBehind) {
  Seed(
      "#cloud-config\nbootcmd: [touch /from-bootcmd]\n"
      "runcmd: [touch /from-runcmd]\n");
  root_.Write("var/lib/cloud/scripts/per-instance/a.sh",
              "#!/bin/sh\ntouch /from-dir\n", 0755);
  auto before = Snapshot(root_.path());
  RunResult plan = Flamingo({"plan", "--boot", "--boot-id", "boot-1"});
  EXPECT_EQ(plan.exit_code, 0) << plan.err;
  // bootcmd, runcmd, the per-instance script and the final message.
  EXPECT_TRUE(Has(plan.out,
                  "Plan: 0 to create, 0 to update, 0 to delete, "
                  "4 to run."))
      << plan.out;
  EXPECT_TRUE(Has(plan.out,
                  "> run final_message[/var/lib/cloud/instance/boot-finished]"))
      << plan.out;
  EXPECT_EQ(Flamingo({"plan", "--format", "json"}).exit_code, 0);
  EXPECT_EQ(Snapshot(root_.path()), before);
  EXPECT_FALSE(root_.Exists("from-runcmd"));
}

TEST_F(ScriptsBlackboxTest, ChangedRuncmdIsAWarningAndRerunScriptsRunsIt) {
  Seed("#cloud-config\nruncmd: [echo v1 >> /runs]\n");
  ASSERT_EQ(Boot("boot-1").exit_code, 0);
  Seed("#cloud-config\nruncmd: [echo v2 >> /runs]\n");
  RunResult plan = Flamingo({"plan", "--boot", "--boot-id", "boot-2"});
  EXPECT_TRUE(Has(plan.out,
                  "warning: script[runcmd]: its content changed "
                  "since then: the new version will not run for "
                  "this instance (to run it: flamingo apply "
                  "--rerun-scripts)"))
      << plan.out;
  ASSERT_EQ(Boot("boot-2").exit_code, 0);
  EXPECT_EQ(Read("runs"), "v1\n");
  RunResult rerun = Flamingo({"apply", "--rerun-scripts"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err << rerun.out;
  EXPECT_EQ(Read("runs"), "v1\nv2\n");
  EXPECT_EQ(Flamingo({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST_F(ScriptsBlackboxTest, UserDataScriptAndScriptDirectories) {
  Seed("#!/bin/sh\necho part $INSTANCE_ID >> /order\n");
  root_.Write("var/lib/cloud/scripts/per-boot/b.sh",
              "#!/bin/sh\necho per-boot >> /order\n", 0755);
  root_.Write("var/lib/cloud/scripts/per-once/o.sh",
              "#!/bin/sh\necho per-once >> /order\n", 0755);
  root_.Write("var/lib/cloud/scripts/per-instance/i.sh",
              "#!/bin/sh\necho per-instance >> /order\n", 0755);
  root_.Write("var/lib/cloud/scripts/per-instance/not-executable",
              "#!/bin/sh\necho never >> /order\n", 0644);
  ASSERT_EQ(Boot("boot-1").exit_code, 0);
  EXPECT_EQ(Read("order"), "per-once\nper-boot\nper-instance\npart iid-one\n");
  Seed("#!/bin/sh\necho part $INSTANCE_ID >> /order\n", "iid-two");
  ASSERT_EQ(Boot("boot-2").exit_code, 0);
  EXPECT_EQ(Read("order"),
            "per-once\nper-boot\nper-instance\npart iid-one\n"
            "per-boot\nper-instance\npart iid-two\n");
}

TEST_F(ScriptsBlackboxTest, BadRuncmdIsAnErrorWithItsPositionAndNothingRuns) {
  Seed(
      "#cloud-config\nbootcmd: [touch /from-bootcmd]\n"
      "runcmd:\n  - touch /x\n  - {not: a command}\n");
  auto before = Snapshot(root_.path());
  RunResult r = Boot("boot-1");
  EXPECT_EQ(r.exit_code, 1);
  // The schema or the compiler names it; either way with its position.
  EXPECT_TRUE(Has(r.err, ":5:5: runcmd[1]: ")) << r.err;
  EXPECT_EQ(Snapshot(root_.path()), before);

  // An empty string passes the schema; the compiler rejects it.
  Seed(
      "#cloud-config\nbootcmd: [touch /from-bootcmd]\n"
      "runcmd:\n  - touch /x\n  - ''\n  - [echo, ok]\n");
  before = Snapshot(root_.path());
  r = Boot("boot-1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Has(r.err, ":5:5: runcmd[1]: empty command")) << r.err;
  EXPECT_EQ(Snapshot(root_.path()), before);

  // An empty argument list is the schema's to reject.
  Seed(
      "#cloud-config\nbootcmd: [touch /from-bootcmd]\n"
      "runcmd:\n  - touch /x\n  - [echo, ok]\n  - []\n");
  before = Snapshot(root_.path());
  r = Boot("boot-1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Has(r.err, ":6:5: runcmd[2]: must not be empty")) << r.err;
  EXPECT_EQ(Snapshot(root_.path()), before);
}

// A boot whose runcmd failed stays visible in `status` (and its exit code)
// after the reconcile timer's later successful run replaced the last run.
TEST_F(ScriptsBlackboxTest, StatusKeepsTheFailedBootAfterALaterReconcile) {
  Seed(
      "#cloud-config\nruncmd:\n  - exit 3\n"
      "write_files:\n  - path: /etc/a.conf\n    content: a\n");
  RunResult boot = Boot("b1");
  EXPECT_EQ(boot.exit_code, 1) << boot.err << boot.out;
  RunResult reconcile = Flamingo({"apply", "--reconcile"});
  ASSERT_EQ(reconcile.exit_code, 0) << reconcile.err << reconcile.out;
  RunResult st = Flamingo({"status"});
  EXPECT_EQ(st.exit_code, 1) << st.out;
  EXPECT_TRUE(Has(st.out, "flamingo apply --reconcile: ok")) << st.out;
  EXPECT_TRUE(Has(st.out, "last boot run: ")) << st.out;
  EXPECT_TRUE(Has(st.out, "flamingo apply --boot: FAILED")) << st.out;
  EXPECT_TRUE(Has(st.out, "failed: script[runcmd]")) << st.out;
  RunResult json = Flamingo({"status", "--format", "json"});
  EXPECT_TRUE(Has(json.out, "\"last_boot_run\": {")) << json.out;
  // The next boot of the same instance: the last run is that boot again,
  // shown once.
  Boot("b2");
  st = Flamingo({"status"});
  EXPECT_FALSE(Has(st.out, "last boot run: ")) << st.out;
}

}  // namespace
}  // namespace flamingo::blackbox
