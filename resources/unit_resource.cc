#include "resources/unit_resource.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "engine/sha256.h"
#include "resources/unit_install.h"
#include "system/systemd/service_manager.h"

namespace flamingo {
namespace {

struct Observed {
  std::optional<std::string> content;  // fingerprint, "symlink to X"
  std::map<std::string, std::optional<std::string>> drop_ins;
  bool masked = false;
  bool mask_blocked = false;  // a regular file where the mask would go
  std::vector<UnitSymlink> links;
  std::string enablement;
  bool live = false;  // a ServiceManager is there
  std::optional<UnitState> state;
};

// Fingerprint of the thing at `path`, nullopt when absent.
Result<std::optional<std::string>> FileFingerprint(const SystemReader& sys,
                                                   const std::string& path) {
  auto st = sys.Stat(path);
  if (!st.ok()) return st.status();
  if (!st->has_value()) return std::optional<std::string>();
  if ((*st)->type == FileType::kSymlink) {
    auto t = sys.ReadLink(path);
    if (!t.ok()) return t.status();
    return std::optional<std::string>("symlink to " + *t);
  }
  if ((*st)->type != FileType::kRegular) {
    return Status::Error("unit " + path + ": exists and is not a file");
  }
  auto c = sys.ReadFile(path);
  if (!c.ok()) return c.status();
  return std::optional<std::string>(UnitFingerprint(*c));
}

bool Running(const UnitState& s) {
  return s.active_state == "active" || s.active_state == "activating" ||
         s.active_state == "reloading";
}
bool StartQueued(const UnitState& s) {
  return s.job_type == "start" || s.job_type == "restart" ||
         s.job_type == "try-restart" || s.job_type == "reload-or-start" ||
         s.job_type == "verify-active";
}

// Whether systemd holds a definition of the unit that a change of its files
// makes stale (then daemon-reload). A unit it never found is loaded afresh
// when next referenced (systemd >= 246 retries "not-found" units once the
// unit directories changed; Apply checks and reloads on older ones).
bool LoadedBefore(const Observed& obs) {
  return obs.state && !obs.state->load_state.empty() &&
         obs.state->load_state != "not-found";
}

std::string ActiveText(const UnitState& s) {
  if (s.job_type.empty()) return s.active_state;
  return s.active_state + " (" + s.job_type + " queued)";
}

void AddPath(Record* record, const std::string& path) {
  std::vector<std::string> paths;
  std::istringstream in((*record)["paths"]);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) paths.push_back(line);
  }
  if (std::find(paths.begin(), paths.end(), path) == paths.end()) {
    paths.push_back(path);
  }
  std::string joined;
  for (const auto& p : paths) joined += p + "\n";
  (*record)["paths"] = joined;
}

}  // namespace

std::string UnitFingerprint(const std::string& content) {
  return "sha256:" + Sha256Hex(content).substr(0, 12);
}

UnitResource::UnitResource(UnitSpec spec) : spec_(std::move(spec)) {}

std::vector<std::string> UnitResource::Provides() const {
  return {"unit:" + spec_.name};
}

std::string UnitResource::UnitPath() const {
  if (spec_.network) {
    return std::string(spec_.runtime ? "/run" : "/etc") + "/systemd/network/" +
           spec_.name;
  }
  return UnitConfigDir(spec_.runtime) + "/" + spec_.name;
}

std::string UnitResource::DropInPath(const std::string& name) const {
  return UnitPath() + ".d/" + name;
}

Result<Observation> UnitResource::Observe(const SystemReader& sys,
                                          const ResourceContext&) const {
  auto obs = std::make_shared<Observed>();
  std::string path = UnitPath();
  auto fp = FileFingerprint(sys, path);
  if (!fp.ok()) return fp.status();
  obs->content = *fp;
  for (const auto& d : spec_.drop_ins) {
    auto dfp = FileFingerprint(sys, DropInPath(d.name));
    if (!dfp.ok()) return dfp.status();
    obs->drop_ins[d.name] = *dfp;
  }
  auto masked = IsMasked(sys, path);
  if (!masked.ok()) return masked.status();
  obs->masked = *masked;
  if (spec_.mask.value_or(false) && !obs->masked && obs->content &&
      !obs->content->starts_with("symlink")) {
    return Status::Error("unit " + spec_.name + ": cannot mask: " + path +
                         " is a unit file flamingo was not told to replace");
  }
  if (spec_.enable) {
    std::optional<PendingUnit> pending;
    if (spec_.content) pending = PendingUnit{spec_.name, path, *spec_.content};
    auto links = EnableSymlinks(sys, spec_.name, spec_.runtime, pending);
    if (!links.ok()) return links.status();
    obs->links = *links;
    auto en = EnablementOf(sys, obs->links);
    if (!en.ok()) return en.status();
    obs->enablement = *en;
  }
  if (const ServiceManager* sm = sys.services(); sm != nullptr) {
    obs->live = true;
    if (!spec_.network) {
      auto st = sm->GetUnit(spec_.name);
      if (!st.ok()) return st.status();
      obs->state = *st;
    }
  }
  Observation o;
  o.exists = obs->content.has_value();
  if (obs->content) o.fields["content"] = *obs->content;
  o.detail = obs;
  return o;
}

