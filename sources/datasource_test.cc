#include "sources/datasource.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sources/json_util.h"
#include "sources/query.h"
#include "tests/test_http_server.h"

namespace flamingo {
namespace {

namespace fs = std::filesystem;
using flamingo::testing::TestHttpServer;
using flamingo::testing::TestRequest;
using flamingo::testing::TestResponse;
using Clock = std::chrono::steady_clock;

std::string ReadAll(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

fs::path Fixtures() {
  return fs::path(FLAMINGO_SHARED_DIR) / "corpus/flamingo-go/datasources";
}

#define REQUIRE_FIXTURES()     \
  if (!fs::exists(Fixtures())) \
  GTEST_SKIP() << "corpus not found at " << Fixtures()

nlohmann::json Fixture(const std::string& rel) {
  auto j = ParseJson(ReadAll(Fixtures() / rel), rel);
  EXPECT_TRUE(j.ok()) << j.status().message();
  return j.ok() ? *j : nlohmann::json();
}

// A temporary host: fake /sys, /proc/cmdline, root; removed at the end.
class FakeHost {
 public:
  FakeHost() {
    dir_ =
        fs::temp_directory_path() / ("flamingo-ds-" + std::to_string(getpid()) +
                                     "-" + std::to_string(counter_++));
    fs::create_directories(dir_ / "sys/class/block");
    fs::create_directories(dir_ / "sys/class/dmi/id");
    fs::create_directories(dir_ / "root");
    Write("proc_cmdline", "console=ttyS0 quiet\n");
  }
  ~FakeHost() { fs::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& content) {
    fs::create_directories((dir_ / rel).parent_path());
    std::ofstream(dir_ / rel) << content;
  }
  DiscoverOptions Options() const {
    DiscoverOptions o;
    o.paths.root = (dir_ / "root").string();
    o.paths.sysfs = (dir_ / "sys").string();
    o.paths.proc_cmdline = (dir_ / "proc_cmdline").string();
    o.paths.dev = (dir_ / "dev").string();
    o.paths.by_label = (dir_ / "no-by-label").string();
    o.policy.timeout = std::chrono::milliseconds(1000);
    o.policy.initial_backoff = std::chrono::milliseconds(10);
    o.policy.max_backoff = std::chrono::milliseconds(50);
    o.policy.total_budget = std::chrono::milliseconds(3000);
    o.total_timeout = std::chrono::milliseconds(8000);
    return o;
  }
  fs::path dir() const { return dir_; }

 private:
  static inline int counter_ = 0;
  fs::path dir_;
};

// Serves a JSON tree the way the EC2 IMDS does.
TestResponse ServeEc2Tree(const nlohmann::json& tree, const std::string& rel) {
  const nlohmann::json* cur = &tree;
  std::string path = rel;
  std::vector<std::string> comps;
  std::stringstream ss(path);
  std::string c;
  while (std::getline(ss, c, '/')) {
    if (!c.empty()) comps.push_back(c);
  }
  for (size_t i = 0; i < comps.size(); ++i) {
    if (cur->is_object() && cur->contains(comps[i])) {
      cur = &(*cur)[comps[i]];
    } else {
      return TestResponse::Status(404);
    }
  }
  if (cur->is_object()) {
    std::string listing;
    bool keys = !comps.empty() && comps.back() == "public-keys";
    int idx = 0;
    for (const auto& [k, v] : cur->items()) {
      if (keys)
        listing += std::to_string(idx++) + "=" + k + "\n";
      else
        listing += k + (v.is_object() ? "/" : "") + "\n";
    }
    return TestResponse::Status(200, listing);
  }
  if (cur->is_array()) {
    std::string s;
    for (const auto& v : *cur)
      s += (v.is_string() ? v.get<std::string>() : v.dump()) + "\n";
    return TestResponse::Status(200, s);
  }
  return TestResponse::Status(
      200, cur->is_string() ? cur->get<std::string>() : cur->dump());
}

// The EC2 fixture with public-keys as IMDS serves them: {name: {openssh-key}}.
nlohmann::json Ec2Tree() {
  nlohmann::json t = Fixture("ec2/2009-04-04.json");
  t["public-keys"] = {{"my-key", {{"openssh-key", "ssh-rsa OPENSSH_KEY"}}}};
  return t;
}

struct Ec2Server {
  enum Mode { kV2, kV1Only, kDisabled };
  explicit Ec2Server(
      Mode m, std::string user_data = "#cloud-config\nhostname: fromud\n")
      : srv([this, m, user_data](const TestRequest& r) {
          if (r.path == "/latest/api/token") {
            if (r.method != "PUT") return TestResponse::Status(405);
            if (m == kV1Only) return TestResponse::Status(405);
            if (m == kDisabled) return TestResponse::Status(403);
            return TestResponse::Status(200, "TOKEN123");
          }
          if (m == kV2 && r.Header("x-aws-ec2-metadata-token") != "TOKEN123") {
            return TestResponse::Status(401);
          }
          if (r.path == "/latest/user-data")
            return TestResponse::Status(200, user_data);
          if (r.path.rfind("/latest/meta-data/", 0) == 0) {
            std::string rel = r.path.substr(18);
            // public-keys/0/openssh-key -> public-keys/<name>/openssh-key
            if (rel.rfind("public-keys/0", 0) == 0)
              rel = "public-keys/my-key" + rel.substr(13);
            return ServeEc2Tree(tree, rel);
          }
          return TestResponse::Status(404);
        }) {}
  nlohmann::json tree = Ec2Tree();
  TestHttpServer srv;
};

TEST(Datasource, FixturesParse) {
  REQUIRE_FIXTURES();
  InstanceData ec2, gce, os;
  ASSERT_TRUE(NormalizeEc2(Fixture("ec2/2009-04-04.json"), &ec2).ok());
  EXPECT_EQ(ec2.instance_id, "i-00000001");
  EXPECT_EQ(ec2.local_hostname, "centos.ec2");
  EXPECT_EQ(ec2.public_keys, std::vector<std::string>{"ssh-rsa OPENSSH_KEY"});
  EXPECT_EQ(ec2.launch_index, 0);
  EXPECT_EQ(ec2.availability_zone, "nova");
  ASSERT_TRUE(NormalizeGce(Fixture("gce/GCEv1_instance.json"),
                           Fixture("gce/GCEv1_project.json"), &gce)
                  .ok());
  EXPECT_EQ(gce.instance_id, "534912008338700290");
  EXPECT_EQ(gce.local_hostname, "centos");
  EXPECT_EQ(gce.user_data, "#cloud-config\n");
  EXPECT_EQ(gce.availability_zone, "europe-west1-b");
  EXPECT_EQ(gce.region, "europe-west1");
  // user1's and user2's keys are theirs, not the instance's (cloud-init
  // keeps only "cloudinit" and the default user's); all stay in meta-data.
  EXPECT_TRUE(gce.public_keys.empty());
  ASSERT_EQ(gce.meta_data["ssh-keys"].size(), 3u);
  EXPECT_EQ(gce.meta_data["ssh-keys"][2]["user"], "user2");
  EXPECT_EQ(gce.meta_data["ssh-keys"][2]["key"],
            "ssh-rsa RSA_PUBLIC_KEY_FOR_USER_2 user2@machine");
  InstanceData tagged;
  nlohmann::json inst = Fixture("gce/GCEv1_instance.json");
  inst["attributes"]["ssh-keys"] =
      "cloudinit:ssh-ed25519 AAAA ci\nalice:ssh-ed25519 BBBB alice\n";
  ASSERT_TRUE(NormalizeGce(inst, nlohmann::json::object(), &tagged).ok());
  EXPECT_EQ(tagged.public_keys,
            std::vector<std::string>{"ssh-ed25519 AAAA ci"});
  ASSERT_TRUE(
      NormalizeOpenStack(Fixture("openstack/2012-08-10.json"), &os).ok());
  EXPECT_EQ(os.instance_id, "d8e02d56-2648-49a3-bf97-6be8f1204f38");
  EXPECT_EQ(os.local_hostname, "test.novalocal");
  EXPECT_EQ(os.public_keys, std::vector<std::string>{
                                "ssh-rsa RSA_PUBLIC_KEY Generated by Nova"});
}

TEST(Datasource, GceSshKeys) {
  auto keys = ParseGceSshKeys(
      "alice:ssh-rsa AAA alice\n"
      "bad line\n"
      "bob:ssh-ed25519 BBB google-ssh "
      "{\"userName\":\"bob\",\"expireOn\":\"2001-01-01T00:00:00+0000\"}\n"
      "carol:ssh-ed25519 CCC google-ssh "
      "{\"userName\":\"carol\",\"expireOn\":\"2999-01-01T00:00:00+0000\"}\n");
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].first, "alice");
  EXPECT_EQ(keys[0].second, "ssh-rsa AAA alice");
  EXPECT_EQ(keys[1].first, "carol");
}

TEST(Datasource, Ec2ImdsV2) {
  REQUIRE_FIXTURES();
  Ec2Server s(Ec2Server::kV2);
  HttpFetcher f;
  auto r = ReadEc2(s.srv.url(), &f, {}, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->instance_id, "i-00000001");
  EXPECT_EQ(r->local_hostname, "centos.ec2");
  EXPECT_EQ(r->public_keys, std::vector<std::string>{"ssh-rsa OPENSSH_KEY"});
  EXPECT_EQ(r->user_data, "#cloud-config\nhostname: fromud\n");
  EXPECT_NE(r->subplatform.find("IMDSv2"), std::string::npos);
  EXPECT_EQ(r->meta_data["placement"]["availability-zone"], "nova");
  for (const auto& req : s.srv.requests()) {
    if (req.path != "/latest/api/token") {
      EXPECT_EQ(req.Header("x-aws-ec2-metadata-token"), "TOKEN123");
    }
  }
}

TEST(Datasource, Ec2FallsBackToV1OnlyWhenTokenRefused) {
  REQUIRE_FIXTURES();
  HttpFetcher f;
  Ec2Server v1(Ec2Server::kV1Only);
  auto r = ReadEc2(v1.srv.url(), &f, {}, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_NE(r->subplatform.find("IMDSv1"), std::string::npos);
  Ec2Server off(Ec2Server::kDisabled);
  auto d = ReadEc2(off.srv.url(), &f, {}, nullptr);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("403"), std::string::npos);
}

TEST(Datasource, GceAgainstServer) {
  REQUIRE_FIXTURES();
  nlohmann::json inst = Fixture("gce/GCEv1_instance.json"),
                 proj = Fixture("gce/GCEv1_project.json");
  TestHttpServer srv([&](const TestRequest& r) {
    if (r.Header("metadata-flavor") != "Google")
      return TestResponse::Status(403);
    TestResponse resp;
    resp.headers.push_back({"Metadata-Flavor", "Google"});
    if (r.path.rfind("/computeMetadata/v1/instance/", 0) == 0)
      resp.body = inst.dump();
    else if (r.path.rfind("/computeMetadata/v1/project/", 0) == 0)
      resp.body = proj.dump();
    else
      resp.status = 404;
    return resp;
  });
  HttpFetcher f;
  auto r = ReadGce(srv.url(), &f, {}, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->instance_id, "534912008338700290");
  EXPECT_EQ(r->meta_data["ssh-keys"].size(), 3u);
  // A server without the Metadata-Flavor answer is not GCE.
  TestHttpServer fake(
      [](const TestRequest&) { return TestResponse::Status(200, "{}"); });
  auto bad = ReadGce(fake.url(), &f, {}, nullptr);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("Metadata-Flavor"), std::string::npos);
}

