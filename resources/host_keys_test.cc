// SSH host keys (cc_ssh) on the FakeSystem, with ssh-keygen played by the
// Exec handler.
#include "resources/host_keys.h"

#include <gtest/gtest.h>

#include "resources/resource_testing.h"
#include "resources/script_run.h"

namespace flamingo {
namespace {

using testing::Harness;

RunInfo Boot(const std::string& instance) {
  RunInfo r;
  r.instance_id = instance;
  r.boot_id = "b";
  r.boot = true;
  return r;
}

class HostKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sys_.AddFile("/etc/group", "root:x:0:\n");
    sys_.AddFile("/usr/bin/ssh-keygen", "", {0755, 0, 0});
    // The image's keys.
    for (const char* t : {"rsa", "dsa", "ed25519"}) {
      Key(t, std::string("image ") + t);
    }
    // ssh-keygen -q -t TYPE -N "" -f PATH writes PATH and PATH.pub.
    sys_.set_exec_handler([this](const ExecRequest& r) -> Result<ExecResult> {
      ExecResult res;
      if (r.argv.size() == 8 && r.argv[0] == "ssh-keygen") {
        if (r.argv[3] == fail_type_) {
          res.exit_code = 1;
          res.output_tail = "unknown key type\n";
          return res;
        }
        sys_.AddFile(r.argv[7], "private " + r.argv[3] + " " + run_.instance_id,
                     {0600, 0, 0});
        sys_.AddFile(r.argv[7] + ".pub", "public " + r.argv[3], {0644, 0, 0});
      }
      // ssh-keygen -y -f KEY prints the public key of KEY.
      if (r.argv.size() == 4 && r.argv[1] == "-y") {
        std::string key = sys_.ContentOf(r.argv[3]);
        if (key.rfind("PRIVATE", 0) != 0) {
          res.exit_code = 255;
          res.output_tail = "Load key: invalid format\n";
        } else {
          res.output_tail = "derived from " + key;
        }
      }
      return res;
    });
  }
  void Key(const std::string& type, const std::string& content) {
    sys_.AddFile("/etc/ssh/ssh_host_" + type + "_key", content, {0600, 0, 0});
    sys_.AddFile("/etc/ssh/ssh_host_" + type + "_key.pub", content + " pub",
                 {0644, 0, 0});
  }
  std::string File(const std::string& path) { return sys_.ContentOf(path); }
  ApplyReport Apply(const std::string& yaml, const RunInfo& run) {
    run_ = run;
    h_.run() = run;
    EXPECT_EQ(h_.Compile(yaml), "");
    EXPECT_TRUE(h_.Build().ok());
    return h_.ApplyOn(sys_);
  }

  FakeSystem sys_;
  Harness h_{{CompileHostKeys}};
  RunInfo run_;
  std::string fail_type_ = "none";
};

TEST_F(HostKeysTest, ANewInstanceReplacesTheImagesKeysOnce) {
  Plan plan;
  ApplyReport r = Apply("{}\n", Boot("i-1"));
  ASSERT_TRUE(r.ok()) << r.results[0].message;
  EXPECT_EQ(File("/etc/ssh/ssh_host_rsa_key"), "private rsa i-1");
  EXPECT_EQ(File("/etc/ssh/ssh_host_ecdsa_key"), "private ecdsa i-1");
  EXPECT_EQ(File("/etc/ssh/ssh_host_ed25519_key"), "private ed25519 i-1");
  EXPECT_EQ(File("/etc/ssh/ssh_host_ed25519_key.pub"), "public ed25519");
  EXPECT_EQ(sys_.GetFile("/etc/ssh/ssh_host_rsa_key")->attrs.mode, 0600u);
  EXPECT_EQ(sys_.GetFile("/etc/ssh/ssh_host_rsa_key.pub")->attrs.mode, 0644u);
  // dsa is not among the types: removed with the image's other keys.
  EXPECT_EQ(File("/etc/ssh/ssh_host_dsa_key"), "<missing>");
  EXPECT_EQ(File("/etc/ssh/ssh_host_dsa_key.pub"), "<missing>");
  EXPECT_EQ(File("/etc/ssh/.flamingo-new-ssh_host_rsa_key"), "<missing>");
  ASSERT_EQ(sys_.exec_requests().size(), 3u);
  EXPECT_EQ(
      sys_.exec_requests()[0].argv,
      (std::vector<std::string>{"ssh-keygen", "-q", "-t", "rsa", "-N", "", "-f",
                                "/etc/ssh/.flamingo-new-ssh_host_rsa_key"}));
  // Looked up in the scripts' PATH, where Observe found it.
  EXPECT_EQ(sys_.exec_requests()[0].env.at("PATH"), kScriptPath);
  // The same instance again: nothing.
  EXPECT_FALSE(h_.MakePlanOn(sys_).HasChanges());
  ASSERT_TRUE(Apply("{}\n", Boot("i-1")).ok());
  EXPECT_EQ(sys_.exec_requests().size(), 3u);
  // A clone of this machine: new keys again.
  ASSERT_TRUE(Apply("{}\n", Boot("i-2")).ok());
  EXPECT_EQ(File("/etc/ssh/ssh_host_rsa_key"), "private rsa i-2");
}

