#include "engine/json_text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace flamingo {
namespace {

std::string Appended(std::string_view s) {
  std::string out = "x";
  AppendJsonString(&out, s);
  return out.substr(1);
}

// Byte for byte what DumpJson writes: every single byte, every pair of
// bytes (all escapes, every UTF-8 lead with every follower, the invalid
// ones replaced as nlohmann replaces them), and longer mixed strings.
TEST(JsonTextTest, AppendJsonStringWritesWhatDumpJsonWrites) {
  for (int a = 0; a < 256; ++a) {
    std::string one(1, static_cast<char>(a));
    ASSERT_EQ(Appended(one), DumpJson(nlohmann::json(one))) << a;
    for (int b = 0; b < 256; ++b) {
      std::string two = one + static_cast<char>(b);
      ASSERT_EQ(Appended(two), DumpJson(nlohmann::json(two))) << a << " " << b;
    }
  }
  for (const std::string& s : std::vector<std::string>{
           "", "plain",
           "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \"q\" \\ \x7F",
           "bad \xF0\x9F\x98 tail", "\xED\xA0\x80 surrogate", "\xC0\xAF",
           "x\xF4\x90\x80\x80", std::string("nul\0byte", 8)}) {
    EXPECT_EQ(Appended(s), DumpJson(nlohmann::json(s))) << s;
  }
}

}  // namespace
}  // namespace flamingo
