#include "resources/hostname.h"

#include <memory>
#include <optional>

#include "resources/etc_hosts_resource.h"
#include "resources/hostname_names.h"
#include "resources/hostname_resource.h"

namespace flamingo {

namespace {

// A hostname-ish string key; nullopt when absent or invalid (reported).
std::optional<std::string> NameKey(const Value* v, Diagnostics* diags,
                                   bool* bad) {
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_scalar()) {
    diags->Error(*v, std::string("expected a string, got ") +
                         Value::TypeName(v->type()));
    *bad = true;
    return std::nullopt;
  }
  std::string name = v->ScalarText();
  std::string problem = HostnameProblem(name);
  if (!problem.empty()) {
    diags->Error(*v, "invalid hostname \"" + name + "\": " + problem);
    *bad = true;
    return std::nullopt;
  }
  return name;
}

std::optional<bool> BoolKey(const Value* v, Diagnostics* diags, bool* bad) {
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_bool()) {
    diags->Error(*v, std::string("expected true or false, got ") +
                         Value::TypeName(v->type()));
    *bad = true;
    return std::nullopt;
  }
  return v->as_bool();
}

}  // namespace

void CompileHostname(const CompileInput& in, CompileOutput* out,
                     Diagnostics* diags) {
  if (!in.config.is_map()) return;
  const Value& cfg = in.config;
  bool bad = false;
  auto hostname = NameKey(cfg.Get("hostname"), diags, &bad);
  auto fqdn = NameKey(cfg.Get("fqdn"), diags, &bad);
  auto prefer = BoolKey(cfg.Get("prefer_fqdn_over_hostname"), diags, &bad);
  auto preserve = BoolKey(cfg.Get("preserve_hostname"), diags, &bad);
  auto create = BoolKey(cfg.Get("create_hostname_file"), diags, &bad);
  std::optional<std::string> local;
  if (in.meta_data.is_map()) {
    local = NameKey(in.meta_data.Get("local-hostname"), diags, &bad);
  }

  bool manage_hosts = false;
  const Value* mh = cfg.Get("manage_etc_hosts");
  if (mh != nullptr && !mh->is_null()) {
    if (mh->is_bool()) {
      manage_hosts = mh->as_bool();
    } else if (mh->is_string() &&
               (mh->text() == "localhost" || mh->text() == "template")) {
      manage_hosts = true;
    } else {
      diags->Error(*mh, "expected true, false, \"localhost\" or \"template\"");
      bad = true;
    }
  }
  if (bad) return;

  HostNames names = ResolveHostNames(hostname, fqdn, local);
  // Where the name came from, for messages.
  const Value* from =
      fqdn       ? cfg.Get("fqdn")
      : hostname ? cfg.Get("hostname")
                 : (local ? in.meta_data.Get("local-hostname") : nullptr);
  std::string origin = from != nullptr ? from->Origin() : "";

  if (!preserve.value_or(false) && !names.empty()) {
    std::string name =
        SelectHostname(names, prefer,
                       hostname.has_value() && !fqdn &&
                           hostname->find('.') == std::string::npos);
    if (name.size() > 64) {
      diags->Error(*from, "hostname \"" + name +
                              "\" is longer than 64 characters (the "
                              "kernel's limit); set a shorter hostname or "
                              "prefer_fqdn_over_hostname: false");
      return;
    }
    out->Add(std::make_unique<HostnameResource>(name, create.value_or(true),
                                                origin));
  }
  if (manage_hosts) {
    out->Add(std::make_unique<EtcHostsResource>(names, mh->Origin()));
  }
}

}  // namespace flamingo
