#include "resources/direct_command.h"

#include <algorithm>
#include <array>

#include "engine/text.h"

namespace flamingo {
namespace {

// Sorted (byte order): builtins and reserved words of POSIX sh, dash and
// bash.
constexpr std::array<std::string_view, 84> kShellWords = {
    "!",       ".",        ":",       "[",       "[[",        "]]",
    "alias",   "bg",       "bind",    "break",   "builtin",   "caller",
    "case",    "cd",       "chdir",   "command", "compgen",   "complete",
    "compopt", "continue", "coproc",  "declare", "dirs",      "disown",
    "do",      "done",     "echo",    "elif",    "else",      "enable",
    "esac",    "eval",     "exec",    "exit",    "export",    "false",
    "fc",      "fg",       "fi",      "for",     "function",  "getopts",
    "hash",    "help",     "history", "if",      "in",        "jobs",
    "kill",    "let",      "local",   "logout",  "mapfile",   "popd",
    "printf",  "pushd",    "pwd",     "read",    "readarray", "readonly",
    "return",  "select",   "set",     "shift",   "shopt",     "source",
    "suspend", "test",     "then",    "time",    "times",     "trap",
    "true",    "type",     "typeset", "ulimit",  "umask",     "unalias",
    "unset",   "until",    "wait",    "while",   "{",         "}",
};

bool PlainChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '/' ||
         c == ':' || c == '@' || c == '%' || c == '+' || c == ',' || c == '=' ||
         c == '-';
}

// The words of a string item, or nullopt when the shell would do more
// than split it at blanks.
std::optional<std::vector<std::string>> PlainWords(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  for (char c : line) {
    if (c == ' ' || c == '\t') {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else if (PlainChar(c)) {
      word += c;
    } else {
      return std::nullopt;
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  if (words.empty()) return std::nullopt;
  // NAME=value first: an assignment, not a command.
  if (words[0].find('=') != std::string::npos) return std::nullopt;
  return words;
}

}  // namespace

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string ShellLine(const std::vector<std::string>& argv) {
  std::vector<std::string> words;
  for (const std::string& a : argv) words.push_back(ShellQuote(a));
  return JoinStrings(words, " ");
}

std::string ReadableShellLine(const std::vector<std::string>& argv) {
  std::vector<std::string> words;
  for (const std::string& a : argv) {
    bool plain = !a.empty() && std::all_of(a.begin(), a.end(), PlainChar);
    words.push_back(plain ? a : ShellQuote(a));
  }
  return JoinStrings(words, " ");
}

bool IsShellWord(std::string_view word) {
  return std::binary_search(kShellWords.begin(), kShellWords.end(), word);
}

std::optional<CommandList> DirectCommands(const Value& list) {
  if (!list.is_list()) return std::nullopt;
  CommandList out;
  for (const Value& item : list.items()) {
    if (item.is_null()) continue;
    std::vector<std::string> argv;
    if (item.is_string()) {
      auto words = PlainWords(item.text());
      if (!words) return std::nullopt;
      argv = std::move(*words);
    } else if (item.is_list() && !item.items().empty()) {
      for (const Value& arg : item.items()) {
        if (!arg.is_string() || arg.text().find('\0') != std::string::npos) {
          return std::nullopt;
        }
        argv.push_back(arg.text());
      }
      if (argv[0].empty()) return std::nullopt;
    } else {
      return std::nullopt;
    }
    if (IsShellWord(argv[0])) return std::nullopt;
    out.push_back(std::move(argv));
  }
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace flamingo
