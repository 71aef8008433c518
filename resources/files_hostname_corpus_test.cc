// Every cloud-config in cloud-init's examples compiles through write_files
// and hostname without an error (warnings allowed: http sources).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "resources/hostname.h"
#include "resources/resource_testing.h"
#include "resources/write_files.h"

namespace flamingo {
namespace {

namespace fs = std::filesystem;

TEST(FilesHostnameCorpusTest, CloudInitExamplesCompileWithoutErrors) {
  size_t seen = 0, with_keys = 0;
  for (const char* sub : {"examples", "examples-doc"}) {
    fs::path dir = fs::path(FLAMINGO_SHARED_DIR) / "corpus/cloud-init" / sub;
    if (!fs::exists(dir)) GTEST_SKIP() << "no corpus at " << dir;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (!e.is_regular_file()) continue;
      std::ifstream in(e.path());
      std::stringstream buf;
      buf << in.rdbuf();
      std::string text = buf.str();
      if (text.rfind("#cloud-config", 0) != 0) continue;
      ++seen;
      if (text.find("write_files") != std::string::npos ||
          text.find("hostname") != std::string::npos ||
          text.find("fqdn") != std::string::npos) {
        ++with_keys;
      }
      testing::Harness h({CompileWriteFiles, CompileHostname});
      h.Compile(text);
      EXPECT_FALSE(h.diags().HasErrors()) << e.path();
      for (const auto& d : h.diags().items()) {
        if (d.severity == Severity::kError) ADD_FAILURE() << d.ToString();
      }
    }
  }
  EXPECT_GT(seen, 50u);
  EXPECT_GT(with_keys, 10u);
}

}  // namespace
}  // namespace flamingo
