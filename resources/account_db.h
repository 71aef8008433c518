// Names and ids of the target's users and groups, read from its /etc/passwd
// and /etc/group through a SystemReader (never NSS of the host: with --root
// the host's users are not the image's).
#pragma once

#include <cstdint>
#include <map>
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

}  // namespace flamingo
