#include "resources/identity/identity_config.h"

#include <gtest/gtest.h>

#include "schemas/yaml_loader.h"

namespace flamingo::identity {
namespace {

const char kEd[] =
    "ssh-ed25519 "
    "AAAAC3NzaC1lZDI1NTE5AAAAIGnFzWcF0RU6vXEHy3xv2b8qQZk6qPq1H7Vz5Yg2V0sB";
const char kHash[] =
    "$6$rounds=4096$5DJ8a9WMTEzIo5J4$Yms6imfeBvf3Yfu84mQBerh18l7OR1Wm1BJXZqFSp"
    "J6BVas0AYJqIjP7czkOaAZHZi1kxQ5Y1IhgWN8K9NgxR1";

struct Parsed {
  IdentityConfig cfg;
  Diagnostics diags;
  std::vector<std::string> Errors() const {
    std::vector<std::string> out;
    for (const auto& d : diags.items()) out.push_back(d.ToString());
    return out;
  }
};

Parsed Parse(const std::string& yaml, const std::string& meta = "{}") {
  Parsed p;
  auto config = LoadYaml(yaml, "user-data", &p.diags);
  auto md = LoadYaml(meta, "meta-data", &p.diags);
  EXPECT_TRUE(config && md);
  p.cfg = ParseIdentityConfig(*config, *md, &p.diags);
  return p;
}

const UserSpec* FindUser(const IdentityConfig& c, const std::string& name) {
  for (const auto& u : c.users) {
    if (u.name == name) return &u;
  }
  return nullptr;
}

TEST(IdentityConfigTest, NoIdentityKeysMeansNoAccounts) {
  auto p = Parse("write_files: []\n");
  EXPECT_TRUE(p.cfg.users.empty());
  EXPECT_TRUE(p.diags.empty());
}

TEST(IdentityConfigTest, DefaultUserIsCreatedForMetaDataKeys) {
  auto p = Parse("{}", std::string("public-keys:\n  - ") + kEd + "\n");
  ASSERT_EQ(p.cfg.users.size(), 1u);
  const UserSpec& u = p.cfg.users[0];
  EXPECT_TRUE(u.is_default);
  EXPECT_EQ(u.name, kDefaultUserName);
  EXPECT_EQ(u.shell, "/bin/bash");
  ASSERT_TRUE(u.sudo.has_value());
  EXPECT_EQ(p.cfg.cloud_keys.size(), 1u);
}

TEST(IdentityConfigTest, UserTaggedKeysGoToTheDefaultUserOnly) {
  // GCE's "USER:KEY" lines, normalized to meta-data "ssh-keys": the default
  // user's name and "cloudinit" are taken, other users' keys are not.
  const std::string meta = std::string("ssh-keys:\n") +
                           "  - {user: fedora, key: '" + kEd + " f'}\n" +
                           "  - {user: cloudinit, key: '" + kEd + " ci'}\n" +
                           "  - {user: mallory, key: '" + kEd + " m'}\n";
  auto p = Parse("system_info: {default_user: {name: fedora}}\n", meta);
  ASSERT_EQ(p.cfg.users.size(), 1u);
  EXPECT_EQ(p.cfg.users[0].name, "fedora");
  ASSERT_EQ(p.cfg.cloud_keys.size(), 2u);
  std::vector<std::string> comments;
  for (const auto& k : p.cfg.cloud_keys) comments.push_back(k.comment);
  EXPECT_EQ(comments, (std::vector<std::string>{"f", "ci"}));
  // Nobody's keys for the default user: no default user is created for them.
  auto q = Parse("{}", std::string("ssh-keys:\n  - {user: mallory, key: '") +
                           kEd + " m'}\n");
  EXPECT_TRUE(q.cfg.users.empty());
  EXPECT_TRUE(q.cfg.cloud_keys.empty());
  // allow_public_ssh_keys: false ignores them all.
  auto r = Parse(
      "allow_public_ssh_keys: false\n"
      "system_info: {default_user: {name: fedora}}\n",
      meta);
  EXPECT_TRUE(r.cfg.cloud_keys.empty());
}

TEST(IdentityConfigTest, DefaultUserIsConfigurable) {
  auto p = Parse(
      "system_info:\n  default_user:\n    name: fedora\n    groups: [wheel]\n"
      "user: {sudo: null, gecos: Me}\nusers: [default, bob]\n");
  ASSERT_EQ(p.cfg.users.size(), 2u) << ::testing::PrintToString(p.Errors());
  EXPECT_EQ(p.cfg.users[0].name, "fedora");
  EXPECT_EQ(p.cfg.users[0].groups, std::vector<std::string>{"wheel"});
  EXPECT_FALSE(p.cfg.users[0].sudo.has_value());
  EXPECT_EQ(p.cfg.users[0].gecos, "Me");
  EXPECT_EQ(p.cfg.users[1].name, "bob");
  EXPECT_EQ(p.cfg.default_user, "fedora");
}

TEST(IdentityConfigTest, UsersWithoutDefaultHaveNoDefaultUser) {
  auto p = Parse(
      "users:\n  - name: alice\n    groups: adm, wheel\n"
      "    uid: 2001\n    expiredate: '2030-01-02'\n"
      "    inactive: '5'\n    lock_passwd: false\n"
      "    hashed_passwd: " +
      std::string(kHash) + "\n");
  ASSERT_EQ(p.cfg.users.size(), 1u) << ::testing::PrintToString(p.Errors());
  const UserSpec& u = p.cfg.users[0];
  EXPECT_EQ(u.groups, (std::vector<std::string>{"adm", "wheel"}));
  EXPECT_EQ(u.uid, 2001u);
  EXPECT_EQ(u.expiredate, 21916);
  EXPECT_EQ(u.inactive, 5);
  EXPECT_EQ(u.password_kind, PasswordKind::kHash);
  EXPECT_TRUE(p.cfg.default_user.empty());
  // adm and wheel become (implicit) groups.
  ASSERT_EQ(p.cfg.groups.size(), 2u);
  EXPECT_TRUE(p.cfg.groups[0].implicit);
}

TEST(IdentityConfigTest, GroupsInEveryForm) {
  auto p = Parse(
      "groups:\n  - admingroup: [root, sys]\n  - cloud-users\n"
      "users: [{name: sys2, groups: [admingroup]}]\n");
  ASSERT_EQ(p.cfg.groups.size(), 2u) << ::testing::PrintToString(p.Errors());
  EXPECT_EQ(p.cfg.groups[0].members, (std::vector<std::string>{"root", "sys"}));
  EXPECT_EQ(p.cfg.groups[1].name, "cloud-users");
  auto q = Parse("groups: 'a, b'\n");
  ASSERT_EQ(q.cfg.groups.size(), 2u);
  auto m = Parse("groups: {g1: u1, g2: [u2, u3]}\n");
  ASSERT_EQ(m.cfg.groups.size(), 2u);
  EXPECT_EQ(m.cfg.groups[1].members, (std::vector<std::string>{"u2", "u3"}));
}

TEST(IdentityConfigTest, ConfiguredMembersJoinThroughTheUser) {
  auto p = Parse("groups:\n  - ops: [alice, root]\nusers: [alice]\n");
  ASSERT_TRUE(p.diags.empty());
  EXPECT_EQ(p.cfg.groups[0].members, std::vector<std::string>{"root"});
  EXPECT_EQ(FindUser(p.cfg, "alice")->groups, std::vector<std::string>{"ops"});
}

TEST(IdentityConfigTest, ChpasswdUsersAndListForms) {
  auto p =
      Parse(std::string("users: [default]\nchpasswd:\n  expire: false\n"
                        "  users:\n"
                        "  - {name: user1, password: password1, type: text}\n"
                        "  - {name: user2, password: ") +
            kHash + "}\n  - {name: user3, type: RANDOM}\n");
  const UserSpec* u1 = FindUser(p.cfg, "user1");
  ASSERT_NE(u1, nullptr);
  EXPECT_TRUE(u1->existing_only);
  EXPECT_EQ(u1->password_kind, PasswordKind::kPlain);
  EXPECT_FALSE(u1->expire_password);
  EXPECT_EQ(FindUser(p.cfg, "user2")->password_kind, PasswordKind::kHash);
  EXPECT_EQ(FindUser(p.cfg, "user3"), nullptr);  // RANDOM: warned, skipped
  ASSERT_EQ(p.diags.items().size(), 1u);
  EXPECT_EQ(p.diags.items()[0].severity, Severity::kWarning);

  auto l = Parse("chpasswd:\n  list: |\n    root:pw1\n    bob:" +
                 std::string(kHash) + "\n");
  EXPECT_EQ(FindUser(l.cfg, "root")->password_kind, PasswordKind::kPlain);
  EXPECT_TRUE(FindUser(l.cfg, "root")->expire_password);
  EXPECT_EQ(FindUser(l.cfg, "bob")->password_kind, PasswordKind::kHash);
}

TEST(IdentityConfigTest, PasswordKeySetsTheDefaultUsersPassword) {
  auto p = Parse("password: password1\nssh_pwauth: true\n");
  ASSERT_EQ(p.cfg.users.size(), 1u);
  EXPECT_EQ(p.cfg.users[0].password_kind, PasswordKind::kPlain);
  EXPECT_FALSE(p.cfg.users[0].lock_passwd);
  EXPECT_TRUE(p.cfg.users[0].expire_password);
  EXPECT_EQ(p.cfg.ssh_pwauth, true);
  EXPECT_TRUE(p.cfg.warnings.empty());
}

TEST(IdentityConfigTest, BadInputIsReportedWithPositions) {
  auto p = Parse(
      "users:\n"
      "  - name: 'bad name'\n"
      "  - name: alice\n"
      "    uid: 1500\n"
      "    ssh_authorized_keys: ['ssh-rsa notakey']\n"
      "    hashed_passwd: plaintext\n"
      "    sudo: 'ALL=(ALL NOPASSWD:ALL'\n"
      "  - name: bob\n"
      "    uid: 1500\n"
      "  - name: alice\n");
  auto e = p.Errors();
  auto has = [&](const std::string& s) {
    for (const auto& x : e) {
      if (x.find(s) != std::string::npos) return true;
    }
    return false;
  };
  EXPECT_TRUE(
      has("user-data:2:11: users[0].name: invalid user name 'bad name'"))
      << ::testing::PrintToString(e);
  EXPECT_TRUE(
      has("user-data:5:27: users[1].ssh_authorized_keys[0]: malformed SSH key"))
      << ::testing::PrintToString(e);
  EXPECT_TRUE(
      has("user-data:6:20: users[1].hashed_passwd: hashed_passwd is not a "
          "valid password hash"))
      << ::testing::PrintToString(e);
  EXPECT_TRUE(
      has("user-data:7:11: users[1].sudo: invalid sudo rule at character 10"))
      << ::testing::PrintToString(e);
  EXPECT_TRUE(has("uid 1500 of user 'bob' is also given to user 'alice'"))
      << ::testing::PrintToString(e);
  EXPECT_TRUE(
      has("user-data:10:11: users[3].name: user 'alice' is already defined at "
          "user-data:3:5"))
      << ::testing::PrintToString(e);
}

TEST(IdentityConfigTest, ImportIdAndSelinuxAreWarnings) {
  auto p = Parse(
      "users:\n  - name: newsuper\n    ssh_import_id: [gh:x]\n"
      "    selinux_user: staff_u\n");
  EXPECT_FALSE(p.diags.HasErrors());
  auto e = p.Errors();
  ASSERT_EQ(e.size(), 2u);
  EXPECT_NE(e[0].find("warning: users[0].ssh_import_id: ssh_import_id is not "
                      "supported"),
            std::string::npos)
      << e[0];
}

TEST(IdentityConfigTest, LockoutIsWarned) {
  auto p = Parse("users: [{name: alice}]\n");
  ASSERT_EQ(p.cfg.warnings.size(), 1u);
  EXPECT_NE(p.cfg.warnings[0].find("no way in"), std::string::npos);
  auto ok = Parse("users: [{name: alice, ssh_authorized_keys: ['" +
                  std::string(kEd) + "']}]\n");
  EXPECT_TRUE(ok.cfg.warnings.empty());
}

TEST(IdentityConfigTest, SshPolicyKeys) {
  auto p = Parse(
      "disable_root: false\nssh_pwauth: unchanged\n"
      "disable_root_opts: no-pty\n");
  EXPECT_FALSE(p.cfg.disable_root);
  EXPECT_TRUE(p.cfg.disable_root_set);
  EXPECT_FALSE(p.cfg.ssh_pwauth.has_value());
  EXPECT_EQ(p.cfg.disable_root_opts, "no-pty");
}

TEST(IdentityConfigTest, DoasRulesMustNameTheUser) {
  auto p = Parse(
      "users:\n  - name: newsuper\n    doas: [permit nopass newsuper, "
      "deny newsuper as root, permit other]\n");
  auto e = p.Errors();
  ASSERT_EQ(e.size(), 1u) << ::testing::PrintToString(e);
  EXPECT_NE(e[0].find("doas[2]: invalid doas rule"), std::string::npos) << e[0];
}

}  // namespace
}  // namespace flamingo::identity
