#include "system/fake_system.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace flamingo {
namespace {

using ::testing::HasSubstr;

TEST(FakeSystemTest, AddFileCreatesParentsAndStatReportsAttrs) {
  FakeSystem sys;
  sys.AddFile("/etc/motd", "hello\n", {0640, 10, 20});
  ASSERT_TRUE(sys.Exists("/etc"));
  auto st = sys.Stat("/etc/motd");
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(st->has_value());
  EXPECT_EQ((*st)->type, FileType::kRegular);
  EXPECT_EQ((*st)->mode, 0640u);
  EXPECT_EQ((*st)->uid, 10u);
  EXPECT_EQ((*st)->gid, 20u);
  EXPECT_EQ((*st)->size, 6u);
  auto dir = sys.Stat("/etc");
  ASSERT_TRUE(dir.ok() && dir->has_value());
  EXPECT_EQ((*dir)->type, FileType::kDirectory);
  EXPECT_EQ(*sys.ReadFile("/etc/motd"), "hello\n");
}

TEST(FakeSystemTest, StatOfMissingPathIsNullopt) {
  FakeSystem sys;
  auto st = sys.Stat("/no/such/file");
  ASSERT_TRUE(st.ok()) << st.status().message();
  EXPECT_FALSE(st->has_value());
}

TEST(FakeSystemTest, WriteFileReplacesContentAndAttrs) {
  FakeSystem sys;
  sys.AddFile("/etc/motd", "old", {0644, 0, 0});
  ASSERT_TRUE(sys.WriteFile("/etc/motd", "new", {0600, 5, 6}).ok());
  auto e = sys.GetFile("/etc/motd");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->content, "new");
  EXPECT_EQ(e->attrs.mode, 0600u);
  EXPECT_EQ(e->attrs.uid, 5u);
  EXPECT_EQ(e->attrs.gid, 6u);
}

TEST(FakeSystemTest, WriteFileNeedsParent) {
  FakeSystem sys;
  Status s = sys.WriteFile("/missing/file", "x", {});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("write /missing/file"));
  EXPECT_FALSE(sys.Exists("/missing/file"));
}

TEST(FakeSystemTest, WriteFileReplacesSymlinkInsteadOfFollowing) {
  FakeSystem sys;
  sys.AddFile("/target", "keep");
  sys.AddSymlink("/etc/link", "/target");
  ASSERT_TRUE(sys.WriteFile("/etc/link", "new", {}).ok());
  EXPECT_EQ(sys.GetFile("/target")->content, "keep");
  EXPECT_EQ(sys.GetFile("/etc/link")->type, FileType::kRegular);
  EXPECT_EQ(sys.GetFile("/etc/link")->content, "new");
}

TEST(FakeSystemTest, IntermediateSymlinksResolveInsideRoot) {
  FakeSystem sys;
  sys.AddDir("/real/dir");
  sys.AddSymlink("/abs", "/real");
  sys.AddSymlink("/real/up", "../../../real/dir");  // climbs above "/"
  ASSERT_TRUE(sys.WriteFile("/abs/dir/a", "1", {}).ok());
  EXPECT_EQ(sys.GetFile("/real/dir/a")->content, "1");
  ASSERT_TRUE(sys.WriteFile("/real/up/b", "2", {}).ok());
  EXPECT_EQ(sys.GetFile("/real/dir/b")->content, "2");
  EXPECT_EQ(*sys.ReadFile("/abs/up/b"), "2");
}

TEST(FakeSystemTest, SymlinkLoopIsAnError) {
  FakeSystem sys;
  sys.AddSymlink("/a", "/b");
  sys.AddSymlink("/b", "/a");
  auto r = sys.ReadFile("/a/x");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("symbolic links"));
}

TEST(FakeSystemTest, ReadFileFollowsSymlinksRefusesDirectory) {
  FakeSystem sys;
  sys.AddFile("/f", "x");
  sys.AddSymlink("/l", "/f");
  EXPECT_EQ(*sys.ReadFile("/l"), "x");
  EXPECT_FALSE(sys.ReadFile("/").ok());
  EXPECT_FALSE(sys.ReadFile("/missing").ok());
  EXPECT_EQ(*sys.ReadLink("/l"), "/f");
  EXPECT_FALSE(sys.ReadLink("/f").ok());
}

