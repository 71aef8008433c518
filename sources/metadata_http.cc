// The HTTP metadata services: EC2 (IMDSv2/v1), GCE, OpenStack.
#include <ctime>

#include "engine/json_text.h"
#include "engine/text.h"
#include "sources/datasource.h"
#include "sources/json_util.h"
#include "sources/mime.h"

namespace flamingo {

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;
constexpr int kMaxEc2Requests = 300;
constexpr int kMaxEc2Depth = 8;

std::string Base(const std::string& base, const char* def) {
  std::string b = base.empty() ? def : base;
  while (!b.empty() && b.back() == '/') b.pop_back();
  return b;
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  for (std::string_view line : NonEmptyLines(s, "\r ")) out.emplace_back(line);
  return out;
}

class Ec2Crawler {
 public:
  Ec2Crawler(Fetcher* f, const FetchPolicy& p, Headers h, Logger* l)
      : fetcher_(f), policy_(p), headers_(std::move(h)), logger_(l) {}

  Result<nlohmann::json> Crawl(const std::string& url, int depth) {
    if (depth > kMaxEc2Depth) return nlohmann::json();
    Result<std::string> listing = Get(url);
    if (!listing.ok()) return listing.status();
    nlohmann::json out = nlohmann::json::object();
    for (const std::string& line : Lines(*listing)) {
      if (requests_ >= kMaxEc2Requests) {
        if (logger_)
          logger_->Warning("ec2: meta-data tree cut at " +
                           std::to_string(kMaxEc2Requests) + " requests");
        break;
      }
      if (line == "public-keys/" && depth == 0) {
        Result<nlohmann::json> keys = PublicKeys(url + line);
        if (!keys.ok()) return keys.status();
        out["public-keys"] = *keys;
      } else if (line.back() == '/') {
        Result<nlohmann::json> sub = Crawl(url + line, depth + 1);
        if (!sub.ok()) return sub.status();
        out[line.substr(0, line.size() - 1)] = *sub;
      } else {
        std::string name = line;
        Result<std::optional<std::string>> v = GetOptional(url + name);
        if (!v.ok()) return v.status();
        if (v->has_value()) out[name] = **v;
      }
    }
    return out;
  }

  Result<std::string> Get(const std::string& url) {
    ++requests_;
    return FetchBody(fetcher_, url, policy_, headers_);
  }
  Result<std::optional<std::string>> GetOptional(const std::string& url) {
    ++requests_;
    return FetchOptional(fetcher_, url, policy_, headers_);
  }

 private:
  // "0=my-key" lines; each key from N/openssh-key.
  Result<nlohmann::json> PublicKeys(const std::string& url) {
    Result<std::optional<std::string>> listing = GetOptional(url);
    if (!listing.ok()) return listing.status();
    nlohmann::json out = nlohmann::json::object();
    if (!listing->has_value()) return out;
    for (const std::string& line : Lines(**listing)) {
      size_t eq = line.find('=');
      std::string idx = line.substr(0, eq);
      std::string name = eq == std::string::npos ? idx : line.substr(eq + 1);
      Result<std::optional<std::string>> key =
          GetOptional(url + idx + "/openssh-key");
      if (!key.ok()) return key.status();
      if (key->has_value()) out[name] = **key;
    }
    return out;
  }

  Fetcher* fetcher_;
  FetchPolicy policy_;
  Headers headers_;
  Logger* logger_;
  int requests_ = 0;
};

// "2018-01-01T00:00:00+0000" -> seconds since the epoch (UTC), or -1.
long long ParseIsoTime(const std::string& s) {
  struct tm tm = {};
  if (!strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return -1;
  return static_cast<long long>(timegm(&tm));
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ParseGceSshKeys(
    const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& raw : Lines(text)) {
    std::string line = raw;
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos) continue;
    line = line.substr(b);
    size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 >= line.size())
      continue;
    std::string user = line.substr(0, colon), key = line.substr(colon + 1);
    bool ascii = true;
    for (char c : line) ascii = ascii && static_cast<unsigned char>(c) < 128;
    if (!ascii) continue;
    size_t g = key.find("google-ssh");
    if (g != std::string::npos) {
      size_t e = key.find("\"expireOn\"", g);
      if (e != std::string::npos) {
        size_t q1 = key.find('"', key.find(':', e) + 1);
        size_t q2 = q1 == std::string::npos ? q1 : key.find('"', q1 + 1);
        if (q2 != std::string::npos) {
          long long when = ParseIsoTime(key.substr(q1 + 1, q2 - q1 - 1));
          if (when >= 0 && when < static_cast<long long>(time(nullptr)))
            continue;
        }
      }
    }
    out.emplace_back(user, key);
  }
  return out;
}

