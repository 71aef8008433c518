#include "resources/scripts_compile.h"

#include <gtest/gtest.h>

#include "resources/script.h"
#include "schemas/yaml_loader.h"

namespace flamingo {
namespace {

Value Load(const std::string& yaml) {
  Diagnostics d;
  auto v = LoadYaml(yaml, "user-data", &d);
  EXPECT_TRUE(v.has_value()) << yaml;
  return v ? *v : Value();
}

std::string Errors(const Diagnostics& d) {
  std::string out;
  for (const auto& i : d.items()) out += i.ToString() + "\n";
  return out;
}

struct Compiled {
  CompileOutput out;
  Diagnostics diags;
};

std::unique_ptr<Compiled> Compile(const std::string& yaml,
                                  std::vector<ScriptPart> parts = {}) {
  auto c = std::make_unique<Compiled>();
  Value config = Load(yaml);
  Value meta = Value::Map();
  RunInfo run;
  CompileInput in{config, meta, parts, run};
  CompileScripts(in, &c->out, &c->diags);
  return c;
}

const ScriptResource* FindScript(const Compiled& c, const std::string& name) {
  for (const auto& r : c.out.resources) {
    if (r->Name() == name) return dynamic_cast<const ScriptResource*>(r.get());
  }
  return nullptr;
}

TEST(ScriptsCompileTest, ShellifyQuotesListsAndKeepsStrings) {
  Value v = Load(
      "- [ls, -l, /]\n"
      "- [sh, -c, \"echo 'hi' $HOME\"]\n"
      "- ls -l /root && cd /tmp\n"
      "-\n");
  Diagnostics d;
  int n = 0;
  auto s = Shellify(v, &d, &n);
  ASSERT_TRUE(s.has_value()) << Errors(d);
  EXPECT_EQ(n, 3);
  EXPECT_EQ(*s,
            "#!/bin/sh\n"
            "'ls' '-l' '/'\n"
            "'sh' '-c' 'echo '\\''hi'\\'' $HOME'\n"
            "ls -l /root && cd /tmp\n");
}

TEST(ScriptsCompileTest, BadItemsAreErrorsWithPositions) {
  auto c = Compile(
      "runcmd:\n"
      "  - echo ok\n"
      "  - {a: b}\n"
      "  - ''\n"
      "  - []\n"
      "  - [echo, 1]\n"
      "  - ['', x]\n"
      "  - 42\n");
  std::string e = Errors(c->diags);
  EXPECT_EQ(c->diags.ErrorCount(), 6u) << e;
  EXPECT_NE(e.find("user-data:3:5: runcmd[1]: expected a command, got a map"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("user-data:4:5: runcmd[2]: empty command"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("user-data:5:5: runcmd[3]: empty command"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("user-data:6:12: runcmd[4][1]: expected a string argument"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("runcmd[5][0]: empty command: the program name is empty"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("user-data:8:5: runcmd[6]: expected a command"),
            std::string::npos)
      << e;
  // Nothing of a bad runcmd can run.
  const ScriptResource* r = FindScript(*c, "runcmd");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->spec().content, "");
}

TEST(ScriptsCompileTest, BootcmdNotAListIsAnError) {
  auto c = Compile("bootcmd: echo hi\n");
  EXPECT_EQ(c->diags.ErrorCount(), 1u);
  EXPECT_NE(Errors(c->diags).find(
                "user-data:1:10: bootcmd: expected a list of commands"),
            std::string::npos)
      << Errors(c->diags);
  EXPECT_EQ(FindScript(*c, "bootcmd"), nullptr);
}

TEST(ScriptsCompileTest, CompilesEveryScriptWithStagesInRunOrder) {
  auto c = Compile(
      "bootcmd: [echo boot]\n"
      "runcmd: [echo run]\n"
      "flamingo: {script_timeout: 30}\n",
      {{"part-001", "#!/bin/sh\necho one\n"},
       {"setup.sh", "#! /usr/bin/env python3\nprint(1)\n"}});
  ASSERT_FALSE(c->diags.HasErrors()) << Errors(c->diags);
  std::vector<std::string> ids;
  std::vector<int> stages;
  for (const auto& r : c->out.resources) {
    ids.push_back(r->Id());
    stages.push_back(r->Stage());
    EXPECT_TRUE(r->EveryBoot()) << r->Id();
  }
  EXPECT_EQ(ids,
            (std::vector<std::string>{
                "script[bootcmd]", "script[/var/lib/cloud/scripts/per-once]",
                "script[/var/lib/cloud/scripts/per-boot]",
                "script[/var/lib/cloud/scripts/per-instance]",
                "script[user-data/part-001]", "script[user-data/setup.sh]",
                "script[runcmd]"}));
  EXPECT_TRUE(std::is_sorted(stages.begin(), stages.end()));
  EXPECT_EQ(stages.front(), kStageEarly);
  EXPECT_GT(stages[1], kStageDeferred);

  const ScriptResource* boot = FindScript(*c, "bootcmd");
  EXPECT_EQ(boot->spec().freq, Frequency::kPerBoot);
  EXPECT_EQ(boot->spec().content, "#!/bin/sh\necho boot\n");
  EXPECT_EQ(boot->spec().interpreter, std::vector<std::string>{"/bin/sh"});
  EXPECT_EQ(boot->spec().timeout_seconds, 30);
  EXPECT_EQ(boot->Origin(), "user-data:1:10");
  const ScriptResource* part = FindScript(*c, "user-data/setup.sh");
  EXPECT_EQ(part->spec().freq, Frequency::kPerInstance);
  EXPECT_TRUE(part->spec().interpreter.empty());
  EXPECT_EQ(part->spec().file, "/var/lib/flamingo/scripts/user-data/setup.sh");
}

TEST(ScriptsCompileTest, EmptyConfigStillHasRuncmdAndDirectories) {
  auto c = Compile("{}\n");
  EXPECT_FALSE(c->diags.HasErrors());
  ASSERT_EQ(c->out.resources.size(), 4u);
  EXPECT_EQ(FindScript(*c, "runcmd")->spec().content, "");
}

TEST(ScriptsCompileTest, PartWithoutInterpreterIsAnError) {
  auto c = Compile("{}\n", {{"part-002", "echo no shebang\n"},
                            {"part-003", "#!\necho empty interpreter\n"},
                            {"part-004", "#!/bin/sh\n"}});
  std::string e = Errors(c->diags);
  EXPECT_EQ(c->diags.ErrorCount(), 2u) << e;
  EXPECT_NE(e.find("user-data part part-002:1:1: script part has no "
                   "interpreter line"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("user-data part part-003:1:1:"), std::string::npos) << e;
  EXPECT_EQ(FindScript(*c, "user-data/part-002"), nullptr);
  EXPECT_NE(FindScript(*c, "user-data/part-004"), nullptr);
}

TEST(ScriptsCompileTest, PartNamesAreMadeSafeAndUnique) {
  auto c = Compile("{}\n", {{"../../etc/x y", "#!/bin/sh\n"},
                            {"../../etc/x y", "#!/bin/sh\n"}});
  ASSERT_FALSE(c->diags.HasErrors()) << Errors(c->diags);
  EXPECT_NE(FindScript(*c, "user-data/_.._.._etc_x_y"), nullptr);
  const ScriptResource* second = FindScript(*c, "user-data/_.._.._etc_x_y-2");
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->spec().file,
            "/var/lib/flamingo/scripts/user-data/_.._.._etc_x_y-2");
}

TEST(ScriptsCompileTest, BadTimeoutIsAnError) {
  auto c = Compile("flamingo:\n  script_timeout: -1\nruncmd: [x]\n");
  EXPECT_NE(Errors(c->diags).find("user-data:2:19: flamingo.script_timeout: "
                                  "expected a whole number of seconds"),
            std::string::npos)
      << Errors(c->diags);
}

TEST(ScriptsCompileTest, InterpreterLine) {
  EXPECT_TRUE(HasInterpreterLine("#!/bin/sh\n"));
  EXPECT_TRUE(HasInterpreterLine("#! /usr/bin/env python3"));
  EXPECT_FALSE(HasInterpreterLine("#!\n/bin/sh"));
  EXPECT_FALSE(HasInterpreterLine("#!  \r\n"));
  EXPECT_FALSE(HasInterpreterLine(" #!/bin/sh"));
  EXPECT_FALSE(HasInterpreterLine(""));
}

}  // namespace
}  // namespace flamingo
