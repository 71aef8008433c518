#include "sources/http_url.h"

#include <arpa/inet.h>

#include <cctype>
#include <vector>

#include "engine/text.h"

namespace flamingo {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 &&
        HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Length of a "scheme:" prefix (RFC 3986: ALPHA *( ALPHA / DIGIT / + - . )),
// or 0 when `s` has none.
size_t SchemeLength(const std::string& s) {
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return 0;
  for (size_t i = 1; i < s.size(); ++i) {
    char c = s[i];
    if (c == ':') return i;
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' &&
        c != '.')
      return 0;
  }
  return 0;
}

bool ValidHostName(const std::string& h) {
  if (h.empty() || h.size() > 253) return false;
  for (char c : h) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' &&
        c != '_')
      return false;
  }
  return true;
}

// RFC 3986 5.2.4 on a path without query.
std::string RemoveDotSegments(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  bool absolute = !path.empty() && path[0] == '/';
  if (absolute) i = 1;
  bool trailing_slash = false;
  while (i <= path.size()) {
    size_t e = path.find('/', i);
    if (e == std::string::npos) e = path.size();
    std::string seg = path.substr(i, e - i);
    trailing_slash = false;
    if (seg == ".") {
      trailing_slash = true;
    } else if (seg == "..") {
      if (!out.empty()) out.pop_back();
      trailing_slash = true;
    } else {
      out.push_back(seg);
    }
    i = e + 1;
  }
  std::string r = absolute ? "/" : "";
  for (size_t k = 0; k < out.size(); ++k) {
    if (k) r += '/';
    r += out[k];
  }
  if (trailing_slash && !r.empty() && r.back() != '/') r += '/';
  return r;
}

}  // namespace

std::string HttpUrl::HostHeader() const {
  std::string h = host;
  if (ipv6_literal) {
    size_t zone = h.find('%');
    if (zone != std::string::npos) h.resize(zone);
    h = "[" + h + "]";
  }
  int def = scheme == "https" ? 443 : 80;
  if (port != def) h += ":" + std::to_string(port);
  return h;
}

std::string HttpUrl::Authority() const {
  return (ipv6_literal ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<HttpUrl> ParseHttpUrl(const std::string& url) {
  for (char c : url) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) {
      return Status::Error(
          "invalid URL: contains a space or control character");
    }
  }
  HttpUrl r;
  size_t slen = SchemeLength(url);
  if (slen == 0 || url.compare(slen, 3, "://") != 0) {
    return Status::Error("invalid URL: expected http:// or https://");
  }
  r.scheme = AsciiLower(url.substr(0, slen));
  if (r.scheme != "http" && r.scheme != "https") {
    return Status::Error("unsupported URL scheme \"" + r.scheme + "\"");
  }
  size_t auth_start = slen + 3;
  size_t auth_end = url.find_first_of("/?#", auth_start);
  if (auth_end == std::string::npos) auth_end = url.size();
  std::string authority = url.substr(auth_start, auth_end - auth_start);
  size_t at = authority.rfind('@');
  if (at != std::string::npos) {
    r.userinfo = PercentDecode(authority.substr(0, at));
    authority = authority.substr(at + 1);
  }
  std::string port_text;
  bool has_port = false;
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string::npos) {
      return Status::Error("invalid URL: unterminated IPv6 address");
    }
    std::string literal = authority.substr(1, close - 1);
    std::string addr = literal, zone;
    size_t pct = literal.find("%25");
    if (pct != std::string::npos) {
      addr = literal.substr(0, pct);
      zone = literal.substr(pct + 3);
      if (zone.empty() || !ValidHostName(zone)) {
        return Status::Error("invalid URL: bad IPv6 zone");
      }
    }
    in6_addr a6;
    if (inet_pton(AF_INET6, addr.c_str(), &a6) != 1) {
      return Status::Error("invalid URL: bad IPv6 address \"" + literal + "\"");
    }
    r.host = zone.empty() ? addr : addr + "%" + zone;
    r.ipv6_literal = true;
    std::string rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') {
        return Status::Error("invalid URL: junk after the IPv6 address");
      }
      has_port = true;
      port_text = rest.substr(1);
    }
  } else {
    size_t colon = authority.find(':');
    r.host = authority.substr(0, colon);
    if (colon != std::string::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
    if (r.host.empty()) return Status::Error("invalid URL: no host");
    if (!ValidHostName(r.host)) {
      return Status::Error("invalid URL: bad host \"" + r.host + "\"");
    }
  }
  r.port = r.scheme == "https" ? 443 : 80;
  if (has_port && !port_text.empty()) {
    bool digits = port_text.size() <= 5;
    for (char c : port_text) digits = digits && c >= '0' && c <= '9';
    int p = digits ? std::stoi(port_text) : 0;
    if (!digits || p < 1 || p > 65535) {
      return Status::Error("invalid URL: bad port \"" + port_text + "\"");
    }
    r.port = p;
  }
  std::string target = url.substr(auth_end);
  size_t hash = target.find('#');
  if (hash != std::string::npos) target.resize(hash);
  if (target.empty() || target[0] == '?') target = "/" + target;
  static const char kHex[] = "0123456789ABCDEF";
  for (char c : target) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      r.target += '%';
      r.target += kHex[u >> 4];
      r.target += kHex[u & 15];
    } else {
      r.target += c;
    }
  }
  return r;
}

Result<std::string> ResolveLocation(const std::string& base,
                                    const std::string& location) {
  std::string loc = TrimSpace(location, " \t");
  if (loc.empty()) return Status::Error("empty Location header");
  if (SchemeLength(loc) > 0) return loc;  // absolute
  std::string bare = base.substr(0, base.find('#'));
  size_t slen = SchemeLength(bare);
  std::string scheme = bare.substr(0, slen);
  if (loc.rfind("//", 0) == 0) return scheme + ":" + loc;
  size_t auth_start = slen + 3;
  size_t path_start = bare.find_first_of("/?", auth_start);
  if (path_start == std::string::npos) path_start = bare.size();
  std::string origin = bare.substr(0, path_start);
  std::string base_target = bare.substr(path_start);
  std::string base_path = base_target.substr(0, base_target.find('?'));
  if (base_path.empty()) base_path = "/";
  if (loc[0] == '#') return bare;
  if (loc[0] == '?') return origin + base_path + loc.substr(0, loc.find('#'));
  loc = loc.substr(0, loc.find('#'));
  size_t q = loc.find('?');
  std::string path = loc.substr(0, q);
  std::string query = q == std::string::npos ? "" : loc.substr(q);
  if (path.empty() || path[0] != '/') {
    path = base_path.substr(0, base_path.rfind('/') + 1) + path;
  }
  return origin + RemoveDotSegments(path) + query;
}

}  // namespace flamingo
