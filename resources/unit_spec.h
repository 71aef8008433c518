// The systemd unit kind's config: `coreos: units:` (CoreOS cloud-config)
// and the same list under our own top-level key `systemd: units:`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "resources/kinds.h"
#include "system/systemd/service_manager.h"

namespace flamingo {

struct DropInSpec {
  std::string name;  // "20-proxy.conf"
  std::string content;
};

struct UnitSpec {
  std::string name;                    // "docker.service"
  std::optional<std::string> content;  // the unit file, when given
  std::vector<DropInSpec> drop_ins;
  std::optional<bool> enable;  // absent = leave enablement alone
  std::optional<bool> mask;    // absent = leave the mask alone
  bool runtime = false;        // /run/systemd/system instead of /etc
  std::optional<UnitCommand> command;
  // A systemd-networkd file (.network, .netdev, .link), as CoreOS writes
  // them: content and drop-ins go to /etc/systemd/network (/run with
  // runtime); no enable, mask or command.
  bool network = false;
  std::string origin;  // "user-data:12:5"
};

// True for "00-eth0.network", "br0.netdev", "10-eth.link".
bool IsNetworkdFile(const std::string& name);

// Parses one list item (a map); semantic errors go to `diags`. Returns
// nullopt when the item is unusable.
std::optional<UnitSpec> ParseUnitSpec(const Value& item, Diagnostics* diags);

// The CompileFn of the row {"unit"}, {"coreos", "systemd"}.
void CompileUnits(const CompileInput& in, CompileOutput* out,
                  Diagnostics* diags);

// The OrphanFn: removes the files and links a unit resource created.
std::unique_ptr<Resource> UnitOrphan(const std::string& kind,
                                     const std::string& name,
                                     const Record& record,
                                     std::shared_ptr<void>* shared);

}  // namespace flamingo
