// When a bootcmd/runcmd script can run without a shell. cloud-init writes
// the commands into one /bin/sh script (resources/scripts_compile.h); every
// process costs about a millisecond at boot, so when /bin/sh would do
// nothing but start each command with fixed arguments, flamingo starts them
// itself, one after the other, and the script's file is still written.
//
// A command is direct when the shell could not treat it as anything but a
// program and its literal arguments:
//  - a list item (["touch", "/run/x"]): cloud-init quotes every word, so
//    the words are literal; its program must not be a shell builtin (a
//    quoted builtin name still runs the builtin: "echo" differs from
//    /bin/echo) and no word may hold a NUL byte.
//  - a string item made only of words of [A-Za-z0-9_./:@%+,=-] separated
//    by spaces or tabs (no quoting, expansion, globbing, redirection or
//    operators), whose first word is neither a builtin, a reserved word nor
//    an assignment (NAME=value).
// A script is run directly only when every command is direct.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/value.h"

namespace flamingo {

using CommandList = std::vector<std::vector<std::string>>;

// The commands of a bootcmd/runcmd list (as Shellify accepted it: null
// items skipped) as argument vectors, or nullopt when one of them needs
// the shell.
std::optional<CommandList> DirectCommands(const Value& list);

// cloud-init's quoting of one argument for sh: 'it'\''s'.
std::string ShellQuote(const std::string& s);

// `argv` as one sh command line, each word ShellQuote'd and separated by a
// space: how cloud-init writes a list item into its script.
std::string ShellLine(const std::vector<std::string>& argv);
// The same for people to read (plans, logs): words made only of
// [A-Za-z0-9_./:@%+,=-] are left bare ("shutdown -r now 'Bye now'").
std::string ReadableShellLine(const std::vector<std::string>& argv);

// A builtin or reserved word of dash, bash or POSIX sh ("echo", "cd", "if",
// "[", ".").
bool IsShellWord(std::string_view word);

}  // namespace flamingo
