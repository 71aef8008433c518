#include "resources/identity/account_db.h"

#include <algorithm>
#include <charconv>
#include <map>

namespace flamingo::identity {
namespace {

constexpr const char* kPaths[4] = {kPasswdPath, kShadowPath, kGroupPath,
                                   kGshadowPath};

}  // namespace

std::optional<uint32_t> ParseId(std::string_view s) {
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
  db.BuildIndexes();
  return db;
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
  db.BuildIndexes();
  return db;
}

Result<AccountDb> AccountDb::Load(const SystemReader& sys) {
  auto raw = ReadRaw(sys);
  if (!raw.ok()) return raw.status();
  return FromRaw(*raw);
}

bool AccountDb::dirty() const {
  return dirty_[0] || dirty_[1] || dirty_[2] || dirty_[3];
}

Status AccountDb::Save(System& sys) {
  if (!dirty()) return Status::Ok();
  AccountTable* tables[4] = {&passwd_, &shadow_, &group_, &gshadow_};
  const int order[4] = {2, 3, 0, 1};  // groups first: users refer to them
  std::vector<System::FileWrite> writes;
  std::vector<int> written;
  for (int i : order) {
    if (i == 3 && !gshadow_present_) continue;
    if (i == 1 && !shadow_present_) continue;
    // A missing /etc/shadow is created with the first save.
    if (!dirty_[i] && orig_[i].exists) continue;
    std::string text = tables[i]->Serialize();
    if (orig_[i].exists && text == orig_[i].text) {
      dirty_[i] = false;
      continue;
    }
    writes.push_back({kPaths[i], std::move(text), orig_[i].attrs});
    written.push_back(i);
  }
  // Together: one durability flush for all of them, renamed in this order.
  Status s = sys.WriteFiles(writes);
  if (!s.ok()) return s.WithContext("write the account files");
  for (size_t k = 0; k < written.size(); ++k) {
    int i = written[k];
    orig_[i].text = std::move(writes[k].content);
    orig_[i].exists = true;
    dirty_[i] = false;
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
    u.shadow = s->ToVector();
    u.hash = (*s)[1];
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
  auto it = gids_.find(gid);  // the first in file order
  if (it == gids_.end()) return std::nullopt;
  return Group(it->second);
}

std::string AccountDb::UserByUid(uint32_t uid) const {
  auto it = uids_.find(uid);
  return it == uids_.end() ? "" : it->second;
}

namespace {

void AddOnce(std::vector<std::string>* v, std::string_view s) {
  if (std::find(v->begin(), v->end(), s) == v->end()) v->emplace_back(s);
}

void RemoveAll(std::vector<std::string>* v, std::string_view s) {
  v->erase(std::remove(v->begin(), v->end(), s), v->end());
}

}  // namespace

void AccountDb::IndexMembers() const {
  if (members_indexed_) return;
  groups_of_.clear();
  for (const auto* f : group_.Entries()) {
    for (auto& m : SplitList((*f)[3])) {
      AddOnce(&groups_of_[m], (*f)[0]);
    }
  }
  members_indexed_ = true;
}

std::vector<std::string> AccountDb::GroupsOf(const std::string& user) const {
  IndexMembers();
  auto it = groups_of_.find(user);
  if (it == groups_of_.end()) return {};
  std::vector<std::string> out = it->second;
  // In file order.
  std::sort(out.begin(), out.end(),
            [this](const std::string& a, const std::string& b) {
              return group_.LineOf(a) < group_.LineOf(b);
            });
  return out;
}

void AccountDb::BuildIndexes() {
  uids_.clear();
  gids_.clear();
  for (const auto* f : passwd_.Entries()) {
    if (auto id = ParseId((*f)[2])) uids_.emplace(*id, std::string((*f)[0]));
  }
  for (const auto* f : group_.Entries()) {
    if (auto id = ParseId((*f)[2])) gids_.emplace(*id, std::string((*f)[0]));
  }
  group_sets_.clear();
  gshadow_sets_.clear();
  members_indexed_ = false;
  groups_of_.clear();
}

namespace {

// `used`: the ids in use (keys of an id -> name multimap).
std::optional<uint32_t> NextId(const std::multimap<uint32_t, std::string>& used,
                               uint32_t lo, uint32_t hi, bool system) {
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
    if (it->first >= lo) {
      highest = it->first;
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

// Erases the pair (id, name) from an id index.
void EraseId(std::multimap<uint32_t, std::string>* index, uint32_t id,
             const std::string& name) {
  auto [b, e] = index->equal_range(id);
  for (auto it = b; it != e; ++it) {
    if (it->second == name) {
      index->erase(it);
      return;
    }
  }
}

}  // namespace

std::optional<uint32_t> AccountDb::NextUid(bool system) const {
  return system ? NextId(uids_, defs_.sys_uid_min, defs_.sys_uid_max, true)
                : NextId(uids_, defs_.uid_min, defs_.uid_max, false);
}

std::optional<uint32_t> AccountDb::NextGid(bool system) const {
  return system ? NextId(gids_, defs_.sys_gid_min, defs_.sys_gid_max, true)
                : NextId(gids_, defs_.gid_min, defs_.gid_max, false);
}

void AccountDb::AddGroup(const std::string& name, uint32_t gid) {
  group_.Put({name, "x", std::to_string(gid), ""});
  gids_.emplace(gid, name);
  dirty_[2] = true;
  if (gshadow_present_) {
    gshadow_.Put({name, "!", "", ""});
    dirty_[3] = true;
  }
}

void AccountDb::AddUser(const UserView& u) {
  passwd_.Put({u.name, "x", std::to_string(u.uid), std::to_string(u.gid),
               u.gecos, u.home, u.shell});
  uids_.emplace(u.uid, u.name);
  dirty_[0] = true;
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
    shadow_.Put(s);
    dirty_[1] = true;
  } else {
    passwd_.SetField(u.name, 1, u.hash.empty() ? "!" : u.hash);
  }
}

void AccountDb::SetUserField(const std::string& name, size_t passwd_index,
                             const std::string& value) {
  const auto* f = passwd_.Find(name);
  if (f == nullptr) return;
  if (passwd_index == 2) {
    if (auto old = ParseId((*f)[2])) EraseId(&uids_, *old, name);
    if (auto id = ParseId(value)) uids_.emplace(*id, name);
  }
  passwd_.SetField(name, passwd_index, value);
  dirty_[0] = true;
}

void AccountDb::SetShadowField(const std::string& name, size_t index,
                               const std::string& value) {
  if (!shadow_present_) {
    if (index == 1) {
      passwd_.SetField(name, 1, value);
      dirty_[0] = true;
    }
    return;
  }
  if (shadow_.Find(name) == nullptr) {
    shadow_.Put({name, "!", std::to_string(today_), "", "", "", "", "", ""});
    passwd_.SetField(name, 1, "x");
    dirty_[0] = true;
  }
  shadow_.SetField(name, index, value);
  dirty_[1] = true;
}

namespace {

uint64_t MemberHash(std::string_view name) {
  return std::hash<std::string_view>()(name);
}

// Whether `user` is in the comma-separated `list`.
bool Listed(std::string_view list, std::string_view user) {
  for (const auto& m : SplitList(list)) {
    if (m == user) return true;
  }
  return false;
}

}  // namespace

void AccountDb::EditMembers(AccountTable* t, MemberSets* sets,
                            const std::string& group, size_t field,
                            const std::string& user, bool add) {
  const AccountEntry* entry = t->Find(group);
  if (entry == nullptr || field == 0 || field >= entry->size()) return;
  std::string_view list = (*entry)[field];  // valid until the edit below
  bool is_group = t == &group_;
  // Member sets only for the member field, built when adding (removals
  // are rare: orphans); admins are edited rarely.
  std::unordered_multiset<uint64_t>* set = nullptr;
  if (sets != nullptr) {
    auto it = sets->find(group);
    if (it == sets->end() && add) {
      it = sets->emplace(group, std::unordered_multiset<uint64_t>()).first;
      for (const auto& m : SplitList(list)) it->second.insert(MemberHash(m));
    }
    if (it != sets->end()) set = &it->second;
  }
  const uint64_t hash = MemberHash(user);
  if (add) {
    // Without a filter, or with a hash found, the list decides.
    if ((set == nullptr || set->count(hash) > 0) && Listed(list, user)) return;
    // Appending keeps a long member list O(1) per new member.
    if (!list.empty() && list.back() != ',') {
      t->AppendToField(group, field, "," + user);
    } else {
      t->AppendToField(group, field, user);
    }
    if (set != nullptr) set->insert(hash);
    if (is_group && members_indexed_) AddOnce(&groups_of_[user], group);
  } else {
    auto m = SplitList(list);
    auto it = std::find(m.begin(), m.end(), user);
    if (it == m.end()) return;
    m.erase(it);
    t->SetField(group, field, JoinList(m));
    // A name listed twice stays a member.
    if (std::find(m.begin(), m.end(), user) == m.end()) {
      if (set != nullptr) {
        auto h = set->find(hash);
        if (h != set->end()) set->erase(h);
      }
      if (is_group && members_indexed_) {
        auto g = groups_of_.find(user);
        if (g != groups_of_.end()) RemoveAll(&g->second, group);
      }
    }
  }
  dirty_[is_group ? 2 : 3] = true;
}

void AccountDb::AddMember(const std::string& group, const std::string& user) {
  EditMembers(&group_, &group_sets_, group, 3, user, true);
  if (gshadow_present_) {
    if (gshadow_.Find(group) == nullptr) {
      gshadow_.Put({group, "!", "", ""});
      dirty_[3] = true;
    }
    EditMembers(&gshadow_, &gshadow_sets_, group, 3, user, true);
  }
}

void AccountDb::RemoveMember(const std::string& group,
                             const std::string& user) {
  EditMembers(&group_, &group_sets_, group, 3, user, false);
  if (gshadow_present_) {
    EditMembers(&gshadow_, &gshadow_sets_, group, 3, user, false);
    EditMembers(&gshadow_, nullptr, group, 2, user, false);
  }
}

void AccountDb::RemoveUser(const std::string& name) {
  for (const auto& g : GroupsOf(name)) RemoveMember(g, name);
  if (gshadow_present_) {
    std::vector<std::string> names;
    for (const auto* f : gshadow_.Entries()) names.emplace_back((*f)[0]);
    for (const auto& g : names) {
      EditMembers(&gshadow_, &gshadow_sets_, g, 3, name, false);
      EditMembers(&gshadow_, nullptr, g, 2, name, false);
    }
  }
  if (const auto* f = passwd_.Find(name)) {
    if (auto id = ParseId((*f)[2])) EraseId(&uids_, *id, name);
  }
  if (passwd_.Remove(name)) dirty_[0] = true;
  if (shadow_.Remove(name)) dirty_[1] = true;
}

void AccountDb::RemoveGroup(const std::string& name) {
  if (const auto* f = group_.Find(name)) {
    if (auto id = ParseId((*f)[2])) EraseId(&gids_, *id, name);
    if (members_indexed_) {
      for (const auto& m : SplitList((*f)[3])) {
        auto g = groups_of_.find(m);
        if (g != groups_of_.end()) RemoveAll(&g->second, name);
      }
    }
  }
  group_sets_.erase(name);
  gshadow_sets_.erase(name);
  if (group_.Remove(name)) dirty_[2] = true;
  if (gshadow_.Remove(name)) dirty_[3] = true;
}

Result<std::unique_ptr<LockHandle>> LockAccounts(System& sys) {
  auto lock = sys.Lock(kPwdLockPath, 15);
  if (!lock.ok()) return lock.status().WithContext("lock /etc/.pwd.lock");
  return lock;
}

}  // namespace flamingo::identity
