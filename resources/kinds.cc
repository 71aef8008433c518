#include "resources/kinds.h"

#include <algorithm>
#include <set>

#include "resources/final_message.h"
#include "resources/firewall.h"
#include "resources/host_keys.h"
#include "resources/hostname.h"
#include "resources/identity/compile.h"
#include "resources/locale.h"
#include "resources/power_state.h"
#include "resources/scripts_compile.h"
#include "resources/timezone.h"
#include "resources/unit_spec.h"
#include "resources/write_files.h"
#include "resources/yum_repos.h"

namespace flamingo {

const std::vector<KindEntry>& Kinds() {
  static const std::vector<KindEntry>* table = new std::vector<KindEntry>{
      // {{kinds...}, {keys...}, compile, orphan}: one row per kind.
      // groups, users, passwords, authorized keys, sudo, doas, sshd policy.
      {identity::IdentityKinds(), identity::IdentityKeys(),
       identity::CompileIdentity, identity::IdentityOrphan},
      // SSH host keys: made anew once per instance, at boot; never deleted.
      {{"ssh_host_keys"},
       {"ssh_deletekeys", "ssh_genkeytypes", "ssh_keys"},
       CompileHostKeys,
       nullptr,
       /*every_boot=*/true},
      // write_files: never deletes (cloud-init never removes files).
      // Its list is compiled while it is parsed (ItemStream).
      {{"file"},
       {"write_files"},
       CompileWriteFiles,
       nullptr,
       /*every_boot=*/false,
       MakeWriteFilesStream},
      // hostname, fqdn, /etc/hosts: never deleted.
      {{"hostname", "etc_hosts"},
       {"hostname", "fqdn", "prefer_fqdn_over_hostname", "preserve_hostname",
        "create_hostname_file", "manage_etc_hosts"},
       CompileHostname,
       nullptr},
      // locale: LANG= in /etc/locale.conf; never deleted.
      {{"locale"}, {"locale", "locale_configfile"}, CompileLocale, nullptr},
      // yum_repos: one .repo file each; never deleted (as cloud-init).
      {{"yum_repo"}, {"yum_repos", "yum_repo_dir"}, CompileYumRepos, nullptr},
      // timezone: /etc/localtime (and /etc/timezone); never deleted.
      {{"timezone"}, {"timezone"}, CompileTimezone, nullptr},
      // bootcmd, runcmd, user-data scripts, script directories.
      {{"script"},
       {"bootcmd", "runcmd", "flamingo"},
       CompileScripts,
       nullptr,
       /*every_boot=*/true},
      // final_message and boot-finished: at the end of every boot.
      {{"final_message"},
       {"final_message"},
       CompileFinalMessage,
       nullptr,
       /*every_boot=*/true},
      // power_state: shutdown once flamingo has exited; once per instance.
      {{"power_state"},
       {"power_state"},
       CompilePowerState,
       nullptr,
       /*every_boot=*/true},
      // firewall: table inet flamingo; deleted when flamingo created it.
      {{"firewall"}, {"firewall"}, CompileFirewall, FirewallOrphan},
      // systemd units and drop-ins (coreos.units, systemd.units): unit files
      // flamingo created are removed when they leave the config.
      {{"unit"}, {"coreos", "systemd"}, CompileUnits, UnitOrphan},
  };
  return *table;
}

std::unique_ptr<ItemStream> MakeItemStream() {
  for (const auto& k : Kinds()) {
    if (k.stream != nullptr) return k.stream();
  }
  return nullptr;
}

std::vector<std::string> ImplementedKeys() {
  std::vector<std::string> keys;
  for (const auto& k : Kinds()) {
    keys.insert(keys.end(), k.keys.begin(), k.keys.end());
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

std::string TopLevelKey(const std::string& path) {
  return path.substr(0, path.find_first_of(".["));
}

bool HasEveryBootInput(const Value& config,
                       const std::vector<ScriptPart>& scripts) {
  if (!scripts.empty()) return true;
  if (!config.is_map()) return false;
  for (const auto& k : Kinds()) {
    if (!k.every_boot) continue;
    for (const std::string& key : k.keys) {
      if (config.Get(key) != nullptr) return true;
    }
  }
  return false;
}

void CompileAll(const CompileInput& in, Graph* graph, Diagnostics* diags) {
  std::set<std::string> malformed;
  for (const auto& d : diags->items()) {
    if (d.severity == Severity::kError) malformed.insert(TopLevelKey(d.path));
  }
  for (const auto& k : Kinds()) {
    if (in.every_boot_only && !k.every_boot) continue;
    if (std::any_of(k.keys.begin(), k.keys.end(), [&](const std::string& key) {
          return malformed.count(key) > 0;
        })) {
      continue;
    }
    CompileOutput out;
    const Value* list = k.stream != nullptr && in.config.is_map()
                            ? in.config.Get(k.keys[0])
                            : nullptr;
    if (list != nullptr && list->is_streamed()) {
      if (in.stream == nullptr || in.stream->key() != k.keys[0]) {
        diags->Error(*list,
                     "internal error: a streamed list without its "
                     "stream");
        continue;
      }
      in.stream->Compile(&out, diags);
    } else {
      k.compile(in, &out, diags);
    }
    for (auto& r : out.resources) graph->Add(std::move(r));
  }
}

std::unique_ptr<Resource> KindOrphanFactory::MakeOrphan(
    const std::string& kind, const std::string& name,
    const Record& record) const {
  for (const auto& k : Kinds()) {
    if (k.orphan == nullptr) continue;
    if (std::find(k.kinds.begin(), k.kinds.end(), kind) != k.kinds.end()) {
      return k.orphan(kind, name, record, &shared_[&k]);
    }
  }
  return nullptr;
}

}  // namespace flamingo