struct OpenStackServer {
  explicit OpenStackServer(
      std::function<TestResponse(const TestRequest&)> fault = nullptr)
      : srv([this, fault](const TestRequest& r) {
          if (fault) {
            TestResponse f = fault(r);
            if (f.status != 0) return f;
          }
          if (r.path == "/openstack/latest/meta_data.json")
            return TestResponse::Status(200, meta);
          if (r.path == "/openstack/latest/user_data")
            return TestResponse::Status(200, "#!/bin/sh\necho\n");
          if (r.path == "/openstack/latest/vendor_data.json")
            return TestResponse::Status(
                200, R"({"cloud-init": "#cloud-config\nlocale: C\n"})");
          if (r.path == "/openstack/latest/network_data.json")
            return TestResponse::Status(200, R"({"links": []})");
          return TestResponse::Status(404);
        }) {}
  std::string meta = ReadAll(Fixtures() / "openstack/2012-08-10.json");
  TestHttpServer srv;
};

TEST(Datasource, OpenStackAgainstServer) {
  REQUIRE_FIXTURES();
  OpenStackServer s;
  HttpFetcher f;
  auto r = ReadOpenStack(s.srv.url(), &f, {}, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->instance_id, "d8e02d56-2648-49a3-bf97-6be8f1204f38");
  EXPECT_EQ(r->user_data, "#!/bin/sh\necho\n");
  EXPECT_EQ(r->vendor_data, "#cloud-config\nlocale: C\n");
  EXPECT_TRUE(r->network_data.contains("links"));
}

// Every fault gives an error naming the URL and the reason, in bounded time.
TEST(Datasource, MetadataFaultsAreReportedNotHung) {
  REQUIRE_FIXTURES();
  struct Case {
    const char* name;
    std::function<TestResponse(const TestRequest&)> fault;
    const char* reason;
  };
  auto on_meta = [](TestResponse resp) {
    return [resp](const TestRequest& r) {
      return r.path == "/openstack/latest/meta_data.json"
                 ? resp
                 : TestResponse::Status(0);
    };
  };
  TestResponse slow = TestResponse::Status(200, "{}");
  slow.delay_ms = 10000;
  TestResponse closed = TestResponse::Status(200, "{}");
  closed.fault = TestResponse::Fault::kCloseWithoutResponse;
  TestResponse truncated =
      TestResponse::Status(200, R"({"uuid": "abc", "hostname": "h"})");
  truncated.fault = TestResponse::Fault::kTruncateBody;
  std::vector<Case> cases = {
      {"404", on_meta(TestResponse::Status(404)), "HTTP 404"},
      {"500", on_meta(TestResponse::Status(500)), "HTTP 500 after"},
      {"slow", on_meta(slow), "timed out"},
      {"closed", on_meta(closed), "meta_data.json"},
      {"truncated", on_meta(truncated), "meta_data.json"},
      {"malformed", on_meta(TestResponse::Status(200, R"({"uuid": "abc", )")),
       "malformed JSON"},
      {"oversized",
       on_meta(TestResponse::Status(200, std::string(300000, ' '))),
       "larger than the limit"},
      {"no uuid", on_meta(TestResponse::Status(200, R"({"hostname": "h"})")),
       "no uuid"},
      {"bad vendor",
       [](const TestRequest& r) {
         return r.path == "/openstack/latest/vendor_data.json"
                    ? TestResponse::Status(200, "{nope")
                    : TestResponse::Status(0);
       },
       "vendor_data.json: malformed JSON"},
  };
  for (const Case& c : cases) {
    OpenStackServer s(c.fault);
    HttpFetcher f(nullptr, 1);
    FetchPolicy p;
    p.timeout = std::chrono::milliseconds(300);
    p.initial_backoff = std::chrono::milliseconds(10);
    p.total_budget = std::chrono::milliseconds(1000);
    p.max_bytes = 100000;
    auto start = Clock::now();
    auto r = ReadOpenStack(s.srv.url(), &f, p, nullptr);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  Clock::now() - start)
                  .count();
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_LT(ms, 2000) << c.name;
    EXPECT_NE(r.status().message().find(s.srv.url()), std::string::npos)
        << c.name << ": " << r.status().message();
    EXPECT_NE(r.status().message().find(c.reason), std::string::npos)
        << c.name << ": " << r.status().message();
  }
}