Change UnitResource::Diff(const Observation& observed,
                          const ResourceContext& ctx) const {
  const auto& obs = *static_cast<const Observed*>(observed.detail.get());
  std::vector<FieldChange> fields;
  bool files_changed = false;  // unit file or drop-ins
  if (spec_.mask && !*spec_.mask && obs.masked) {
    fields.push_back({"masked", "yes", "no", false});
    files_changed = true;
  }
  if (spec_.content) {
    std::string want = UnitFingerprint(*spec_.content);
    if (obs.content != want) {
      fields.push_back({"content", obs.content, want, false});
      files_changed = true;
    }
  }
  for (const auto& d : spec_.drop_ins) {
    std::string want = UnitFingerprint(d.content);
    const auto& have = obs.drop_ins.at(d.name);
    if (have != want) {
      fields.push_back({"drop-in " + d.name, have, want, false});
      files_changed = true;
    }
  }
  if (spec_.mask && *spec_.mask && !obs.masked) {
    fields.push_back({"masked", "no", "yes", false});
    files_changed = true;
  }
  if (spec_.enable) {
    std::string want = *spec_.enable ? "enabled" : "disabled";
    if (obs.enablement != want) {
      fields.push_back({"enabled", obs.enablement, want, false});
    }
  }
  std::string reason;
  if (spec_.command && !obs.live) {
    reason = std::string("no running systemd: ") +
             UnitCommandName(*spec_.command) + " left to boot";
  }
  if (spec_.command && obs.state) {
    const UnitState& st = *obs.state;
    bool up = Running(st) || StartQueued(st);
    // Never applied before (no record): restart/reload as CoreOS would on
    // first boot, e.g. networkd after its .network files were written.
    bool first = ctx.record() == nullptr || ctx.record()->empty();
    bool trigger = files_changed || first;
    bool job = false;
    switch (*spec_.command) {
      case UnitCommand::kStart:
        job = !up;
        break;
      case UnitCommand::kStop:
        job = (Running(st) && st.job_type != "stop") || StartQueued(st);
        break;
      case UnitCommand::kRestart:
        job = trigger || !up;
        break;
      case UnitCommand::kReload:
      case UnitCommand::kTryRestart:
        job = trigger && Running(st);
        break;
    }
    if (job) {
      fields.push_back({"active", ActiveText(st), std::nullopt, false});
      fields.push_back(
          {"job", std::nullopt, UnitCommandName(*spec_.command), false});
    }
  }
  if (fields.empty()) return MakeChange(Action::kNone);
  bool create = spec_.content && !observed.exists;
  Change c = MakeChange(create ? Action::kCreate : Action::kUpdate);
  c.fields = std::move(fields);
  c.reason = reason;
  // Enable links alone need no reload (like `systemctl enable --no-reload`).
  if (obs.live && !spec_.network && files_changed && LoadedBefore(obs)) {
    c.reason = c.reason.empty() ? "then daemon-reload"
                                : c.reason + "; then daemon-reload";
  }
  return c;
}

