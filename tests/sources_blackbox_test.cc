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

}  // namespace
}  // namespace flamingo
