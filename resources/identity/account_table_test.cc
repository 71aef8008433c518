#include "resources/identity/account_table.h"

#include <gtest/gtest.h>

#include "resources/identity/account_db.h"
#include "resources/identity/login_defs.h"

namespace flamingo::identity {
namespace {

const char kPasswd[] =
    "root:x:0:0:root:/root:/bin/bash\n"
    "# a comment\n"
    "+nisuser::::::\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "broken line without colons\n"
    "alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n";

TEST(AccountTableTest, RoundTripsUnknownLinesVerbatim) {
  auto t = AccountTable::Parse(kPasswd, kPasswdFields);
  EXPECT_EQ(t.Serialize(), kPasswd);
  EXPECT_EQ(t.Entries().size(), 3u);
  EXPECT_EQ(t.LineOf("alice"), 6u);
}

TEST(AccountTableTest, EditsInPlaceAndAppends) {
  auto t = AccountTable::Parse(kPasswd, kPasswdFields);
  ASSERT_TRUE(t.SetField("daemon", 6, "/bin/false"));
  t.Put({"bob", "x", "1001", "1001", "", "/home/bob", "/bin/sh"});
  EXPECT_TRUE(t.Remove("root"));
  EXPECT_FALSE(t.Remove("nobody"));
  EXPECT_EQ(t.Serialize(),
            "# a comment\n"
            "+nisuser::::::\n"
            "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
            "broken line without colons\n"
            "alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n"
            "bob:x:1001:1001::/home/bob:/bin/sh\n");
}

TEST(AccountTableTest, FieldsFollowEditsOfEveryLength) {
  auto t = AccountTable::Parse("g:x:10:a\nh:x:11:\n", kGroupFields);
  ASSERT_TRUE(t.SetField("g", 1, "longer-password"));
  ASSERT_TRUE(t.SetField("g", 2, "7"));
  ASSERT_TRUE(t.AppendToField("g", 3, ",b"));
  ASSERT_TRUE(t.AppendToField("h", 3, "c"));
  ASSERT_TRUE(t.AppendToField("g", 2, "0"));  // a middle field
  const AccountEntry* g = t.Find("g");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->ToVector(),
            (std::vector<std::string>{"g", "longer-password", "70", "a,b"}));
  EXPECT_EQ((*t.Find("h"))[3], "c");
  EXPECT_EQ(t.Serialize(), "g:longer-password:70:a,b\nh:x:11:c\n");
  // The name is never edited; absent entries and fields are refused.
  EXPECT_FALSE(t.SetField("g", 0, "other"));
  EXPECT_FALSE(t.SetField("g", 4, "x"));
  EXPECT_FALSE(t.AppendToField("nobody", 3, "x"));
}

TEST(AccountTableTest, OnlyLinesWithTheExactFieldCountAreEntries) {
  auto t = AccountTable::Parse(
      "a:x:1:\n"    // an entry
      "b:x:1\n"     // too few fields
      "c:x:1::\n"   // too many
      ":x:1:\n"     // no name
      "\n"          // blank
      "-d:x:1:\n",  // NIS
      kGroupFields);
  ASSERT_EQ(t.Entries().size(), 1u);
  EXPECT_EQ((*t.Entries()[0])[0], "a");
  EXPECT_EQ(t.Find("b"), nullptr);
  EXPECT_EQ(t.Find("c"), nullptr);
  EXPECT_EQ(t.Serialize(), "a:x:1:\nb:x:1\nc:x:1::\n:x:1:\n\n-d:x:1:\n");
}

TEST(AccountTableTest, NoTrailingNewlineGetsOne) {
  auto t = AccountTable::Parse("g:x:1:", kGroupFields);
  EXPECT_EQ(t.Serialize(), "g:x:1:\n");
}

// The index against a plain scan of the entries, through thousands of
// puts (the index grows), replacements, removals and duplicate names.
TEST(AccountTableTest, FindAgreesWithAScanThroughGrowthAndRemovals) {
  auto t = AccountTable::Parse("dup:x:1:1\nother:x:2:2\ndup:x:3:3\n\n", 4);
  auto scan = [&](std::string_view name) -> const AccountEntry* {
    for (const AccountEntry* e : t.Entries()) {
      if ((*e)[0] == name) return e;  // the first of duplicates
    }
    return nullptr;
  };
  unsigned seed = 11;
  auto next = [&] { return seed = seed * 1103515245u + 12345u; };
  for (int i = 0; i < 5000; ++i) {
    std::string name = "u" + std::to_string(next() % 3000);
    switch (next() % 4) {
      case 0:
      case 1:
        t.Put({name, "x", std::to_string(i), "0"});
        break;
      case 2:
        t.Remove(name);
        break;
      default:
        break;
    }
    for (const char* probe : {"dup", "other", name.c_str(), "missing"}) {
      ASSERT_EQ(t.Find(probe), scan(probe)) << probe << " at step " << i;
    }
  }
  EXPECT_EQ((*t.Find("dup"))[2], "1");
  EXPECT_TRUE(t.Serialize().ends_with("\n\n"));  // the blank line stays last
}

TEST(LoginDefsTest, ReadsIdsModeAndMethod) {
  auto d = ParseLoginDefs(
      "# comment\nUID_MIN\t\t\t 2000\nUID_MAX 3000\nGID_MIN 2000\n"
      "UMASK 077\nENCRYPT_METHOD yescrypt\nPASS_MAX_DAYS\t99999\n");
  EXPECT_EQ(d.uid_min, 2000u);
  EXPECT_EQ(d.uid_max, 3000u);
  EXPECT_EQ(d.sys_uid_max, 1999u);
  EXPECT_EQ(d.sys_gid_max, 1999u);
  EXPECT_EQ(d.home_mode, 0700u);
  EXPECT_EQ(d.encrypt_method, "YESCRYPT");
  EXPECT_EQ(d.pass_max_days, "99999");
  EXPECT_EQ(ParseLoginDefs("HOME_MODE 0750\nUMASK 022\n").home_mode, 0750u);
}

AccountDb Db(const std::string& passwd, const std::string& group,
             const std::string& defs = "") {
  std::string shadow, gshadow;
  auto pt = AccountTable::Parse(passwd, kPasswdFields);
  auto gt = AccountTable::Parse(group, kGroupFields);
  for (const auto* f : pt.Entries()) {
    shadow += std::string((*f)[0]) + ":*:19000:0:99999:7:::\n";
  }
  for (const auto* f : gt.Entries()) {
    gshadow += std::string((*f)[0]) + ":*::" + std::string((*f)[3]) + "\n";
  }
  return AccountDb::FromText(passwd, &shadow, group, &gshadow, defs,
                             1700000000);
}

TEST(AccountDbTest, NextIdsFollowUseraddRules) {
  auto db =
      Db("root:x:0:0::/root:/bin/sh\nsvc:x:998:998::/:/bin/false\n"
         "a:x:1000:1000::/h:/bin/sh\nb:x:1005:1005::/h:/bin/sh\n"
         "nobody:x:65534:65534::/:/bin/false\n",
         "root:x:0:\n");
  EXPECT_EQ(db.NextUid(false), 1006u);  // above the highest in range
  EXPECT_EQ(db.NextUid(true), 999u);    // highest free system id
  EXPECT_EQ(db.NextGid(false), 1000u);  // none used in range
}

TEST(AccountDbTest, NextUidFillsGapWhenTopIsUsed) {
  auto db = Db("a:x:1000:1000::/h:/bin/sh\nb:x:1002:1002::/h:/bin/sh\n", "",
               "UID_MIN 1000\nUID_MAX 1002\n");
  EXPECT_EQ(db.NextUid(false), 1001u);
  auto full = Db("a:x:1000:1:::\n", "", "UID_MIN 1000\nUID_MAX 1000\n");
  EXPECT_FALSE(full.NextUid(false).has_value());
}

TEST(AccountDbTest, MembershipEditsKeepGroupAndGshadowInStep) {
  auto db =
      Db("alice:x:1000:1000::/h:/bin/sh\n", "wheel:x:10:root\nalice:x:1000:\n");
  db.AddMember("wheel", "alice");
  db.AddMember("wheel", "alice");
  EXPECT_EQ(db.group().Serialize(), "wheel:x:10:root,alice\nalice:x:1000:\n");
  EXPECT_EQ(db.gshadow().Serialize(), "wheel:*::root,alice\nalice:*::\n");
  EXPECT_EQ(db.GroupsOf("alice"), std::vector<std::string>{"wheel"});
  db.RemoveUser("alice");
  EXPECT_EQ(db.group().Serialize(), "wheel:x:10:root\nalice:x:1000:\n");
  EXPECT_EQ(db.passwd().Serialize(), "");
  EXPECT_EQ(db.shadow().Serialize(), "");
}

TEST(AccountDbTest, AddUserWritesShadowWithLoginDefsAging) {
  auto db =
      Db("", "", "PASS_MIN_DAYS 0\nPASS_MAX_DAYS 99999\nPASS_WARN_AGE 7\n");
  UserView u;
  u.name = "bob";
  u.uid = 1000;
  u.gid = 1000;
  u.home = "/home/bob";
  u.shell = "/bin/sh";
  db.AddUser(u);
  EXPECT_EQ(db.passwd().Serialize(), "bob:x:1000:1000::/home/bob:/bin/sh\n");
  EXPECT_EQ(db.shadow().Serialize(), "bob:!:19675:0:99999:7:::\n");
}

}  // namespace
}  // namespace flamingo::identity
