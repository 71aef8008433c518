// When bootcmd/runcmd commands can run without /bin/sh.
#include "resources/direct_command.h"

#include <gtest/gtest.h>

#include "resources/resource_testing.h"

namespace flamingo {
namespace {

std::optional<CommandList> Direct(const std::string& yaml) {
  Value v = testing::ParseYaml("cmd: " + yaml + "\n", "user-data");
  return DirectCommands(*v.Get("cmd"));
}

TEST(DirectCommand, ListsAndPlainWordsAreDirect) {
  auto c = Direct(
      "[[sh, -c, 'echo $(hostname) > /x'], 'touch /var/tmp/a.done', ~, "
      "[\"it's\", 'a b'], 'systemctl  restart\tnginx.service', "
      "'install -m 0644 -o root src/a.conf /etc/a.conf', 'useradd -G a,b "
      "x@y:z%1+2']");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(*c, (CommandList{{"sh", "-c", "echo $(hostname) > /x"},
                             {"touch", "/var/tmp/a.done"},
                             {"it's", "a b"},
                             {"systemctl", "restart", "nginx.service"},
                             {"install", "-m", "0644", "-o", "root",
                              "src/a.conf", "/etc/a.conf"},
                             {"useradd", "-G", "a,b", "x@y:z%1+2"}}));
}

TEST(DirectCommand, AnythingTheShellWouldInterpretIsNot) {
  for (const char* yaml : {"['echo hi']",
                           "[[echo, hi]]",
                           "[[cd, /tmp], [touch, x]]",
                           "['touch a; touch b']",
                           "['touch $HOME/x']",
                           "['ls *.conf']",
                           "['a > b']",
                           "['a | b']",
                           "['a && b']",
                           "['touch \"a b\"']",
                           "[\"touch 'a'\"]",
                           "['FOO=1 cmd']",
                           "['if true']",
                           "['touch ~/x']",
                           "['touch a # comment']",
                           "[\"touch a\\nrm b\"]",
                           "['cmd `x`']",
                           "['touch a\\\\ b']",
                           "['{ a; }']",
                           "['[ -f x ]']",
                           "['. /etc/x']",
                           "['exec foo']",
                           "['time foo']",
                           "['[[ x ]]']",
                           "['a (b)']",
                           "[[\"a\\0b\"]]",
                           "[[a, \"b\\0\"]]",
                           "['']",
                           "[[]]",
                           "[['']]",
                           "[[1, 2]]",
                           "[{a: b}]",
                           "[]",
                           "[~]",
                           "x"}) {
    EXPECT_FALSE(Direct(yaml).has_value()) << yaml;
  }
}

TEST(DirectCommand, ShellWords) {
  for (const char* w :
       {"!",     ".",      ":",     "[",      "[[",     "alias",  "cd",
        "echo",  "exec",   "exit",  "export", "false",  "printf", "read",
        "set",   "source", "test",  "true",   "ulimit", "umask",  "unset",
        "until", "wait",   "while", "{",      "}"}) {
    EXPECT_TRUE(IsShellWord(w)) << w;
  }
  for (const char* w : {"sh", "bash", "touch", "systemctl", "env", "/bin/echo",
                        "Echo", "", "ech", "whilee"}) {
    EXPECT_FALSE(IsShellWord(w)) << w;
  }
}

TEST(DirectCommand, ShellQuoteKeepsEveryByte) {
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellQuote(""), "''");
  EXPECT_EQ(ShellQuote("$(x) \"y\""), "'$(x) \"y\"'");
}

}  // namespace
}  // namespace flamingo
