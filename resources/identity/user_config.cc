// ParseUserMap: one `users` entry (also `user` and system_info.default_user).
#include <algorithm>

#include "resources/identity/config_util.h"
#include "resources/identity/password_hash.h"
#include "resources/identity/sudoers_check.h"

namespace flamingo::identity {
namespace {

bool IsDoasOption(const std::string& w) {
  return w == "nopass" || w == "nolog" || w == "persist" || w == "keepenv" ||
         w == "insult";
}

// cloud-init's only doas check: the rule's identity is this user.
bool DoasRuleNamesUser(const std::string& rule, const std::string& user,
                       std::string* why) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < rule.size()) {
    while (i < rule.size() && (rule[i] == ' ' || rule[i] == '\t')) ++i;
    size_t j = i;
    while (j < rule.size() && rule[j] != ' ' && rule[j] != '\t') ++j;
    if (j > i) words.push_back(rule.substr(i, j - i));
    i = j;
  }
  if (words.empty() || (words[0] != "permit" && words[0] != "deny")) {
    *why = "a doas rule starts with 'permit' or 'deny'";
    return false;
  }
  size_t k = 1;
  while (k < words.size()) {
    if (IsDoasOption(words[k])) {
      ++k;
    } else if (words[k] == "setenv") {
      while (k < words.size() && words[k].find('}') == std::string::npos) ++k;
      ++k;
    } else {
      break;
    }
  }
  if (k >= words.size() || words[k] != user) {
    *why = "the doas rule must be for user '" + user + "'";
    return false;
  }
  for (char c : rule) {
    if (c == '\n' || c == '\r') {
      *why = "a doas rule must be a single line";
      return false;
    }
  }
  return true;
}

}  // namespace

