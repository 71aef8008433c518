#include "resources/identity/sudoers_check.h"

#include <array>

namespace flamingo::identity {
namespace {

constexpr std::array<std::string_view, 16> kTags = {
    "NOPASSWD",   "PASSWD",       "NOEXEC",    "EXEC",
    "SETENV",     "NOSETENV",     "LOG_INPUT", "NOLOG_INPUT",
    "LOG_OUTPUT", "NOLOG_OUTPUT", "MAIL",      "NOMAIL",
    "FOLLOW",     "NOFOLLOW",     "INTERCEPT", "NOINTERCEPT"};
constexpr std::array<std::string_view, 10> kOptions = {
    "ROLE",     "TYPE",    "CWD",   "CHROOT",     "NOTBEFORE",
    "NOTAFTER", "TIMEOUT", "PRIVS", "LIMITPRIVS", "APPARMOR_PROFILE"};
constexpr std::array<std::string_view, 5> kDigests = {
    "sha224", "sha256", "sha384", "sha512", "sha1"};

template <size_t N>
bool In(const std::array<std::string_view, N>& a, std::string_view s) {
  for (auto x : a) {
    if (x == s) return true;
  }
  return false;
}

bool IsSpace(char c) { return c == ' ' || c == '\t'; }
bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-' ||
         c == '/' || c == '*' || c == '[' || c == ']' || c == '?';
}
bool IsAliasName(std::string_view s) {
  if (s.empty() || !(s[0] >= 'A' && s[0] <= 'Z')) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  SudoCheck Run() {
    for (size_t i = 0; i < s_.size(); ++i) {
      if (s_[i] == '\n' || s_[i] == '\r' || s_[i] == '\0') {
        return Fail(i, "a rule must be a single line");
      }
    }
    while (true) {
      if (!HostList()) return result_;
      Skip();
      if (!Expect('=')) return result_;
      if (!CmndSpecList()) return result_;
      Skip();
      if (pos_ == s_.size()) break;
      if (!Expect(':')) return result_;
    }
    return result_;
  }

 private:
  SudoCheck Fail(size_t at, std::string msg) {
    if (result_.ok) {
      result_.ok = false;
      result_.offset = at;
      result_.message = std::move(msg);
    }
    return result_;
  }
  bool Error(std::string msg) {
    Fail(pos_, std::move(msg));
    return false;
  }
  void Skip() {
    while (pos_ < s_.size() && IsSpace(s_[pos_])) ++pos_;
  }
  bool Peek(char c) {
    Skip();
    return pos_ < s_.size() && s_[pos_] == c;
  }
  bool Expect(char c) {
    if (!Peek(c)) {
      return Error(pos_ == s_.size()
                       ? std::string("expected '") + c + "' at end of rule"
                       : std::string("expected '") + c + "'");
    }
    ++pos_;
    return true;
  }
  std::string_view Word() {
    Skip();
    size_t start = pos_;
    while (pos_ < s_.size() && IsWordChar(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  bool HostList() {
    do {
      if (Peek('!')) ++pos_;
      Skip();
      if (pos_ < s_.size() && s_[pos_] == '+') ++pos_;  // netgroup
      if (Word().empty()) return Error("expected a host name or ALL");
    } while (Peek(',') && ++pos_);
    return true;
  }
  bool RunasList() {
    do {
      if (Peek('!')) ++pos_;
      Skip();
      if (pos_ < s_.size() && s_[pos_] == '%') {
        ++pos_;
        if (pos_ < s_.size() && (s_[pos_] == ':' || s_[pos_] == '#')) ++pos_;
      } else if (pos_ < s_.size() && (s_[pos_] == '#' || s_[pos_] == '+')) {
        ++pos_;
      }
      if (Word().empty()) return Error("expected a user or group name");
    } while (Peek(',') && ++pos_);
    return true;
  }
  bool Runas() {
    ++pos_;  // '('
    if (!Peek(':') && !Peek(')')) {
      if (!RunasList()) return false;
    }
    if (Peek(':')) {
      ++pos_;
      if (!Peek(')') && !RunasList()) return false;
    }
    return Expect(')');
  }
  bool CmndSpecList() {
    do {
      if (!CmndSpec()) return false;
    } while (Peek(',') && ++pos_);
    return true;
  }
  bool CmndSpec() {
    if (Peek('(') && !Runas()) return false;
    // Options (NAME=value) and tags (NAME:), in any number.
    while (true) {
      Skip();
      size_t save = pos_;
      std::string_view w = Word();
      if (In(kOptions, w) && Peek('=')) {
        ++pos_;
        Skip();
        if (Peek('"')) {
          ++pos_;
          while (pos_ < s_.size() && s_[pos_] != '"') ++pos_;
          if (!Expect('"')) return false;
        } else if (Word().empty()) {
          return Error("expected a value for " + std::string(w));
        }
        continue;
      }
      if (In(kTags, w) && pos_ < s_.size() && s_[pos_] == ':') {
        ++pos_;
        continue;
      }
      pos_ = save;
      break;
    }
    return Command();
  }
  bool Command() {
    if (Peek('!')) ++pos_;
    Skip();
    size_t start = pos_;
    std::string_view w = Word();
    if (In(kDigests, w) && pos_ < s_.size() && s_[pos_] == ':') {
      ++pos_;
      if (Word().empty()) return Error("expected a digest value");
      Skip();
      start = pos_;
      w = Word();
    }
    if (w.empty()) {
      pos_ = start;
      return Error("expected a command, ALL or a Cmnd_Alias");
    }
    if (w == "ALL" || IsAliasName(w)) {
      return true;
    }
    if (w[0] != '/' && w != "sudoedit" && w != "list") {
      pos_ = start;
      return Error("a command must be a full path, sudoedit, list or ALL");
    }
    // Arguments: up to an unescaped ',' or ':' (or the end).
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '\\') {
        if (pos_ + 1 >= s_.size()) return Error("dangling backslash");
        pos_ += 2;
        continue;
      }
      if (c == ',' || c == ':') break;
      if (c == '=') return Error("'=' in command arguments must be escaped");
      ++pos_;
    }
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
  SudoCheck result_;
};

}  // namespace

SudoCheck CheckSudoRule(std::string_view rule) { return Parser(rule).Run(); }

}  // namespace flamingo::identity