TEST(FakeSystemTest, ListDirIsSortedAndDirectChildrenOnly) {
  FakeSystem sys;
  sys.AddFile("/d/b", "");
  sys.AddFile("/d/a/deep", "");
  sys.AddFile("/d-x", "");
  sys.AddSymlink("/d/c", "/nowhere");
  auto names = sys.ListDir("/d");
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"a", "b", "c"}));
  auto root = sys.ListDir("/");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(*root, (std::vector<std::string>{"d", "d-x"}));
  EXPECT_FALSE(sys.ListDir("/d/b").ok());
}

TEST(FakeSystemTest, MakeDirAndRemove) {
  FakeSystem sys;
  ASSERT_TRUE(sys.MakeDir("/x", {0700, 1, 1}).ok());
  ASSERT_TRUE(sys.MakeDir("/x", {0755, 0, 0}).ok());  // exists: left alone
  EXPECT_EQ(sys.GetFile("/x")->attrs.mode, 0700u);
  EXPECT_FALSE(sys.MakeDir("/no/parent", {}).ok());
  sys.AddFile("/x/f", "");
  EXPECT_FALSE(sys.MakeDir("/x/f", {}).ok());
  EXPECT_FALSE(sys.Remove("/x").ok());  // not empty
  EXPECT_TRUE(sys.Remove("/x/f").ok());
  EXPECT_TRUE(sys.Remove("/x").ok());
  EXPECT_TRUE(sys.Remove("/x").ok());  // missing is ok
  EXPECT_FALSE(sys.Exists("/x"));
}

TEST(FakeSystemTest, MakeDirsCreatesChain) {
  FakeSystem sys;
  ASSERT_TRUE(MakeDirs(sys, "/a/b/c", {0750, 0, 0}).ok());
  EXPECT_EQ(sys.GetFile("/a/b/c")->type, FileType::kDirectory);
  EXPECT_EQ(sys.GetFile("/a")->attrs.mode, 0750u);
}

TEST(FakeSystemTest, SetAttrsRefusesSymlink) {
  FakeSystem sys;
  sys.AddFile("/f", "", {0644, 0, 0});
  sys.AddSymlink("/l", "/f");
  EXPECT_FALSE(sys.SetAttrs("/l", {0600, 0, 0}).ok());
  EXPECT_EQ(sys.GetFile("/f")->attrs.mode, 0644u);
  ASSERT_TRUE(sys.SetAttrs("/f", {04755, 3, 4}).ok());
  EXPECT_EQ((*sys.Stat("/f"))->mode, 04755u);
  EXPECT_FALSE(sys.SetAttrs("/missing", {}).ok());
}

TEST(FakeSystemTest, LiveFlagHostnameAndNow) {
  FakeSystem sys;
  sys.set_kernel_hostname("box");
  EXPECT_FALSE(sys.IsLive());
  EXPECT_EQ(sys.KernelHostname(), "");
  EXPECT_FALSE(sys.SetKernelHostname("other").ok());
  sys.set_live(true);
  EXPECT_EQ(sys.RootDir(), "/");
  EXPECT_EQ(sys.KernelHostname(), "box");
  ASSERT_TRUE(sys.SetKernelHostname("other").ok());
  EXPECT_EQ(sys.KernelHostname(), "other");
  sys.set_now(42);
  EXPECT_EQ(sys.Now(), 42);
}

TEST(FakeSystemTest, ExecRecordsRequestsAndAppendsOutput) {
  FakeSystem sys;
  sys.AddDir("/var/log");
  sys.set_exec_handler([](const ExecRequest& req) -> Result<ExecResult> {
    ExecResult r;
    r.exit_code = req.argv.size() > 1 ? 3 : 0;
    r.output_tail = "ran " + req.argv[0] + "\n";
    return r;
  });
  ExecRequest req;
  req.argv = {"true"};
  req.output_path = "/var/log/out.log";
  auto r1 = sys.Exec(req);
  ASSERT_TRUE(r1.ok());
  EXPECT_TRUE(r1->success());
  req.argv = {"false", "x"};
  auto r2 = sys.Exec(req);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->exit_code, 3);
  ASSERT_EQ(sys.exec_requests().size(), 2u);
  EXPECT_EQ(sys.exec_requests()[1].argv[1], "x");
  auto log = sys.GetFile("/var/log/out.log");
  ASSERT_TRUE(log.has_value());
  EXPECT_EQ(log->content, "ran true\nran false\n");
  EXPECT_EQ(log->attrs.mode, 0600u);
}

