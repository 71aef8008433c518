// http:// and https:// URLs as the HTTP transports need them: split into
// scheme, host, port and request target, and Location headers resolved
// against the URL they came from (RFC 3986 section 5.2). Pure functions; no
// DNS, no I/O.
#pragma once

#include <string>

#include "engine/status.h"

namespace flamingo {

struct HttpUrl {
  std::string scheme;  // "http" or "https", lower-case
  // Host name, IPv4 literal, or IPv6 literal without the brackets (a zone
  // "%25eth0" in the URL becomes "%eth0", as getaddrinfo reads it).
  std::string host;
  bool ipv6_literal = false;
  int port = 0;        // the explicit port, or 80/443
  std::string target;  // path and query ("/" at least), no fragment
  // user:password from the URL, percent-decoded; empty when absent.
  std::string userinfo;

  // The Host header: the host (IPv6 in brackets, without the zone) and the
  // port when it is not the scheme's default.
  std::string HostHeader() const;
  // "host:port" for messages ("[::1]:8080" for IPv6).
  std::string Authority() const;
};

// Parses an http:// or https:// URL (scheme case-insensitive). Errors give
// the reason only ("unsupported URL scheme", "invalid port \"x\"", ...);
// callers put the method and URL in front. Space and control characters are
// refused; bytes >= 0x80 in the path are percent-encoded.
Result<HttpUrl> ParseHttpUrl(const std::string& url);

// The absolute URL a Location header value points to, resolved against
// `base` (absolute, "//host/..", "/path", "?query", "relative/path"; dot
// segments removed, fragment dropped). Errors: an empty location.
Result<std::string> ResolveLocation(const std::string& base,
                                    const std::string& location);

}  // namespace flamingo