TEST(Detect, NonCloudMachineFindsNothingFast) {
  FakeHost h;
  auto start = Clock::now();
  auto r = DiscoverInstance(h.Options(), nullptr);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() -
                                                                  start)
                .count();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no datasource found"),
            std::string::npos);
  EXPECT_LT(ms, 100);
}

TEST(Detect, DmiPointsToOneService) {
  REQUIRE_FIXTURES();
  FakeHost h;
  h.Write("sys/class/dmi/id/sys_vendor", "Amazon EC2\n");
  auto d = DetectDatasource(h.Options(), nullptr);
  ASSERT_TRUE(d.ok() && d->has_value());
  EXPECT_EQ((*d)->datasource, "ec2");
  Ec2Server s(Ec2Server::kV2);
  DiscoverOptions o = h.Options();
  o.metadata_url = s.srv.url();
  auto r = DiscoverInstance(o, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->datasource, "ec2");
  EXPECT_EQ(r->cloud_name, "aws");

  FakeHost g;
  g.Write("sys/class/dmi/id/product_name", "Google Compute Engine\n");
  EXPECT_EQ((*DetectDatasource(g.Options(), nullptr))->datasource, "gce");
  FakeHost os;
  os.Write("sys/class/dmi/id/product_name", "OpenStack Nova\n");
  EXPECT_EQ((*DetectDatasource(os.Options(), nullptr))->datasource,
            "openstack");
}

