// Every CoreOS cloud-config in the corpus compiles: coreos.units are
// accepted (networkd files, repeated units, drop-ins, runtime), the other
// coreos keys only warn.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/blackbox.h"

namespace flamingo {
namespace {

namespace fs = std::filesystem;

TEST(CoreosCorpusTest, EveryExampleValidates) {
  fs::path dir =
      fs::path(FLAMINGO_SHARED_DIR) / "corpus/coreos-cloudinit/examples";
  if (!fs::exists(dir)) GTEST_SKIP() << "no corpus at " << dir;
  int files = 0, with_units = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().extension() != ".yaml") continue;
    ++files;
    std::string text = blackbox::ReadFile(e.path().string());
    if (text.find("units:") != std::string::npos) ++with_units;
    auto r = blackbox::RunFlamingo({"validate", e.path().string()});
    EXPECT_EQ(r.exit_code, 0) << e.path() << "\n" << r.out << r.err;
  }
  EXPECT_GE(files, 20);
  EXPECT_GE(with_units, 10);
}

}  // namespace
}  // namespace flamingo
