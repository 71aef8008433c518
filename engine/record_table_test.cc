#include "engine/record_table.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace flamingo {
namespace {

std::vector<std::string> Ids(const RecordTable& t, bool descending = false) {
  std::vector<std::string> ids;
  t.ForEachId([&](std::string_view id) { ids.emplace_back(id); }, descending);
  return ids;
}

TEST(RecordTableTest, EmptyTableHasNothing) {
  RecordTable t;
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.size(), 0u);
  EXPECT_FALSE(t.Get("file[/x]").has_value());
  EXPECT_FALSE(t.contains("file[/x]"));
  EXPECT_FALSE(t.Erase("file[/x]"));
  EXPECT_THROW(t.at("file[/x]"), std::out_of_range);
  EXPECT_TRUE(Ids(t).empty());
}

TEST(RecordTableTest, SetGetReplaceErase) {
  RecordTable t;
  t.Set("file[/a]", {{"created", "true"}});
  t.Set("user[bob]", {{"groups", "wheel,adm"}, {"created", "true"}});
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.at("file[/a]").at("created"), "true");
  Record bob = t.at("user[bob]");
  EXPECT_EQ(bob.size(), 2u);
  EXPECT_EQ(bob.at("groups"), "wheel,adm");

  // Longer, then shorter: both replace.
  bob["password_expired"] = "1";
  t.Set("user[bob]", bob);
  EXPECT_EQ(t.at("user[bob]"), bob);
  t.Set("user[bob]", Record());
  EXPECT_TRUE(t.at("user[bob]").empty());
  EXPECT_EQ(t.size(), 2u);

  EXPECT_TRUE(t.Erase("file[/a]"));
  EXPECT_FALSE(t.contains("file[/a]"));
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(Ids(t), std::vector<std::string>{"user[bob]"});
}

TEST(RecordTableTest, TouchKeepsAnExistingRecord) {
  RecordTable t;
  t.Set("file[/a]", {{"created", "true"}});
  t.Touch("file[/a]");
  t.Touch("file[/b]");
  EXPECT_EQ(t.at("file[/a]").at("created"), "true");
  EXPECT_TRUE(t.at("file[/b]").empty());
}

TEST(RecordTableTest, IdsComeSortedByBytes) {
  RecordTable t;
  for (const char* id : {"file[/b]", "file[/a/c]", "file[/a]", "user[z]",
                         "group[\xff]", "file[/a\n]"}) {
    t.Set(id, Record());
  }
  std::vector<std::string> want = {"file[/a\n]", "file[/a/c]",  "file[/a]",
                                   "file[/b]",   "group[\xff]", "user[z]"};
  EXPECT_EQ(Ids(t), want);
  std::reverse(want.begin(), want.end());
  EXPECT_EQ(Ids(t, /*descending=*/true), want);
}

TEST(RecordTableTest, AnyBytesRoundTrip) {
  RecordTable t;
  const std::string id("x[\0\x80]", 6);
  const Record r{{std::string("k\0", 2), std::string(300, '\0')},
                 {"", ""},
                 {std::string(200, 'k'), "v"}};
  t.Set(id, r);
  EXPECT_EQ(t.at(id), r);
}

TEST(RecordTableTest, CopiesAndMovesAreIndependent) {
  RecordTable t;
  t.Set("a[1]", {{"created", "true"}});
  RecordTable copy = t;
  copy.Set("a[2]", Record());
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(copy.size(), 2u);
  EXPECT_FALSE(t == copy);
  RecordTable moved = std::move(copy);
  EXPECT_EQ(moved.size(), 2u);
  EXPECT_TRUE(copy.empty());   // NOLINT(bugprone-use-after-move): specified
  copy.Set("a[3]", Record());  // usable after a move
  EXPECT_EQ(copy.size(), 1u);
}

