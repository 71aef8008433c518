// AccountDb: the four account files of a target, parsed together, with the
// operations users and groups need (lookups, id allocation, membership).
// Load() reads through a SystemReader; Save() writes only the files that
// were edited, atomically, keeping each file's mode and owner. Lookups by
// name, uid, gid and member are indexed and edits keep the indexes, so that
// N edits cost O(N) and not O(N^2) (AccountSession edits one db for a whole
// run). Callers that modify hold the shadow-utils lock: LockAccounts()
// (lckpwdf semantics on /etc/.pwd.lock), then Load, edit, Save, release;
// resources do it through AccountSession (account_session.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/status.h"
#include "engine/system.h"
#include "resources/identity/account_table.h"
#include "resources/identity/login_defs.h"

namespace flamingo::identity {

inline constexpr char kPasswdPath[] = "/etc/passwd";
inline constexpr char kShadowPath[] = "/etc/shadow";
inline constexpr char kGroupPath[] = "/etc/group";
inline constexpr char kGshadowPath[] = "/etc/gshadow";
inline constexpr char kLoginDefsPath[] = "/etc/login.defs";
inline constexpr char kPwdLockPath[] = "/etc/.pwd.lock";

struct UserView {  // a passwd entry (+ its shadow entry when present)
  std::string name;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string gecos, home, shell;
  bool has_shadow = false;
  std::vector<std::string> shadow;  // kShadowFields fields when has_shadow
  // The password hash: shadow field 1, else passwd field 1.
  std::string hash;
};

struct GroupView {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;
};

// The raw bytes of the account files (what Load parses).
struct RawAccountFiles {
  std::string text[4];  // passwd, shadow, group, gshadow
  bool exists[4] = {false, false, false, false};
  FileAttrs attrs[4];
  std::string login_defs;
  int64_t now = 0;
};

class AccountDb {
 public:
  AccountDb();

  static Result<AccountDb> Load(const SystemReader& sys);
  static Result<RawAccountFiles> ReadRaw(const SystemReader& sys);
  static AccountDb FromRaw(const RawAccountFiles& raw);
  // Writes every file edited since Load or the last successful Save whose
  // text differs from what is on disk (nothing edited: no writes), groups
  // first. A written file becomes the new baseline. Stops at the first
  // failure (the files before it are written).
  Status Save(System& sys);
  // True when some edit has not been saved.
  bool dirty() const;

  std::optional<UserView> User(const std::string& name) const;
  std::optional<GroupView> Group(const std::string& name) const;
  std::optional<GroupView> GroupByGid(uint32_t gid) const;
  // The gid of a group (cheaper than Group(): no member list).
  std::optional<uint32_t> GroupGid(const std::string& name) const;
  // Name of the user with this uid, or "".
  std::string UserByUid(uint32_t uid) const;
  // Groups (by name) that list `user` as a member.
  std::vector<std::string> GroupsOf(const std::string& user) const;

  // Next free id as useradd/groupadd pick them: a regular id is one above
  // the highest used in [MIN, MAX] (else the lowest free one); a system id is
  // the highest free one in [SYS_MIN, SYS_MAX]. nullopt when exhausted.
  std::optional<uint32_t> NextUid(bool system) const;
  std::optional<uint32_t> NextGid(bool system) const;

  // Edits. AddGroup/AddUser REQUIRE that the name is not present.
  void AddGroup(const std::string& name, uint32_t gid);
  void AddUser(const UserView& u);  // writes passwd ("x") and shadow
  void SetUserField(const std::string& name, size_t passwd_index,
                    const std::string& value);
  void SetShadowField(const std::string& name, size_t index,
                      const std::string& value);
  void AddMember(const std::string& group, const std::string& user);
  void RemoveMember(const std::string& group, const std::string& user);
  void RemoveUser(const std::string& name);  // and from all member lists
  void RemoveGroup(const std::string& name);

  const LoginDefs& defs() const { return defs_; }
  bool has_shadow() const { return shadow_present_; }
  bool has_gshadow() const { return gshadow_present_; }
  // Days since the epoch of `now` (for shadow's last-change field).
  static int64_t Days(int64_t now) { return now / 86400; }
  int64_t today() const { return today_; }

  // For tests.
  const AccountTable& passwd() const { return passwd_; }
  const AccountTable& shadow() const { return shadow_; }
  const AccountTable& group() const { return group_; }
  const AccountTable& gshadow() const { return gshadow_; }
  // Builds a db from texts (no files); shadow/gshadow present when non-null.
  static AccountDb FromText(const std::string& passwd,
                            const std::string* shadow, const std::string& group,
                            const std::string* gshadow,
                            const std::string& login_defs, int64_t now);

 private:
  struct Original {
    std::string text;
    FileAttrs attrs;
    bool exists = false;
  };
  // Member filters of the groups edited so far (built on first edit): the
  // hashes of the names listed (MemberHash), as a quick "not a member";
  // a hash found is checked against the list itself. A hash instead of the
  // name: a group of 1,000 members costs half as much.
  using MemberSets =
      std::unordered_map<std::string, std::unordered_multiset<uint64_t>>;

  void BuildIndexes();
  // Adds or removes `user` in the member list (field `field`) of `group` in
  // `t`; `sets` caches that table's member sets.
  void EditMembers(AccountTable* t, MemberSets* sets, const std::string& group,
                   size_t field, const std::string& user, bool add);
  // user -> groups (of /etc/group) listing it, built on first use.
  void IndexMembers() const;

  AccountTable passwd_, shadow_, group_, gshadow_;
  Original orig_[4];
  bool dirty_[4] = {false, false, false, false};
  bool shadow_present_ = false, gshadow_present_ = false;
  LoginDefs defs_;
  int64_t today_ = 0;
  // uid -> names in passwd and gid -> names in group (file order).
  std::multimap<uint32_t, std::string> uids_, gids_;
  MemberSets group_sets_, gshadow_sets_;
  mutable bool members_indexed_ = false;
  // user -> the groups listing it, each once (a user is in a few: a vector
  // costs a fraction of a set).
  mutable std::unordered_map<std::string, std::vector<std::string>> groups_of_;
};

// Takes the account-files lock (/etc/.pwd.lock), waiting up to 15 s.
Result<std::unique_ptr<LockHandle>> LockAccounts(System& sys);

// Parses a decimal id (0..2^32-2); nullopt otherwise.
std::optional<uint32_t> ParseId(std::string_view s);

}  // namespace flamingo::identity
