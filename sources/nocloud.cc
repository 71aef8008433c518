// NoCloud and ConfigDrive: the datasources on local media (and NoCloud's
// seed URL), plus OpenStack meta_data.json normalization.
#include <set>

#include "schemas/yaml_loader.h"
#include "sources/datasource.h"
#include "sources/fs_image.h"
#include "sources/json_util.h"

namespace flamingo {

namespace {

std::string JoinPath(const std::string& a, const std::string& b) {
  if (a.empty() || a == "/") return b;
  return a + b;
}

// The YAML document `text` (named `name` in messages), with positions.
Result<Value> LoadYamlDoc(const std::string& text, const std::string& name) {
  Diagnostics diags;
  std::optional<Value> v = LoadYaml(text, name, &diags);
  if (!v || diags.HasErrors()) {
    return Status::Error(diags.items().empty() ? name + ": cannot parse"
                                               : diags.items()[0].ToString());
  }
  return std::move(*v);
}

Result<nlohmann::json> YamlToJson(const std::string& text,
                                  const std::string& name) {
  Result<Value> v = LoadYamlDoc(text, name);
  if (!v.ok()) return v.status();
  return v->ToJson();
}

}  // namespace

Status NormalizeNoCloud(const std::string& text, const std::string& name,
                        InstanceData* out) {
  out->meta_data_text = text;
  out->meta_data_name = name;
  Result<Value> doc = LoadYamlDoc(text, name);
  if (!doc.ok()) return doc.status();
  nlohmann::json j = doc->ToJson();
  out->meta_data_doc = std::move(doc).value();
  if (j.is_null()) j = nlohmann::json::object();
  if (!j.is_object())
    return Status::Error(name + ": meta-data must be a mapping");
  out->meta_data = std::move(j);
  const nlohmann::json& m = out->meta_data;
  out->instance_id = JsonString(m, "instance-id");
  if (out->instance_id.empty()) out->instance_id = JsonString(m, "instance_id");
  if (out->instance_id.empty()) out->instance_id = "iid-datasource-none";
  out->local_hostname = JsonString(m, "local-hostname");
  if (out->local_hostname.empty())
    out->local_hostname = JsonString(m, "hostname");
  if (auto it = m.find("public-keys"); it != m.end()) {
    if (it->is_string()) {
      std::string s = it->get<std::string>();
      size_t pos = 0;
      while (pos <= s.size()) {
        size_t nl = s.find('\n', pos);
        AddPublicKey(&out->public_keys,
                     s.substr(pos, nl == std::string::npos ? std::string::npos
                                                           : nl - pos));
        pos = nl == std::string::npos ? s.size() + 1 : nl + 1;
      }
    } else if (it->is_array()) {
      for (const auto& k : *it) {
        if (k.is_string())
          AddPublicKey(&out->public_keys, k.get<std::string>());
      }
    } else if (it->is_object()) {
      for (const auto& [n, k] : it->items()) {
        if (k.is_string())
          AddPublicKey(&out->public_keys, k.get<std::string>());
        else if (k.is_object())
          AddPublicKey(&out->public_keys, JsonString(k, "openssh-key"));
      }
    }
  }
  out->availability_zone = JsonString(m, "availability-zone");
  return Status::Ok();
}

Status NormalizeOpenStack(const nlohmann::json& m, InstanceData* out) {
  if (!m.is_object())
    return Status::Error("meta_data.json must be a JSON object");
  out->meta_data = m;
  out->instance_id = JsonString(m, "uuid");
  if (out->instance_id.empty())
    return Status::Error("meta_data.json has no uuid");
  out->local_hostname = JsonString(m, "hostname");
  if (out->local_hostname.empty()) out->local_hostname = JsonString(m, "name");
  out->availability_zone = JsonString(m, "availability_zone");
  if (auto it = m.find("launch_index");
      it != m.end() && it->is_number_integer()) {
    out->launch_index = it->get<int>();
  }
  if (auto it = m.find("public_keys"); it != m.end() && it->is_object()) {
    for (const auto& [n, k] : it->items()) {
      if (k.is_string()) AddPublicKey(&out->public_keys, k.get<std::string>());
    }
  }
  if (auto it = m.find("keys"); it != m.end() && it->is_array()) {
    for (const auto& k : *it) {
      if (k.is_object() && JsonString(k, "type") != "x509")
        AddPublicKey(&out->public_keys, JsonString(k, "data"));
    }
  }
  return Status::Ok();
}

std::string OpenStackVendorData(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object()) {
    auto it = v.find("cloud-init");
    if (it != v.end() && it->is_string()) return it->get<std::string>();
  }
  return "";
}

