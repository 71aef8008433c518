// Datasources: where the instance's meta-data, user-data and vendor-data
// come from, and how flamingo finds them without sitting out timeouts.
//
//   nocloud      seed dir <root>/var/lib/cloud/seed/nocloud[-net], a vfat or
//                iso9660 filesystem labelled cidata/CIDATA, or
//                `ds=nocloud[-net];s=URL;i=IID;h=HOST` on the kernel command
//                line (or in the DMI product serial); URL is file:// or http(s)
//   configdrive  a filesystem labelled config-2/CONFIG-2 (openstack/latest/...)
//   ec2          IMDSv2 (PUT /latest/api/token, then GETs with the token);
//                IMDSv1 only when the token request is refused (400/404/405)
//   gce          GCE metadata server (Metadata-Flavor: Google)
//   openstack    OpenStack metadata service (/openstack/latest/...)
//
// Detection ("auto"): local evidence only (kernel command line, DMI product
// serial, seed dir, filesystem labels, DMI vendor strings), then at most the
// one metadata service that evidence points to. No evidence: an error
// "no datasource found" after a few milliseconds, with no network traffic.
// Labelled filesystems are read in place (sources/fs_image.h), never mounted.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/logger.h"
#include "engine/status.h"
#include "engine/system.h"
#include "schemas/value.h"
#include "sources/http_client.h"

namespace flamingo {

struct InstanceData {
  std::string datasource;  // nocloud | configdrive | ec2 | gce | openstack
  std::string
      cloud_name;  // cloud-init's v1.cloud_name: nocloud, openstack, aws, gce
  std::string subplatform;  // "seed-dir (/var/lib/...)", "config-disk
                            // (/dev/sr0)", "metadata (http://169.254.169.254)"
  std::string instance_id;
  std::string local_hostname;
  std::vector<std::string> public_keys;
  std::string availability_zone;
  std::string region;
  std::optional<int> launch_index;
  std::string user_data;    // raw (possibly gzip/MIME); "" when none
  std::string vendor_data;  // raw; "" when none
  nlohmann::json meta_data =
      nlohmann::json::object();  // as the datasource gave it
  nlohmann::json network_data;   // null when none
  // The meta-data document as read (for fingerprints and positions) and its
  // name in diagnostics, e.g. "/dev/sr0:meta-data".
  std::string meta_data_text;
  std::string meta_data_name = "meta-data";
  // meta_data_text as NormalizeNoCloud parsed it (with positions), so that
  // it is parsed once; nullopt from the other datasources.
  std::optional<Value> meta_data_doc;
  // Names of the user-data and vendor-data documents in diagnostics.
  std::string user_data_name = "user-data";
  std::string vendor_data_name = "vendor-data";
};

// Every host path the datasources look at, overridable for tests.
struct HostPaths {
  std::string root = "/";      // the seed dir lives inside it
  std::string sysfs = "/sys";  // <sysfs>/class/dmi/id, <sysfs>/class/block
  std::string proc_cmdline = "/proc/cmdline";
  std::string dev = "/dev";  // <dev>/<block device name>
  std::string by_label = "/dev/disk/by-label";
  // When non-empty, only these devices/images are probed for labels.
  std::vector<std::string> block_devices;
};

struct DiscoverOptions {
  std::string datasource = "auto";  // or one of the names above
  // Server root of any HTTP datasource (default http://169.254.169.254, or
  // http://metadata.google.internal for gce); for nocloud the seed URL.
  std::optional<std::string> metadata_url;
  HostPaths paths;
  // false: auto detection looks at the seed dir only (flamingo --root DIR
  // describes an image, not the host whose DMI/labels/cmdline we would see).
  bool host_evidence = true;
  // When set, the seed dir is read through it (paths inside the root).
  const SystemReader* root_reader = nullptr;
  Fetcher* fetcher = nullptr;  // null: an HttpFetcher is made
  FetchPolicy policy;          // per request
  // Bound on all network work of one discovery.
  std::chrono::milliseconds total_timeout{30000};
  size_t max_document_bytes = 16u << 20;
};

// What detection found and why.
struct Detection {
  std::string datasource;  // a name above
  std::string evidence;    // e.g. "DMI sys_vendor 'Amazon EC2'"
  std::string device;      // a labelled filesystem, if any
  std::string seed_url;    // nocloud: s= from the command line
  std::string cmdline_instance_id, cmdline_hostname;  // nocloud: i= and h=
};

// Local evidence only; no network. nullopt: nothing found.
Result<std::optional<Detection>> DetectDatasource(
    const DiscoverOptions& options, Logger* logger);

// Detects (or uses options.datasource) and reads the instance data.
// Nothing detected: an error for which IsNoDatasourceFound() is true.
Result<InstanceData> DiscoverInstance(const DiscoverOptions& options,
                                      Logger* logger);
bool IsNoDatasourceFound(const Status& s);

// The single datasources. `base` is the server root ("" = the default).
Result<InstanceData> ReadNoCloud(const DiscoverOptions& options,
                                 const Detection& d, Fetcher* fetcher,
                                 Logger* logger);
Result<InstanceData> ReadConfigDrive(const DiscoverOptions& options,
                                     const Detection& d, Logger* logger);
Result<InstanceData> ReadEc2(const std::string& base, Fetcher* fetcher,
                             const FetchPolicy& policy, Logger* logger);
Result<InstanceData> ReadGce(const std::string& base, Fetcher* fetcher,
                             const FetchPolicy& policy, Logger* logger);
Result<InstanceData> ReadOpenStack(const std::string& base, Fetcher* fetcher,
                                   const FetchPolicy& policy, Logger* logger);

// Normalization of raw documents (also used on the corpus fixtures).
// EC2: the meta-data tree as JSON ({"instance-id": ..., "public-keys":
// {"0": {"openssh-key": ...}} or {"name": "key"}}).
Status NormalizeEc2(const nlohmann::json& meta, InstanceData* out);
// GCE: instance/?recursive=true and project/?recursive=true documents.
Status NormalizeGce(const nlohmann::json& instance,
                    const nlohmann::json& project, InstanceData* out);
// OpenStack meta_data.json (ConfigDrive and metadata service).
Status NormalizeOpenStack(const nlohmann::json& meta, InstanceData* out);
// vendor_data.json: a string, or {"cloud-init": string}; "" otherwise.
std::string OpenStackVendorData(const nlohmann::json& vendor);
// NoCloud meta-data (YAML/JSON text).
Status NormalizeNoCloud(const std::string& text, const std::string& name,
                        InstanceData* out);
// GCE "ssh-keys" attribute lines "user:ssh-rsa AAAA... comment"; expired
// google-ssh keys are dropped. Returns (user, key) pairs.
std::vector<std::pair<std::string, std::string>> ParseGceSshKeys(
    const std::string& text);

// Kernel command line "ds=..." (nocloud seed, forced datasource).
std::optional<Detection> ParseDsCmdline(const std::string& cmdline);

}  // namespace flamingo
