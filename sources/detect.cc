// Datasource detection from local evidence, and DiscoverInstance().
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <memory>
#include <sstream>

#include "engine/text.h"
#include "sources/datasource.h"
#include "sources/fs_image.h"

namespace flamingo {

namespace {

using Clock = std::chrono::steady_clock;

std::string ReadSmall(const std::string& path) {
  std::ifstream f(path);
  if (!f) return "";
  std::string s(4096, '\0');
  f.read(s.data(), static_cast<std::streamsize>(s.size()));
  s.resize(static_cast<size_t>(f.gcount()));
  return TrimSpace(s);
}

std::string JoinPath(const std::string& a, const std::string& b) {
  if (a.empty() || a == "/") return "/" + (b[0] == '/' ? b.substr(1) : b);
  return a + (b[0] == '/' ? b : "/" + b);
}

std::string Canonical(std::string name) {
  name = AsciiLower(TrimSpace(name));
  if (name == "nocloud-net" || name == "nocloud_net" || name == "nocloudnet")
    return "nocloud";
  if (name == "config-drive" || name == "config_drive" ||
      name == "configdrive2") {
    return "configdrive";
  }
  if (name == "aws" || name == "amazon") return "ec2";
  return name;
}

bool KnownDatasource(const std::string& n) {
  return n == "nocloud" || n == "configdrive" || n == "ec2" || n == "gce" ||
         n == "openstack";
}

// A fetcher that keeps all requests of one discovery inside a deadline.
class DeadlineFetcher : public Fetcher {
 public:
  DeadlineFetcher(Fetcher* inner, Clock::time_point deadline)
      : inner_(inner), deadline_(deadline) {}
  Result<HttpResponse> Fetch(const HttpRequest& req,
                             const FetchPolicy& policy) override {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline_ - Clock::now());
    if (left.count() <= 0) {
      return Status::Error(req.method + " " + req.url +
                           ": the datasource's total time limit is used up");
    }
    FetchPolicy p = policy;
    p.total_budget = std::min(p.total_budget, left);
    return inner_->Fetch(req, p);
  }

