#include "resources/firewall.h"

#include "resources/firewall/firewall_diff.h"
#include "resources/firewall/sshd_ports.h"
#include "system/nft/netfilter.h"

namespace flamingo {

using firewall::Lowered;

std::string FirewallUnitText() {
  return std::string(
             "# Written by flamingo: loads the firewall (nftables table inet\n"
             "# flamingo) at boot, before the network comes up.\n"
             "[Unit]\n"
             "Description=flamingo firewall (nftables table inet flamingo)\n"
             "DefaultDependencies=no\n"
             "Wants=network-pre.target\n"
             "Before=network-pre.target shutdown.target\n"
             "Conflicts=shutdown.target\n"
             "ConditionPathExists=") +
         kFirewallNftPath +
         "\n"
         "\n"
         "[Service]\n"
         "Type=oneshot\n"
         "RemainAfterExit=yes\n"
         "ExecStart=/usr/sbin/nft -f " +
         kFirewallNftPath +
         "\n"
         "\n"
         "[Install]\n"
         "WantedBy=multi-user.target\n";
}

namespace {

constexpr char kFirewallDir[] = "/etc/flamingo";
constexpr char kWantsDir[] = "/etc/systemd/system/multi-user.target.wants";

struct Observed {
  bool live = false;
  nft::Table kernel;
  std::optional<std::string> file;
  std::optional<std::string> unit;
  std::optional<std::string> link;  // symlink target, or "(not a symlink)"
  std::optional<Lowered> desired;   // when there is a spec
};

Result<std::optional<std::string>> ReadOptional(const SystemReader& sys,
                                                const char* path) {
  auto info = sys.Stat(path);
  if (!info.ok()) return info.status();
  if (!info->has_value()) return std::optional<std::string>();
  if ((*info)->type != FileType::kRegular) {
    return std::optional<std::string>("(not a regular file)");
  }
  auto content = sys.ReadFile(path);
  if (!content.ok()) return content.status();
  return std::optional<std::string>(*content);
}

Result<std::optional<std::string>> ReadLinkOptional(const SystemReader& sys,
                                                    const char* path) {
  auto info = sys.Stat(path);
  if (!info.ok()) return info.status();
  if (!info->has_value()) return std::optional<std::string>();
  if ((*info)->type != FileType::kSymlink) {
    return std::optional<std::string>("(not a symlink)");
  }
  auto target = sys.ReadLink(path);
  if (!target.ok()) return target.status();
  return std::optional<std::string>(*target);
}

Result<Lowered> Desired(const firewall::Spec& spec, const SystemReader& sys) {
  auto ssh = firewall::ReadSshPorts(sys);
  if (!ssh.ok()) return ssh.status();
  return firewall::Lower(spec, *ssh);
}

std::string Summary(const std::optional<std::string>& content) {
  if (!content) return "(absent)";
  size_t lines = 0;
  for (char c : *content) lines += c == '\n';
  return std::to_string(content->size()) + " bytes, " + std::to_string(lines) +
         " lines";
}

}  // namespace

FirewallResource::FirewallResource(std::optional<firewall::Spec> spec)
    : spec_(std::move(spec)) {}

std::string FirewallResource::Origin() const {
  return spec_ ? spec_->origin : "";
}

std::vector<std::string> FirewallResource::Warnings() const {
  return warnings_;
}

Result<Observation> FirewallResource::Observe(const SystemReader& sys,
                                              const ResourceContext&) const {
  auto obs = std::make_shared<Observed>();
  if (const Netfilter* nf = sys.netfilter()) {
    obs->live = true;
    auto table = nf->Read();
    if (!table.ok()) return table.status().WithContext("read nftables");
    obs->kernel = std::move(table).value();
  }
  auto file = ReadOptional(sys, kFirewallNftPath);
  if (!file.ok()) return file.status();
  obs->file = *file;
  auto unit = ReadOptional(sys, kFirewallUnitPath);
  if (!unit.ok()) return unit.status();
  obs->unit = *unit;
  auto link = ReadLinkOptional(sys, kFirewallWantsPath);
  if (!link.ok()) return link.status();
  obs->link = *link;
  if (spec_) {
    auto desired = Desired(*spec_, sys);
    if (!desired.ok()) return desired.status();
    warnings_ = desired->warnings;
    obs->desired = std::move(desired).value();
  }
  Observation o;
  o.exists = obs->kernel.exists || obs->file || obs->unit || obs->link;
  o.fields["live"] = obs->live ? "true" : "false";
  o.detail = obs;
  return o;
}

Change FirewallResource::Diff(const Observation& observed,
                              const ResourceContext&) const {
  const auto& obs = *static_cast<const Observed*>(observed.detail.get());
  if (!spec_) {
    if (!observed.exists) return MakeChange(Action::kNone);
    Change c = MakeChange(Action::kDelete);
    if (obs.kernel.exists) {
      c.fields.push_back({"table", "inet flamingo", std::nullopt, false});
    }
    if (obs.file)
      c.fields.push_back(
          {kFirewallNftPath, Summary(obs.file), std::nullopt, false});
    if (obs.unit)
      c.fields.push_back(
          {kFirewallUnitPath, Summary(obs.unit), std::nullopt, false});
    if (obs.link)
      c.fields.push_back({kFirewallWantsPath, obs.link, std::nullopt, false});
    return c;
  }
  const Lowered& want = *obs.desired;
  std::string file = firewall::RenderNftFile(want);
  std::string unit = FirewallUnitText();
  std::vector<FieldChange> fields;
  if (obs.live && !(obs.kernel == want.table)) {
    firewall::KernelFields(obs.kernel, want, &fields);
  }
  if (!obs.live && !obs.file) {
    // Under --root, a first write shows the table it will hold.
    firewall::KernelFields(nft::Table{}, want, &fields);
  }
  if (obs.file != file) {
    if (obs.live || !obs.file) {
      fields.push_back(
          {kFirewallNftPath, Summary(obs.file), Summary(file), false});
    } else {
      firewall::LineFields(kFirewallNftPath, obs.file, file, &fields);
    }
  }
  if (obs.unit != unit) {
    fields.push_back(
        {kFirewallUnitPath, Summary(obs.unit), Summary(unit), false});
  }
  if (obs.link != std::optional<std::string>(kFirewallUnitPath)) {
    fields.push_back({kFirewallWantsPath, obs.link, kFirewallUnitPath, false});
  }
  if (fields.empty()) return MakeChange(Action::kNone);
  bool exists = obs.live ? obs.kernel.exists : obs.file.has_value();
  Change c = MakeChange(exists ? Action::kUpdate : Action::kCreate);
  c.fields = std::move(fields);
  if (!obs.live) {
    c.reason = "no netfilter here (--root): the rules go to " +
               std::string(kFirewallNftPath) +
               ", loaded at boot by flamingo-firewall.service (enabled)";
  } else if (want.ssh_rule_added) {
    c.reason = "keep_ssh_open: SSH stays open";
  }
  return c;
}

Status FirewallResource::Apply(System& sys, const Change& change,
                               const ResourceContext&, Record*) const {
  Netfilter* nf = sys.mutable_netfilter();
  if (change.action == Action::kDelete) {
    if (nf != nullptr) {
      auto table = nf->Read();
      if (!table.ok()) return table.status().WithContext("read nftables");
      if (table->exists) {
        Status st = nf->Replace(nft::Table{});
        if (!st.ok()) return st.WithContext("delete table inet flamingo");
      }
    }
    for (const char* path :
         {kFirewallWantsPath, kFirewallUnitPath, kFirewallNftPath}) {
      Status st = sys.Remove(path);
      if (!st.ok()) return st;
    }
    return Status::Ok();
  }
  if (!spec_) return Status::Error("nothing to apply");
  // Recomputed from the machine as it is now (sshd's port may have moved).
  auto want = Desired(*spec_, sys);
  if (!want.ok()) return want.status();
  if (nf != nullptr) {
    auto table = nf->Read();
    if (!table.ok()) return table.status().WithContext("read nftables");
    if (!(*table == want->table)) {
      Status st = nf->Replace(want->table);
      if (!st.ok()) return st;  // nothing written: files stay consistent
    }
  }
  FileAttrs dir{0755, 0, 0};
  Status st = MakeDirs(sys, kFirewallDir, dir);
  if (st.ok()) {
    st = sys.WriteFile(kFirewallNftPath, firewall::RenderNftFile(*want),
                       {0600, 0, 0});
  }
  if (st.ok()) st = MakeDirs(sys, kWantsDir, dir);
  if (st.ok()) {
    st = sys.WriteFile(kFirewallUnitPath, FirewallUnitText(), {0644, 0, 0});
  }
  if (st.ok()) {
    auto link = ReadLinkOptional(sys, kFirewallWantsPath);
    if (!link.ok()) return link.status();
    if (*link != std::optional<std::string>(kFirewallUnitPath)) {
      st = sys.MakeSymlink(kFirewallWantsPath, kFirewallUnitPath);
    }
  }
  return st;
}

void CompileFirewall(const CompileInput& in, CompileOutput* out,
                     Diagnostics* diags) {
  const Value* v = in.config.Get("firewall");
  if (v == nullptr || v->is_null()) return;
  auto spec = firewall::ParseFirewall(*v, diags);
  if (!spec) return;
  out->Add(std::make_unique<FirewallResource>(std::move(*spec)));
}

std::unique_ptr<Resource> FirewallOrphan(const std::string& kind,
                                         const std::string&, const Record&,
                                         std::shared_ptr<void>*) {
  if (kind != "firewall") return nullptr;
  return std::make_unique<FirewallResource>(std::nullopt);
}

}  // namespace flamingo
