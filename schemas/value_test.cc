#include "schemas/value.h"

#include <gtest/gtest.h>

#include "schemas/yaml_loader.h"

namespace flamingo {
namespace {

TEST(ValueTest, PositionFormatsAsOrigin) {
  Diagnostics diags;
  auto loaded = LoadYaml("a:\n  - x\n", "ud", &diags);
  ASSERT_TRUE(loaded.has_value());
  const Value& x = loaded->Get("a")->items()[0];
  EXPECT_EQ(x.Position().Format(), "ud:2:5");
  EXPECT_EQ(x.Position().Format(), x.Origin());
  // Unknown parts are left out, as FormatPosition leaves them.
  EXPECT_EQ(SourcePosition().Format(), "<input>");
  EXPECT_EQ(SourcePosition(nullptr, 3, 0).Format(), "<input>:3");
}

TEST(PathTableTest, FormatsAsChildPathDoes) {
  PathTable t;
  EXPECT_EQ(t.Format(PathTable::kRoot), "");
  const uint32_t users = t.Key(PathTable::kRoot, "users");
  const uint32_t first = t.Index(users, 1);
  const uint32_t shell = t.Key(first, "shell");
  EXPECT_EQ(t.Format(users), "users");
  EXPECT_EQ(t.Format(first), ChildPath("users", 1));
  EXPECT_EQ(t.Format(shell), "users[1].shell");
  // A list at the root, a literal and steps below it, an interned key
  // used again, keys with dots and brackets kept as they are.
  EXPECT_EQ(t.Format(t.Index(PathTable::kRoot, 0)), "[0]");
  const uint32_t lit = t.Literal("public-keys");
  EXPECT_EQ(t.Format(t.Key(t.Index(lit, 2), "shell")), "public-keys[2].shell");
  EXPECT_EQ(t.Format(t.Key(lit, "a.b[3]")), "public-keys.a.b[3]");
  EXPECT_EQ(t.Literal(""), PathTable::kRoot);
  EXPECT_EQ(t.Format(shell), "users[1].shell");  // ids stay valid
}

TEST(ValueTest, PathsOfLoadedAndBuiltValues) {
  Diagnostics diags;
  auto loaded = LoadYaml("a:\n  - {b: [x, {c: y}]}\n  - &k {d: 1}\ne: *k\n",
                         "ud", &diags);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->path(), "");
  const Value& c = loaded->Get("a")->items()[0].Get("b")->items()[1];
  EXPECT_EQ(c.path(), "a[0].b[1]");
  EXPECT_EQ(c.Get("c")->path(), "a[0].b[1].c");
  // An alias's copy takes the path where it is used, its children too.
  EXPECT_EQ(loaded->Get("e")->Get("d")->path(), "e.d");
  EXPECT_EQ(loaded->Get("a")->items()[1].Get("d")->path(), "a[1].d");
  // Copies keep their paths; repathing a copy leaves the original alone.
  Value copy = *loaded->Get("a");
  copy.Repath("x");
  EXPECT_EQ(copy.items()[0].Get("b")->path(), "x[0].b");
  EXPECT_EQ(loaded->Get("a")->items()[0].Get("b")->path(), "a[0].b");
  // Values built in code: no path until one is set.
  Value m = Value::Map();
  m.Set("k", Value::List());
  m.GetMutable("k")->Append(Value::String("v"));
  EXPECT_EQ(m.Get("k")->items()[0].path(), "");
  m.Repath("");
  EXPECT_EQ(m.Get("k")->items()[0].path(), "k[0]");
  Value lone = Value::String("s");
  lone.SetChildPath(Value::Map(), "key");  // a parent without a table
  EXPECT_EQ(lone.path(), "key");
  lone.SetPath("given.path");
  EXPECT_EQ(lone.path(), "given.path");
}

TEST(ValueTest, CopiesAreDeepAndKeepTagsAndPositions) {
  Diagnostics diags;
  auto loaded = LoadYaml("a: !!binary aGk=\nb: [1, {c: x}]\n", "ud", &diags);
  ASSERT_TRUE(loaded.has_value());
  Value copy = *loaded;
  EXPECT_EQ(copy, *loaded);
  EXPECT_EQ(copy.Get("a")->tag(), "tag:yaml.org,2002:binary");
  EXPECT_EQ(copy.Get("b")->items()[1].Get("c")->Origin(), "ud:2:12");
  EXPECT_EQ(copy.Get("b")->items()[1].Get("c")->path(), "b[1].c");
  // Editing the copy leaves the original alone.
  copy.GetMutable("b")->mutable_items()[1].Set("c", Value::String("y"));
  copy.GetMutable("b")->Append(Value::Int(2));
  EXPECT_EQ(loaded->Get("b")->items().size(), 2u);
  EXPECT_EQ(loaded->Get("b")->items()[1].Get("c")->text(), "x");
  EXPECT_FALSE(copy == *loaded);
  // Assigning over a container replaces it whole.
  copy = Value::String("s");
  EXPECT_TRUE(copy.items().empty());
  EXPECT_TRUE(copy.entries().empty());
  EXPECT_EQ(copy.tag(), "");
}

TEST(ValueTest, ScalarsHaveNoChildrenAndEraseOnThemIsANoOp) {
  Value s = Value::String("x");
  EXPECT_TRUE(s.items().empty());
  EXPECT_EQ(s.Get("k"), nullptr);
  EXPECT_EQ(s.GetMutable("k"), nullptr);
  EXPECT_FALSE(s.Erase("k"));
  Value m = Value::Map();
  m.Set("k", Value::Int(1));
  m.Set("k", Value::Int(2));
  ASSERT_EQ(m.entries().size(), 1u);
  EXPECT_EQ(m.Get("k")->as_int(), 2);
  EXPECT_TRUE(m.Erase("k"));
  EXPECT_TRUE(m.entries().empty());
}

}  // namespace
}  // namespace flamingo
