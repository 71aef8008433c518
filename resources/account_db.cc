#include "resources/account_db.h"

#include <charconv>
#include <vector>

#include "engine/text.h"

namespace flamingo {

namespace {

// Calls fn(name, id) for each well-formed "name:x:id:..." line.
template <typename Fn>
void ForEachEntry(std::string_view text, Fn fn) {
  for (std::string_view line : SplitLines(text)) {
    if (line.empty() || line[0] == '#' || line[0] == '+' || line[0] == '-') {
      continue;
    }
    size_t c1 = line.find(':');
    if (c1 == std::string_view::npos || c1 == 0) continue;
    size_t c2 = line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    size_t c3 = line.find(':', c2 + 1);
    std::string_view id = line.substr(c2 + 1, c3 == std::string_view::npos
                                                  ? std::string_view::npos
                                                  : c3 - c2 - 1);
    uint32_t value = 0;
    auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), value);
    if (ec != std::errc() || ptr != id.data() + id.size() || id.empty()) {
      continue;
    }
    fn(std::string(line.substr(0, c1)), value);
  }
}

Result<std::string> ReadIfExists(const SystemReader& sys,
                                 std::string_view path) {
  auto st = sys.Stat(path);
  if (!st.ok()) return st.status();
  if (!st->has_value()) return std::string();
  return sys.ReadFile(path);
}

}  // namespace

AccountDb AccountDb::Parse(std::string_view passwd, std::string_view group) {
  AccountDb db;
  ForEachEntry(passwd, [&](std::string name, uint32_t id) {
    db.user_names_.emplace(id, name);
    db.users_.emplace(std::move(name), id);
  });
  ForEachEntry(group, [&](std::string name, uint32_t id) {
    db.group_names_.emplace(id, name);
    db.groups_.emplace(std::move(name), id);
  });
  return db;
}

Result<AccountDb> AccountDb::Load(const SystemReader& sys) {
  auto passwd = ReadIfExists(sys, "/etc/passwd");
  if (!passwd.ok()) return passwd.status();
  auto group = ReadIfExists(sys, "/etc/group");
  if (!group.ok()) return group.status();
  return Parse(*passwd, *group);
}

Result<std::shared_ptr<const AccountDb>> AccountDbCache::Get(
    const SystemReader& sys) {
  std::optional<FileInfo> now[2];
  const char* paths[2] = {"/etc/passwd", "/etc/group"};
  for (int i = 0; i < 2; ++i) {
    auto st = sys.Stat(paths[i]);
    if (!st.ok()) return st.status();
    now[i] = *st;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (db_ != nullptr && SameFileVersion(identity_[0], now[0]) &&
      SameFileVersion(identity_[1], now[1])) {
    return db_;
  }
  // Read after the stat: a change in between shows as a new identity on
  // the next call, never as stale content.
  auto loaded = AccountDb::Load(sys);
  if (!loaded.ok()) return loaded.status();
  db_ = std::make_shared<const AccountDb>(std::move(*loaded));
  identity_[0] = now[0];
  identity_[1] = now[1];
  return db_;
}

std::optional<uint32_t> AccountDb::UserId(const std::string& name) const {
  auto it = users_.find(name);
  if (it == users_.end()) return std::nullopt;
  return it->second;
}

std::optional<uint32_t> AccountDb::GroupId(const std::string& name) const {
  auto it = groups_.find(name);
  if (it == groups_.end()) return std::nullopt;
  return it->second;
}

std::string AccountDb::UserName(uint32_t uid) const {
  auto it = user_names_.find(uid);
  return it == user_names_.end() ? std::to_string(uid) : it->second;
}

std::string AccountDb::GroupName(uint32_t gid) const {
  auto it = group_names_.find(gid);
  return it == group_names_.end() ? std::to_string(gid) : it->second;
}

}  // namespace flamingo
