#include "schemas/cloud_config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "schemas/embedded.h"
#include "schemas/validator.h"

namespace flamingo {
namespace {

using Msgs = std::vector<std::string>;

Msgs Diags(const std::string& text, bool strict = false) {
  Diagnostics diags;
  auto config = LoadCloudConfig(text, "user-data", &diags);
  if (config) ValidateCloudConfig(*config, strict, &diags);
  Msgs out;
  for (const auto& d : diags.items()) out.push_back(d.ToString());
  return out;
}

TEST(CloudConfig, TopLevelMustBeAMapping) {
  EXPECT_EQ(
      Diags("#cloud-config\n- a\n- b\n"),
      Msgs{
          "user-data:2:1: cloud-config must be a mapping of keys, got a list"});
  EXPECT_EQ(Diags("#cloud-config\njust text\n"),
            Msgs{"user-data:2:1: cloud-config must be a mapping of keys, got a "
                 "string"});
}

TEST(CloudConfig, EmptyDocumentIsAnEmptyConfig) {
  for (const char* text :
       {"", "#cloud-config\n", "#cloud-config\n---\n", "~\n"}) {
    Diagnostics diags;
    auto config = LoadCloudConfig(text, "user-data", &diags);
    ASSERT_TRUE(config.has_value()) << text;
    EXPECT_TRUE(config->is_map());
    EXPECT_TRUE(config->entries().empty());
    EXPECT_TRUE(diags.empty());
  }
}

TEST(CloudConfig, InvalidYaml) {
  EXPECT_EQ(Diags("#cloud-config\nwrite_files:\n  - path: /a\n   content: x\n"),
            Msgs{"user-data:4:4: invalid YAML: end of sequence not found"});
}

TEST(CloudConfig, WriteFilesAndHostnameErrors) {
  EXPECT_EQ(
      Diags("#cloud-config\n"
            "hostname: 42\n"
            "manage_etc_hosts: localhst\n"
            "write_files:\n"
            "  - pth: /etc/motd\n"
            "    encoding: bz2\n"
            "    permissions: [1]\n"
            "  - path: /etc/x\n"
            "    source: {url: http://x}\n"
            "    defer: maybe\n"),
      (Msgs{
          "user-data:2:11: hostname: expected a string, got an integer",
          "user-data:3:19: manage_etc_hosts: must be one of: true, false, "
          "localhost, "
          "template (got 'localhst'; did you mean 'localhost'?)",
          "user-data:5:5: write_files[0]: missing required property 'path'",
          "user-data:5:5: write_files[0]: unknown property 'pth' (did you "
          "mean 'path'?)",
          "user-data:6:15: write_files[0].encoding: must be one of: gz, gzip, "
          "gz+base64, "
          "gzip+base64, gz+b64, gzip+b64, b64, base64, text/plain (got 'bz2')",
          "user-data:7:18: write_files[0].permissions: expected a string or an "
          "integer, "
          "got a list",
          "user-data:9:13: write_files[1].source: missing required property "
          "'uri'",
          "user-data:9:14: write_files[1].source: unknown property 'url' (did "
          "you mean "
          "'uri'?)",
          "user-data:10:12: write_files[1].defer: expected a boolean, got a "
          "string"}));
}

TEST(CloudConfig, AcceptsWhatCloudInitAccepts) {
  EXPECT_EQ(Diags("#cloud-config\n"
                  "hostname: web\nfqdn: "
                  "web.example.com\nprefer_fqdn_over_hostname: true\n"
                  "preserve_hostname: false\ncreate_hostname_file: no\n"
                  "manage_etc_hosts: true\n"
                  "write_files:\n"
                  "- path: /a\n  content: !!binary aGk=\n  encoding: b64\n"
                  "  permissions: 0644\n  owner: root:root\n  append: true\n  "
                  "defer: false\n"
                  "- path: /b\n  permissions: '0o600'\n"
                  "  source: {uri: 'http://127.0.0.1/x', headers: "
                  "{Authorization: t}}\n"),
            Msgs{});
  EXPECT_EQ(Diags("#cloud-config\nmanage_etc_hosts: template\n"),
            Msgs{"user-data:2:19: warning: manage_etc_hosts: 'template' is "
                 "deprecated since "
                 "cloud-init 22.3; use true"});
}

TEST(CloudConfig, UnknownAndUnimplementedKeys) {
  const std::string text =
      "#cloud-config\napt:\n  preserve_sources_list: true\nhostnme: x\n";
  EXPECT_EQ(Diags(text), (Msgs{"user-data:2:1: warning: 'apt' is not "
                               "implemented by flamingo; ignored",
                               "user-data:4:1: warning: unknown key 'hostnme' "
                               "(did you mean 'hostname'?)"}));
  EXPECT_EQ(
      Diags(text, /*strict=*/true),
      (Msgs{
          "user-data:2:1: 'apt' is not implemented by flamingo; ignored",
          "user-data:4:1: unknown key 'hostnme' (did you mean 'hostname'?)"}));
  Diagnostics diags;
  auto config = LoadCloudConfig(text, "user-data", &diags);
  ValidateCloudConfig(*config, false, &diags);
  EXPECT_FALSE(diags.HasErrors());
  ValidateCloudConfig(*config, true, &diags);
  EXPECT_TRUE(diags.HasErrors());
}

TEST(CloudConfig, EmbeddedFragmentsAreSound) {
  EXPECT_EQ(SchemaProblems(), Msgs{});
  auto fragments = EmbeddedSchemaFragments();
  std::vector<std::string> names;
  for (const auto& [name, text] : fragments) names.emplace_back(name);
  EXPECT_NE(std::find(names.begin(), names.end(), "write_files"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "hostname"), names.end());
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  // Every fragment compiles on its own, too (its $refs stay inside it).
  for (const auto& [name, text] : fragments) {
    std::string error;
    auto schema = Schema::Compile(nlohmann::json::parse(text), &error);
    EXPECT_NE(schema, nullptr) << name << ": " << error;
  }
}

TEST(CloudConfig, CombinedSchemaDocument) {
  nlohmann::json s = CombinedSchema();
  EXPECT_EQ(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
  EXPECT_EQ(s["type"], "object");
  EXPECT_EQ(s["properties"]["write_files"]["items"]["$ref"],
            "#/$defs/write_file");
  EXPECT_TRUE(s["$defs"].contains("write_file"));
  EXPECT_TRUE(s["properties"]["hostname"].contains("type"));
  // cloud-init keys flamingo ignores are documented as such.
  EXPECT_NE(s["properties"]["apt"]["description"].get<std::string>().find(
                "not implement"),
            std::string::npos);
  std::string error;
  EXPECT_NE(Schema::Compile(s, &error), nullptr) << error;
}

TEST(CloudConfig, KeyLists) {
  Msgs keys = CloudInitKeys();
  EXPECT_GT(keys.size(), 90u);
  EXPECT_TRUE(std::binary_search(keys.begin(), keys.end(), "write_files"));
  EXPECT_TRUE(std::binary_search(keys.begin(), keys.end(), "ca-certs"));
  EXPECT_FALSE(std::binary_search(keys.begin(), keys.end(), "#"));
  Msgs implemented = SchemaKeys();
  for (const char* k : {"write_files", "hostname", "fqdn", "manage_etc_hosts",
                        "prefer_fqdn_over_hostname", "preserve_hostname",
                        "create_hostname_file"}) {
    EXPECT_TRUE(std::binary_search(implemented.begin(), implemented.end(), k))
        << k;
  }
}

}  // namespace
}  // namespace flamingo
