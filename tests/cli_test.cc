// Blackbox tests of the CLI contract: the real binary against temporary
// roots (docs/cli.md).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/blackbox.h"

namespace flamingo::blackbox {
namespace {

const char* kMeta = "instance-id: iid-test-1\nlocal-hostname: testhost\n";

class CliTest : public ::testing::Test {
 protected:
  void Seed(const std::string& user_data, const std::string& meta = kMeta) {
    root_.Write("var/lib/cloud/seed/nocloud/user-data", user_data);
    root_.Write("var/lib/cloud/seed/nocloud/meta-data", meta);
  }
  RunResult Flamingo(std::vector<std::string> args) {
    args.push_back("--root");
    args.push_back(root_.path());
    return RunFlamingo(args);
  }
  TempDir root_;
};

TEST_F(CliTest, VersionPrintsTheVersion) {
  RunResult r = RunFlamingo({"version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("flamingo ", 0), 0u) << r.out;
}

TEST_F(CliTest, UnknownCommandIsAUsageError) {
  RunResult r = RunFlamingo({"frobnicate"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("unknown command 'frobnicate'"), std::string::npos);
  EXPECT_NE(r.err.find("usage: flamingo"), std::string::npos);
}

TEST_F(CliTest, UnknownOptionIsNamed) {
  RunResult r = RunFlamingo({"plan", "--colour"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("unknown option '--colour'"), std::string::npos);
}

TEST_F(CliTest, EmptyRootPlansNothing) {
  RunResult r = Flamingo({"plan", "--detailed-exitcode"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "No changes: the machine matches the configuration.\n");
}

TEST_F(CliTest, ApplyThenPlanIsEmptyAndSecondApplyChangesNothing) {
  Seed("#cloud-config\nwrite_files:\n  - path: /etc/a.conf\n    content: hi\n");
  RunResult plan = Flamingo({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan.err;
  EXPECT_NE(plan.out.find("+ create file[/etc/a.conf]"), std::string::npos)
      << plan.out;
  RunResult apply = Flamingo({"apply"});
  ASSERT_EQ(apply.exit_code, 0) << apply.err << apply.out;
  EXPECT_EQ(root_.Read("etc/a.conf"), "hi");
  RunResult again = Flamingo({"plan", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.out;
  auto before = Snapshot(root_.path() + "/etc");
  RunResult second = Flamingo({"apply"});
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_NE(second.out.find("Apply complete: 0 changed"), std::string::npos)
      << second.out;
  EXPECT_EQ(Snapshot(root_.path() + "/etc"), before);
}

TEST_F(CliTest, DoneFileIsCreatedOnTheHostOnlyWhenApplySucceeds) {
  TempDir host;
  const std::string done = host.path() + "/local.done";
  // A run that fails (the parent of /etc/x is a file) leaves no marker.
  Seed("#cloud-config\nwrite_files:\n  - path: /etc/x/y\n    content: a\n");
  root_.Write("etc/x", "a file");
  RunResult bad = Flamingo({"apply", "--done-file", done});
  EXPECT_EQ(bad.exit_code, 1) << bad.out;
  EXPECT_FALSE(host.Exists("local.done"));
  Seed("#cloud-config\nwrite_files:\n  - path: /etc/z\n    content: a\n");
  RunResult good = Flamingo({"apply", "--done-file", done});
  ASSERT_EQ(good.exit_code, 0) << good.err;
  EXPECT_TRUE(host.Exists("local.done"));
  EXPECT_FALSE(root_.Exists(done.substr(1)));  // not inside the root
  RunResult relative = Flamingo({"apply", "--done-file", "local.done"});
  EXPECT_EQ(relative.exit_code, 1);
  EXPECT_NE(relative.err.find("--done-file must be an absolute path"),
            std::string::npos);
}

TEST_F(CliTest, PlanIsDeterministicAndChangesNothing) {
  Seed(
      "#cloud-config\nhostname: web\nwrite_files:\n"
      "  - path: /b\n    content: b\n  - path: /a\n    content: a\n");
  auto before = Snapshot(root_.path());
  RunResult one = Flamingo({"plan"});
  RunResult two = Flamingo({"plan"});
  RunResult json1 = Flamingo({"plan", "--format", "json"});
  RunResult json2 = Flamingo({"plan", "--format", "json"});
  EXPECT_EQ(one.out, two.out);
  EXPECT_EQ(json1.out, json2.out);
  EXPECT_NE(json1.out.find("\"format_version\": 1"), std::string::npos);
  EXPECT_EQ(Snapshot(root_.path()), before);
}

TEST_F(CliTest, MalformedYamlNamesThePlaceAndChangesNothing) {
  Seed("#cloud-config\nwrite_files:\n  - path: /x\n   content: [\n");
  auto before = Snapshot(root_.path());
  RunResult r = Flamingo({"apply"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/var/lib/cloud/seed/nocloud/user-data:4:"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Snapshot(root_.path()), before);
}

TEST_F(CliTest, ValidateReportsFileLineColumnAndPath) {
  TempDir dir;
  dir.Write("bad.yaml",
            "#cloud-config\nwrite_files:\n  - path: 5\n    permissions: [1]\n");
  RunResult r = RunFlamingo({"validate", dir.path() + "/bad.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(
      r.err.find(dir.path() + "/bad.yaml:4:18: write_files[0].permissions"),
      std::string::npos)
      << r.err;
}

TEST_F(CliTest, ValidateAcceptsAValidFile) {
  TempDir dir;
  dir.Write("ok.yaml", "#cloud-config\nhostname: a\n");
  RunResult r = RunFlamingo({"validate", dir.path() + "/ok.yaml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, dir.path() + "/ok.yaml: valid\n");
}

TEST_F(CliTest, StatusBeforeAnyRun) {
  RunResult r = Flamingo({"status"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "flamingo has not run on this system\n");
}

TEST_F(CliTest, StatusAfterApply) {
  Seed("#cloud-config\nwrite_files:\n  - path: /etc/a\n    content: a\n");
  ASSERT_EQ(Flamingo({"apply"}).exit_code, 0);
  RunResult r = Flamingo({"status"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("instance: iid-test-1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("flamingo apply: ok"), std::string::npos) << r.out;
  RunResult j = Flamingo({"status", "--format", "json"});
  EXPECT_NE(j.out.find("\"outcome\": \"changed\""), std::string::npos) << j.out;
}

TEST_F(CliTest, CorruptStateIsReportedAndTreatedAsNone) {
  Seed("#cloud-config\nwrite_files:\n  - path: /etc/a\n    content: a\n");
  root_.Write("var/lib/flamingo/state.json", "{ not json");
  RunResult r = Flamingo({"apply"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("state.json: corrupt"), std::string::npos) << r.err;
  EXPECT_EQ(Flamingo({"status"}).exit_code, 0);
}

TEST_F(CliTest, StateWithBrokenRecordsIsReportedOnceAndTreatedAsNone) {
  // Plan and apply read the records after the compile (the header before):
  // records broken under a good header are found then, and reported once.
  Seed("#cloud-config\nwrite_files:\n  - path: /etc/a\n    content: a\n");
  ASSERT_EQ(Flamingo({"apply"}).exit_code, 0);
  std::string state = root_.Read("var/lib/flamingo/state.json");
  const std::string key = "\"resources\": {";
  size_t at = state.find(key);
  ASSERT_NE(at, std::string::npos);
  state.replace(at, key.size(), "\"resources\": {\"x\": 7, ");
  root_.Write("var/lib/flamingo/state.json", state);
  root_.Write("etc/a", "drifted");
  for (const char* command : {"plan", "apply"}) {
    RunResult r = Flamingo({command});
    EXPECT_EQ(r.exit_code, 0) << command << ": " << r.err;
    size_t first = r.err.find("state.json: corrupt");
    EXPECT_NE(first, std::string::npos) << command << ": " << r.err;
    EXPECT_EQ(r.err.find("state.json: corrupt", first + 1), std::string::npos)
        << command << ": " << r.err;
  }
  EXPECT_EQ(root_.Read("etc/a"), "a");
  RunResult plan = Flamingo({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_EQ(plan.err.find("corrupt"), std::string::npos) << plan.err;
}

TEST_F(CliTest, ASecondRunWaitsForTheLock) {
  Seed("#cloud-config\nwrite_files:\n  - path: /etc/a\n    content: a\n");
  root_.Write("var/lib/flamingo/lock", "");
  // Hold the lock from a child process (POSIX locks are per process).
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  if (child == 0) {
    int fd = open((root_.path() + "/var/lib/flamingo/lock").c_str(), O_RDWR);
    struct flock fl = {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fd < 0 || fcntl(fd, F_SETLK, &fl) != 0) _exit(1);
    if (write(ready[1], "x", 1) != 1) _exit(1);
    sleep(30);
    _exit(0);
  }
  char c;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  RunResult r = Flamingo({"apply", "--lock-timeout", "0"});
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  close(ready[0]);
  close(ready[1]);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("another flamingo run holds /var/lib/flamingo/lock"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(root_.Exists("etc/a"));
}

TEST_F(CliTest, CommandLineInputsWin) {
  TempDir in;
  in.Write(
      "ud",
      "#cloud-config\nwrite_files:\n  - path: /from-cli\n    content: x\n");
  in.Write("md", "{\"instance-id\": \"iid-json\"}");
  RunResult r =
      RunFlamingo({"apply", "--root", root_.path(), "--user-data",
                   in.path() + "/ud", "--meta-data", in.path() + "/md"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(root_.Exists("from-cli"));
  EXPECT_NE(Flamingo({"status"}).out.find("instance: iid-json"),
            std::string::npos);
}

// The reboot fast path does not consult the schema again (the recorded
// fingerprint proves this input was validated and converged): its warnings
// are said on the first boot only; a changed input is validated again.
TEST_F(CliTest, RebootFastPathSkipsValidationOfTheConvergedInput) {
  const std::string doc =
      "#cloud-config\nwrite_files:\n  - path: /etc/a.conf\n    content: "
      "hi\nno_such_key: 1\n";
  Seed(doc);
  RunResult first = Flamingo({"apply", "--boot", "--boot-id", "b1"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("no_such_key"), std::string::npos) << first.err;
  RunResult again = Flamingo({"apply", "--boot", "--boot-id", "b2"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.err.find("no_such_key"), std::string::npos) << again.err;
  RunResult st = Flamingo({"status"});
  EXPECT_NE(st.out.find("(reboot fast path)"), std::string::npos) << st.out;
  Seed(doc + "other_key: 2\n");
  RunResult changed = Flamingo({"apply", "--boot", "--boot-id", "b3"});
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  EXPECT_NE(changed.err.find("other_key"), std::string::npos) << changed.err;
  st = Flamingo({"status"});
  EXPECT_EQ(st.out.find("(reboot fast path)"), std::string::npos) << st.out;
}

}  // namespace
}  // namespace flamingo::blackbox
