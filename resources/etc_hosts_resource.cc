#include "resources/etc_hosts_resource.h"

#include <memory>

#include "engine/text.h"
#include "resources/hostname_resource.h"
#include "resources/hosts_file.h"

namespace flamingo {

namespace {

constexpr char kHostsPath[] = "/etc/hosts";

struct HostsState {
  bool exists = false;
  FileInfo info;
  std::string text;
  std::vector<std::string> current;  // block lines now
  std::vector<std::string> desired;  // block lines wanted; empty = no names
};

Result<HostsState> Evaluate(const HostNames& configured,
                            const SystemReader& sys) {
  HostsState st;
  auto info = sys.Stat(kHostsPath);
  if (!info.ok()) return info.status();
  if (info->has_value()) {
    if ((*info)->type != FileType::kRegular) {
      return Status::Error(std::string(kHostsPath) +
                           " exists and is not a regular file");
    }
    auto text = sys.ReadFile(kHostsPath);
    if (!text.ok()) return text.status();
    st.exists = true;
    st.info = **info;
    st.text = std::move(*text);
    st.current = ManagedHostsLines(st.text);
  }
  HostNames names = configured;
  if (names.empty()) {
    auto hn = sys.Stat(kHostnamePath);
    if (!hn.ok()) return hn.status();
    if (hn->has_value() && (*hn)->type == FileType::kRegular) {
      auto text = sys.ReadFile(kHostnamePath);
      if (!text.ok()) return text.status();
      std::string name = FirstContentLine(*text);
      names = HostNames{name.substr(0, name.find('.')), name};
    }
  }
  if (!names.empty()) {
    st.desired = DesiredHostsLines(st.text, names.hostname, names.fqdn);
  }
  return st;
}

}  // namespace

std::vector<std::string> EtcHostsResource::Requires() const {
  std::vector<std::string> keys = {"path:/etc"};
  // Without configured names the current /etc/hostname is read.
  if (names_.empty()) keys.push_back(std::string("path:") + kHostnamePath);
  return keys;
}

Result<Observation> EtcHostsResource::Observe(
    const SystemReader& sys, const ResourceContext& /*ctx*/) const {
  auto st = Evaluate(names_, sys);
  if (!st.ok()) return st.status();
  Observation obs;
  obs.exists = st->exists;
  if (st->exists) obs.fields["entries"] = JoinStrings(st->current, "; ");
  obs.detail = std::make_shared<HostsState>(std::move(*st));
  return obs;
}

Change EtcHostsResource::Diff(const Observation& observed,
                              const ResourceContext& /*ctx*/) const {
  const auto& st = *static_cast<const HostsState*>(observed.detail.get());
  Change c = MakeChange(Action::kNone);
  if (st.desired.empty()) {
    c.reason = "no hostname known: /etc/hosts left alone";
    return c;
  }
  if (st.exists && st.current == st.desired) return c;
  c.action = st.exists ? Action::kUpdate : Action::kCreate;
  std::optional<std::string> before;
  if (st.exists) before = JoinStrings(st.current, "; ");
  c.fields.push_back({"entries", before, JoinStrings(st.desired, "; "), false});
  return c;
}

Status EtcHostsResource::Apply(System& sys, const Change& /*change*/,
                               const ResourceContext& /*ctx*/,
                               Record* /*record*/) const {
  auto st = Evaluate(names_, sys);
  if (!st.ok()) return st.status();
  if (st->desired.empty()) return Status::Ok();
  FileAttrs attrs{0644, 0, 0};
  if (st->exists) {
    attrs = FileAttrs{st->info.mode & 07777, st->info.uid, st->info.gid};
  } else {
    Status s = MakeDirs(sys, "/etc", FileAttrs{0755, 0, 0});
    if (!s.ok()) return s;
  }
  return sys.WriteFile(kHostsPath, RewriteHosts(st->text, st->desired), attrs);
}

}  // namespace flamingo