 private:
  Fetcher* inner_;
  Clock::time_point deadline_;
};

struct Dmi {
  std::string sys_vendor, product_name, product_version, product_uuid,
      product_serial, bios_vendor, chassis_asset_tag, hypervisor_uuid;
};

Dmi ReadDmi(const HostPaths& p) {
  std::string d = JoinPath(p.sysfs, "class/dmi/id/");
  Dmi m;
  m.sys_vendor = ReadSmall(d + "sys_vendor");
  m.product_name = ReadSmall(d + "product_name");
  m.product_version = ReadSmall(d + "product_version");
  m.product_uuid = ReadSmall(d + "product_uuid");
  m.product_serial = ReadSmall(d + "product_serial");
  m.bios_vendor = ReadSmall(d + "bios_vendor");
  m.chassis_asset_tag = ReadSmall(d + "chassis_asset_tag");
  m.hypervisor_uuid = ReadSmall(JoinPath(p.sysfs, "hypervisor/uuid"));
  return m;
}

std::optional<Detection> FromDmi(const Dmi& m) {
  auto det = [](std::string ds, std::string why) {
    Detection d;
    d.datasource = std::move(ds);
    d.evidence = std::move(why);
    return d;
  };
  if (m.sys_vendor == "Amazon EC2" || m.bios_vendor == "Amazon EC2") {
    return det("ec2", "DMI sys_vendor/bios_vendor 'Amazon EC2'");
  }
  if (AsciiLower(m.product_uuid).rfind("ec2", 0) == 0 &&
      AsciiLower(m.hypervisor_uuid).rfind("ec2", 0) == 0) {
    return det("ec2", "DMI product_uuid and hypervisor uuid start with 'ec2'");
  }
  if (AsciiLower(m.product_version).find("amazon") != std::string::npos) {
    return det("ec2", "DMI product_version '" + m.product_version + "'");
  }
  if (m.product_name == "Google Compute Engine" || m.sys_vendor == "Google" ||
      m.bios_vendor == "Google") {
    return det("gce", "DMI product_name/sys_vendor 'Google'");
  }
  if (m.product_name == "OpenStack Nova" ||
      m.product_name == "OpenStack Compute" ||
      m.sys_vendor == "OpenStack Foundation" ||
      m.chassis_asset_tag == "OpenStack Nova") {
    return det("openstack", "DMI '" +
                                (m.product_name.empty() ? m.chassis_asset_tag
                                                        : m.product_name) +
                                "'");
  }
  return std::nullopt;
}

bool SeedDirPresent(const DiscoverOptions& o, std::string* which) {
  for (const char* dir :
       {"/var/lib/cloud/seed/nocloud", "/var/lib/cloud/seed/nocloud-net"}) {
    for (const char* f : {"meta-data", "user-data"}) {
      std::string p = std::string(dir) + "/" + f;
      bool exists = false;
      if (o.root_reader) {
        auto st = o.root_reader->Stat(p);
        exists = st.ok() && st->has_value();
      } else {
        struct stat sb;
        exists = stat(JoinPath(o.paths.root, p).c_str(), &sb) == 0;
      }
      if (exists) {
        *which = dir;
        return true;
      }
    }
  }
  return false;
}

struct Labelled {
  std::string device, label;
};

// Every filesystem label we can see, cheaply: /dev/disk/by-label when udev
// made it, else a probe of each block device in <sysfs>/class/block.
std::vector<Labelled> ScanLabels(const HostPaths& p, Logger* logger,
                                 size_t* probed) {
  std::vector<Labelled> out;
  std::vector<std::string> devices = p.block_devices;
  if (devices.empty()) {
    if (DIR* d = opendir(p.by_label.c_str())) {
      while (dirent* e = readdir(d)) {
        std::string n = e->d_name;
        if (n == "." || n == "..") continue;
        out.push_back({p.by_label + "/" + n, n});
      }
      closedir(d);
      *probed = out.size();
      return out;
    }
    std::string cls = JoinPath(p.sysfs, "class/block");
    if (DIR* d = opendir(cls.c_str())) {
      while (dirent* e = readdir(d)) {
        std::string n = e->d_name;
        if (n == "." || n == "..") continue;
        std::string size = ReadSmall(cls + "/" + n + "/size");
        if (size == "0") continue;  // detached loop device, empty drive
        devices.push_back(JoinPath(p.dev, n));
      }
      closedir(d);
    }
    std::sort(devices.begin(), devices.end());
  }
  for (const std::string& dev : devices) {
    ++*probed;
    Result<std::unique_ptr<FsImage>> fs = OpenFsImage(dev);
    if (!fs.ok()) {
      if (logger) logger->Debug("probe " + fs.status().message());
      continue;
    }
    out.push_back({dev, (*fs)->label()});
  }
  return out;
}

std::optional<std::string> FindLabel(const std::vector<Labelled>& all,
                                     const std::string& want) {
  for (const Labelled& l : all) {
    if (AsciiLower(l.label) == want) return l.device;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Detection> ParseDsCmdline(const std::string& cmdline) {
  std::istringstream in(cmdline);
  std::string tok;
  std::optional<Detection> found;
  while (in >> tok) {
    if (tok == "--") break;  // the rest belongs to init
    std::string v;
    if (tok.rfind("ds=", 0) == 0)
      v = tok.substr(3);
    else if (tok.rfind("ci.ds=", 0) == 0)
      v = tok.substr(6);
    else
      continue;
    std::string un;
    for (size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '\\' && i + 1 < v.size() && v[i + 1] == ';') continue;
      un += v[i];
    }
    if (un.size() >= 2 && (un.front() == '"' || un.front() == '\'') &&
        un.back() == un.front()) {
      un = un.substr(1, un.size() - 2);
    }
    Detection d;
    size_t pos = 0;
    bool first = true;
    while (pos <= un.size()) {
      size_t semi = un.find(';', pos);
      std::string item = un.substr(
          pos, semi == std::string::npos ? std::string::npos : semi - pos);
      pos = semi == std::string::npos ? un.size() + 1 : semi + 1;
      if (first) {
        d.datasource = Canonical(item);
        first = false;
        continue;
      }
      size_t eq = item.find('=');
      if (eq == std::string::npos) continue;
      std::string k = AsciiLower(item.substr(0, eq)), val = item.substr(eq + 1);
      if (k == "s" || k == "seedfrom")
        d.seed_url = val;
      else if (k == "i" || k == "instance-id")
        d.cmdline_instance_id = val;
      else if (k == "h" || k == "local-hostname")
        d.cmdline_hostname = val;
    }
    d.evidence = "kernel command line '" + tok + "'";
    found = d;  // the last ds= wins
  }
  return found;
}

bool IsNoDatasourceFound(const Status& s) {
  return !s.ok() && s.message().rfind("no datasource found", 0) == 0;
}

Result<std::optional<Detection>> DetectDatasource(const DiscoverOptions& o,
                                                  Logger* logger) {
  if (!o.host_evidence) {
    std::string seed;
    if (!SeedDirPresent(o, &seed)) return std::optional<Detection>();
    Detection s;
    s.datasource = "nocloud";
    s.evidence = "seed directory " + seed;
    return std::optional<Detection>(s);
  }
  std::optional<Detection> d = ParseDsCmdline(ReadSmall(o.paths.proc_cmdline));
  if (d) {
    if (!KnownDatasource(d->datasource)) {
      return Status::Error(d->evidence + ": unknown datasource '" +
                           d->datasource + "'");
    }
    return d;
  }
  Dmi dmi = ReadDmi(o.paths);
  if (dmi.product_serial.find("ds=") != std::string::npos) {
    d = ParseDsCmdline(dmi.product_serial);
    if (d && d->datasource == "nocloud") {
      d->evidence = "DMI product_serial '" + dmi.product_serial + "'";
      return d;
    }
  }
  std::string seed;
  if (SeedDirPresent(o, &seed)) {
    Detection s;
    s.datasource = "nocloud";
    s.evidence = "seed directory " + seed;
    return std::optional<Detection>(s);
  }
  size_t probed = 0;
  std::vector<Labelled> labels = ScanLabels(o.paths, logger, &probed);
  if (auto dev = FindLabel(labels, "cidata")) {
    Detection s;
    s.datasource = "nocloud";
    s.device = *dev;
    s.evidence = "filesystem labelled cidata on " + *dev;
    return std::optional<Detection>(s);
  }
  if (auto dev = FindLabel(labels, "config-2")) {
    Detection s;
    s.datasource = "configdrive";
    s.device = *dev;
    s.evidence = "filesystem labelled config-2 on " + *dev;
    return std::optional<Detection>(s);
  }
  if (auto m = FromDmi(dmi)) return m;
  if (logger) {
    logger->Debug(
        "no datasource: no ds= on the kernel command line, no seed directory, "
        "no "
        "cidata/config-2 label among " +
        std::to_string(probed) + " filesystems, no cloud vendor in DMI");
  }
  return std::optional<Detection>();
}

Result<InstanceData> DiscoverInstance(const DiscoverOptions& o,
                                      Logger* logger) {
  const auto start = Clock::now();
  Detection d;
  std::string wanted = Canonical(o.datasource.empty() ? "auto" : o.datasource);
  if (wanted == "auto") {
    Result<std::optional<Detection>> det = DetectDatasource(o, logger);
    if (!det.ok()) return det.status();
    if (!det->has_value()) {
      return Status::Error(
          "no datasource found (checked the kernel command line, the seed "
          "directory "
          "/var/lib/cloud/seed/nocloud, filesystems labelled cidata/config-2 "
          "and DMI; use "
          "--datasource NAME to force one)");
    }
    d = **det;
  } else {
    if (!KnownDatasource(wanted)) {
      return Status::Error(
          "unknown datasource '" + o.datasource +
          "' (known: nocloud, configdrive, ec2, gce, openstack, auto)");
    }
    d.datasource = wanted;
    d.evidence = "--datasource " + o.datasource;
    std::optional<Detection> cmd;
    if (o.host_evidence) cmd = ParseDsCmdline(ReadSmall(o.paths.proc_cmdline));
    if (cmd && cmd->datasource == wanted) {
      d.seed_url = cmd->seed_url;
      d.cmdline_instance_id = cmd->cmdline_instance_id;
      d.cmdline_hostname = cmd->cmdline_hostname;
    }
  }
  if (logger)
    logger->Info("datasource " + d.datasource + " (" + d.evidence + ")");
  std::unique_ptr<HttpFetcher> own;
  Fetcher* inner = o.fetcher;
  if (!inner) {
    own = std::make_unique<HttpFetcher>(logger);
    inner = own.get();
  }
  DeadlineFetcher fetcher(inner, start + o.total_timeout);
  const std::string base = o.metadata_url.value_or("");
  Result<InstanceData> r = Status::Error("unreachable");
  if (d.datasource == "nocloud") {
    if (o.metadata_url) d.seed_url = *o.metadata_url;
    if (d.seed_url.empty() && d.device.empty()) {
      std::string seed;
      if (!SeedDirPresent(o, &seed) && o.host_evidence) {
        size_t probed = 0;
        std::vector<Labelled> labels = ScanLabels(o.paths, logger, &probed);
        if (auto dev = FindLabel(labels, "cidata")) d.device = *dev;
      }
    }
    r = ReadNoCloud(o, d, &fetcher, logger);
  } else if (d.datasource == "configdrive") {
    if (d.device.empty()) {
      size_t probed = 0;
      std::vector<Labelled> labels = ScanLabels(o.paths, logger, &probed);
      auto dev = FindLabel(labels, "config-2");
      if (!dev)
        return Status::Error("configdrive: no filesystem labelled config-2");
      d.device = *dev;
    }
    r = ReadConfigDrive(o, d, logger);
  } else if (d.datasource == "ec2") {
    r = ReadEc2(base, &fetcher, o.policy, logger);
  } else if (d.datasource == "gce") {
    r = ReadGce(base, &fetcher, o.policy, logger);
  } else {
    r = ReadOpenStack(base, &fetcher, o.policy, logger);
  }
  if (!r.ok()) return r.status().WithContext(d.datasource);
  return r;
}

}  // namespace flamingo
