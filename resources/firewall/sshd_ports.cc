#include "resources/firewall/sshd_ports.h"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "engine/text.h"
#include "resources/firewall/firewall_spec.h"

namespace flamingo {
namespace firewall {
namespace {

constexpr char kConfig[] = "/etc/ssh/sshd_config";

// The port of a ListenAddress value, when it names one.
bool ListenPort(const std::string& v, uint16_t* out) {
  if (!v.empty() && v[0] == '[') {
    size_t close = v.find(']');
    if (close == std::string::npos || close + 1 >= v.size() ||
        v[close + 1] != ':') {
      return false;
    }
    return ParsePortNumber(v.substr(close + 2), out);
  }
  size_t colon = v.find(':');
  if (colon == std::string::npos ||
      v.find(':', colon + 1) != std::string::npos) {
    return false;  // no port, or a bare IPv6 address
  }
  return ParsePortNumber(v.substr(colon + 1), out);
}

struct Reader {
  const SystemReader& sys;
  std::vector<uint16_t> ports;
  bool in_match = false;

  Status ReadFile(const std::string& path, int depth) {
    if (depth > 8) return Status::Error(path + ": Include nested too deeply");
    auto info = sys.Stat(path);
    if (!info.ok()) return info.status();
    // ReadFile follows symlinks inside the root (sshd_config is one on
    // some distributions).
    if (!info->has_value() || ((*info)->type != FileType::kRegular &&
                               (*info)->type != FileType::kSymlink)) {
      return Status::Ok();
    }
    auto content = sys.ReadFile(path);
    if (!content.ok()) return content.status();
    std::istringstream in(*content);
    std::string line;
    while (!in_match && std::getline(in, line)) {
      for (auto& c : line) {
        if (c == '=' || c == '\t' || c == '\r') c = ' ';
      }
      std::istringstream words(line);
      std::string key;
      if (!(words >> key) || key[0] == '#') continue;
      key = AsciiLower(key);
      std::string value;
      if (key == "match") {
        in_match = true;
      } else if (key == "port") {
        while (words >> value) {
          uint16_t p;
          if (ParsePortNumber(value, &p)) ports.push_back(p);
        }
      } else if (key == "listenaddress") {
        if (words >> value) {
          uint16_t p;
          if (ListenPort(value, &p)) ports.push_back(p);
        }
      } else if (key == "include") {
        while (words >> value) {
          Status st = Include(value, depth);
          if (!st.ok()) return st;
        }
      }
    }
    return Status::Ok();
  }

  Status Include(std::string pattern, int depth) {
    if (pattern.empty()) return Status::Ok();
    if (pattern[0] != '/') pattern = "/etc/ssh/" + pattern;
    std::string dir = ParentPath(pattern);
    std::string base = pattern.substr(pattern.rfind('/') + 1);
    if (base.find_first_of("*?[") == std::string::npos) {
      return ReadFile(pattern, depth + 1);
    }
    auto info = sys.Stat(dir);
    if (!info.ok()) return info.status();
    if (!info->has_value() || (*info)->type != FileType::kDirectory) {
      return Status::Ok();
    }
    auto names = sys.ListDir(dir);
    if (!names.ok()) return names.status();
    for (const auto& name : *names) {  // sorted, as sshd's glob(3)
      if (fnmatch(base.c_str(), name.c_str(), FNM_PERIOD) == 0) {
        Status st = ReadFile(dir + "/" + name, depth + 1);
        if (!st.ok()) return st;
      }
    }
    return Status::Ok();
  }
};

}  // namespace

Result<SshPorts> ReadSshPorts(const SystemReader& sys) {
  Reader r{sys, {}, false};
  Status st = r.ReadFile(kConfig, 0);
  if (!st.ok()) return st.WithContext("read sshd configuration");
  SshPorts out;
  if (r.ports.empty()) return out;
  std::sort(r.ports.begin(), r.ports.end());
  r.ports.erase(std::unique(r.ports.begin(), r.ports.end()), r.ports.end());
  out.ports = r.ports;
  out.source = kConfig;
  return out;
}

}  // namespace firewall
}  // namespace flamingo
