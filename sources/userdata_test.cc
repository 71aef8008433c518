#include "sources/userdata.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/test_http_server.h"

namespace flamingo {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

fs::path Corpus() {
  return fs::path(FLAMINGO_SHARED_DIR) / "corpus/cloud-init/user-data-formats";
}

#define REQUIRE_CORPUS() \
  if (!fs::exists(Corpus())) GTEST_SKIP() << "corpus not found at " << Corpus()

std::string Gzip(const std::string& in) {
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(in.size() + 1024, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// Serves URLs from a map; counts fetches.
class MapFetcher : public Fetcher {
 public:
  std::map<std::string, std::string> pages;
  int fetches = 0;
  Result<HttpResponse> Fetch(const HttpRequest& req,
                             const FetchPolicy&) override {
    ++fetches;
    HttpResponse r;
    auto it = pages.find(req.url);
    r.status = it == pages.end() ? 404 : 200;
    if (it != pages.end()) r.body = it->second;
    return r;
  }
};

std::string Errors(const Diagnostics& d) {
  std::string s;
  for (const auto& i : d.items()) s += i.ToString() + "\n";
  return s;
}

ProcessedUserData Decode(const std::string& blob, Diagnostics* d,
                         UserDataOptions o = {}) {
  return ProcessUserData(blob, "", o, d, nullptr);
}

TEST(UserData, CloudConfig) {
  Diagnostics d;
  auto r = Decode("#cloud-config\nhostname: a\n", &d);
  EXPECT_FALSE(d.HasErrors()) << Errors(d);
  EXPECT_EQ(r.config.ToJson().dump(), R"({"hostname":"a"})");
  EXPECT_EQ(r.config.Get("hostname")->file(), "user-data");
  EXPECT_EQ(r.config.Get("hostname")->line(), 2);
}

TEST(UserData, Script) {
  Diagnostics d;
  auto r = Decode("#!/bin/sh\necho hi\n", &d);
  ASSERT_EQ(r.scripts.size(), 1u);
  EXPECT_EQ(r.scripts[0].content, "#!/bin/sh\necho hi\n");
  EXPECT_EQ(r.scripts[0].name, "part-001");
  EXPECT_TRUE(d.empty());
}

TEST(UserData, CorpusUserData1) {
  REQUIRE_CORPUS();
  Diagnostics d;
  auto r = Decode(ReadAll(Corpus() / "tests-data/user_data.1.txt"), &d);
  EXPECT_TRUE(d.empty()) << Errors(d);
  EXPECT_EQ(
      r.config.ToJson().dump(),
      R"({"write_files":[{"content":"blah","path":"/etc/blah.ini","permissions":493}]})");
}

TEST(UserData, CorpusPlainIsIgnoredWithAWarning) {
  REQUIRE_CORPUS();
  Diagnostics d;
  auto r = Decode(ReadAll(Corpus() / "plain-ignored.txt"), &d);
  EXPECT_FALSE(d.HasErrors());
  ASSERT_EQ(d.items().size(), 1u);
  EXPECT_EQ(d.items()[0].severity, Severity::kWarning);
  EXPECT_NE(d.items()[0].message.find("#ignored"), std::string::npos);
  EXPECT_TRUE(r.config.entries().empty());
}

TEST(UserData, CorpusSinglePartEmail) {
  REQUIRE_CORPUS();
  for (const char* f : {"filter_cloud_multipart_1.email",
                        "filter_cloud_multipart_header.email"}) {
    Diagnostics d;
    auto r = Decode(ReadAll(Corpus() / "tests-data" / f), &d);
    EXPECT_TRUE(d.empty()) << f << Errors(d);
    EXPECT_EQ(r.config.Get("b")->text(), "c") << f;
  }
}

TEST(UserData, CorpusMultipartWithArchive) {
  REQUIRE_CORPUS();
  Diagnostics d;
  auto r = Decode(
      ReadAll(Corpus() / "tests-data/filter_cloud_multipart_2.email"), &d);
  EXPECT_FALSE(d.HasErrors()) << Errors(d);
  // Two cloud-config parts and an archive with one plain/text entry.
  EXPECT_EQ(r.part_types, (std::vector<std::string>{
                              "text/cloud-config", "text/cloud-config-archive",
                              "plain/text", "text/cloud-config"}));
  ASSERT_EQ(d.items().size(), 1u);
  EXPECT_NE(d.items()[0].message.find("plain/text"), std::string::npos);
  EXPECT_EQ(r.config.ToJson().dump(), R"({"b":"c","launch-index":2})");
}

TEST(UserData, CorpusArchive) {
  REQUIRE_CORPUS();
  Diagnostics d;
  auto r =
      Decode(ReadAll(Corpus() / "tests-data/filter_cloud_multipart.yaml"), &d);
  EXPECT_FALSE(d.HasErrors()) << Errors(d);
  EXPECT_EQ(r.config.ToJson().dump(), R"({"blah":true,"launch-index":4})");
  EXPECT_EQ(r.scripts.size(), 3u);
  int warnings = 0;
  for (const auto& i : d.items())
    warnings += i.message.find("plain/text") != std::string::npos;
  EXPECT_EQ(warnings, 3);
}

TEST(UserData, LaunchIndexFilter) {
  REQUIRE_CORPUS();
  Diagnostics d;
  UserDataOptions o;
  o.launch_index = 3;
  auto r = Decode(ReadAll(Corpus() / "tests-data/filter_cloud_multipart.yaml"),
                  &d, o);
  EXPECT_EQ(r.config.ToJson().dump(), R"({"blah":true,"launch-index":3})");
  EXPECT_EQ(r.scripts.size(), 0u);  // they are for index 1 and 2
}

TEST(UserData, CorpusIncludeFilesFetchThroughTheFetcher) {
  REQUIRE_CORPUS();
  MapFetcher f;
  f.pages
      ["https://raw.githubusercontent.com/canonical/cloud-init/"
       "403f70b930e3ce0f05b9b6f0e1a38d383d058b53/doc/examples/"
       "cloud-config-run-cmds.txt"] = "#cloud-config\nruncmd: [ls]\n";
  f.pages
      ["https://raw.githubusercontent.com/canonical/cloud-init/"
       "403f70b930e3ce0f05b9b6f0e1a38d383d058b53/doc/examples/"
       "cloud-config-boot-cmds.txt"] = "#cloud-config\nbootcmd: [date]\n";
  UserDataOptions o;
  o.fetcher = &f;
  Diagnostics d;
  auto r = Decode(ReadAll(Corpus() / "include.txt"), &d, o);
  EXPECT_FALSE(d.HasErrors()) << Errors(d);
  EXPECT_EQ(r.config.ToJson().dump(),
            R"({"bootcmd":["date"],"runcmd":["ls"]})");
  EXPECT_EQ(r.config.Get("bootcmd")->file().find(
                "cloud-config-boot-cmds.txt") != std::string::npos,
            true);
  // include-once: both URLs fetched; failures are errors naming the URL.
  Diagnostics d2;
  Decode(ReadAll(Corpus() / "include-once.txt"), &d2, o);
  EXPECT_TRUE(d2.HasErrors());
  EXPECT_NE(Errors(d2).find("http://www.ubuntu.com/robots.txt: HTTP 404"),
            std::string::npos)
      << Errors(d2);
}

TEST(UserData, IncludeOnceFetchesOnce) {
  MapFetcher f;
  f.pages["http://x/a"] = "#cloud-config\na: 1\n";
  UserDataOptions o;
  o.fetcher = &f;
  Diagnostics d;
  auto r = Decode("#include-once\nhttp://x/a\nhttp://x/a\n", &d, o);
  EXPECT_FALSE(d.HasErrors()) << Errors(d);
  EXPECT_EQ(f.fetches, 1);
}

TEST(UserData, IncludeLoopIsAnError) {
  MapFetcher f;
  f.pages["http://x/a"] = "#include\nhttp://x/b\n";
  f.pages["http://x/b"] = "#include http://x/a\n";
  UserDataOptions o;
  o.fetcher = &f;
  Diagnostics d;
  Decode("#include\nhttp://x/a\n", &d, o);
  ASSERT_TRUE(d.HasErrors());
  EXPECT_NE(
      Errors(d).find("#include loop: http://x/a -> http://x/b -> http://x/a"),
      std::string::npos)
      << Errors(d);
}

TEST(UserData, IncludeDepthIsBounded) {
  MapFetcher f;
  for (int i = 0; i < 20; ++i) {
    f.pages["http://x/" + std::to_string(i)] =
        "#include\nhttp://x/" + std::to_string(i + 1) + "\n";
  }
  UserDataOptions o;
  o.fetcher = &f;
  Diagnostics d;
  Decode("#include\nhttp://x/0\n", &d, o);
  EXPECT_NE(Errors(d).find("nested deeper than 8"), std::string::npos)
      << Errors(d);
}

TEST(UserData, GzipByMagicBytes) {
  Diagnostics d;
  auto r = Decode(Gzip("#cloud-config\nhostname: z\n"), &d);
  EXPECT_FALSE(d.HasErrors()) << Errors(d);
  EXPECT_EQ(r.config.Get("hostname")->text(), "z");
  std::string bad = Gzip("#cloud-config\nhostname: z\n");
  bad[bad.size() / 2] ^= 0x55;
  Diagnostics d2;
  Decode(bad, &d2);
  EXPECT_TRUE(d2.HasErrors());
  EXPECT_NE(Errors(d2).find("gzip"), std::string::npos);
  Diagnostics d3;
  Decode(Gzip("#cloud-config\nhostname: z\n").substr(0, 12), &d3);
  EXPECT_NE(Errors(d3).find("gzip"), std::string::npos) << Errors(d3);
}

const char* kMime =
    "Content-Type: multipart/mixed; boundary=\"XX\"\r\n"
    "MIME-Version: 1.0\r\n\r\n"
    "preamble\r\n"
    "--XX\r\n"
    "Content-Type: text/cloud-config; charset=\"us-ascii\"\r\n\r\n"
    "#cloud-config\r\nruncmd: [a]\r\nhostname: one\r\n"
    "--XX\r\n"
    "Content-Type: text/x-shellscript\r\n"
    "Content-Disposition: attachment; filename=\"setup.sh\"\r\n\r\n"
    "#!/bin/sh\necho hi\n"
    "--XX\r\n"
    "Content-Type: text/cloud-config\r\n"
    "Merge-Type: list(append)+dict(recurse_array)\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\n"
    "I2Nsb3VkLWNvbmZpZwpydW5jbWQ6IFtiXQo=\r\n"
    "--XX\r\n"
    "Content-Type: text/x-unknown-thing\r\n\r\n"
    "whatever\r\n"
    "--XX--\r\n";

TEST(UserData, MimeMultipart) {
  Diagnostics d;
  auto r = Decode(kMime, &d);
  EXPECT_FALSE(d.HasErrors()) << Errors(d);
  EXPECT_EQ(r.config.ToJson().dump(),
            R"({"hostname":"one","runcmd":["a","b"]})");
  ASSERT_EQ(r.scripts.size(), 1u);
  EXPECT_EQ(r.scripts[0].name, "setup.sh");
  // The line break before a boundary belongs to the boundary (RFC 2046).
  EXPECT_EQ(r.scripts[0].content, "#!/bin/sh\necho hi");
  ASSERT_EQ(d.items().size(), 1u);
  EXPECT_NE(d.items()[0].message.find("text/x-unknown-thing"),
            std::string::npos);
  EXPECT_EQ(r.config.Get("hostname")->file(), "user-data/part-001");
}

TEST(UserData, MalformedMime) {
  std::string truncated = std::string(kMime).substr(0, 300);
  for (const std::string& bad :
       {std::string("MIME-Version: 1.0\nContent-Type: "
                    "multipart/mixed\n\n--a\n\nx\n--a--\n"),
        std::string("MIME-Version: 1.0\nContent-Type: multipart/mixed; "
                    "boundary=zz\n\nno parts\n"),
        truncated,
        std::string("MIME-Version: 1.0\nContent-Type: text/cloud-config\n"
                    "Content-Transfer-Encoding: base64\n\n!!!notbase64\n")}) {
    Diagnostics d;
    Decode(bad, &d);
    EXPECT_TRUE(d.HasErrors()) << bad;
  }
}

TEST(UserData, YamlErrorHasPosition) {
  Diagnostics d;
  Decode("#cloud-config\nusers: [a\n", &d);
  ASSERT_TRUE(d.HasErrors());
  EXPECT_EQ(d.items()[0].ToString().rfind("user-data:", 0), 0u) << Errors(d);
  Diagnostics d2;
  Decode("#cloud-config\n- a\n", &d2);
  EXPECT_NE(Errors(d2).find("must be a mapping"), std::string::npos);
}

TEST(UserData, VendorDataBeneathUserData) {
  Diagnostics d;
  auto r = ProcessUserData(
      "#cloud-config\nhostname: user\nntp: {servers: [u]}\n",
      "#cloud-config\nhostname: vendor\nlocale: C\nntp: {pools: [v]}\n", {}, &d,
      nullptr);
  EXPECT_FALSE(d.HasErrors()) << Errors(d);
  EXPECT_EQ(
      r.config.ToJson().dump(),
      R"({"hostname":"user","locale":"C","ntp":{"pools":["v"],"servers":["u"]}})");
  Diagnostics d2;
  auto off = ProcessUserData("#cloud-config\nvendor_data: {enabled: false}\n",
                             "#cloud-config\nlocale: C\n#!", {}, &d2, nullptr);
  EXPECT_EQ(off.config.Get("locale"), nullptr);
  Diagnostics d3;
  auto scripts =
      ProcessUserData("#!/bin/sh\nu\n", "#!/bin/sh\nv\n", {}, &d3, nullptr);
  ASSERT_EQ(scripts.scripts.size(), 2u);
  EXPECT_EQ(scripts.scripts[1].name, "vendor-part-001");
}

TEST(UserData, TypeFromStartsWith) {
  EXPECT_EQ(TypeFromStartsWith("  #Cloud-Config\n"), "text/cloud-config");
  EXPECT_EQ(TypeFromStartsWith("#cloud-config-archive\n"),
            "text/cloud-config-archive");
  EXPECT_EQ(TypeFromStartsWith("#include-once\n"), "text/x-include-once-url");
  EXPECT_EQ(TypeFromStartsWith("#!/bin/bash"), "text/x-shellscript");
  EXPECT_EQ(TypeFromStartsWith("## template: jinja\n"), "text/jinja2");
  EXPECT_EQ(TypeFromStartsWith("hello"), "");
}

// #include over real HTTP: a gzip cloud-config and a MIME document, nested.
TEST(UserData, IncludeOverHttp) {
  using flamingo::testing::TestHttpServer;
  using flamingo::testing::TestRequest;
  using flamingo::testing::TestResponse;
  std::string base;
  TestHttpServer srv([&](const TestRequest& r) {
    if (r.path == "/a.gz")
      return TestResponse::Status(200, Gzip("#cloud-config\nruncmd: [a]\n"));
    if (r.path == "/b") {
      return TestResponse::Status(200,
                                  "MIME-Version: 1.0\nContent-Type: "
                                  "multipart/mixed; boundary=Q\n\n--Q\n"
                                  "Content-Type: text/x-include-url\n\n" +
                                      base + "/c\n--Q--\n");
    }
    if (r.path == "/c") return TestResponse::Status(200, "#!/bin/sh\necho c\n");
    return TestResponse::Status(404);
  });
  base = srv.url();
  HttpFetcher f;
  UserDataOptions o;
  o.fetcher = &f;
  Diagnostics d;
  auto r = Decode("#include\n" + base + "/a.gz\n" + base + "/b\n", &d, o);
  EXPECT_FALSE(d.HasErrors()) << Errors(d);
  EXPECT_EQ(r.config.ToJson().dump(), R"({"runcmd":["a"]})");
  ASSERT_EQ(r.scripts.size(), 1u);
  EXPECT_EQ(r.scripts[0].content, "#!/bin/sh\necho c\n");
  Diagnostics d2;
  Decode("#include " + base + "/missing\n", &d2, o);
  EXPECT_NE(Errors(d2).find(base + "/missing: HTTP 404"), std::string::npos)
      << Errors(d2);
}

}  // namespace
}  // namespace flamingo