Result<InstanceData> ReadNoCloud(const DiscoverOptions& o, const Detection& d,
                                 Fetcher* fetcher, Logger* logger) {
  InstanceData out;
  out.datasource = "nocloud";
  out.cloud_name = "nocloud";
  std::optional<std::string> meta, user, vendor, network;
  std::string where;
  if (!d.seed_url.empty()) {
    std::string base = d.seed_url;
    if (base.back() != '/') base += '/';
    out.subplatform = "seed-url (" + base + ")";
    where = base;
    Result<std::string> m = FetchBody(fetcher, base + "meta-data", o.policy);
    if (!m.ok()) return m.status();
    meta = *m;
    for (auto [name, dst] :
         {std::pair{"user-data", &user}, std::pair{"vendor-data", &vendor},
          std::pair{"network-config", &network}}) {
      Result<std::optional<std::string>> r =
          FetchOptional(fetcher, base + name, o.policy);
      if (!r.ok()) return r.status();
      *dst = *r;
    }
  } else if (!d.device.empty()) {
    Result<std::unique_ptr<FsImage>> fs = OpenFsImage(d.device);
    if (!fs.ok()) return fs.status();
    out.subplatform = "config-disk (" + d.device + ")";
    where = d.device + ":";
    for (auto [name, dst] :
         {std::pair{"meta-data", &meta}, std::pair{"user-data", &user},
          std::pair{"vendor-data", &vendor},
          std::pair{"network-config", &network}}) {
      Result<std::optional<std::string>> r =
          (*fs)->ReadFile(name, o.max_document_bytes);
      if (!r.ok()) return r.status().WithContext(d.device);
      *dst = *r;
    }
  } else {
    for (const char* dir :
         {"/var/lib/cloud/seed/nocloud", "/var/lib/cloud/seed/nocloud-net"}) {
      std::string base = std::string(dir) + "/";
      auto read =
          [&](const std::string& name) -> Result<std::optional<std::string>> {
        std::string p = base + name;
        if (o.root_reader) {
          auto st = o.root_reader->Stat(p);
          if (!st.ok()) return st.status();
          if (!st->has_value()) return std::optional<std::string>();
          Result<std::string> c = o.root_reader->ReadFile(p);
          if (!c.ok()) return c.status();
          return std::optional<std::string>(*c);
        }
        Result<HttpResponse> r =
            ReadFileUrl(JoinPath(o.paths.root, p), o.max_document_bytes);
        if (!r.ok()) return r.status();
        if (r->status == 404) return std::optional<std::string>();
        return std::optional<std::string>(r->body);
      };
      for (auto [name, dst] :
           {std::pair{"meta-data", &meta}, std::pair{"user-data", &user},
            std::pair{"vendor-data", &vendor},
            std::pair{"network-config", &network}}) {
        Result<std::optional<std::string>> r = read(name);
        if (!r.ok()) return r.status();
        *dst = *r;
      }
      if (meta || user) {
        out.subplatform = "seed-dir (" + std::string(dir) + ")";
        where = base;
        break;
      }
    }
    if (!meta && !user) {
      return Status::Error(
          "no seed: no seed URL, no cidata filesystem and no seed directory");
    }
  }
  Status s = NormalizeNoCloud(meta.value_or(""), where + "meta-data", &out);
  if (!s.ok()) return s;
  if (!d.cmdline_instance_id.empty()) out.instance_id = d.cmdline_instance_id;
  if (!d.cmdline_hostname.empty()) out.local_hostname = d.cmdline_hostname;
  out.user_data = user.value_or("");
  out.vendor_data = vendor.value_or("");
  out.user_data_name = where + "user-data";
  out.vendor_data_name = where + "vendor-data";
  if (network && !network->empty()) {
    Result<nlohmann::json> n = YamlToJson(*network, where + "network-config");
    if (!n.ok()) return n.status();
    out.network_data = *n;
  }
  if (logger) logger->Debug("nocloud: read from " + out.subplatform);
  return out;
}

