// Walks the shared corpus (FLAMINGO_SHARED_DIR/corpus): every file loads and
// validates without a crash, and every #cloud-config document that
// cloud-init's own schema accepts (tests/data/cloud_init_schema_accepts.txt,
// made by scripts/gen_cloud_init_data.py) gives no errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "resources/kinds.h"
#include "resources/resource_testing.h"
#include "schemas/cloud_config.h"
#include "schemas/user_data_format.h"

namespace flamingo {
namespace {

namespace fs = std::filesystem;

const fs::path kCorpus = fs::path(FLAMINGO_SHARED_DIR) / "corpus";

std::string ReadFile(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Regular files under corpus/`dir`, sorted, relative to the corpus.
std::vector<std::string> FilesUnder(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(kCorpus / dir)) {
    if (e.is_regular_file())
      out.push_back(fs::relative(e.path(), kCorpus).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Render(const Diagnostics& d) {
  std::string out;
  for (const auto& item : d.items()) out += item.ToString() + "\n";
  return out;
}

class Corpus : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kCorpus)) GTEST_SKIP() << "no corpus at " << kCorpus;
  }
};

TEST_F(Corpus, EveryFileLoadsAndValidatesWithoutACrash) {
  size_t files = 0, loaded = 0;
  for (const char* dir : {"cloud-init/examples", "cloud-init/examples-doc",
                          "coreos-cloudinit/examples", "flamingo-go"}) {
    for (const std::string& rel : FilesUnder(dir)) {
      ++files;
      const std::string text = ReadFile(kCorpus / rel);
      for (bool strict : {false, true}) {
        Diagnostics diags;
        auto config = LoadCloudConfig(text, rel, &diags);
        if (config) {
          ValidateCloudConfig(*config, strict, &diags);
          loaded += !strict;
        }
        for (const auto& d : diags.items()) {
          EXPECT_FALSE(d.message.empty()) << rel;
          EXPECT_EQ(d.file, rel);
        }
      }
    }
  }
  // 186 + 28 + 39 + 16 files in the corpus snapshot (see its SOURCE.md).
  EXPECT_EQ(files, 269u);
  // Everything but prose (LICENSE, SOURCE.md, ...) and YAML lists is a mapping.
  EXPECT_GT(loaded, 240u);
}

TEST_F(Corpus, CloudConfigThatCloudInitAcceptsHasNoErrors) {
  std::set<std::string> accepted;
  {
    std::ifstream f(fs::path(FLAMINGO_SOURCE_DIR) /
                    "tests/data/cloud_init_schema_accepts.txt");
    ASSERT_TRUE(f) << "tests/data/cloud_init_schema_accepts.txt missing";
    for (std::string line; std::getline(f, line);) {
      if (!line.empty() && line[0] != '#')
        accepted.insert("cloud-init/" + line);
    }
  }
  std::map<UserDataFormat, size_t> formats;
  size_t checked = 0;
  for (const char* dir : {"cloud-init/examples", "cloud-init/examples-doc"}) {
    for (const std::string& rel : FilesUnder(dir)) {
      const std::string text = ReadFile(kCorpus / rel);
      UserDataFormat format = DetectUserDataFormat(text);
      ++formats[format];
      if (format != UserDataFormat::kCloudConfig) {
        EXPECT_EQ(accepted.count(rel), 0u)
            << rel << " is " << UserDataFormatName(format);
        continue;
      }
      if (accepted.count(rel) == 0) continue;
      ++checked;
      Diagnostics diags;
      auto config = LoadCloudConfig(text, rel, &diags);
      ASSERT_TRUE(config.has_value()) << Render(diags);
      ValidateCloudConfig(*config, /*strict=*/false, &diags);
      EXPECT_FALSE(diags.HasErrors()) << Render(diags);
    }
  }
  // 126 module examples + 26 long-form documents are #cloud-config and all of
  // them pass cloud-init's schema; the two "## template: jinja" examples
  // (cc_phone_home) and the two #cloud-config-archive documents are other
  // formats and are skipped; the 58 data.yaml files have no header.
  EXPECT_EQ(formats[UserDataFormat::kCloudConfig], 152u);
  EXPECT_EQ(checked, accepted.size());
  EXPECT_EQ(checked, 152u);
  EXPECT_EQ(formats[UserDataFormat::kCloudConfigArchive], 2u);
  EXPECT_EQ(formats[UserDataFormat::kJinjaTemplate], 2u);
  EXPECT_EQ(formats[UserDataFormat::kUnknown], 58u);
}

TEST_F(Corpus, CloudConfigArchiveIsNotCloudConfig) {
  for (const char* rel :
       {"cloud-init/examples-doc/cloud-config-archive.txt",
        "cloud-init/examples-doc/cloud-config-archive-launch-index.txt"}) {
    ASSERT_TRUE(fs::exists(kCorpus / rel)) << rel;
    const std::string text = ReadFile(kCorpus / rel);
    EXPECT_EQ(DetectUserDataFormat(text), UserDataFormat::kCloudConfigArchive)
        << rel;
    // Read as cloud-config it would not even be a mapping: a list of parts.
    Diagnostics diags;
    EXPECT_FALSE(LoadCloudConfig(text, rel, &diags).has_value());
  }
}

// A real example with one mistake per line gives exactly these messages.
TEST_F(Corpus, BrokenExampleGivesExactMessages) {
  const std::string rel = "cloud-init/examples/cc_write_files/example1.yaml";
  std::string text = ReadFile(kCorpus / rel);
  ASSERT_EQ(text.rfind("#cloud-config\nwrite_files:\n- encoding: b64\n", 0), 0u)
      << text;
  auto replace = [&](const std::string& from, const std::string& to) {
    size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  };
  replace("encoding: b64", "encoding: b46");
  replace("  path: /etc/sysconfig/selinux", "  pathh: /etc/sysconfig/selinux");
  replace("permissions: '0644'", "permissions: {mode: 0644}");
  text += "hostname: [a, b]\nwrite_file: []\n";
  Diagnostics diags;
  auto config = LoadCloudConfig(text, rel, &diags);
  ASSERT_TRUE(config.has_value());
  ValidateCloudConfig(*config, false, &diags);
  EXPECT_EQ(
      Render(diags),
      rel + ":3:3: write_files[0]: missing required property 'path'\n" + rel +
          ":3:13: write_files[0].encoding: must be one of: gz, gzip, "
          "gz+base64, "
          "gzip+base64, gz+b64, gzip+b64, b64, base64, text/plain (got 'b46'; "
          "did "
          "you mean 'b64'?)\n" +
          rel +
          ":6:3: write_files[0]: unknown property 'pathh' (did you mean "
          "'path'?)\n" +
          rel +
          ":7:16: write_files[0].permissions: expected a string or an integer, "
          "got a mapping\n" +
          rel + ":8:11: hostname: expected a string, got a list\n" + rel +
          ":9:1: warning: unknown key 'write_file' (did you mean "
          "'write_files'?)\n");
}

// The reboot fast path compiles an input without every-boot work
// (HasEveryBootInput false) from an empty config instead of decoding the
// user-data: for every cloud-config example that must give the same
// every-boot resources, and the examples with such work must exist too.
TEST_F(Corpus, WithoutEveryBootInputTheFastPathGraphIsTheEmptyConfigs) {
  const std::vector<std::string> empty = testing::EveryBootIds(Value::Map());
  size_t without = 0, with = 0;
  for (const char* dir : {"cloud-init/examples", "cloud-init/examples-doc"}) {
    for (const std::string& rel : FilesUnder(dir)) {
      const std::string text = ReadFile(kCorpus / rel);
      if (DetectUserDataFormat(text) != UserDataFormat::kCloudConfig) continue;
      Diagnostics diags;
      auto config = LoadCloudConfig(text, rel, &diags);
      if (!config || !config->is_map()) continue;
      if (HasEveryBootInput(*config, {})) {
        ++with;
        continue;
      }
      ++without;
      EXPECT_EQ(testing::EveryBootIds(*config), empty) << rel;
    }
  }
  EXPECT_GT(without, 50u);
  EXPECT_GT(with, 5u);
}

}  // namespace
}  // namespace flamingo