TEST(Detect, KernelCommandLine) {
  auto d = ParseDsCmdline(
      "root=/dev/vda "
      "ds=nocloud-net\\;s=http://10.0.0.2:8000/seed/\\;i=iid-1;h=web -- x");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->datasource, "nocloud");
  EXPECT_EQ(d->seed_url, "http://10.0.0.2:8000/seed/");
  EXPECT_EQ(d->cmdline_instance_id, "iid-1");
  EXPECT_EQ(d->cmdline_hostname, "web");
  EXPECT_FALSE(ParseDsCmdline("quiet -- ds=nocloud").has_value());

  FakeHost h;
  h.Write("seed/meta-data",
          "instance-id: iid-file\nlocal-hostname: filehost\n");
  h.Write("seed/user-data", "#cloud-config\nlocale: C\n");
  h.Write("proc_cmdline", "quiet ds=nocloud;s=file://" +
                              (h.dir() / "seed").string() + "/;h=cmdhost\n");
  auto r = DiscoverInstance(h.Options(), nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->instance_id, "iid-file");
  EXPECT_EQ(r->local_hostname, "cmdhost");
  EXPECT_EQ(r->user_data, "#cloud-config\nlocale: C\n");

  TestHttpServer srv([](const TestRequest& req) {
    if (req.path == "/s/meta-data")
      return TestResponse::Status(200, "instance-id: iid-http\n");
    if (req.path == "/s/user-data")
      return TestResponse::Status(200, "#cloud-config\n");
    return TestResponse::Status(404);
  });
  h.Write("proc_cmdline", "ds=nocloud-net;s=" + srv.url() + "/s/\n");
  auto n = DiscoverInstance(h.Options(), nullptr);
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(n->instance_id, "iid-http");
}

