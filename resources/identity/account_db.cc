#include "resources/identity/account_db.h"

#include <algorithm>
#include <charconv>
#include <set>

namespace flamingo::identity {
namespace {

constexpr const char* kPaths[4] = {kPasswdPath, kShadowPath, kGroupPath,
                                   kGshadowPath};

std::string ShadowEntryFor(const std::vector<std::string>& fields) {
  return fields.size() > 1 ? fields[1] : "";
}

}  // namespace

std::optional<uint32_t> ParseId(const std::string& s) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v >= 0xFFFFFFFFull) {
    return std::nullopt;
  }
  return static_cast<uint32_t>(v);
}

AccountDb::AccountDb()
    : passwd_(kPasswdFields),
      shadow_(kShadowFields),
      group_(kGroupFields),
      gshadow_(kGshadowFields) {}

AccountDb AccountDb::FromText(const std::string& passwd,
                              const std::string* shadow,
                              const std::string& group,
                              const std::string* gshadow,
                              const std::string& login_defs, int64_t now) {
  AccountDb db;
  db.passwd_ = AccountTable::Parse(passwd, kPasswdFields);
  db.group_ = AccountTable::Parse(group, kGroupFields);
  db.shadow_present_ = shadow != nullptr;
  db.gshadow_present_ = gshadow != nullptr;
  if (shadow) db.shadow_ = AccountTable::Parse(*shadow, kShadowFields);
  if (gshadow) db.gshadow_ = AccountTable::Parse(*gshadow, kGshadowFields);
  const std::string* texts[4] = {&passwd, shadow, &group, gshadow};
  for (int i = 0; i < 4; ++i) {
    db.orig_[i].exists = texts[i] != nullptr;
    if (texts[i]) db.orig_[i].text = *texts[i];
  }
  db.defs_ = ParseLoginDefs(login_defs);
  db.today_ = Days(now);
  return db;
}

bool RawAccountFiles::operator==(const RawAccountFiles& o) const {
  for (int i = 0; i < 4; ++i) {
    if (text[i] != o.text[i] || exists[i] != o.exists[i] ||
        attrs[i].mode != o.attrs[i].mode || attrs[i].uid != o.attrs[i].uid ||
        attrs[i].gid != o.attrs[i].gid) {
      return false;
    }
  }
  return login_defs == o.login_defs &&
         AccountDb::Days(now) == AccountDb::Days(o.now);
}

Result<RawAccountFiles> AccountDb::ReadRaw(const SystemReader& sys) {
  RawAccountFiles raw;
  for (int i = 0; i < 4; ++i) {
    auto st = sys.Stat(kPaths[i]);
    if (!st.ok()) return st.status();
    if (!st->has_value()) {
      if (i == 0 || i == 2) {
        return Status::Error(std::string(kPaths[i]) + ": missing");
      }
      continue;
    }
    auto text = sys.ReadFile(kPaths[i]);
    if (!text.ok()) return text.status();
    raw.exists[i] = true;
    raw.text[i] = std::move(*text);
    raw.attrs[i] = FileAttrs{(*st)->mode, (*st)->uid, (*st)->gid};
  }
  auto defs = sys.Stat(kLoginDefsPath);
  if (defs.ok() && defs->has_value()) {
    auto text = sys.ReadFile(kLoginDefsPath);
    if (!text.ok()) return text.status();
    raw.login_defs = std::move(*text);
  }
  raw.now = sys.Now();
  return raw;
}

AccountDb AccountDb::FromRaw(const RawAccountFiles& raw) {
  AccountDb db;
  for (int i = 0; i < 4; ++i) {
    db.orig_[i].exists = raw.exists[i];
    db.orig_[i].text = raw.text[i];
    db.orig_[i].attrs = raw.attrs[i];
  }
  db.passwd_ = AccountTable::Parse(raw.text[0], kPasswdFields);
  db.shadow_ = AccountTable::Parse(raw.text[1], kShadowFields);
  db.group_ = AccountTable::Parse(raw.text[2], kGroupFields);
  db.gshadow_ = AccountTable::Parse(raw.text[3], kGshadowFields);
  // Without /etc/shadow passwords would sit in the world-readable passwd:
  // we create it. /etc/gshadow is kept only when the target has one.
  db.shadow_present_ = true;
  db.gshadow_present_ = raw.exists[3];
  if (!raw.exists[1]) {
    auto g = db.GroupGid("shadow");
    db.orig_[1].attrs = g ? FileAttrs{0640, 0, *g} : FileAttrs{0600, 0, 0};
  }
  db.defs_ = ParseLoginDefs(raw.login_defs);
  db.today_ = Days(raw.now);
  return db;
}