TEST_F(HostKeysTest, ThePlanNamesTypesNeverKeys) {
  run_ = Boot("i-1");
  h_.run() = run_;
  ASSERT_EQ(h_.Compile("{}\n"), "");
  ASSERT_TRUE(h_.Build().ok());
  Plan plan = h_.MakePlanOn(sys_);
  const Change* c = testing::FindChange(plan, "ssh_host_keys[/etc/ssh]");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->action, Action::kRun);
  EXPECT_EQ(c->reason, "once per instance: not yet made for instance i-1");
  ASSERT_EQ(c->fields.size(), 2u);
  EXPECT_EQ(c->fields[0].after, "rsa, ecdsa, ed25519");
  EXPECT_EQ(c->fields[1].before, "dsa");
}

TEST_F(HostKeysTest, KeepingKeysMakesOnlyTheMissingTypes) {
  ASSERT_TRUE(Apply("ssh_deletekeys: false\nssh_genkeytypes: [ed25519, "
                    "ecdsa]\n",
                    Boot("i-1"))
                  .ok());
  EXPECT_EQ(File("/etc/ssh/ssh_host_ed25519_key"), "image ed25519");
  EXPECT_EQ(File("/etc/ssh/ssh_host_ecdsa_key"), "private ecdsa i-1");
  EXPECT_EQ(File("/etc/ssh/ssh_host_dsa_key"), "image dsa");
  EXPECT_EQ(sys_.exec_requests().size(), 1u);
}

TEST_F(HostKeysTest, PrivateKeysBelongToSshKeysWhereThatGroupExists) {
  sys_.AddFile("/etc/group", "root:x:0:\nssh_keys:x:996:\n");
  ASSERT_TRUE(Apply("ssh_genkeytypes: [ed25519]\n", Boot("i-1")).ok());
  auto key = sys_.GetFile("/etc/ssh/ssh_host_ed25519_key");
  EXPECT_EQ(key->attrs.mode, 0640u);
  EXPECT_EQ(key->attrs.gid, 996u);
}

TEST_F(HostKeysTest, AFailedKeygenKeepsTheOldKeyAndFails) {
  fail_type_ = "ecdsa";
  ApplyReport r = Apply("{}\n", Boot("i-1"));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.results[0].message,
            "ssh-keygen -t ecdsa failed: unknown key type");
  EXPECT_EQ(File("/etc/ssh/ssh_host_rsa_key"), "private rsa i-1");
  EXPECT_EQ(File("/etc/ssh/ssh_host_ed25519_key"), "image ed25519");
  EXPECT_EQ(File("/etc/ssh/ssh_host_dsa_key"), "image dsa");  // not removed
  // Not recorded: the next boot tries again.
  fail_type_ = "none";
  ASSERT_TRUE(Apply("{}\n", Boot("i-1")).ok());
  EXPECT_EQ(File("/etc/ssh/ssh_host_ed25519_key"), "private ed25519 i-1");
}

constexpr char kGivenKeys[] = R"(ssh_keys:
  rsa_private: |
    PRIVATE rsa
  rsa_public: ssh-rsa AAAA given
  ed25519_private: PRIVATE ed25519
)";

TEST_F(HostKeysTest, GivenKeysAreInstalledInsteadOfGenerated) {
  ApplyReport r = Apply(kGivenKeys, Boot("i-1"));
  ASSERT_TRUE(r.ok()) << r.results[0].message;
  EXPECT_EQ(File("/etc/ssh/ssh_host_rsa_key"), "PRIVATE rsa\n");
  EXPECT_EQ(File("/etc/ssh/ssh_host_rsa_key.pub"), "ssh-rsa AAAA given\n");
  EXPECT_EQ(sys_.GetFile("/etc/ssh/ssh_host_rsa_key")->attrs.mode, 0600u);
  EXPECT_EQ(sys_.GetFile("/etc/ssh/ssh_host_rsa_key.pub")->attrs.mode, 0644u);
  // No public key given: derived from the private one (ssh-keygen -y).
  EXPECT_EQ(File("/etc/ssh/ssh_host_ed25519_key"), "PRIVATE ed25519\n");
  EXPECT_EQ(File("/etc/ssh/ssh_host_ed25519_key.pub"),
            "derived from PRIVATE ed25519\n");
  EXPECT_EQ(sys_.GetFile("/etc/ssh/ssh_host_ed25519_key.pub")->attrs.mode,
            0644u);
  EXPECT_EQ(File("/etc/ssh/.flamingo-new-ssh_host_ed25519_key.pub"),
            "<missing>");
  EXPECT_EQ(File("/etc/ssh/.flamingo-new-ssh_host_ed25519_key"), "<missing>");
  // Nothing generated; the image's dsa key is not given: removed.
  ASSERT_EQ(sys_.exec_requests().size(), 1u);
  EXPECT_EQ(sys_.exec_requests()[0].argv,
            (std::vector<std::string>{
                "ssh-keygen", "-y", "-f",
                "/etc/ssh/.flamingo-new-ssh_host_ed25519_key"}));
  EXPECT_EQ(File("/etc/ssh/ssh_host_dsa_key"), "<missing>");
  EXPECT_EQ(File("/etc/ssh/ssh_host_ecdsa_key"), "<missing>");
  // Once per instance.
  EXPECT_FALSE(h_.MakePlanOn(sys_).HasChanges());
}

