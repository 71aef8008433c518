// The parts of the target's /etc/login.defs that user and group creation
// follow (shadow-utils' useradd reads the same keys). Missing keys take
// shadow-utils' defaults.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace flamingo::identity {

struct LoginDefs {
  uint32_t uid_min = 1000, uid_max = 60000;
  uint32_t sys_uid_min = 101, sys_uid_max = 999;
  uint32_t gid_min = 1000, gid_max = 60000;
  uint32_t sys_gid_min = 101, sys_gid_max = 999;
  // ENCRYPT_METHOD, upper case ("SHA512", "YESCRYPT"); "" when unset.
  std::string encrypt_method;
  // Mode of new home directories: HOME_MODE, else 0777 & ~UMASK.
  uint32_t home_mode = 0755;
  bool usergroups = true;  // USERGROUPS_ENAB
  // PASS_MIN_DAYS, PASS_MAX_DAYS, PASS_WARN_AGE as text ("" when unset):
  // the aging fields of new shadow entries.
  std::string pass_min_days, pass_max_days, pass_warn_age;
};

// Parses login.defs text ("KEY value" lines, '#' comments). Unparseable
// numbers keep the default. SYS_*_MAX default to *_MIN - 1.
LoginDefs ParseLoginDefs(std::string_view text);

}  // namespace flamingo::identity
