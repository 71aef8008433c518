// Offline enablement, as `systemctl [--runtime] enable|disable|mask` does it
// under --root: which symlinks a unit's [Install] section asks for, found
// through systemd's unit search path, read through a SystemReader only.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"
#include "engine/system.h"

namespace flamingo {

// Where enable/mask symlinks go: /etc/systemd/system, or /run/systemd/system
// for runtime units (systemctl --runtime).
std::string UnitConfigDir(bool runtime);

// The system unit search path in systemd's order (Debian layout: /lib before
// /usr/lib, as systemctl names the files it links to).
const std::vector<std::string>& UnitSearchPath();

// The path of the file that defines `name`: the first search-path directory
// holding `name` (or, for an instance, its template), ignoring masks.
// nullopt when there is none.
Result<std::optional<std::string>> FindUnitFile(const SystemReader& sys,
                                                std::string_view name);

struct UnitSymlink {
  std::string path;    // e.g. /etc/systemd/system/multi-user.target.wants/x
  std::string target;  // the unit file it points to
  bool operator==(const UnitSymlink&) const = default;
};

// Content known to the caller that overrides what is on disk: the unit file
// flamingo is about to write (so a plan can show enablement before the file
// exists).
struct PendingUnit {
  std::string name;
  std::string path;
  std::string content;
};

// The symlinks `systemctl enable NAME` creates: WantedBy=/RequiredBy= links
// in X.wants/ and X.requires/, Alias= links, recursively for Also= units.
// For a template, the DefaultInstance= instance is linked. An error when
// the unit file is missing or its [Install] section names nothing.
Result<std::vector<UnitSymlink>> EnableSymlinks(
    const SystemReader& sys, std::string_view name, bool runtime,
    const std::optional<PendingUnit>& pending);

// "enabled" when every link exists pointing at its target, "disabled" when
// none exists, else "partly enabled".
Result<std::string> EnablementOf(const SystemReader& sys,
                                 const std::vector<UnitSymlink>& links);

// True when `path` is a symlink to /dev/null (a masked unit).
Result<bool> IsMasked(const SystemReader& sys, const std::string& path);

}  // namespace flamingo
