#include "resources/identity/ssh_key.h"

#include <gtest/gtest.h>

#include "resources/identity/ssh_keys_resource.h"

namespace flamingo::identity {
namespace {

// Well-formed blobs (the embedded type matches).
const char kEd[] =
    "AAAAC3NzaC1lZDI1NTE5AAAAIGnFzWcF0RU6vXEHy3xv2b8qQZk6qPq1H7Vz5Yg2V0sB";
const char kRsa[] = "AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7";

TEST(SshKeyTest, ParsesTypeBlobCommentAndOptions) {
  std::string err;
  auto k =
      ParseSshKey(std::string("ssh-ed25519 ") + kEd + " alice@laptop", &err);
  ASSERT_TRUE(k) << err;
  EXPECT_EQ(k->type, "ssh-ed25519");
  EXPECT_EQ(k->comment, "alice@laptop");
  EXPECT_EQ(k->options, "");
  auto o = ParseSshKey(
      std::string("no-pty,command=\"echo hi there\" ssh-ed25519 ") + kEd, &err);
  ASSERT_TRUE(o) << err;
  EXPECT_EQ(o->options, "no-pty,command=\"echo hi there\"");
  EXPECT_EQ(o->Identity(), k->Identity());
  EXPECT_EQ(o->Line(),
            std::string("no-pty,command=\"echo hi there\" ssh-ed25519 ") + kEd);
}

TEST(SshKeyTest, RejectsMalformedKeys) {
  std::string err;
  EXPECT_FALSE(ParseSshKey("ssh-foo AAAA", &err));
  EXPECT_EQ(err, "unknown key type 'ssh-foo'");
  EXPECT_FALSE(ParseSshKey("ssh-ed25519 not*base64", &err));
  EXPECT_EQ(err, "key data is not valid base64");
  // An RSA blob labelled ed25519.
  EXPECT_FALSE(ParseSshKey(std::string("ssh-ed25519 ") + kRsa, &err));
  EXPECT_EQ(err, "key data does not match key type 'ssh-ed25519'");
  EXPECT_FALSE(ParseSshKey("", &err));
  EXPECT_FALSE(
      ParseSshKey(std::string("ssh-ed25519 ") + kEd + "\nssh-rsa x", &err));
  EXPECT_TRUE(ParseSshKey(std::string("ssh-rsa ") + kRsa, &err)) << err;
}

TEST(SshKeyTest, MergeKeepsForeignLinesAndDropsOnlyRecordedOnes) {
  std::string err;
  auto ours = *ParseSshKey(std::string("ssh-ed25519 ") + kEd + " ours", &err);
  auto old = *ParseSshKey(std::string("ssh-rsa ") + kRsa + " old-ours", &err);
  std::string current = "# admin comment\nssh-rsa " + std::string(kRsa) +
                        " old-ours\nssh-dss AAAA foreign-unknown-type\n";
  // kRsa is recorded as ours and no longer configured: removed.
  std::string merged = MergeAuthorizedKeys(current, {ours}, {old.Identity()});
  EXPECT_EQ(merged, "# admin comment\nssh-dss AAAA foreign-unknown-type\n" +
                        ours.Line() + "\n");
  // Not recorded: a foreign key, kept.
  merged = MergeAuthorizedKeys(current, {ours}, {});
  EXPECT_EQ(merged, current + ours.Line() + "\n");
  // Idempotent.
  EXPECT_EQ(MergeAuthorizedKeys(merged, {ours}, {}), merged);
}

}  // namespace
}  // namespace flamingo::identity