void ParseUserMap(const Value& m, UserSpec* u, Diagnostics* diags) {
  auto str = [&](const char* key) -> std::optional<std::string> {
    const Value* v = GetKey(m, key);
    if (v == nullptr || v->is_null()) return std::nullopt;
    return ReadString(*v, diags);
  };
  auto flag = [&](const char* key, bool* out) {
    const Value* v = GetKey(m, key);
    if (v == nullptr || v->is_null()) return;
    if (auto b = ReadBool(*v, diags)) *out = *b;
  };

  if (auto s = str("gecos")) {
    if (s->find(':') != std::string::npos ||
        s->find('\n') != std::string::npos) {
      diags->Error(*GetKey(m, "gecos"),
                   "gecos must not contain ':' or a newline");
    } else {
      u->gecos = *s;
    }
  }
  if (auto s = str("homedir")) {
    if (s->empty() || (*s)[0] != '/' || s->find(':') != std::string::npos ||
        s->find('\n') != std::string::npos) {
      diags->Error(*GetKey(m, "homedir"), "homedir must be an absolute path");
    } else {
      u->homedir = *s;
    }
  }
  if (auto s = str("shell")) {
    if (s->empty() || (*s)[0] != '/' || s->find(':') != std::string::npos ||
        s->find('\n') != std::string::npos) {
      diags->Error(*GetKey(m, "shell"), "shell must be an absolute path");
    } else {
      u->shell = *s;
    }
  }
  if (auto s = str("primary_group")) {
    if (!IsValidAccountName(*s)) {
      diags->Error(*GetKey(m, "primary_group"),
                   "invalid group name '" + *s + "'");
    } else {
      u->primary_group = *s;
    }
  }
  if (const Value* v = GetKey(m, "groups"); v && !v->is_null()) {
    u->groups.clear();
    for (auto& g : ReadNameList(*v, diags)) {
      if (!IsValidAccountName(g)) {
        diags->Error(*v, "invalid group name '" + g + "'");
      } else if (std::find(u->groups.begin(), u->groups.end(), g) ==
                 u->groups.end()) {
        u->groups.push_back(g);
      }
    }
  }
  flag("no_create_home", &u->no_create_home);
  flag("no_user_group", &u->no_user_group);
  flag("system", &u->system);
  flag("create_groups", &u->create_groups);
  flag("lock_passwd", &u->lock_passwd);
  flag("ssh_redirect_user", &u->ssh_redirect_user);
  if (const Value* v = GetKey(m, "uid"); v && !v->is_null()) {
    std::optional<uint32_t> uid;
    if (v->is_int() && v->as_int() >= 0 && v->as_int() < 0xFFFFFFFFll) {
      uid = static_cast<uint32_t>(v->as_int());
    } else if (v->is_string() && !v->text().empty() &&
               v->text().find_first_not_of("0123456789") == std::string::npos &&
               v->text().size() < 11) {
      int64_t n = std::stoll(v->text());
      if (n < 0xFFFFFFFFll) uid = static_cast<uint32_t>(n);
    }
    if (!uid) {
      diags->Error(*v, "uid must be a number from 0 to 4294967294");
    } else {
      u->uid = uid;
    }
  }
  if (const Value* v = GetKey(m, "inactive"); v && !v->is_null()) {
    std::string t = v->ScalarText();
    bool ok = (v->is_int() || v->is_string()) && !t.empty() &&
              t.find_first_not_of("-0123456789") == std::string::npos &&
              t.size() < 10 && t.find('-', 1) == std::string::npos;
    if (!ok) {
      diags->Error(*v, "inactive must be a number of days");
    } else {
      u->inactive = std::stoll(t);
    }
  }
  if (auto s = str("expiredate")) {
    auto d = ParseDate(*s);
    if (!d) {
      diags->Error(*GetKey(m, "expiredate"),
                   "expiredate must be a date YYYY-MM-DD");
    } else {
      u->expiredate = *d;
    }
  }
  // Passwords: hashed_passwd wins over plain_text_passwd over passwd (the
  // order cloud-init applies them in).
  if (auto s = str("passwd")) {
    if (!IsValidHash(*s)) {
      diags->Error(*GetKey(m, "passwd"), "passwd is not a valid password hash");
    } else {
      u->password_kind = PasswordKind::kHashOnCreate;
      u->password = *s;
    }
  }
  if (auto s = str("plain_text_passwd")) {
    if (s->find('\n') != std::string::npos) {
      diags->Error(*GetKey(m, "plain_text_passwd"),
                   "the password must not contain a newline");
    } else {
      u->password_kind = PasswordKind::kPlain;
      u->password = *s;
    }
  }
  if (auto s = str("hashed_passwd")) {
    if (!IsValidHash(*s)) {
      diags->Error(*GetKey(m, "hashed_passwd"),
                   "hashed_passwd is not a valid password hash");
    } else {
      u->password_kind = PasswordKind::kHash;
      u->password = *s;
    }
  }
  if (const Value* v = GetKey(m, "ssh_authorized_keys"); v && !v->is_null()) {
    u->keys = ReadKeys(*v, diags);
  }
  if (const Value* v = GetKey(m, "ssh_import_id"); v && !v->is_null()) {
    diags->Warning(*v,
                   "ssh_import_id is not supported: flamingo does not fetch "
                   "keys from key servers (offline); list the keys in "
                   "ssh_authorized_keys instead");
  }
  if (const Value* v = GetKey(m, "selinux_user"); v && !v->is_null()) {
    diags->Warning(*v,
                   "selinux_user is not supported offline (needs semanage); "
                   "the system default SELinux user applies");
  }
  if (const Value* v = GetKey(m, "sudo"); v != nullptr) {
    if (v->is_null() || (v->is_bool() && !v->as_bool())) {
      u->sudo.reset();
    } else {
      std::vector<const Value*> rules;
      if (v->is_string()) {
        rules.push_back(v);
      } else if (v->is_list()) {
        for (const auto& i : v->items()) {
          if (!i.is_null()) rules.push_back(&i);
        }
      } else {
        diags->Error(*v, "sudo must be a rule, a list of rules, or null");
      }
      std::vector<std::string> out;
      for (const Value* r : rules) {
        if (!r->is_string()) {
          diags->Error(*r, "expected a sudo rule (a string)");
          continue;
        }
        SudoCheck c = CheckSudoRule(r->text());
        if (!c.ok) {
          diags->Error(*r, "invalid sudo rule at character " +
                               std::to_string(c.offset + 1) + ": " + c.message);
          continue;
        }
        out.push_back(r->text());
      }
      if (out.empty() && rules.empty()) {
        u->sudo.reset();
      } else {
        u->sudo = out;
      }
    }
  }
  if (const Value* v = GetKey(m, "doas"); v && !v->is_null()) {
    u->doas.clear();
    if (!v->is_list()) {
      diags->Error(*v, "doas must be a list of rules");
    } else {
      for (const auto& r : v->items()) {
        std::string why;
        if (!r.is_string()) {
          diags->Error(r, "expected a doas rule (a string)");
        } else if (!DoasRuleNamesUser(r.text(), u->name, &why)) {
          diags->Error(r, "invalid doas rule: " + why);
        } else {
          u->doas.push_back(r.text());
        }
      }
    }
  }
}

}  // namespace flamingo::identity
