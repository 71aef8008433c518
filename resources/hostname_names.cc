#include "resources/hostname_names.h"

#include <cctype>

namespace flamingo {

namespace {

bool IsIpv4(const std::string& s) {
  int parts = 0;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find('.', i);
    if (j == std::string::npos) j = s.size();
    std::string part = s.substr(i, j - i);
    if (part.empty() || part.size() > 3) return false;
    for (char c : part) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    }
    if (std::stoi(part) > 255) return false;
    ++parts;
    i = j + 1;
  }
  return parts == 4;
}

std::string FirstLabel(const std::string& s) {
  return s.substr(0, s.find('.'));
}

}  // namespace

HostNames ResolveHostNames(const std::optional<std::string>& cfg_hostname,
                           const std::optional<std::string>& cfg_fqdn,
                           const std::optional<std::string>& local_hostname) {
  HostNames n;
  if (cfg_fqdn && !cfg_fqdn->empty()) {
    n.fqdn = *cfg_fqdn;
    n.hostname = cfg_hostname && !cfg_hostname->empty() ? *cfg_hostname
                                                        : FirstLabel(n.fqdn);
    return n;
  }
  if (cfg_hostname && cfg_hostname->find('.') != std::string::npos &&
      cfg_hostname->find('.') > 0) {
    n.fqdn = *cfg_hostname;
    n.hostname = FirstLabel(n.fqdn);
    return n;
  }
  std::string cloud_host, cloud_fqdn;
  if (local_hostname && !local_hostname->empty()) {
    std::string lh = *local_hostname;
    if (IsIpv4(lh)) {
      for (char& c : lh) {
        if (c == '.') c = '-';
      }
      lh = "ip-" + lh;
    }
    cloud_host = FirstLabel(lh);
    cloud_fqdn = lh.find('.') != std::string::npos ? lh : cloud_host;
  }
  n.hostname =
      cfg_hostname && !cfg_hostname->empty() ? *cfg_hostname : cloud_host;
  n.fqdn = cloud_fqdn.find('.') != std::string::npos ? cloud_fqdn : n.hostname;
  return n;
}

std::string SelectHostname(const HostNames& names,
                           std::optional<bool> prefer_fqdn,
                           bool only_short_hostname_configured) {
  bool prefer = prefer_fqdn.value_or(!only_short_hostname_configured);
  if (prefer && !names.fqdn.empty()) return names.fqdn;
  if (names.hostname.empty()) return names.fqdn;
  return names.hostname;
}

std::string HostnameProblem(const std::string& name) {
  if (name.empty()) return "is empty";
  if (name.size() > 253) return "is longer than 253 characters";
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isspace(u)) return "contains whitespace";
    if (std::iscntrl(u)) return "contains a control character";
    if (c == '/') return "contains '/'";
  }
  if (name.front() == '.' || name.front() == '-') {
    return std::string("starts with '") + name.front() + "'";
  }
  return "";
}

}  // namespace flamingo
