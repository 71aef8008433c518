// ParsePasswords: the top-level `password` and `chpasswd` keys.
#include <algorithm>

#include "resources/identity/config_util.h"
#include "resources/identity/password_hash.h"

namespace flamingo::identity {
namespace {

struct Entry {
  const Value* at;
  std::string name;
  PasswordKind kind;
  std::string password;
};

void Assign(IdentityConfig* cfg, const Entry& e, bool expire) {
  auto it = std::find_if(cfg->users.begin(), cfg->users.end(),
                         [&](const UserSpec& u) { return u.name == e.name; });
  if (it == cfg->users.end()) {
    UserSpec u;
    u.name = e.name;
    u.existing_only = true;
    u.origin = e.at->Origin();
    u.path = e.at->path();
    u.create_groups = false;
    cfg->users.push_back(u);
    it = cfg->users.end() - 1;
  }
  it->password_kind = e.kind;
  it->password = e.password;
  it->expire_password = expire;
  // Setting a password replaces a locked hash, as chpasswd(8) does.
  it->lock_passwd = false;
}

void RandomUnsupported(const Value& at, Diagnostics* diags) {
  diags->Warning(at,
                 "RANDOM passwords are not supported (flamingo never prints "
                 "secrets); entry ignored");
}

}  // namespace

void ParsePasswords(const Value& config, IdentityConfig* cfg,
                    Diagnostics* diags) {
  bool expire = true;
  std::vector<Entry> entries;
  bool chpasswd_users = false;
  const Value* ch = config.Get("chpasswd");
  if (ch != nullptr && ch->is_map()) {
    if (const Value* v = ch->Get("expire"); v && !v->is_null()) {
      if (auto b = ReadBool(*v, diags)) expire = *b;
    }
    if (const Value* users = ch->Get("users"); users && !users->is_null()) {
      chpasswd_users = true;
      if (!users->is_list()) {
        diags->Error(*users, "chpasswd.users must be a list");
      } else {
        for (const auto& item : users->items()) {
          const Value* name = item.is_map() ? item.Get("name") : nullptr;
          if (name == nullptr || !name->is_string()) {
            diags->Error(item, "a chpasswd entry needs a name");
            continue;
          }
          if (!IsValidAccountName(name->text())) {
            diags->Error(*name, "invalid user name '" + name->text() + "'");
            continue;
          }
          std::string type = "hash";
          if (const Value* t = item.Get("type"); t && t->is_string()) {
            type = t->text();
          }
          const Value* pw = item.Get("password");
          if (type == "RANDOM") {
            RandomUnsupported(item, diags);
            continue;
          }
          if (pw == nullptr || !pw->is_string()) {
            diags->Error(item, "a chpasswd entry needs a password");
            continue;
          }
          if (type == "hash") {
            if (!IsValidHash(pw->text())) {
              diags->Error(*pw,
                           "not a valid password hash (use type: text "
                           "for a plain password)");
              continue;
            }
            entries.push_back(
                {&item, name->text(), PasswordKind::kHash, pw->text()});
          } else if (type == "text") {
            if (pw->text().find('\n') != std::string::npos) {
              diags->Error(*pw, "the password must not contain a newline");
              continue;
            }
            entries.push_back(
                {&item, name->text(), PasswordKind::kPlain, pw->text()});
          } else {
            diags->Error(*item.Get("type"),
                         "type must be hash, text or RANDOM");
          }
        }
      }
    }
    if (const Value* list = ch->Get("list"); list && !list->is_null()) {
      chpasswd_users = true;
      diags->Warning(*list, "chpasswd.list is deprecated; use chpasswd.users");
      std::vector<std::pair<const Value*, std::string>> lines;
      if (list->is_string()) {
        size_t start = 0;
        const std::string& s = list->text();
        while (start < s.size()) {
          size_t nl = s.find('\n', start);
          if (nl == std::string::npos) nl = s.size();
          std::string line = Trim(s.substr(start, nl - start));
          if (!line.empty()) lines.emplace_back(list, line);
          start = nl + 1;
        }
      } else if (list->is_list()) {
        for (const auto& i : list->items()) {
          if (i.is_string()) {
            lines.emplace_back(&i, i.text());
          } else {
            diags->Error(i, "expected NAME:PASSWORD");
          }
        }
      }
      for (const auto& [at, line] : lines) {
        size_t colon = line.find(':');
        if (colon == std::string::npos || colon == 0 ||
            colon + 1 == line.size()) {
          diags->Error(*at, "expected NAME:PASSWORD");
          continue;
        }
        std::string name = line.substr(0, colon);
        std::string pw = line.substr(colon + 1);
        if (!IsValidAccountName(name)) {
          diags->Error(*at, "invalid user name '" + name + "'");
          continue;
        }
        if (pw == "R" || pw == "RANDOM") {
          RandomUnsupported(*at, diags);
          continue;
        }
        bool hashed = pw[0] == '$' && IsValidHash(pw);
        entries.push_back({at, name,
                           hashed ? PasswordKind::kHash : PasswordKind::kPlain,
                           pw});
      }
    }
  } else if (ch != nullptr && !ch->is_null()) {
    diags->Error(*ch, "chpasswd must be a map");
  }

  if (const Value* pw = config.Get("password"); pw && !pw->is_null()) {
    if (chpasswd_users) {
      diags->Warning(*pw,
                     "password is ignored because chpasswd users are given");
    } else if (cfg->default_user.empty()) {
      diags->Warning(*pw, "password is ignored: there is no default user");
    } else if (!pw->is_string()) {
      diags->Error(*pw, "password must be a string");
    } else if (pw->text() == "R" || pw->text() == "RANDOM") {
      RandomUnsupported(*pw, diags);
    } else {
      entries.push_back(
          {pw, cfg->default_user, PasswordKind::kPlain, pw->text()});
    }
  }
  for (const auto& e : entries) Assign(cfg, e, expire);
}

}  // namespace flamingo::identity
