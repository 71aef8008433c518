#include "engine/record.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <stdexcept>

namespace flamingo {
namespace {

TEST(RecordTest, KeepsFieldsSortedAndUnique) {
  Record r;
  r["b"] = "2";
  r["a"] = "1";
  r["c"] = "3";
  r["b"] = "two";
  std::vector<std::pair<std::string, std::string>> seen(r.begin(), r.end());
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, std::string>>{
                      {"a", "1"}, {"b", "two"}, {"c", "3"}}));
  EXPECT_EQ(r.size(), 3u);
}

TEST(RecordTest, LooksUpAsAMapDoes) {
  const Record r{{"created", "true"}, {"keys", "k"}, {"created", "later"}};
  EXPECT_EQ(r.size(), 2u);
  EXPECT_EQ(r.at("created"), "true");  // the first of a repeated key
  EXPECT_EQ(r.count("keys"), 1u);
  EXPECT_EQ(r.count("missing"), 0u);
  EXPECT_EQ(r.find("missing"), r.end());
  EXPECT_EQ(r.find("keys")->second, "k");
  EXPECT_THROW((void)r.at("missing"), std::out_of_range);
}

TEST(RecordTest, EraseAndClear) {
  Record r{{"a", "1"}, {"b", "2"}};
  EXPECT_EQ(r.erase("missing"), 0u);
  EXPECT_EQ(r.erase("a"), 1u);
  EXPECT_EQ(r, (Record{{"b", "2"}}));
  EXPECT_EQ(r["new"], "");  // inserted empty
  EXPECT_EQ(r.size(), 2u);
  r.clear();
  EXPECT_TRUE(r.empty());
}

// Against std::map, the representation it replaces: random operations on
// both give the same fields in the same order.
TEST(RecordTest, BehavesAsStdMap) {
  Record flat;
  std::map<std::string, std::string> tree;
  unsigned seed = 7;
  auto next = [&] { return seed = seed * 1103515245u + 12345u; };
  for (int i = 0; i < 5000; ++i) {
    std::string key(1, static_cast<char>('a' + next() % 8));
    switch (next() % 3) {
      case 0:
        flat[key] = tree[key] = std::to_string(i);
        break;
      case 1:
        EXPECT_EQ(flat.erase(key), tree.erase(key));
        break;
      default:
        EXPECT_EQ(flat.count(key), tree.count(key));
    }
    ASSERT_TRUE(std::equal(flat.begin(), flat.end(), tree.begin(), tree.end(),
                           [](const auto& f, const auto& t) {
                             return f.first == t.first && f.second == t.second;
                           }));
  }
}

}  // namespace
}  // namespace flamingo
