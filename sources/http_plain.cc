#include "sources/http_plain.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>

#include "engine/codec.h"
#include "engine/text.h"
#include "sources/http_response.h"
#include "sources/http_url.h"

namespace flamingo {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

class Socket {
 public:
  explicit Socket(int fd = -1) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  Socket(Socket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Socket& operator=(Socket&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// Waits until `fd` is ready for `events` or `deadline` passes: 1 ready,
// 0 timed out, -1 poll failed (errno set).
int WaitFor(int fd, short events, Clock::time_point deadline) {
  while (true) {
    auto left = std::chrono::ceil<milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return 0;
    pollfd p{fd, events, 0};
    int r = poll(&p, 1,
                 static_cast<int>(std::min<long long>(left.count(), INT_MAX)));
    if (r < 0 && errno == EINTR) continue;
    if (r != 0) return r < 0 ? -1 : 1;
  }
}

// getaddrinfo's answer, shared with the lookup thread (which may outlive a
// caller that gave up on it).
struct Lookup {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  int rc = 0;
  addrinfo* res = nullptr;
  ~Lookup() {
    if (res != nullptr) freeaddrinfo(res);
  }
};

Result<std::shared_ptr<Lookup>> Resolve(const HttpUrl& url,
                                        Clock::time_point deadline,
                                        milliseconds timeout) {
  auto lookup = std::make_shared<Lookup>();
  const std::string port = std::to_string(url.port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST;
  // Literal addresses: no DNS, no thread.
  if (getaddrinfo(url.host.c_str(), port.c_str(), &hints, &lookup->res) == 0) {
    return lookup;
  }
  lookup->res = nullptr;
  if (url.ipv6_literal) {
    return Status::Error("bad IPv6 address \"" + url.host + "\"");
  }
  hints.ai_flags = AI_NUMERICSERV;
  // getaddrinfo cannot be interrupted: it runs on a thread of its own so
  // that the timeout holds even when the resolver does not answer.
  auto run = [lookup, host = url.host, port, hints] {
    addrinfo* res = nullptr;
    int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
    std::lock_guard<std::mutex> lock(lookup->mu);
    lookup->rc = rc;
    lookup->res = res;
    lookup->done = true;
    lookup->cv.notify_all();
  };
  try {
    std::thread(run).detach();
  } catch (const std::system_error&) {
    run();  // no thread to spare: resolve here, unbounded
  }
  std::unique_lock<std::mutex> lock(lookup->mu);
  if (!lookup->cv.wait_until(lock, deadline, [&] { return lookup->done; })) {
    return Status::Error("timed out after " + std::to_string(timeout.count()) +
                         " ms resolving \"" + url.host + "\"");
  }
  if (lookup->rc != 0) {
    return Status::Error("cannot resolve host \"" + url.host +
                         "\": " + gai_strerror(lookup->rc));
  }
  return lookup;
}

std::string AddressText(const addrinfo* ai) {
  char host[NI_MAXHOST] = "?";
  char serv[NI_MAXSERV] = "?";
  getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof host, serv, sizeof serv,
              NI_NUMERICHOST | NI_NUMERICSERV);
  if (ai->ai_family == AF_INET6) return std::string("[") + host + "]:" + serv;
  return std::string(host) + ":" + serv;
}

// Connects to the first address that accepts, within connect_timeout (for
// all addresses together) and the deadline.
Result<Socket> Connect(const addrinfo* list, Clock::time_point deadline,
                       milliseconds connect_timeout) {
  const auto cdeadline = std::min(deadline, Clock::now() + connect_timeout);
  const auto budget =
      std::chrono::ceil<milliseconds>(cdeadline - Clock::now()).count();
  std::string last_error = "no address to connect to";
  for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    const std::string addr = AddressText(ai);
    Socket s(socket(ai->ai_family,
                    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    ai->ai_protocol));
    if (s.get() < 0) {
      last_error = "socket: " + std::string(strerror(errno));
      continue;
    }
    if (connect(s.get(), ai->ai_addr, ai->ai_addrlen) == 0) return s;
    if (errno != EINPROGRESS) {
      last_error = "connect to " + addr + ": " + strerror(errno);
      continue;
    }
    int w = WaitFor(s.get(), POLLOUT, cdeadline);
    if (w == 0) {
      return Status::Error("timed out after " + std::to_string(budget) +
                           " ms connecting to " + addr);
    }
    int err = errno;
    socklen_t len = sizeof err;
    if (w > 0 && getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
      err = errno;
    }
    if (err == 0) return s;
    last_error = "connect to " + addr + ": " + strerror(err);
  }
  return Status::Error(last_error);
}

bool TokenChar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

Result<std::string> BuildRequest(const HttpRequest& req, const HttpUrl& url) {
  std::string own;
  bool host = false, agent = false, accept = false, auth = false;
  for (const auto& [name, value] : req.headers) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), TokenChar)) {
      return Status::Error("invalid request header name \"" + name + "\"");
    }
    if (value.find_first_of(std::string_view("\r\n\0", 3)) !=
        std::string::npos) {
      return Status::Error("invalid value of request header " + name +
                           " (line break or NUL)");
    }
    std::string n = AsciiLower(name);
    // Framing is the transport's own: one request per connection.
    if (n == "content-length" || n == "transfer-encoding" ||
        n == "connection") {
      continue;
    }
    host = host || n == "host";
    agent = agent || n == "user-agent";
    accept = accept || n == "accept";
    auth = auth || n == "authorization";
    own += name + ": " + value + "\r\n";
  }
  std::string out = req.method + " " + url.target + " HTTP/1.1\r\n";
  if (!host) out += "Host: " + url.HostHeader() + "\r\n";
  if (!agent) out += "User-Agent: flamingo\r\n";
  if (!accept) out += "Accept: */*\r\n";
  if (!auth && !url.userinfo.empty()) {
    out += "Authorization: Basic " + Base64Encode(url.userinfo) + "\r\n";
  }
  out += own;
  out += "Connection: close\r\n";
  if (req.method == "PUT") {
    out += "Content-Length: " + std::to_string(req.body.size()) + "\r\n";
  }
  out += "\r\n";
  if (req.method == "PUT") out += req.body;
  return out;
}

