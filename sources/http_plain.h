// The built-in http:// transport: HTTP/1.1 over one TCP connection per
// request ("Connection: close"), no library beyond libc. Used for every
// http:// URL (the cloud metadata services), so an image needs libcurl
// only for https://.
//
// One RoundTrip: parse the URL (sources/http_url.h); resolve the host
// (numeric IPv4/IPv6 literals without DNS; names with getaddrinfo, bounded by
// the timeout); connect to each address in turn with non-blocking sockets
// and poll (policy.connect_timeout for the whole connect phase); send
// "METHOD target HTTP/1.1" with Host, User-Agent, Accept, Connection: close,
// Content-Length for PUT, Authorization: Basic when the URL has user:pass@,
// and the request's headers (a request header named Host, User-Agent or
// Accept replaces the default; Content-Length, Transfer-Encoding and
// Connection are the transport's own and refused); read the response with
// HttpResponseParser (sources/http_response.h) until it is complete or the
// server closes. Everything within `timeout`. Proxies (http_proxy) are not
// used: metadata services are link-local.
#pragma once

#include <memory>

#include "sources/http_client.h"

namespace flamingo {

std::unique_ptr<HttpTransport> MakePlainHttpTransport();

}  // namespace flamingo
