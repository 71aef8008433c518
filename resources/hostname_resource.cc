#include "resources/hostname_resource.h"

#include "engine/text.h"

namespace flamingo {

Result<Observation> HostnameResource::Observe(
    const SystemReader& sys, const ResourceContext& /*ctx*/) const {
  Observation obs;
  auto text = ReadRegularFile(sys, kHostnamePath);
  if (!text.ok()) return text.status();
  if (text->has_value()) {
    obs.exists = true;
    obs.fields["hostname"] = FirstContentLine(**text);
  }
  if (sys.IsLive()) obs.fields["kernel_hostname"] = sys.KernelHostname();
  return obs;
}

Change HostnameResource::Diff(const Observation& observed,
                              const ResourceContext& /*ctx*/) const {
  Change c = MakeChange(Action::kNone);
  auto file = observed.fields.find("hostname");
  if (observed.exists) {
    if (file->second != name_) {
      c.action = Action::kUpdate;
      c.fields.push_back({"hostname", file->second, name_, false});
    }
  } else if (create_file_) {
    c.action = Action::kCreate;
    c.fields.push_back({"hostname", std::nullopt, name_, false});
  }
  auto kernel = observed.fields.find("kernel_hostname");
  if (kernel != observed.fields.end() && kernel->second != name_) {
    if (c.action == Action::kNone) c.action = Action::kUpdate;
    c.fields.push_back({"kernel_hostname", kernel->second, name_, false});
  }
  if (!observed.exists && !create_file_) {
    c.reason = "create_hostname_file is false: /etc/hostname not created";
  }
  return c;
}

Status HostnameResource::Apply(System& sys, const Change& change,
                               const ResourceContext& /*ctx*/,
                               Record* /*record*/) const {
  for (const auto& f : change.fields) {
    if (f.name == "hostname") {
      Status s = MakeDirs(sys, "/etc", FileAttrs{0755, 0, 0});
      if (!s.ok()) return s;
      s = sys.WriteFile(kHostnamePath, name_ + "\n", FileAttrs{0644, 0, 0});
      if (!s.ok()) return s;
    } else if (f.name == "kernel_hostname") {
      if (!sys.IsLive()) continue;  // never outside the running machine
      Status s = sys.SetKernelHostname(name_);
      if (!s.ok()) return s;
    }
  }
  return Status::Ok();
}

}  // namespace flamingo
