#include "engine/graph.h"

#include <gtest/gtest.h>

#include "engine/test_resource.h"

namespace flamingo {
namespace {

using testing::MarkerResource;

std::unique_ptr<MarkerResource> M(const std::string& name) {
  return std::make_unique<MarkerResource>(name, "x");
}

std::vector<std::string> OrderedIds(const Graph& g) {
  std::vector<std::string> ids;
  for (size_t i : g.order()) ids.push_back(g.at(i).Id());
  return ids;
}

TEST(GraphTest, OrdersByStageThenIdWithoutEdges) {
  Graph g;
  auto late = M("a-late");
  late->stage = kStageLate;
  g.Add(std::move(late));
  g.Add(M("c"));
  g.Add(M("b"));
  auto early = M("z-early");
  early->stage = kStageEarly;
  g.Add(std::move(early));
  ASSERT_TRUE(g.Build().ok());
  EXPECT_EQ(OrderedIds(g),
            (std::vector<std::string>{"marker[z-early]", "marker[b]",
                                      "marker[c]", "marker[a-late]"}));
}

TEST(GraphTest, AutomaticEdgeBeatsStage) {
  Graph g;
  auto file = M("file");
  file->stage = kStageEarly;
  file->requires_keys = {"user:alice"};
  auto user = M("user");
  user->stage = kStageLate;
  user->provides_keys = {"user:alice"};
  g.Add(std::move(file));
  g.Add(std::move(user));
  ASSERT_TRUE(g.Build().ok());
  EXPECT_EQ(OrderedIds(g),
            (std::vector<std::string>{"marker[user]", "marker[file]"}));
  EXPECT_TRUE(g.IsProvided("user:alice"));
  EXPECT_FALSE(g.IsProvided("user:bob"));
}

TEST(GraphTest, FindsEveryIdAndProvidedKeyAndNothingElse) {
  // The lookups keep hashes; each hit is checked against the resource.
  Graph g;
  const int n = 3000;
  for (int i = 0; i < n; ++i) {
    auto r = M("r" + std::to_string(i));
    // Every third names one key twice; keys are shared by pairs.
    r->provides_keys = {"key:" + std::to_string(i / 2)};
    if (i % 3 == 0) r->provides_keys.push_back("key:" + std::to_string(i / 2));
    g.Add(std::move(r));
  }
  EXPECT_EQ(g.Find("marker[r0]"), -1);  // not built yet
  ASSERT_TRUE(g.Build().ok());
  for (int i = 0; i < n; ++i) {
    ASSERT_EQ(g.Find("marker[r" + std::to_string(i) + "]"), i);
    ASSERT_TRUE(g.IsProvided("key:" + std::to_string(i / 2)));
  }
  EXPECT_EQ(g.Find("marker[r" + std::to_string(n) + "]"), -1);
  EXPECT_EQ(g.Find("marker[r1 ]"), -1);
  EXPECT_EQ(g.Find(""), -1);
  EXPECT_FALSE(g.IsProvided("key:" + std::to_string(n)));
  EXPECT_FALSE(g.IsProvided("marker[r1]"));  // an id is not a provided key
}

TEST(GraphTest, UnprovidedRequirementIsNoEdge) {
  Graph g;
  auto a = M("a");
  a->requires_keys = {"path:/etc"};
  g.Add(std::move(a));
  ASSERT_TRUE(g.Build().ok());
  EXPECT_TRUE(g.deps(0).empty());
}

TEST(GraphTest, CycleIsNamed) {
  Graph g;
  auto a = M("a");
  a->requires_keys = {"k:b"};
  a->provides_keys = {"k:a"};
  auto b = M("b");
  b->requires_keys = {"k:c"};
  b->provides_keys = {"k:b"};
  auto c = M("c");
  c->requires_keys = {"k:a"};
  c->provides_keys = {"k:c"};
  g.Add(std::move(a));
  g.Add(std::move(b));
  g.Add(std::move(c));
  Status st = g.Build();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(),
            "dependency cycle: marker[c] -> marker[b] -> marker[a] -> "
            "marker[c]");
}

// Ids and keys are whole byte strings: a NUL inside one (a write_files
// path may hold one) neither ends it nor makes two of them one.
TEST(GraphTest, IdsAndKeysWithNulBytesStayWhole) {
  Graph g;
  const std::string a("a\0x", 3), b("a\0y", 3);
  auto ra = M(a);
  ra->provides_keys = {"key:" + a};
  g.Add(std::move(ra));
  auto rb = M(b);
  rb->requires_keys = {"key:" + a};
  g.Add(std::move(rb));
  ASSERT_TRUE(g.Build().ok());
  EXPECT_EQ(g.id(0), "marker[" + a + "]");
  EXPECT_EQ(g.id(1), "marker[" + b + "]");
  EXPECT_EQ(g.Find("marker[" + a + "]"), 0);
  EXPECT_EQ(g.Find("marker[" + b + "]"), 1);
  EXPECT_EQ(g.Find("marker[a"), -1);
  EXPECT_TRUE(g.IsProvided("key:" + a));
  EXPECT_FALSE(g.IsProvided("key:a"));
  ASSERT_EQ(g.deps(1).size(), 1u);
  EXPECT_EQ(g.deps(1)[0], 0u);
}

TEST(GraphTest, DuplicateIdIsAnError) {
  Graph g;
  g.Add(M("a"));
  g.Add(M("a"));
  Status st = g.Build();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "duplicate resource marker[a]");
  EXPECT_EQ(g.Find("marker[a]"), -1);  // no half-built lookup
}

