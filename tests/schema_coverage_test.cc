// Every key a module compiles has a schema fragment, and every key with a
// fragment is compiled by some module: otherwise a key would be validated but
// ignored, or used without its types ever being checked.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "resources/kinds.h"
#include "schemas/cloud_config.h"

namespace flamingo {
namespace {

TEST(SchemaCoverage, KindsAndFragmentsAgree) {
  std::vector<std::string> compiled = ImplementedKeys();
  std::vector<std::string> schema = SchemaKeys();
  std::sort(compiled.begin(), compiled.end());
  compiled.erase(std::unique(compiled.begin(), compiled.end()), compiled.end());
  std::vector<std::string> no_fragment, no_kind;
  std::set_difference(compiled.begin(), compiled.end(), schema.begin(), schema.end(),
                      std::back_inserter(no_fragment));
  std::set_difference(schema.begin(), schema.end(), compiled.begin(), compiled.end(),
                      std::back_inserter(no_kind));
  EXPECT_EQ(no_fragment, std::vector<std::string>{})
      << "keys compiled by resources/kinds.cc without a schemas/keys/*.json fragment";
  EXPECT_EQ(no_kind, std::vector<std::string>{})
      << "keys in schemas/keys/*.json that no kind in resources/kinds.cc reads";
}

}  // namespace
}  // namespace flamingo
