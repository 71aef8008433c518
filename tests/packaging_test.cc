// The packaging stays in step with the CLI: every command and option of the
// usage text is in the man page and in docs/cli.md, and flamingo's own units
// parse and keep the ordering docs/boot.md promises.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "cli/options.h"
#include "resources/kinds.h"
#include "resources/unit_file.h"
#include "tests/blackbox.h"

namespace flamingo {
namespace {

std::string ReadSource(const std::string& rel) {
  return blackbox::ReadSourceFile(rel);
}

// Options ("--root", "-v") and commands named in the usage text.
std::set<std::string> UsageWords() {
  std::set<std::string> words;
  std::string usage = UsageText();
  std::regex opt(R"((^|[\s\[,])(--?[a-z][a-z-]*))");
  for (std::sregex_iterator it(usage.begin(), usage.end(), opt), end; it != end;
       ++it) {
    words.insert((*it)[2]);
  }
  std::istringstream in(usage);
  bool commands = false;
  for (std::string line; std::getline(in, line);) {
    if (line == "commands:") {
      commands = true;
      continue;
    }
    if (line.empty()) commands = false;
    if (commands) {
      std::istringstream w(line);
      std::string cmd;
      w >> cmd;
      words.insert(cmd);
    }
  }
  return words;
}

TEST(PackagingTest, UsageTextIsParsedIntoManyWords) {
  auto words = UsageWords();
  EXPECT_GE(words.size(), 25u);
  EXPECT_EQ(words.count("--lock-timeout"), 1u);
  EXPECT_EQ(words.count("-q"), 1u);
  EXPECT_EQ(words.count("schema"), 1u);
}

TEST(PackagingTest, ManPageHasEveryCommandAndOption) {
  std::string man = ReadSource("packaging/flamingo.1");
  ASSERT_FALSE(man.empty());
  // roff escapes "-" as "\-".
  man = std::regex_replace(man, std::regex(R"(\\-)"), "-");
  for (const auto& w : UsageWords()) {
    EXPECT_NE(man.find(w), std::string::npos) << w << " missing in flamingo.1";
  }
}

TEST(PackagingTest, CliDocHasEveryCommandAndOption) {
  std::string doc = ReadSource("docs/cli.md");
  ASSERT_FALSE(doc.empty());
  for (const auto& w : UsageWords()) {
    EXPECT_NE(doc.find(w), std::string::npos) << w << " missing in docs/cli.md";
  }
}

// Every cloud-config key flamingo implements has its reference entry: a
// page of docs/reference/ names it in backquotes (a heading or the text
// around its example).
TEST(PackagingTest, ReferenceDocsNameEveryImplementedKey) {
  std::string docs;
  for (const auto& e : std::filesystem::directory_iterator(
           std::string(FLAMINGO_SOURCE_DIR) + "/docs/reference")) {
    if (e.path().extension() == ".md")
      docs += ReadSource("docs/reference/" + e.path().filename().string());
  }
  ASSERT_FALSE(docs.empty());
  for (const std::string& key : ImplementedKeys()) {
    EXPECT_NE(docs.find("`" + key), std::string::npos)
        << key << " has no entry in docs/reference/";
  }
}

std::vector<std::string> Values(const ParsedUnit& u, const std::string& section,
                                const std::string& key) {
  std::vector<std::string> out;
  for (const auto& e : u.entries) {
    if (e.section != section || e.key != key) continue;
    std::istringstream in(e.value);
    for (std::string w; in >> w;) out.push_back(w);
  }
  return out;
}

bool Has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

TEST(PackagingTest, BootUnitsOrderLoginsAfterFlamingo) {
  for (const char* name :
       {"flamingo-local.service.in", "flamingo-final.service.in"}) {
    std::string text = ReadSource(std::string("packaging/") + name);
    ParsedUnit u = ParseUnitFile(text);
    ASSERT_TRUE(u.errors.empty()) << name << ": " << u.errors[0].message;
    auto before = Values(u, "Unit", "Before");
    for (const char* login :
         {"ssh.service", "sshd.service", "systemd-user-sessions.service"}) {
      EXPECT_TRUE(Has(before, login)) << name << " not Before=" << login;
    }
    EXPECT_EQ(Values(u, "Service", "Type"),
              std::vector<std::string>{"oneshot"});
    EXPECT_FALSE(ParseInstall(u).Empty()) << name;
  }
  ParsedUnit local =
      ParseUnitFile(ReadSource("packaging/flamingo-local.service.in"));
  EXPECT_TRUE(Has(Values(local, "Unit", "Before"), "network-pre.target"));
  EXPECT_TRUE(Has(Values(local, "Unit", "After"), "local-fs.target"));
  ParsedUnit final_unit =
      ParseUnitFile(ReadSource("packaging/flamingo-final.service.in"));
  EXPECT_TRUE(
      Has(Values(final_unit, "Unit", "After"), "network-online.target"));
  EXPECT_TRUE(
      Has(Values(final_unit, "Unit", "After"), "flamingo-local.service"));
  // Both early units do the early phase; the late one runs the scripts
  // after the network, not before logins.
  const std::vector<std::string> early = {"@FLAMINGO_BIN@", "apply", "--boot",
                                          "--phase", "early"};
  std::vector<std::string> local_exec = early;
  local_exec.insert(local_exec.end(),
                    {"--done-file", "/run/flamingo/local.done"});
  EXPECT_EQ(Values(local, "Service", "ExecStart"), local_exec);
  EXPECT_EQ(Values(final_unit, "Service", "ExecStart"), early);
  EXPECT_TRUE(Values(local, "Service", "ExecStartPost").empty());
  EXPECT_EQ(Values(final_unit, "Unit", "ConditionPathExists"),
            std::vector<std::string>{"!/run/flamingo/local.done"});
  ParsedUnit scripts =
      ParseUnitFile(ReadSource("packaging/flamingo-scripts.service.in"));
  ASSERT_TRUE(scripts.errors.empty()) << scripts.errors[0].message;
  EXPECT_EQ(Values(scripts, "Service", "ExecStart"),
            (std::vector<std::string>{"@FLAMINGO_BIN@", "apply", "--boot",
                                      "--phase", "late"}));
  for (const char* after : {"network-online.target", "flamingo-local.service",
                            "flamingo-final.service"}) {
    EXPECT_TRUE(Has(Values(scripts, "Unit", "After"), after)) << after;
  }
  EXPECT_TRUE(Has(Values(scripts, "Unit", "Wants"), "network-online.target"));
  EXPECT_FALSE(Has(Values(scripts, "Unit", "Before"), "ssh.service"));
  EXPECT_FALSE(ParseInstall(scripts).Empty());
  // The timer is off by default: the preset disables it.
  std::string preset = ReadSource("packaging/90-flamingo.preset");
  EXPECT_NE(preset.find("disable flamingo-reconcile.timer"), std::string::npos);
  EXPECT_NE(preset.find("enable flamingo-scripts.service"), std::string::npos);
  ParsedUnit timer =
      ParseUnitFile(ReadSource("packaging/flamingo-reconcile.timer"));
  EXPECT_TRUE(timer.errors.empty());
  EXPECT_EQ(ParseInstall(timer).wanted_by,
            std::vector<std::string>{"timers.target"});
}

}  // namespace
}  // namespace flamingo
