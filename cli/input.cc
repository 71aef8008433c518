#include "cli/input.h"

#include <fstream>
#include <sstream>

#include "engine/sha256.h"
#include "schemas/yaml_loader.h"

namespace flamingo {

namespace {

constexpr const char* kSeedDir = "/var/lib/cloud/seed/nocloud";

// Reads `name` from the seed dir inside the root; "" when absent.
Result<std::string> ReadSeed(const SystemReader& sys, const std::string& name) {
  std::string path = std::string(kSeedDir) + "/" + name;
  auto st = sys.Stat(path);
  if (!st.ok()) return st.status();
  if (!st->has_value()) return std::string();
  return sys.ReadFile(path);
}

// Decodes one user-data blob into cloud-config and script parts.
void DecodeUserData(const std::string& text, const std::string& file,
                    InstanceInput* in, Diagnostics* diags) {
  if (text.empty()) return;
  if (text.rfind("#cloud-config", 0) == 0) {
    auto doc = LoadYaml(text, file, diags);
    if (!doc) return;
    if (doc->is_null()) return;
    if (!doc->is_map()) {
      diags->Error(*doc, std::string("cloud-config must be a mapping, not ") +
                             Value::TypeName(doc->type()));
      return;
    }
    for (auto& [k, v] : doc->mutable_entries()) {
      in->config.Set(k, std::move(v));
    }
    return;
  }
  if (text.rfind("#!", 0) == 0) {
    // Named as cloud-init names a lone script part, so its id does not
    // depend on where the user-data was read from.
    in->scripts.push_back(
        ScriptPart{"part-" + std::string(in->scripts.size() < 9 ? "00" : "0") +
                       std::to_string(in->scripts.size() + 1),
                   text});
    return;
  }
  Diagnostic d;
  d.severity = Severity::kWarning;
  d.file = file;
  d.line = 1;
  d.col = 1;
  d.message = "user-data format not recognised (no #cloud-config or #! line); ignored";
  diags->Add(std::move(d));
}

}  // namespace

Result<std::string> ReadHostFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::Error("cannot read " + path);
  std::ostringstream ss;
  ss << f.rdbuf();
  if (f.bad()) return Status::Error("cannot read " + path);
  return ss.str();
}

Result<InstanceInput> LoadInstanceInput(const CliOptions& o,
                                        const SystemReader& sys,
                                        Diagnostics* diags) {
  InstanceInput in;
  std::string meta, user, vendor;
  std::string meta_name = "meta-data", user_name = "user-data",
              vendor_name = "vendor-data";
  if (o.user_data || o.meta_data || o.vendor_data) {
    in.datasource = "command-line";
    auto read = [](const std::optional<std::string>& path, std::string* out,
                   std::string* name) -> Status {
      if (!path) return Status::Ok();
      auto r = ReadHostFile(*path);
      if (!r.ok()) return r.status();
      *out = std::move(r).value();
      *name = *path;
      return Status::Ok();
    };
    for (Status s : {read(o.user_data, &user, &user_name),
                     read(o.meta_data, &meta, &meta_name),
                     read(o.vendor_data, &vendor, &vendor_name)}) {
      if (!s.ok()) return s;
    }
  } else {
    in.datasource = "nocloud";
    auto m = ReadSeed(sys, "meta-data");
    auto u = ReadSeed(sys, "user-data");
    auto v = ReadSeed(sys, "vendor-data");
    for (auto* r : {&m, &u, &v}) {
      if (!r->ok()) return r->status().WithContext("nocloud seed");
    }
    meta = *m;
    user = *u;
    vendor = *v;
    std::string seed = std::string(kSeedDir) + "/";
    meta_name = seed + "meta-data";
    user_name = seed + "user-data";
    vendor_name = seed + "vendor-data";
  }
  in.fingerprint = Sha256Hex(Sha256Hex(meta) + Sha256Hex(user) +
                             Sha256Hex(vendor));

  if (!meta.empty()) {
    auto doc = LoadYaml(meta, meta_name, diags);  // JSON is YAML too
    if (doc && doc->is_map()) {
      in.meta_data = std::move(*doc);
    } else if (doc && !doc->is_null()) {
      diags->Error(*doc, "meta-data must be a mapping");
    }
  }
  const Value* iid = in.meta_data.Get("instance-id");
  if (iid == nullptr) iid = in.meta_data.Get("instance_id");
  in.instance_id = iid != nullptr && iid->is_scalar() && !iid->is_null()
                       ? iid->ScalarText()
                       : "iid-datasource-none";

  DecodeUserData(vendor, vendor_name, &in, diags);
  Value vendor_config = std::move(in.config);
  in.config = Value::Map();
  DecodeUserData(user, user_name, &in, diags);
  // Vendor-data lies beneath user-data: user-data keys win.
  for (auto& [k, v] : vendor_config.mutable_entries()) {
    if (in.config.Get(k) == nullptr) in.config.Set(k, std::move(v));
  }
  return in;
}

}  // namespace flamingo