class PlainHttpTransport : public HttpTransport {
 public:
  Result<HttpResponse> RoundTrip(const HttpRequest& req,
                                 const FetchPolicy& policy,
                                 milliseconds timeout) override {
    if (timeout.count() < 1) timeout = milliseconds(1);
    const auto deadline = Clock::now() + timeout;
    const std::string timed_out =
        "timed out after " + std::to_string(timeout.count()) + " ms";
    Result<HttpUrl> url = ParseHttpUrl(req.url);
    if (!url.ok()) return url.status();
    if (url->scheme != "http") {
      return Status::Error("the built-in client speaks http:// only");
    }
    if (req.method != "GET" && req.method != "PUT" && req.method != "HEAD") {
      return Status::Error("unsupported method");
    }
    Result<std::string> request = BuildRequest(req, *url);
    if (!request.ok()) return request.status();
    auto addrs = Resolve(*url, deadline, timeout);
    if (!addrs.ok()) return addrs.status();
    Result<Socket> sock =
        Connect((*addrs)->res, deadline, policy.connect_timeout);
    if (!sock.ok()) return sock.status();
    const int fd = sock->get();

    // Send. A server may answer (and close) before reading everything: a
    // send error is reported only when no response follows.
    std::string send_error;
    for (size_t off = 0; off < request->size();) {
      int w = WaitFor(fd, POLLOUT, deadline);
      if (w == 0) return Status::Error(timed_out + " sending the request");
      ssize_t n = w < 0 ? -1
                        : send(fd, request->data() + off, request->size() - off,
                               MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        send_error = "sending the request: " + std::string(strerror(errno));
        break;
      }
      off += static_cast<size_t>(n);
    }

    HttpResponseParser parser(req.method == "HEAD", policy.max_bytes);
    char buf[65536];
    size_t received = 0;
    while (!parser.done()) {
      int w = WaitFor(fd, POLLIN, deadline);
      if (w == 0) {
        return Status::Error(timed_out + (received == 0
                                              ? " waiting for the response"
                                              : " reading the response"));
      }
      ssize_t n = w < 0 ? -1 : recv(fd, buf, sizeof buf, 0);
      if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        if (received == 0 && !send_error.empty()) {
          return Status::Error(send_error);
        }
        return Status::Error("reading the response: " +
                             std::string(strerror(errno)));
      }
      if (n == 0) {
        if (received == 0 && !send_error.empty()) {
          return Status::Error(send_error);
        }
        Status s = parser.Finish();
        if (!s.ok()) return s;
        break;
      }
      received += static_cast<size_t>(n);
      Status s = parser.Feed(std::string_view(buf, static_cast<size_t>(n)));
      if (!s.ok()) return s;
    }
    return std::move(parser.response());
  }
};

}  // namespace

std::unique_ptr<HttpTransport> MakePlainHttpTransport() {
  return std::make_unique<PlainHttpTransport>();
}

}  // namespace flamingo