Status UnitResource::Apply(System& sys, const Change& change,
                           const ResourceContext& ctx, Record* record) const {
  auto now = Observe(sys, ctx);
  if (!now.ok()) return now.status();
  const auto& obs = *static_cast<const Observed*>(now->detail.get());
  std::string path = UnitPath();
  std::string dir = ParentPath(path);
  const FileAttrs dir_attrs{0755, 0, 0};
  const FileAttrs file_attrs{0644, 0, 0};
  bool changed = false;
  // Also marks the resource as applied once (see `first` in Diff).
  (*record)["runtime"] = spec_.runtime ? "true" : "false";

  if (spec_.mask && !*spec_.mask && obs.masked) {
    Status s = sys.Remove(path);
    if (!s.ok()) return s;
    changed = true;
  }
  if (spec_.content && obs.content != UnitFingerprint(*spec_.content)) {
    Status s = MakeDirs(sys, dir, dir_attrs);
    if (s.ok()) s = sys.WriteFile(path, *spec_.content, file_attrs);
    if (!s.ok()) return s;
    if (!obs.content) AddPath(record, path);
    changed = true;
  }
  for (const auto& d : spec_.drop_ins) {
    std::string want = UnitFingerprint(d.content);
    const auto& have = obs.drop_ins.at(d.name);
    if (have == want) continue;
    std::string dp = DropInPath(d.name);
    Status s = MakeDirs(sys, ParentPath(dp), dir_attrs);
    if (s.ok()) s = sys.WriteFile(dp, d.content, file_attrs);
    if (!s.ok()) return s;
    if (!have) AddPath(record, dp);
    changed = true;
  }
  if (spec_.mask && *spec_.mask && !obs.masked) {
    Status s = MakeDirs(sys, dir, dir_attrs);
    if (s.ok()) s = sys.MakeSymlink(path, "/dev/null");
    if (!s.ok()) return s;
    AddPath(record, path);
    changed = true;
  }
  if (spec_.enable) {
    for (const auto& l : obs.links) {
      auto st = sys.Stat(l.path);
      if (!st.ok()) return st.status();
      bool ours = false;
      if (st->has_value() && (*st)->type == FileType::kSymlink) {
        auto t = sys.ReadLink(l.path);
        if (!t.ok()) return t.status();
        ours = *t == l.target;
      }
      if (*spec_.enable && !ours) {
        if (st->has_value() && (*st)->type == FileType::kDirectory) {
          return Status::Error("enable " + spec_.name + ": " + l.path +
                               " is a directory");
        }
        Status s = MakeDirs(sys, ParentPath(l.path), dir_attrs);
        if (s.ok()) s = sys.MakeSymlink(l.path, l.target);
        if (!s.ok()) return s;
        if (!st->has_value()) AddPath(record, l.path);
      } else if (!*spec_.enable && ours) {
        Status s = sys.Remove(l.path);
        if (!s.ok()) return s;
      }
    }
  }
  ServiceManager* sm = sys.mutable_services();
  if (sm == nullptr) return Status::Ok();
  // networkd files are read by networkd, not by systemd. A daemon-reload
  // re-runs every generator and re-reads every unit (hundreds of ms during
  // boot): only when systemd's loaded definition went stale, or when it
  // still cannot find a unit we just wrote (systemd < 246).
  if (changed && !spec_.network) {
    bool reload = LoadedBefore(obs);
    if (!reload) {
      auto st = sm->GetUnit(spec_.name);
      if (!st.ok()) return st.status();
      reload = st->load_state == "not-found";
    }
    if (reload) {
      Status s = sm->Reload();
      if (!s.ok()) return s;
    }
  }
  bool wants_job =
      std::any_of(change.fields.begin(), change.fields.end(),
                  [](const FieldChange& f) { return f.name == "job"; });
  if (spec_.command && wants_job) {
    return sm->Enqueue(*spec_.command, spec_.name);
  }
  return Status::Ok();
}

UnitOrphanResource::UnitOrphanResource(std::string name,
                                       std::vector<std::string> paths)
    : name_(std::move(name)), paths_(std::move(paths)) {}

Result<Observation> UnitOrphanResource::Observe(const SystemReader& sys,
                                                const ResourceContext&) const {
  Observation o;
  for (const auto& p : paths_) {
    auto st = sys.Stat(p);
    if (!st.ok()) return st.status();
    if (st->has_value()) {
      o.exists = true;
      o.fields["path " + p] = "present";
    }
  }
  return o;
}

Change UnitOrphanResource::Diff(const Observation& observed,
                                const ResourceContext&) const {
  if (!observed.exists) return MakeChange(Action::kNone);
  Change c = MakeChange(Action::kDelete);
  for (const auto& [k, v] : observed.fields) {
    c.fields.push_back({k, v, std::nullopt, false});
  }
  c.reason = "no longer in the config";
  return c;
}

Status UnitOrphanResource::Apply(System& sys, const Change&,
                                 const ResourceContext&, Record*) const {
  ServiceManager* sm = sys.mutable_services();
  if (sm != nullptr) {
    auto st = sm->GetUnit(name_);
    if (st.ok() && Running(*st)) {
      Status s = sm->Enqueue(UnitCommand::kStop, name_);
      if (!s.ok()) return s;
    }
  }
  // Links and drop-ins before the unit file; then empty drop-in dirs.
  std::vector<std::string> order(paths_.rbegin(), paths_.rend());
  std::set<std::string> dirs;
  for (const auto& p : order) {
    Status s = sys.Remove(p);
    if (!s.ok()) return s;
    if (ParentPath(p).ends_with(".d")) dirs.insert(ParentPath(p));
  }
  for (const auto& d : dirs) {
    auto list = sys.ListDir(d);
    if (list.ok() && list->empty()) {
      Status s = sys.Remove(d);
      if (!s.ok()) return s;
    }
  }
  if (sm != nullptr) return sm->Reload();
  return Status::Ok();
}

std::unique_ptr<Resource> UnitOrphan(const std::string&,
                                     const std::string& name,
                                     const Record& record,
                                     std::shared_ptr<void>*) {
  std::vector<std::string> paths;
  auto it = record.find("paths");
  if (it == record.end()) return nullptr;
  std::istringstream in(it->second);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] == '/') paths.push_back(NormalizePath(line));
  }
  if (paths.empty()) return nullptr;
  return std::make_unique<UnitOrphanResource>(name, std::move(paths));
}

}  // namespace flamingo