TEST(RecordTableTest, EqualityIgnoresHistory) {
  RecordTable a, b;
  a.Set("x[1]", {{"k", "v"}});
  a.Set("x[2]", {{"k", "v"}});
  b.Set("x[2]", {{"k", "old"}});
  b.Set("x[3]", Record());
  b.Set("x[1]", {{"k", "v"}});
  b.Erase("x[3]");
  b.Set("x[2]", {{"k", "v"}});
  EXPECT_TRUE(a == b);
  b.Set("x[2]", {{"k", "w"}});
  EXPECT_FALSE(a == b);
}

// Ten thousand records of "created": "true" take a fraction of what a
// std::map of Records did (2.2 MB at 10,000 files): at most 64 bytes each.
TEST(RecordTableTest, TenThousandSmallRecordsStayCompact) {
  RecordTable t;
  for (int i = 0; i < 10000; ++i) {
    t.Set("file[/srv/bench/d0/file-" + std::to_string(i) + ".conf]",
          {{"created", "true"}});
  }
  EXPECT_EQ(t.size(), 10000u);
  EXPECT_LE(t.MemoryUsage(), 10000u * 64);
  EXPECT_EQ(t.at("file[/srv/bench/d0/file-9999.conf]").at("created"), "true");
}

// Rewrites and erasures leave garbage that compaction reclaims: the buffer
// does not grow without bound when the same records change again and again.
TEST(RecordTableTest, RewritesDoNotGrowWithoutBound) {
  RecordTable t;
  for (int i = 0; i < 100; ++i) t.Set("f[" + std::to_string(i) + "]", {});
  const size_t before = t.MemoryUsage();
  for (int round = 0; round < 200; ++round) {
    for (int i = 0; i < 100; ++i) {
      t.Set("f[" + std::to_string(i) + "]",
            {{"n", std::string(static_cast<size_t>(round % 7) * 10, 'x')}});
    }
  }
  EXPECT_LE(t.MemoryUsage(), before + 100 * 200);
  EXPECT_EQ(t.at("f[5]").at("n"), std::string(199 % 7 * 10, 'x'));
}

// The table behaves as a std::map of id to Record under any sequence of
// sets (small and large), touches and erasures, compactions included.
RC_GTEST_PROP(RecordTableProperty, BehavesAsAMap, ()) {
  RecordTable table;
  std::map<std::string, Record> model;
  const auto ids = *rc::gen::container<std::vector<std::string>>(
      rc::gen::nonEmpty(rc::gen::string<std::string>()));
  if (ids.empty()) return;
  const auto ops =
      *rc::gen::container<std::vector<std::tuple<int, size_t, std::string>>>(
          rc::gen::tuple(rc::gen::inRange(0, 5),
                         rc::gen::inRange<size_t>(0, ids.size()),
                         rc::gen::string<std::string>()));
  for (const auto& [op, i, value] : ops) {
    const std::string& id = ids[i];
    switch (op) {
      case 0: {
        Record r{{"created", "true"}, {"v", value}};
        table.Set(id, r);
        model[id] = r;
        break;
      }
      case 1:
        table.Set(id, Record());
        model[id] = Record();
        break;
      case 2:
        table.Touch(id);
        model.try_emplace(id);
        break;
      case 3: {
        // Large: replacing and erasing these soon makes enough garbage to
        // compact the buffer (the entries move).
        Record r{{"big", std::string(1000 + value.size() * 100, 'x')},
                 {"v", value}};
        table.Set(id, r);
        model[id] = r;
        break;
      }
      default:
        RC_ASSERT(table.Erase(id) == (model.erase(id) == 1));
    }
    RC_ASSERT(table.size() == model.size());
  }
  std::vector<std::string> want;
  for (const auto& [id, record] : model) {
    want.push_back(id);
    RC_ASSERT(table.Get(id) == std::optional<Record>(record));
  }
  RC_ASSERT(Ids(table) == want);
  RecordTable copy = table;
  RC_ASSERT(copy == table);
}

}  // namespace
}  // namespace flamingo