Result<AccountDb> AccountDb::Load(const SystemReader& sys) {
  auto raw = ReadRaw(sys);
  if (!raw.ok()) return raw.status();
  return FromRaw(*raw);
}

Result<std::shared_ptr<const AccountDb>> AccountDbCache::Get(
    const SystemReader& sys) {
  auto raw = AccountDb::ReadRaw(sys);
  if (!raw.ok()) return raw.status();
  std::lock_guard<std::mutex> lock(mu_);
  if (db_ == nullptr || !(raw_ == *raw)) {
    db_ = std::make_shared<const AccountDb>(AccountDb::FromRaw(*raw));
    raw_ = std::move(*raw);
  }
  return db_;
}

Status AccountDb::Save(System& sys) const {
  const AccountTable* tables[4] = {&group_, &gshadow_, &passwd_, &shadow_};
  const int index[4] = {2, 3, 0, 1};  // groups first: users refer to them
  for (int k = 0; k < 4; ++k) {
    int i = index[k];
    if (i == 3 && !gshadow_present_) continue;
    if (i == 1 && !shadow_present_) continue;
    std::string text = tables[k]->Serialize();
    if (orig_[i].exists && text == orig_[i].text) continue;
    Status s = sys.WriteFile(kPaths[i], text, orig_[i].attrs);
    if (!s.ok()) return s.WithContext(std::string("write ") + kPaths[i]);
  }
  return Status::Ok();
}

std::optional<UserView> AccountDb::User(const std::string& name) const {
  const auto* f = passwd_.Find(name);
  if (f == nullptr) return std::nullopt;
  UserView u;
  u.name = name;
  u.uid = ParseId((*f)[2]).value_or(0);
  u.gid = ParseId((*f)[3]).value_or(0);
  u.gecos = (*f)[4];
  u.home = (*f)[5];
  u.shell = (*f)[6];
  u.hash = (*f)[1];
  if (const auto* s = shadow_.Find(name); s && shadow_present_) {
    u.has_shadow = true;
    u.shadow = *s;
    u.hash = ShadowEntryFor(*s);
  } else if (u.hash == "x") {
    u.hash = "";  // "x" points at a shadow entry that is missing
  }
  return u;
}

std::optional<GroupView> AccountDb::Group(const std::string& name) const {
  const auto* f = group_.Find(name);
  if (f == nullptr) return std::nullopt;
  return GroupView{name, ParseId((*f)[2]).value_or(0), SplitList((*f)[3])};
}

std::optional<uint32_t> AccountDb::GroupGid(const std::string& name) const {
  const auto* f = group_.Find(name);
  if (f == nullptr) return std::nullopt;
  return ParseId((*f)[2]).value_or(0);
}

std::optional<GroupView> AccountDb::GroupByGid(uint32_t gid) const {
  std::string want = std::to_string(gid);
  for (const auto* f : group_.Entries()) {
    if ((*f)[2] == want) return Group((*f)[0]);
  }
  return std::nullopt;
}

std::string AccountDb::UserByUid(uint32_t uid) const {
  for (const auto* f : passwd_.Entries()) {
    if (ParseId((*f)[2]) == uid) return (*f)[0];
  }
  return "";
}

std::vector<std::string> AccountDb::GroupsOf(const std::string& user) const {
  std::vector<std::string> out;
  for (const auto* f : group_.Entries()) {
    const std::string& m = (*f)[3];
    size_t pos = 0;
    while ((pos = m.find(user, pos)) != std::string::npos) {
      size_t end = pos + user.size();
      if ((pos == 0 || m[pos - 1] == ',') &&
          (end == m.size() || m[end] == ',')) {
        out.push_back((*f)[0]);
        break;
      }
      pos = end;
    }
  }
  return out;
}

namespace {

std::optional<uint32_t> NextId(const std::set<uint32_t>& used, uint32_t lo,
                               uint32_t hi, bool system) {
  if (lo > hi) return std::nullopt;
  if (system) {
    for (uint64_t id = hi + 1ull; id-- > lo;) {
      if (!used.count(static_cast<uint32_t>(id))) {
        return static_cast<uint32_t>(id);
      }
    }
    return std::nullopt;
  }
  auto it = used.upper_bound(hi);
  uint32_t highest = 0;
  bool any = false;
  if (it != used.begin()) {
    --it;
    if (*it >= lo) {
      highest = *it;
      any = true;
    }
  }
  if (!any) return lo;
  if (highest < hi) return highest + 1;
  for (uint64_t id = lo; id <= hi; ++id) {
    if (!used.count(static_cast<uint32_t>(id)))
      return static_cast<uint32_t>(id);
  }
  return std::nullopt;
}

}  // namespace

