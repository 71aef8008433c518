#include "tests/test_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "engine/text.h"

namespace flamingo::testing {

namespace {
void SendAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}
}  // namespace

TestHttpServer::TestHttpServer(Handler handler, const std::string& address)
    : handler_(std::move(handler)), address_(address) {
  sockaddr_storage ss{};
  socklen_t len;
  if (address == "127.0.0.1") {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof *a;
  } else if (address == "::1") {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_addr = in6addr_loopback;
    len = sizeof *a;
  } else {
    return;  // loopback only
  }
  fd_ = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  if (bind(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0 ||
      listen(fd_, 64) != 0 ||
      getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    close(fd_);
    fd_ = -1;
    return;
  }
  port_ = ss.ss_family == AF_INET
              ? ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port)
              : ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  thread_ = std::thread([this] { Loop(); });
}

TestHttpServer::~TestHttpServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  std::vector<std::thread> w;
  {
    std::lock_guard<std::mutex> l(mu_);
    w.swap(workers_);
  }
  for (auto& t : w) t.join();
  if (fd_ >= 0) close(fd_);
}

std::vector<TestRequest> TestHttpServer::requests() const {
  std::lock_guard<std::mutex> l(mu_);
  return log_;
}

void TestHttpServer::Loop() {
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    int conn = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) continue;
    std::lock_guard<std::mutex> l(mu_);
    workers_.emplace_back([this, conn] { Serve(conn); });
  }
}

void TestHttpServer::Serve(int conn) {
  timeval tv{2, 0};
  setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string buf;
  char tmp[4096];
  size_t hdr_end;
  while ((hdr_end = buf.find("\r\n\r\n")) == std::string::npos) {
    ssize_t n = recv(conn, tmp, sizeof tmp, 0);
    if (n <= 0 || buf.size() > (1u << 20)) {
      close(conn);
      return;
    }
    buf.append(tmp, static_cast<size_t>(n));
  }
  TestRequest req;
  std::string head = buf.substr(0, hdr_end);
  size_t line_end = head.find("\r\n");
  std::string first = head.substr(0, line_end);
  size_t sp1 = first.find(' '), sp2 = first.rfind(' ');
  req.method = first.substr(0, sp1);
  req.path = first.substr(sp1 + 1, sp2 - sp1 - 1);
  size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t e = head.find("\r\n", pos);
    if (e == std::string::npos) e = head.size();
    std::string l = head.substr(pos, e - pos);
    size_t colon = l.find(':');
    if (colon != std::string::npos) {
      std::string v = l.substr(colon + 1);
      while (!v.empty() && v[0] == ' ') v.erase(0, 1);
      req.headers[AsciiLower(l.substr(0, colon))] = v;
    }
    pos = e + 2;
  }
  size_t want = 0;
  if (!req.Header("content-length").empty())
    want = std::stoul(req.Header("content-length"));
  req.body = buf.substr(hdr_end + 4);
  while (req.body.size() < want) {
    ssize_t n = recv(conn, tmp, sizeof tmp, 0);
    if (n <= 0) break;
    req.body.append(tmp, static_cast<size_t>(n));
  }
  ++count_;
  {
    std::lock_guard<std::mutex> l(mu_);
    log_.push_back(req);
  }
  TestResponse r = handler_(req);
  for (int waited = 0; waited < r.delay_ms && !stop_; waited += 10) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (r.fault == TestResponse::Fault::kCloseWithoutResponse || stop_) {
    close(conn);
    return;
  }
  if (!r.raw.empty()) {
    SendAll(conn, r.raw);
    for (int waited = 0; waited < r.hold_ms && !stop_; waited += 10) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    shutdown(conn, SHUT_WR);
    close(conn);
    return;
  }
  std::string out =
      "HTTP/1.1 " + std::to_string(r.status) + " X\r\nConnection: close\r\n";
  out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  for (const auto& [k, v] : r.headers) out += k + ": " + v + "\r\n";
  out += "\r\n";
  if (r.fault == TestResponse::Fault::kTruncateBody) {
    out += r.body.substr(0, r.body.size() / 2);
  } else {
    out += r.body;
  }
  SendAll(conn, out);
  shutdown(conn, SHUT_WR);
  close(conn);
}

FetchPolicy FastFetchPolicy() {
  FetchPolicy p;
  p.timeout = std::chrono::milliseconds(1000);
  p.connect_timeout = std::chrono::milliseconds(500);
  p.initial_backoff = std::chrono::milliseconds(10);
  p.max_backoff = std::chrono::milliseconds(50);
  p.total_budget = std::chrono::milliseconds(3000);
  return p;
}

}  // namespace flamingo::testing