// The OpenStack metadata versions a config drive may carry, "latest" first,
// then newest first (the versions cloud-init knows).
constexpr const char* kConfigDriveVersions[] = {
    "latest",     "2020-10-14", "2018-08-27", "2017-02-22", "2016-10-06",
    "2016-06-30", "2015-10-15", "2013-10-17", "2013-04-04", "2012-08-10"};

Result<InstanceData> ReadConfigDrive(const DiscoverOptions& o,
                                     const Detection& d, Logger* logger) {
  Result<std::unique_ptr<FsImage>> fs = OpenFsImage(d.device);
  if (!fs.ok()) return fs.status();
  InstanceData out;
  out.datasource = "configdrive";
  out.cloud_name = "openstack";
  out.subplatform = "config-disk (" + d.device + ")";
  std::string dir;
  auto read =
      [&](const std::string& name) -> Result<std::optional<std::string>> {
    Result<std::optional<std::string>> r =
        (*fs)->ReadFile(dir + name, o.max_document_bytes);
    if (!r.ok()) return r.status().WithContext(d.device);
    return r;
  };
  // "latest", else the newest dated version that has meta_data.json (a
  // drive written by an older or minimal tool may have no "latest").
  Result<std::optional<std::string>> meta = std::optional<std::string>();
  for (const char* version : kConfigDriveVersions) {
    dir = std::string("openstack/") + version + "/";
    meta = read("meta_data.json");
    if (!meta.ok()) return meta.status();
    if (meta->has_value()) break;
  }
  if (!meta->has_value()) {
    return Status::Error(d.device +
                         ": no openstack/latest/meta_data.json (nor a dated "
                         "version of it) on the config drive");
  }
  const std::string name = d.device + ":" + dir + "meta_data.json";
  Result<nlohmann::json> mj = ParseJson(**meta, name);
  if (!mj.ok()) return mj.status();
  Status s = NormalizeOpenStack(*mj, &out);
  if (!s.ok()) return s.WithContext(name);
  out.meta_data_text = **meta;
  out.meta_data_name = name;
  Result<std::optional<std::string>> user = read("user_data");
  if (!user.ok()) return user.status();
  out.user_data = user->value_or("");
  out.user_data_name = d.device + ":" + dir + "user_data";
  out.vendor_data_name = d.device + ":" + dir + "vendor_data.json";
  Result<std::optional<std::string>> vendor = read("vendor_data.json");
  if (!vendor.ok()) return vendor.status();
  if (vendor->has_value()) {
    Result<nlohmann::json> vj =
        ParseJson(**vendor, d.device + ":" + dir + "vendor_data.json");
    if (!vj.ok()) return vj.status();
    out.vendor_data = OpenStackVendorData(*vj);
  }
  Result<std::optional<std::string>> net = read("network_data.json");
  if (!net.ok()) return net.status();
  if (net->has_value()) {
    Result<nlohmann::json> nj =
        ParseJson(**net, d.device + ":" + dir + "network_data.json");
    if (!nj.ok()) return nj.status();
    out.network_data = *nj;
  }
  if (logger) logger->Debug("configdrive: read " + d.device);
  return out;
}

}  // namespace flamingo