TEST_F(HostKeysTest, ThePlanOfGivenKeysNamesTypesNeverKeys) {
  run_ = Boot("i-1");
  h_.run() = run_;
  ASSERT_EQ(h_.Compile(kGivenKeys), "");
  ASSERT_TRUE(h_.Build().ok());
  Plan plan = h_.MakePlanOn(sys_);
  const Change* c = testing::FindChange(plan, "ssh_host_keys[/etc/ssh]");
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(c->fields.size(), 2u);
  EXPECT_EQ(c->fields[0].name, "install");
  EXPECT_EQ(c->fields[0].after, "ed25519, rsa");
  EXPECT_EQ(c->fields[1].name, "remove");
  EXPECT_EQ(c->fields[1].before, "dsa");
  for (const FieldChange& f : c->fields) {
    EXPECT_EQ(f.after.value_or("").find("PRIVATE"), std::string::npos);
    EXPECT_EQ(f.before.value_or("").find("PRIVATE"), std::string::npos);
  }
}

TEST_F(HostKeysTest, GivenKeysNeedNoKeygenUnlessAPublicKeyIsDerived) {
  sys_.Remove("/usr/bin/ssh-keygen");
  ASSERT_TRUE(Apply("ssh_deletekeys: false\nssh_keys:\n  rsa_private: "
                    "PRIVATE rsa\n  rsa_public: ssh-rsa AAAA\n",
                    Boot("i-1"))
                  .ok());
  EXPECT_EQ(File("/etc/ssh/ssh_host_rsa_key"), "PRIVATE rsa\n");
  // ssh_deletekeys: false keeps the image's other keys.
  EXPECT_EQ(File("/etc/ssh/ssh_host_dsa_key"), "image dsa");
  EXPECT_TRUE(sys_.exec_requests().empty());
}

TEST_F(HostKeysTest, AKeyThatCannotBeReadReplacesNothingAndFails) {
  ApplyReport r = Apply("ssh_keys:\n  rsa_private: not a key\n", Boot("i-1"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.results[0].message,
            "ssh-keygen -y (ssh_keys.rsa_private) failed: Load key: "
            "invalid format");
  EXPECT_EQ(File("/etc/ssh/ssh_host_rsa_key"), "image rsa");  // kept
  EXPECT_EQ(File("/etc/ssh/ssh_host_rsa_key.pub"), "image rsa pub");
  EXPECT_EQ(File("/etc/ssh/.flamingo-new-ssh_host_rsa_key"), "<missing>");
  EXPECT_EQ(File("/etc/ssh/.flamingo-new-ssh_host_rsa_key.pub"), "<missing>");
  EXPECT_EQ(File("/etc/ssh/ssh_host_dsa_key"), "image dsa");  // not removed
  // Not recorded: the next boot tries again.
  EXPECT_FALSE(h_.MakePlanOn(sys_).items.empty());
  EXPECT_TRUE(h_.MakePlanOn(sys_).HasChanges());
}

TEST_F(HostKeysTest, CertificatesAndLonePublicKeysAreIgnored) {
  run_ = Boot("i-1");
  h_.run() = run_;
  std::string diags = h_.Compile(
      "ssh_keys:\n  rsa_certificate: ssh-rsa-cert AAAA\n"
      "  ecdsa_public: ecdsa-sha2 AAAA\n");
  EXPECT_NE(diags.find("ssh_keys.ecdsa: a public key without its private key"),
            std::string::npos)
      << diags;
  ASSERT_TRUE(h_.Build().ok());
  // Nothing given that can be installed: the keys are generated as usual.
  Plan plan = h_.MakePlanOn(sys_);
  const Change* c = testing::FindChange(plan, "ssh_host_keys[/etc/ssh]");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->fields[0].name, "generate");
}

TEST_F(HostKeysTest, NothingOutsideABootOrWithoutOpenSsh) {
  RunInfo plain = Boot("i-1");
  plain.boot = false;
  ASSERT_TRUE(Apply("{}\n", plain).ok());
  EXPECT_EQ(File("/etc/ssh/ssh_host_rsa_key"), "image rsa");
  RunInfo reconcile = Boot("i-1");
  reconcile.reconcile = true;
  ASSERT_TRUE(Apply("{}\n", reconcile).ok());
  EXPECT_EQ(File("/etc/ssh/ssh_host_rsa_key"), "image rsa");

  sys_.Remove("/usr/bin/ssh-keygen");
  ASSERT_TRUE(Apply("{}\n", Boot("i-1")).ok());
  EXPECT_EQ(File("/etc/ssh/ssh_host_rsa_key"), "image rsa");
  EXPECT_TRUE(sys_.exec_requests().empty());
}

}  // namespace
}  // namespace flamingo
