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