Status NormalizeEc2(const nlohmann::json& m, InstanceData* out) {
  if (!m.is_object()) return Status::Error("meta-data is not a tree");
  out->meta_data = m;
  out->instance_id = JsonString(m, "instance-id");
  if (out->instance_id.empty())
    return Status::Error("meta-data has no instance-id");
  out->local_hostname = JsonString(m, "local-hostname");
  if (out->local_hostname.empty())
    out->local_hostname = JsonString(m, "hostname");
  std::string li = JsonString(m, "ami-launch-index");
  if (!li.empty() && li.find_first_not_of("0123456789") == std::string::npos &&
      li.size() < 9) {
    out->launch_index = std::stoi(li);
  }
  if (auto p = m.find("placement"); p != m.end() && p->is_object()) {
    out->availability_zone = JsonString(*p, "availability-zone");
    out->region = JsonString(*p, "region");
  }
  if (out->region.empty() && out->availability_zone.size() > 1 &&
      std::isalpha(static_cast<unsigned char>(out->availability_zone.back()))) {
    out->region =
        out->availability_zone.substr(0, out->availability_zone.size() - 1);
  }
  if (auto k = m.find("public-keys"); k != m.end() && k->is_object()) {
    for (const auto& [n, v] : k->items()) {
      if (v.is_string())
        AddPublicKey(&out->public_keys, v.get<std::string>());
      else
        AddPublicKey(&out->public_keys, JsonString(v, "openssh-key"));
    }
  }
  return Status::Ok();
}

Status NormalizeGce(const nlohmann::json& inst, const nlohmann::json& proj,
                    InstanceData* out) {
  if (!inst.is_object())
    return Status::Error("instance metadata is not a JSON object");
  out->meta_data = {
      {"instance", inst},
      {"project", proj.is_object() ? proj : nlohmann::json::object()}};
  out->instance_id = JsonString(inst, "id");
  if (out->instance_id.empty())
    return Status::Error("instance metadata has no id");
  std::string host = JsonString(inst, "hostname");
  out->local_hostname = host.substr(0, host.find('.'));
  std::string zone = JsonString(inst, "zone");
  out->availability_zone = zone.substr(
      zone.rfind('/') == std::string::npos ? 0 : zone.rfind('/') + 1);
  size_t dash = out->availability_zone.rfind('-');
  if (dash != std::string::npos)
    out->region = out->availability_zone.substr(0, dash);
  static const nlohmann::json kEmpty = nlohmann::json::object();
  auto attrs = [&](const nlohmann::json& j) -> const nlohmann::json& {
    auto it = j.find("attributes");
    return it != j.end() && it->is_object() ? *it : kEmpty;
  };
  const nlohmann::json& ia = attrs(inst);
  const nlohmann::json& pa = proj.is_object() ? attrs(proj) : kEmpty;
  std::vector<std::pair<std::string, std::string>> keys;
  for (const char* k : {"ssh-keys", "sshKeys"}) {
    for (auto& p : ParseGceSshKeys(JsonString(ia, k))) keys.push_back(p);
  }
  if (JsonString(ia, "block-project-ssh-keys") != "true") {
    for (const char* k : {"ssh-keys", "sshKeys"}) {
      for (auto& p : ParseGceSshKeys(JsonString(pa, k))) keys.push_back(p);
    }
  }
  // As cloud-init: the keys of user "cloudinit" are the instance's public
  // keys; the default user's (whose name only the config knows) are picked
  // by the identity module from meta-data "ssh-keys"; other users' keys
  // are for accounts the guest agent manages, not installed by flamingo.
  nlohmann::json by_user = nlohmann::json::array();
  for (const auto& [user, key] : keys) {
    if (user == "cloudinit") AddPublicKey(&out->public_keys, key);
    by_user.push_back({{"user", user}, {"key", key}});
  }
  out->meta_data["ssh-keys"] = by_user;
  out->user_data = JsonString(ia, "user-data");
  if (JsonString(ia, "user-data-encoding") == "base64") {
    Result<std::string> d = DecodeBase64(out->user_data);
    if (!d.ok()) return Status::Error("user-data: " + d.status().message());
    out->user_data = *d;
  }
  return Status::Ok();
}

Result<InstanceData> ReadEc2(const std::string& base_url, Fetcher* fetcher,
                             const FetchPolicy& policy, Logger* logger) {
  const std::string base = Base(base_url, "http://169.254.169.254");
  Headers headers;
  HttpRequest put;
  put.method = "PUT";
  put.url = base + "/latest/api/token";
  put.headers = {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}};
  Result<HttpResponse> tok = fetcher->Fetch(put, policy);
  if (!tok.ok()) return tok.status();
  std::string mode;
  if (tok->status >= 200 && tok->status <= 299 && !tok->body.empty()) {
    headers.push_back({"X-aws-ec2-metadata-token", tok->body});
    mode = "IMDSv2";
  } else if (tok->status == 403) {
    return Status::Error(
        "PUT " + put.url +
        ": HTTP 403: the instance metadata endpoint is disabled");
  } else if (tok->status >= 400 && tok->status <= 499) {
    mode = "IMDSv1";
    if (logger) {
      logger->Info("ec2: token request refused (HTTP " +
                   std::to_string(tok->status) + "), falling back to IMDSv1");
    }
  } else {
    return Status::Error(
        "PUT " + put.url + ": HTTP " + std::to_string(tok->status) +
        (tok->status >= 200 && tok->status <= 299 ? " with an empty token"
                                                  : ""));
  }
  Ec2Crawler crawler(fetcher, policy, headers, logger);
  Result<nlohmann::json> meta = crawler.Crawl(base + "/latest/meta-data/", 0);
  if (!meta.ok()) return meta.status();
  InstanceData out;
  out.datasource = "ec2";
  out.cloud_name = "aws";
  out.subplatform = "metadata (" + base + ", " + mode + ")";
  Status s = NormalizeEc2(*meta, &out);
  if (!s.ok()) return s.WithContext(base + "/latest/meta-data/");
  out.meta_data_text = DumpJson(*meta);  // served text: not always UTF-8
  out.meta_data_name = base + "/latest/meta-data/";
  Result<std::optional<std::string>> ud =
      crawler.GetOptional(base + "/latest/user-data");
  if (!ud.ok()) return ud.status();
  out.user_data = ud->value_or("");
  out.user_data_name = base + "/latest/user-data";
  return out;
}