TEST(GraphTest, ExplicitEdgeToUnknownIdIsAnError) {
  Graph g;
  auto a = M("a");
  a->after_ids = {"marker[nope]"};
  g.Add(std::move(a));
  Status st = g.Build();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(),
            "marker[a]: depends on unknown resource marker[nope]");
}

TEST(GraphTest, ExplicitEdgeOrders) {
  Graph g;
  auto a = M("a");
  a->after_ids = {"marker[b]"};
  g.Add(std::move(a));
  g.Add(M("b"));
  ASSERT_TRUE(g.Build().ok());
  EXPECT_EQ(OrderedIds(g),
            (std::vector<std::string>{"marker[b]", "marker[a]"}));
}

TEST(GraphTest, TheFirstRepeatedIdIsNamed) {
  // The id whose second resource comes first.
  Graph g;
  g.Add(M("a"));
  g.Add(M("b"));
  g.Add(M("b"));
  g.Add(M("a"));
  Status st = g.Build();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "duplicate resource marker[b]");
}

TEST(GraphTest, DepsAreEachPredecessorOnceAscending) {
  Graph g;
  auto user = M("user");
  user->provides_keys = {"user:alice", "user:alice", "group:alice"};
  auto dir = M("dir");
  dir->provides_keys = {"dir:/d"};
  auto file = M("file");
  file->requires_keys = {"group:alice", "dir:/d",    "user:alice",
                         "dir:/d",      "file:self", "nobody:provides"};
  file->provides_keys = {"file:self"};
  file->after_ids = {"marker[user]", "marker[file]"};
  g.Add(std::move(user));
  g.Add(std::move(dir));
  g.Add(std::move(file));
  ASSERT_TRUE(g.Build().ok());
  EXPECT_TRUE(g.deps(0).empty());
  EXPECT_TRUE(g.deps(1).empty());
  ASSERT_EQ(g.deps(2).size(), 2u);
  EXPECT_EQ(g.deps(2)[0], 0u);
  EXPECT_EQ(g.deps(2)[1], 1u);
  EXPECT_EQ(OrderedIds(g), (std::vector<std::string>{
                               "marker[dir]", "marker[user]", "marker[file]"}));
}

TEST(GraphTest, AFailedBuildLeavesNoEdges) {
  Graph g;
  g.Add(M("b"));
  auto a = M("a");
  a->after_ids = {"marker[b]"};
  g.Add(std::move(a));
  auto c = M("c");
  c->after_ids = {"marker[nope]"};
  g.Add(std::move(c));
  ASSERT_FALSE(g.Build().ok());
  for (size_t i = 0; i < g.size(); ++i) EXPECT_TRUE(g.deps(i).empty()) << i;
}

}  // namespace
}  // namespace flamingo