TEST(FakeSystemTest, FailNthMutationFailsExactlyThatCall) {
  FakeSystem sys;
  sys.AddDir("/d");
  sys.FailNthMutation(2, "No space left on device");
  EXPECT_TRUE(sys.WriteFile("/d/1", "a", {}).ok());
  Status s = sys.WriteFile("/d/2", "b", {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "write /d/2: No space left on device");
  EXPECT_FALSE(sys.Exists("/d/2"));
  EXPECT_TRUE(sys.WriteFile("/d/3", "c", {}).ok());
  EXPECT_EQ(sys.mutation_count(), 3);
  EXPECT_EQ(sys.mutations(), (std::vector<std::string>{
                                 "write /d/1", "write /d/2", "write /d/3"}));
}

TEST(FakeSystemTest, FailNthMutationAndAfterSimulatesCrash) {
  FakeSystem sys;
  sys.FailNthMutation(1, "crash", /*and_after=*/true);
  EXPECT_FALSE(sys.MakeDir("/a", {}).ok());
  EXPECT_FALSE(sys.Remove("/a").ok());
  ExecRequest req;
  req.argv = {"x"};
  EXPECT_FALSE(sys.Exec(req).ok());
  EXPECT_TRUE(sys.exec_requests().empty());
  sys.ClearFaults();
  EXPECT_TRUE(sys.MakeDir("/a", {}).ok());
}

TEST(FakeSystemTest, FailWritesUnderPathFollowsIntermediateSymlinks) {
  FakeSystem sys;
  sys.AddDir("/etc/ssh");
  sys.AddSymlink("/cfg", "/etc");
  sys.FailWritesUnder("/etc/ssh", "Read-only file system");
  Status s = sys.WriteFile("/cfg/ssh/sshd_config", "x", {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "write /cfg/ssh/sshd_config: Read-only file system");
  EXPECT_FALSE(sys.SetAttrs("/etc/ssh", {}).ok());
  EXPECT_TRUE(sys.WriteFile("/etc/sshx", "x", {}).ok());
  EXPECT_TRUE(sys.WriteFile("/etc/other", "x", {}).ok());
}

TEST(FakeSystemTest, LockIsExclusiveAndReleasedOnDestroy) {
  FakeSystem sys;
  sys.AddDir("/etc");
  auto h1 = sys.Lock("/etc/.pwd.lock", 0);
  ASSERT_TRUE(h1.ok()) << h1.status().message();
  EXPECT_EQ(sys.GetFile("/etc/.pwd.lock")->attrs.mode, 0600u);
  auto h2 = sys.Lock("/etc/.pwd.lock", 0);
  EXPECT_FALSE(h2.ok());
  h1->reset();
  auto h3 = sys.Lock("/etc/.pwd.lock", 0);
  EXPECT_TRUE(h3.ok());
}

TEST(FakeSystemTest, LockWaitsForHolderInAnotherThread) {
  FakeSystem sys;
  sys.AddFile("/lock", "");
  auto h1 = sys.Lock("/lock", 0);
  ASSERT_TRUE(h1.ok());
  std::atomic<bool> got{false};
  std::thread t([&] {
    auto h2 = sys.Lock("/lock", 5);
    got = h2.ok();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(got.load());
  h1->reset();
  t.join();
  EXPECT_TRUE(got.load());
}


TEST(FakeSystemAppendLog, AppendsOnANewLineAndCreatesWithAttrs) {
  FakeSystem sys;
  sys.AddDir("/var/log");
  ASSERT_TRUE(sys.AppendLog("/var/log/x.log", "a", {0600, 0, 4}).ok());
  ASSERT_TRUE(sys.AppendLog("/var/log/x.log", "b\n", {0644, 0, 0}).ok());
  EXPECT_EQ(sys.GetFile("/var/log/x.log")->content, "a\nb\n");
  EXPECT_EQ(sys.GetFile("/var/log/x.log")->attrs.gid, 4u);
  EXPECT_EQ(sys.mutations().back(), "append /var/log/x.log");
  EXPECT_FALSE(sys.AppendLog("/nodir/x.log", "a", {}).ok());
}

}  // namespace
}  // namespace flamingo
