#include "resources/identity/sshd_resource.h"

#include <memory>

#include "engine/text.h"
#include "resources/identity/sshd_config.h"
#include "system/systemd/service_manager.h"

namespace flamingo::identity {
namespace {

struct Observed {
  bool has_config = false;
  std::string config;
  FileAttrs config_attrs;
  bool dropin_mode = false;
  std::optional<FileInfo> dropin;
  std::string dropin_content;
};

Result<std::optional<std::string>> ReadIfRegular(
    const SystemReader& sys, const std::string& path,
    std::optional<FileInfo>* info) {
  auto st = sys.Stat(path);
  if (!st.ok()) return st.status();
  *info = *st;
  if (!st->has_value() || (*st)->type != FileType::kRegular) {
    return std::optional<std::string>();
  }
  auto text = sys.ReadFile(path);
  if (!text.ok()) return text.status();
  return std::optional<std::string>(*text);
}

}  // namespace

std::string SshdResource::DropInContent() const {
  std::string out = "# Managed by flamingo (ssh_pwauth, disable_root)\n";
  for (const auto& [k, v] : options_) out += k + " " + v + "\n";
  return out;
}

Result<Observation> SshdResource::Observe(const SystemReader& sys,
                                          const ResourceContext&) const {
  auto d = std::make_shared<Observed>();
  std::optional<FileInfo> info;
  auto config = ReadIfRegular(sys, kSshdConfigPath, &info);
  if (!config.ok()) return config.status();
  if (config->has_value()) {
    d->has_config = true;
    d->config = **config;
    d->config_attrs = {info->mode, info->uid, info->gid};
    std::vector<std::string> keys;
    for (const auto& [k, v] : options_) keys.push_back(k);
    d->dropin_mode = IncludesDropIn(d->config, kSshdDropInPath, keys);
  }
  auto dropin = ReadIfRegular(sys, kSshdDropInPath, &d->dropin);
  if (!dropin.ok()) return dropin.status();
  if (dropin->has_value()) d->dropin_content = **dropin;
  Observation o;
  o.exists = d->has_config;
  o.detail = d;
  return o;
}

Change SshdResource::Diff(const Observation& o, const ResourceContext&) const {
  const auto* d = static_cast<const Observed*>(o.detail.get());
  if (orphan_) {
    if (!d->dropin) return MakeChange(Action::kNone);
    Change c = MakeChange(Action::kDelete);
    c.fields.push_back({"path", kSshdDropInPath, std::nullopt, false});
    return c;
  }
  if (!d->has_config) {
    return MakeChange(Action::kNone);  // no sshd in the target
  }
  Change c = MakeChange(Action::kUpdate);
  if (d->dropin_mode) {
    if (d->dropin_content == DropInContent() && d->dropin &&
        d->dropin->mode == 0644 && d->dropin->uid == 0) {
      return MakeChange(Action::kNone);
    }
    if (!d->dropin) c.action = Action::kCreate;
    for (const auto& [k, v] : options_) {
      auto before = GetOption(d->dropin_content, k);
      c.fields.push_back({k, before, v, false});
    }
    return c;
  }
  for (const auto& [k, v] : options_) {
    auto before = GetOption(d->config, k);
    if (before != v) c.fields.push_back({k, before, v, false});
  }
  if (c.fields.empty()) return MakeChange(Action::kNone);
  c.reason = "sshd_config does not include sshd_config.d: edited in place";
  return c;
}

namespace {

// How to reach a running sshd: under systemd, its unit; under another init
// (or none: a container, a chroot), the pid in its pid file. Neither: sshd
// is not running (as at first boot, where flamingo runs before it), and it
// reads the new configuration when it starts.
struct RunningSshd {
  std::string unit;  // "sshd.service" / "ssh.service"
  std::string pid;   // from kSshdPidFile
  bool running() const { return !unit.empty() || !pid.empty(); }
};

constexpr char kSshdPidFile[] = "/run/sshd.pid";  // sshd's default PidFile

Result<RunningSshd> FindRunningSshd(System& sys) {
  RunningSshd found;
  if (ServiceManager* sm = sys.mutable_services()) {
    for (const char* unit : {"sshd.service", "ssh.service"}) {
      auto st = sm->GetUnit(unit);
      if (!st.ok()) return st.status().WithContext("sshd");
      if (st->load_state != "loaded") continue;  // other name, or none
      if (st->active_state == "active" || st->active_state == "reloading") {
        found.unit = unit;
      }
      return found;
    }
    return found;
  }
  auto text = sys.ReadFile(kSshdPidFile);
  if (!text.ok()) return found;  // none (or unreadable): not running
  std::string pid = TrimSpace(*text);
  if (!pid.empty() &&
      pid.find_first_not_of("0123456789") == std::string::npos) {
    found.pid = pid;
  }
  return found;
}

// Through systemd's D-Bus API (a reload job, never waited for: flamingo runs
// inside boot), else SIGHUP to the pid (sshd re-executes itself and reads
// its configuration again).
Status ReloadSshd(System& sys, const RunningSshd& sshd) {
  if (!sshd.unit.empty()) {
    return sys.mutable_services()
        ->Enqueue(UnitCommand::kReload, sshd.unit)
        .WithContext("reload sshd");
  }
  ExecRequest req;
  req.argv = {"kill", "-HUP", sshd.pid};
  req.env = {{"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"}};
  req.timeout_seconds = 30;
  auto r = sys.Exec(req);
  if (!r.ok()) return r.status().WithContext("reload sshd");
  if (!r->success()) {
    return Status::Error("reload sshd: kill -HUP " + sshd.pid + " (" +
                         kSshdPidFile + ") failed: " + r->output_tail);
  }
  return Status::Ok();
}

}  // namespace

Status SshdResource::Apply(System& sys, const Change&,
                           const ResourceContext& ctx, Record* record) const {
  auto observed = Observe(sys, ctx);
  if (!observed.ok()) return observed.status();
  const auto* d = static_cast<const Observed*>(observed->detail.get());
  Status s;
  if (orphan_) {
    s = sys.Remove(kSshdDropInPath);
  } else if (d->dropin_mode) {
    s = MakeDirs(sys, kSshdDropInDir, FileAttrs{0755, 0, 0});
    if (s.ok()) {
      s = sys.WriteFile(kSshdDropInPath, DropInContent(),
                        FileAttrs{0644, 0, 0});
    }
    if (s.ok()) (*record)["mode"] = "dropin";
  } else {
    std::string text = d->config;
    for (const auto& [k, v] : options_) text = SetOption(text, k, v);
    s = sys.WriteFile(kSshdConfigPath, text, d->config_attrs);
    if (s.ok()) (*record)["mode"] = "main";
  }
  if (!s.ok()) return s;
  if (!sys.IsLive()) return Status::Ok();
  // Only a running sshd is affected now; one that has not started yet (first
  // boot) checks the file itself when it starts (ssh.service runs sshd -t).
  auto sshd = FindRunningSshd(sys);
  if (!sshd.ok()) return sshd.status();
  if (!sshd->running()) return Status::Ok();
  if (!orphan_) {
    // Live: let sshd itself check the result; on failure put the previous
    // configuration back, so a broken sshd_config never stays installed.
    ExecRequest check;
    check.argv = {"sshd", "-t"};
    check.env = {{"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"}};
    check.timeout_seconds = 30;
    auto r = sys.Exec(check);
    // 127: no sshd binary; no privilege separation directory: sshd cannot
    // check anything outside its own unit (not a verdict on the file).
    bool verdict = r.ok() && !r->success() && r->exit_code != 127 &&
                   r->output_tail.find("privilege separation directory") ==
                       std::string::npos;
    if (verdict) {
      Status undo;
      if (d->dropin_mode) {
        undo = d->dropin
                   ? sys.WriteFile(kSshdDropInPath, d->dropin_content,
                                   FileAttrs{d->dropin->mode, d->dropin->uid,
                                             d->dropin->gid})
                   : sys.Remove(kSshdDropInPath);
      } else {
        undo = sys.WriteFile(kSshdConfigPath, d->config, d->config_attrs);
      }
      return Status::Error(
          "sshd -t rejected the new configuration (" + r->output_tail +
          "); previous configuration " +
          (undo.ok() ? "restored" : "NOT restored: " + undo.message()));
    }
  }
  return ReloadSshd(sys, *sshd);
}

}  // namespace flamingo::identity