std::optional<uint32_t> AccountDb::NextUid(bool system) const {
  std::set<uint32_t> used;
  for (const auto* f : passwd_.Entries()) {
    if (auto id = ParseId((*f)[2])) used.insert(*id);
  }
  return system ? NextId(used, defs_.sys_uid_min, defs_.sys_uid_max, true)
                : NextId(used, defs_.uid_min, defs_.uid_max, false);
}

std::optional<uint32_t> AccountDb::NextGid(bool system) const {
  std::set<uint32_t> used;
  for (const auto* f : group_.Entries()) {
    if (auto id = ParseId((*f)[2])) used.insert(*id);
  }
  return system ? NextId(used, defs_.sys_gid_min, defs_.sys_gid_max, true)
                : NextId(used, defs_.gid_min, defs_.gid_max, false);
}

void AccountDb::AddGroup(const std::string& name, uint32_t gid) {
  group_.Put({name, "x", std::to_string(gid), ""});
  if (gshadow_present_) gshadow_.Put({name, "!", "", ""});
}

void AccountDb::AddUser(const UserView& u) {
  passwd_.Put({u.name, "x", std::to_string(u.uid), std::to_string(u.gid),
               u.gecos, u.home, u.shell});
  if (shadow_present_) {
    std::vector<std::string> s = u.shadow;
    if (s.size() != kShadowFields) {
      s = {u.name,
           u.hash.empty() ? "!" : u.hash,
           std::to_string(today_),
           defs_.pass_min_days,
           defs_.pass_max_days,
           defs_.pass_warn_age,
           "",
           "",
           ""};
    }
    s[0] = u.name;
    shadow_.Put(std::move(s));
  } else {
    passwd_.SetField(u.name, 1, u.hash.empty() ? "!" : u.hash);
  }
}

void AccountDb::SetUserField(const std::string& name, size_t passwd_index,
                             const std::string& value) {
  passwd_.SetField(name, passwd_index, value);
}

void AccountDb::SetShadowField(const std::string& name, size_t index,
                               const std::string& value) {
  if (!shadow_present_) {
    if (index == 1) passwd_.SetField(name, 1, value);
    return;
  }
  if (shadow_.Find(name) == nullptr) {
    shadow_.Put({name, "!", std::to_string(today_), "", "", "", "", "", ""});
    passwd_.SetField(name, 1, "x");
  }
  shadow_.SetField(name, index, value);
}

namespace {

void EditMembers(AccountTable* t, const std::string& group, size_t field,
                 const std::string& user, bool add) {
  const auto* f = t->Find(group);
  if (f == nullptr) return;
  auto m = SplitList((*f)[field]);
  auto it = std::find(m.begin(), m.end(), user);
  if (add && it == m.end()) {
    m.push_back(user);
  } else if (!add && it != m.end()) {
    m.erase(it);
  } else {
    return;
  }
  t->SetField(group, field, JoinList(m));
}

}  // namespace

void AccountDb::AddMember(const std::string& group, const std::string& user) {
  EditMembers(&group_, group, 3, user, true);
  if (gshadow_present_) {
    if (gshadow_.Find(group) == nullptr) gshadow_.Put({group, "!", "", ""});
    EditMembers(&gshadow_, group, 3, user, true);
  }
}

void AccountDb::RemoveMember(const std::string& group,
                             const std::string& user) {
  EditMembers(&group_, group, 3, user, false);
  if (gshadow_present_) {
    EditMembers(&gshadow_, group, 3, user, false);
    EditMembers(&gshadow_, group, 2, user, false);
  }
}

void AccountDb::RemoveUser(const std::string& name) {
  for (const auto& g : GroupsOf(name)) RemoveMember(g, name);
  if (gshadow_present_) {
    std::vector<std::string> names;
    for (const auto* f : gshadow_.Entries()) names.push_back((*f)[0]);
    for (const auto& g : names) {
      EditMembers(&gshadow_, g, 3, name, false);
      EditMembers(&gshadow_, g, 2, name, false);
    }
  }
  passwd_.Remove(name);
  shadow_.Remove(name);
}

void AccountDb::RemoveGroup(const std::string& name) {
  group_.Remove(name);
  gshadow_.Remove(name);
}

Result<std::unique_ptr<LockHandle>> LockAccounts(System& sys) {
  auto lock = sys.Lock(kPwdLockPath, 15);
  if (!lock.ok()) return lock.status().WithContext("lock /etc/.pwd.lock");
  return lock;
}

}  // namespace flamingo::identity