TEST(Detect, SeedDirectory) {
  FakeHost h;
  h.Write("root/var/lib/cloud/seed/nocloud/meta-data",
          "instance-id: iid-seed\npublic-keys:\n  - ssh-ed25519 AAA a\n");
  h.Write("root/var/lib/cloud/seed/nocloud/user-data", "#cloud-config\n");
  auto r = DiscoverInstance(h.Options(), nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->datasource, "nocloud");
  EXPECT_EQ(r->instance_id, "iid-seed");
  EXPECT_EQ(r->public_keys, std::vector<std::string>{"ssh-ed25519 AAA a"});
  auto q = RenderQuery(*r, "v1.instance_id");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*q, "iid-seed");
  EXPECT_EQ(*RenderQuery(*r, "public_ssh_keys"),
            "[\n \"ssh-ed25519 AAA a\"\n]");
  EXPECT_EQ(*RenderQuery(*r, "ds.meta_data.instance_id"), "iid-seed");
  EXPECT_FALSE(RenderQuery(*r, "nope").ok());
  EXPECT_EQ(RenderQuery(*r, "").value().find("user"), std::string::npos);

  h.Write("root/var/lib/cloud/seed/nocloud/meta-data", "instance-id: [\n");
  auto bad = DiscoverInstance(h.Options(), nullptr);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("meta-data:"), std::string::npos)
      << bad.status().message();
}

TEST(Detect, ForcedAndUnknownDatasource) {
  REQUIRE_FIXTURES();
  FakeHost h;
  DiscoverOptions o = h.Options();
  o.datasource = "azure";
  EXPECT_FALSE(DiscoverInstance(o, nullptr).ok());
  OpenStackServer s;
  o.datasource = "openstack";
  o.metadata_url = s.srv.url();
  auto r = DiscoverInstance(o, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->instance_id, "d8e02d56-2648-49a3-bf97-6be8f1204f38");
}

}  // namespace
}  // namespace flamingo