Result<InstanceData> ReadGce(const std::string& base_url, Fetcher* fetcher,
                             const FetchPolicy& policy, Logger* logger) {
  const std::string base =
      Base(base_url, "http://metadata.google.internal") + "/computeMetadata/v1";
  const Headers h = {{"Metadata-Flavor", "Google"}};
  auto get = [&](const std::string& url,
                 bool optional) -> Result<nlohmann::json> {
    HttpRequest req;
    req.url = url;
    req.headers = h;
    Result<HttpResponse> r = fetcher->Fetch(req, policy);
    if (!r.ok()) return r.status();
    if (optional && r->status == 404) return nlohmann::json::object();
    if (r->status < 200 || r->status > 299) {
      return Status::Error("GET " + url + ": HTTP " +
                           std::to_string(r->status));
    }
    if (r->Header("metadata-flavor") != "Google") {
      return Status::Error(
          "GET " + url +
          ": not a GCE metadata server (no 'Metadata-Flavor: Google' header)");
    }
    return ParseJson(r->body, "GET " + url);
  };
  Result<nlohmann::json> inst =
      get(base + "/instance/?recursive=true&alt=json", false);
  if (!inst.ok()) return inst.status();
  Result<nlohmann::json> proj =
      get(base + "/project/?recursive=true&alt=json", true);
  if (!proj.ok()) return proj.status();
  InstanceData out;
  out.datasource = "gce";
  out.cloud_name = "gce";
  out.subplatform = "metadata (" + base + ")";
  Status s = NormalizeGce(*inst, *proj, &out);
  if (!s.ok()) return s.WithContext(base + "/instance/");
  out.meta_data_text = DumpJson(*inst);
  out.meta_data_name = base + "/instance/";
  out.user_data_name = base + "/instance/attributes/user-data";
  if (logger) logger->Debug("gce: instance " + out.instance_id);
  return out;
}

Result<InstanceData> ReadOpenStack(const std::string& base_url,
                                   Fetcher* fetcher, const FetchPolicy& policy,
                                   Logger* logger) {
  const std::string base =
      Base(base_url, "http://169.254.169.254") + "/openstack/latest/";
  Result<std::string> meta =
      FetchBody(fetcher, base + "meta_data.json", policy);
  if (!meta.ok()) return meta.status();
  Result<nlohmann::json> mj =
      ParseJson(*meta, "GET " + base + "meta_data.json");
  if (!mj.ok()) return mj.status();
  InstanceData out;
  out.datasource = "openstack";
  out.cloud_name = "openstack";
  out.subplatform = "metadata (" + base + ")";
  Status s = NormalizeOpenStack(*mj, &out);
  if (!s.ok()) return s.WithContext(base + "meta_data.json");
  out.meta_data_text = *meta;
  out.meta_data_name = base + "meta_data.json";
  Result<std::optional<std::string>> ud =
      FetchOptional(fetcher, base + "user_data", policy);
  if (!ud.ok()) return ud.status();
  out.user_data = ud->value_or("");
  out.user_data_name = base + "user_data";
  out.vendor_data_name = base + "vendor_data.json";
  Result<std::optional<std::string>> vd =
      FetchOptional(fetcher, base + "vendor_data.json", policy);
  if (!vd.ok()) return vd.status();
  if (vd->has_value()) {
    Result<nlohmann::json> vj =
        ParseJson(**vd, "GET " + base + "vendor_data.json");
    if (!vj.ok()) return vj.status();
    out.vendor_data = OpenStackVendorData(*vj);
  }
  Result<std::optional<std::string>> nd =
      FetchOptional(fetcher, base + "network_data.json", policy);
  if (!nd.ok()) return nd.status();
  if (nd->has_value()) {
    Result<nlohmann::json> nj =
        ParseJson(**nd, "GET " + base + "network_data.json");
    if (!nj.ok()) return nj.status();
    out.network_data = *nj;
  }
  if (logger) logger->Debug("openstack: instance " + out.instance_id);
  return out;
}

}  // namespace flamingo
