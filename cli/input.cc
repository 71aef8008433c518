#include "cli/input.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "engine/sha256.h"
#include "schemas/yaml_loader.h"
#include "sources/userdata.h"

namespace flamingo {

Result<std::string> ReadHostFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::Error("cannot read " + path);
  std::ostringstream ss;
  ss << f.rdbuf();
  if (f.bad()) return Status::Error("cannot read " + path);
  return ss.str();
}

Status TouchHostFile(const std::string& path) {
  int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno("create " + path, errno);
  ::close(fd);
  return Status::Ok();
}

Result<InstanceInput> LoadInstanceInput(const CliOptions& o,
                                        const SystemReader& sys,
                                        Diagnostics* diags,
                                        bool decode_user_data) {
  InstanceInput in;
  InstanceData& data = in.instance;
  HttpFetcher fetcher;
  if (o.user_data || o.meta_data || o.vendor_data) {
    std::string meta, meta_name = "meta-data";
    auto read = [](const std::optional<std::string>& path,
                   std::string* out) -> Status {
      if (!path) return Status::Ok();
      auto r = ReadHostFile(*path);
      if (!r.ok()) return r.status();
      *out = std::move(r).value();
      return Status::Ok();
    };
    for (Status s :
         {read(o.user_data, &data.user_data), read(o.meta_data, &meta),
          read(o.vendor_data, &data.vendor_data)}) {
      if (!s.ok()) return s;
    }
    if (o.meta_data) meta_name = *o.meta_data;
    if (o.user_data) data.user_data_name = *o.user_data;
    if (o.vendor_data) data.vendor_data_name = *o.vendor_data;
    data.datasource = "command-line";
    data.cloud_name = "none";
    data.meta_data_text = meta;
    data.meta_data_name = meta_name;
    Status s = NormalizeNoCloud(meta, meta_name, &data);
    if (!s.ok()) {
      // Reported with its position below, when the meta-data is loaded.
      data.instance_id = "iid-datasource-none";
    }
  } else {
    DiscoverOptions d;
    d.datasource = o.datasource;
    d.metadata_url = o.metadata_url;
    d.paths.root = o.root;
    d.root_reader = &sys;
    d.fetcher = &fetcher;
    d.host_evidence = o.root == "/" || o.root.empty();
    auto r = DiscoverInstance(d, nullptr);
    if (r.ok()) {
      data = std::move(r).value();
    } else if (o.datasource == "auto" && IsNoDatasourceFound(r.status())) {
      data.datasource = "none";
      data.cloud_name = "none";
      data.instance_id = "iid-datasource-none";
    } else {
      return r.status();
    }
  }
  in.datasource = data.datasource;
  in.fingerprint =
      Sha256Hex(Sha256Hex(data.meta_data_text) + Sha256Hex(data.user_data) +
                Sha256Hex(data.vendor_data));

  // Meta-data as a Value: with positions when it is a document we read.
  if (!data.meta_data_text.empty() &&
      (data.datasource == "command-line" || data.datasource == "nocloud" ||
       data.datasource == "configdrive")) {
    // NoCloud's normalization parsed it already (without an error).
    std::optional<Value> doc;
    doc.swap(data.meta_data_doc);
    if (!doc) {
      doc = LoadYaml(data.meta_data_text, data.meta_data_name,
                     diags);  // JSON is YAML too
    }
    if (doc && doc->is_map()) {
      in.meta_data = std::move(*doc);
    } else if (doc && !doc->is_null()) {
      diags->Error(*doc, "meta-data must be a mapping");
    }
  } else if (data.meta_data.is_object()) {
    in.meta_data = Value::FromJson(data.meta_data);
  }
  in.instance_id =
      data.instance_id.empty() ? "iid-datasource-none" : data.instance_id;
  // The datasource's normalized public keys (GCE ssh-keys, OpenStack
  // public_keys, EC2 public-keys) are what the identity kinds read, under
  // meta-data "public-keys", whatever the cloud called them.
  if (!data.public_keys.empty() && !in.meta_data.is_map()) {
    in.meta_data = Value::Map();
  }
  if (!data.public_keys.empty() && in.meta_data.Get("public-keys") == nullptr) {
    Value keys = Value::List();
    for (const auto& k : data.public_keys) keys.Append(Value::String(k));
    keys.Repath("public-keys");
    in.meta_data.Set("public-keys", std::move(keys));
  }

  if (decode_user_data) DecodeInstanceUserData(&in, diags);
  return in;
}

void ReleaseRawUserData(InstanceInput* in) {
  std::string().swap(in->instance.user_data);
  std::string().swap(in->instance.vendor_data);
  in->raw_user_data_released = true;
}

void DecodeInstanceUserData(InstanceInput* in, Diagnostics* diags,
                            ListItemSink* sink) {
  if (in->user_data_decoded) return;
  if (in->raw_user_data_released) {
    Diagnostic d;
    d.file = in->instance.user_data_name;
    d.message = "internal error: decoded again after it was released";
    diags->Add(std::move(d));
    return;
  }
  const InstanceData& data = in->instance;
  HttpFetcher fetcher;  // #include and friends
  UserDataOptions u;
  u.fetcher = &fetcher;
  u.launch_index = data.launch_index;
  u.item_sink = sink;
  ProcessedUserData p =
      ProcessUserData(data.user_data, data.vendor_data, u, diags, nullptr,
                      data.user_data_name, data.vendor_data_name);
  in->config = std::move(p.config);
  in->scripts = std::move(p.scripts);
  in->every_boot_input = HasEveryBootInput(in->config, in->scripts);
  in->user_data_decoded = true;
}

}  // namespace flamingo
