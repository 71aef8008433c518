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

TEST(GraphTest, DuplicateIdIsAnError) {
  Graph g;
  g.Add(M("a"));
  g.Add(M("a"));
  Status st = g.Build();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "duplicate resource marker[a]");
}

TEST(GraphTest, ExplicitEdgeToUnknownIdIsAnError) {
  Graph g;
  auto a = M("a");
  a->after_ids = {"marker[nope]"};
  g.Add(std::move(a));
  Status st = g.Build();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "marker[a]: depends on unknown resource marker[nope]");
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

}  // namespace
}  // namespace flamingo
