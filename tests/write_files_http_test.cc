// write_files `source: {uri: http://..., headers}` end to end: the real
// binary fetches from a server the test runs on 127.0.0.1.
#include <gtest/gtest.h>

#include "tests/blackbox.h"
#include "tests/test_http_server.h"

namespace flamingo::blackbox {
namespace {

using flamingo::testing::TestHttpServer;
using flamingo::testing::TestRequest;
using flamingo::testing::TestResponse;

TEST(WriteFilesHttpTest, SourceIsFetchedWithItsHeaders) {
  TestHttpServer server([](const TestRequest& r) {
    if (r.path == "/motd" && r.Header("authorization") == "Bearer t0k") {
      return TestResponse::Status(200, "fetched over http\n");
    }
    return TestResponse::Status(403, "no");
  });
  ASSERT_TRUE(server.ok());
  TempDir root;
  root.Write("var/lib/cloud/seed/nocloud/meta-data", "instance-id: iid-h\n");
  root.Write("var/lib/cloud/seed/nocloud/user-data",
             "#cloud-config\nwrite_files:\n  - path: /etc/motd\n"
             "    content: fallback\n    source:\n      uri: " +
                 server.url() +
                 "/motd\n      headers:\n        Authorization: Bearer t0k\n");
  RunResult r = RunFlamingo({"apply", "--root", root.path()});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(root.Read("etc/motd"), "fetched over http\n");
  // Once per run: plan, apply and the re-observation share the bytes.
  EXPECT_EQ(server.request_count(), 1);
  EXPECT_EQ(RunFlamingo({"plan", "--detailed-exitcode", "--root", root.path()})
                .exit_code,
            0);
}

TEST(WriteFilesHttpTest, FailedDownloadWritesContentAndSaysSo) {
  TestHttpServer server(
      [](const TestRequest&) { return TestResponse::Status(404, "gone"); });
  ASSERT_TRUE(server.ok());
  TempDir root;
  root.Write("var/lib/cloud/seed/nocloud/meta-data", "instance-id: iid-h\n");
  root.Write("var/lib/cloud/seed/nocloud/user-data",
             "#cloud-config\nwrite_files:\n  - path: /etc/motd\n"
             "    content: fallback\n    source:\n      uri: " +
                 server.url() + "/motd\n");
  RunResult plan = RunFlamingo({"plan", "--root", root.path()});
  EXPECT_NE(plan.out.find("cannot read " + server.url() + "/motd"),
            std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("HTTP 404"), std::string::npos) << plan.out;
  RunResult r = RunFlamingo({"apply", "--root", root.path()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(root.Read("etc/motd"), "fallback");
}

}  // namespace
}  // namespace flamingo::blackbox
