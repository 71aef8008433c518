// The datasource options and `flamingo query` through the real binary.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/blackbox.h"
#include "tests/test_http_server.h"

namespace flamingo {
namespace {

using blackbox::RunFlamingo;
using blackbox::TempDir;
using testing::TestHttpServer;
using testing::TestRequest;
using testing::TestResponse;

TEST(SourcesBlackbox, QuerySeedDirectory) {
  TempDir root;
  root.Write("var/lib/cloud/seed/nocloud/meta-data",
             "instance-id: iid-bb\nlocal-hostname: bb1\npublic-keys: "
             "[ssh-ed25519 AAA x]\n");
  root.Write("var/lib/cloud/seed/nocloud/user-data", "#cloud-config\n{}\n");
  auto all = RunFlamingo({"query", "--root", root.path()});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  nlohmann::json j = nlohmann::json::parse(all.out);
  EXPECT_EQ(j["v1"]["instance_id"], "iid-bb");
  EXPECT_EQ(j["platform"], "nocloud");
  EXPECT_EQ(j["public_ssh_keys"][0], "ssh-ed25519 AAA x");
  auto one = RunFlamingo({"query", "--root", root.path(), "local_hostname"});
  EXPECT_EQ(one.out, "bb1\n");
  auto bad = RunFlamingo({"query", "--root", root.path(), "no.such.key"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("no.such.key"), std::string::npos);
}

TEST(SourcesBlackbox, OpenStackThroughMetadataUrl) {
  TestHttpServer srv([](const TestRequest& r) {
    if (r.path == "/openstack/latest/meta_data.json") {
      return TestResponse::Status(200,
                                  R"({"uuid": "uuid-bb", "hostname": "os1"})");
    }
    if (r.path == "/openstack/latest/user_data") {
      return TestResponse::Status(200, "#cloud-config\nfoo_unknown_key: 1\n");
    }
    return TestResponse::Status(404);
  });
  TempDir root;
  auto r =
      RunFlamingo({"query", "--root", root.path(), "--datasource", "openstack",
                   "--metadata-url", srv.url(), "subplatform"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "metadata (" + srv.url() + "/openstack/latest/)\n");
  auto ud = RunFlamingo({"query", "--root", root.path(), "--datasource",
                         "openstack", "--metadata-url", srv.url(), "userdata"});
  EXPECT_EQ(ud.out, "#cloud-config\nfoo_unknown_key: 1\n");
}

TEST(SourcesBlackbox, BrokenMetadataServiceIsAnErrorNamingTheUrl) {
  TestHttpServer srv(
      [](const TestRequest&) { return TestResponse::Status(500); });
  TempDir root;
  auto r = RunFlamingo({"plan", "--root", root.path(), "--datasource",
                        "openstack", "--metadata-url", srv.url()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(
      r.err.find(srv.url() + "/openstack/latest/meta_data.json: HTTP 500"),
      std::string::npos)
      << r.err;
}

// The seed's meta-data is parsed once, with positions: a bad value in it is
// reported at its place in the seed file, and nothing is changed.
TEST(SourcesBlackbox, BadSeedMetaDataNamesItsPlace) {
  TempDir root;
  root.Write("var/lib/cloud/seed/nocloud/meta-data",
             "instance-id: iid-bb\nlocal-hostname: 'a/b'\n");
  root.Write("var/lib/cloud/seed/nocloud/user-data", "#cloud-config\n{}\n");
  auto r = RunFlamingo({"apply", "--root", root.path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/var/lib/cloud/seed/nocloud/meta-data:2:17: "
                       "local-hostname: invalid hostname \"a/b\""),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(root.Exists("var/lib/flamingo"));
}

TEST(SourcesBlackbox, UnknownDatasource) {
  TempDir root;
  auto r =
      RunFlamingo({"query", "--root", root.path(), "--datasource", "azure"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("unknown datasource 'azure'"), std::string::npos)
      << r.err;
}

TEST(SourcesBlackbox, NoDatasourceInAnEmptyRoot) {
  TempDir root;
  auto r = RunFlamingo({"query", "--root", root.path(), "platform"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "none\n");
  EXPECT_NE(r.err.find("no datasource found"), std::string::npos);
}

TEST(SourcesBlackbox, ValidateDecodesMimeUserData) {
  TempDir dir;
  dir.Write(
      "ud.mime",
      "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n"
      "--B\nContent-Type: text/cloud-config\n\n#cloud-config\nhostname: a\n"
      "--B\nContent-Type: text/x-shellscript\n\n#!/bin/sh\ntrue\n--B--\n");
  auto ok = RunFlamingo({"validate", dir.path() + "/ud.mime"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  dir.Write("bad.mime",
            "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n"
            "--B\nContent-Type: text/cloud-config\n\n#cloud-config\nhostname: "
            "[\n--B--\n");
  auto bad = RunFlamingo({"validate", dir.path() + "/bad.mime"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find(dir.path() + "/bad.mime/part-001:"), std::string::npos)
      << bad.err;
}

// The reboot fast path of an input without every-boot work does not decode
// the user-data: its #include is fetched at the first boot and not at the
// reboot. When the included document has every-boot work (here the scripts'
// `flamingo: script_timeout`), the user-data is decoded, and the include
// fetched, at every boot as before.
TEST(SourcesBlackbox, RebootFastPathDecodesUserDataOnlyForEveryBootWork) {
  for (bool every_boot : {false, true}) {
    SCOPED_TRACE(every_boot ? "with every-boot work" : "without");
    std::string doc =
        "#cloud-config\nwrite_files: [{path: /etc/inc, content: x}]\n";
    if (every_boot) doc += "flamingo: {script_timeout: 60}\n";
    TestHttpServer srv([&](const TestRequest& r) {
      return r.path == "/inc" ? TestResponse::Status(200, doc)
                              : TestResponse::Status(404);
    });
    TempDir root;
    root.Write("var/lib/cloud/seed/nocloud/meta-data", "instance-id: iid-1\n");
    root.Write("var/lib/cloud/seed/nocloud/user-data",
               "#include\n" + srv.url() + "/inc\n");
    auto boot = [&](const std::string& id) {
      return RunFlamingo(
          {"apply", "--boot", "--boot-id", id, "--root", root.path()});
    };
    auto first = boot("b1");
    ASSERT_EQ(first.exit_code, 0) << first.err;
    EXPECT_EQ(root.Read("etc/inc"), "x");
    EXPECT_EQ(srv.request_count(), 1);
    const std::string state = root.Read("var/lib/flamingo/state.json");
    EXPECT_NE(state.find(std::string("\"every_boot_input\": ") +
                         (every_boot ? "true" : "false")),
              std::string::npos)
        << state;

    auto reboot = boot("b2");
    ASSERT_EQ(reboot.exit_code, 0) << reboot.err;
    EXPECT_EQ(srv.request_count(), every_boot ? 2 : 1);
    auto status = RunFlamingo({"status", "--root", root.path()});
    EXPECT_NE(status.out.find("(reboot fast path)"), std::string::npos)
        << status.out;
    // A plain apply decodes as always (and so fetches).
    ASSERT_EQ(RunFlamingo({"apply", "--root", root.path()}).exit_code, 0);
    EXPECT_EQ(srv.request_count(), every_boot ? 3 : 2);
  }
}

// A metadata service's values are text as served, not always UTF-8: `query`
// prints them as JSON with U+FFFD for such bytes (nlohmann's dump threw on
// them: the command aborted).
TEST(SourcesBlackbox, QueryOfNonUtf8MetadataPrintsReplacementCharacters) {
  TestHttpServer srv([](const TestRequest& r) {
    if (r.method == "PUT") return TestResponse::Status(200, "TOKEN");
    if (r.path == "/latest/meta-data/") {
      return TestResponse::Status(200, "instance-id\nlocal-hostname\n");
    }
    if (r.path == "/latest/meta-data/instance-id") {
      return TestResponse::Status(200, "i-0123");
    }
    if (r.path == "/latest/meta-data/local-hostname") {
      return TestResponse::Status(200, "host-\xff\xfe");
    }
    return TestResponse::Status(404);
  });
  TempDir root;
  auto r = RunFlamingo({"query", "--root", root.path(), "--datasource", "ec2",
                        "--metadata-url", srv.url(), "v1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"host-\xEF\xBF\xBD\xEF\xBF\xBD\""), std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace flamingo
