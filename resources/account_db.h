// Names and ids of the target's users and groups, read from its /etc/passwd
// and /etc/group through a SystemReader (never NSS of the host: with --root
// the host's users are not the image's).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "engine/status.h"
#include "engine/system.h"

namespace flamingo {

class AccountDb {
 public:
  // Reads /etc/passwd and /etc/group; a missing file is empty. Malformed
  // lines, comments and NIS "+"/"-" lines are skipped.
  static Result<AccountDb> Load(const SystemReader& sys);
  // From file contents (tests, and Load).
  static AccountDb Parse(std::string_view passwd, std::string_view group);

  std::optional<uint32_t> UserId(const std::string& name) const;
  std::optional<uint32_t> GroupId(const std::string& name) const;
  // The first name with this id, or the number as text.
  std::string UserName(uint32_t uid) const;
  std::string GroupName(uint32_t gid) const;

 private:
  std::map<std::string, uint32_t> users_, groups_;
  std::map<uint32_t, std::string> user_names_, group_names_;
};

// Parsed /etc/passwd and /etc/group shared by the resources of one run (e.g.
// every write_files entry with an owner): Get() stats both files on every
// call and parses them again only when one changed (inode, size, times,
// mode, owner), so N files owned by users cost one parse, not N.
// Thread-safe.
class AccountDbCache {
 public:
  Result<std::shared_ptr<const AccountDb>> Get(const SystemReader& sys);

 private:
  std::mutex mu_;
  std::optional<FileInfo> identity_[2];
  std::shared_ptr<const AccountDb> db_;
};

}  // namespace flamingo
