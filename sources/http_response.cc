#include "sources/http_response.h"

#include <algorithm>
#include <cctype>

#include "engine/text.h"

namespace flamingo {

namespace {

constexpr size_t kMaxChunkLine = 4096;

// RFC 9110 optional whitespace (OWS): space and tab, not CR/LF.
std::string TrimOws(std::string_view s) { return TrimSpace(s, " \t"); }

// RFC 9110 tchar.
bool TokenChar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// The line quoted for a message: at most 60 characters, control and
// non-ASCII bytes as \xNN.
std::string Quote(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (size_t i = 0; i < s.size() && i < 60; ++i) {
    unsigned char u = static_cast<unsigned char>(s[i]);
    if (u < 0x20 || u >= 0x7f || u == '"' || u == '\\') {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += static_cast<char>(u);
    }
  }
  if (s.size() > 60) out += "...";
  return out + "\"";
}

}  // namespace

HttpResponseParser::HttpResponseParser(bool head_request, size_t max_bytes)
    : head_(head_request), max_bytes_(max_bytes) {}

Status HttpResponseParser::Fail(std::string reason) {
  state_ = State::kFailed;
  error_ = std::move(reason);
  return Status::Error(error_);
}

Status HttpResponseParser::Feed(std::string_view data) {
  if (state_ == State::kFailed) return Status::Error(error_);
  if (state_ == State::kDone) return Status::Ok();
  if (!data.empty()) received_any_ = true;
  if (state_ == State::kBodyUntilClose && buf_.empty()) {
    return AppendBody(data);  // the common bulk case: no copy through buf_
  }
  buf_.append(data);
  return Run();
}

Result<bool> HttpResponseParser::NextLine(std::string* line, size_t limit) {
  size_t nl = buf_.find('\n');
  if (nl == std::string::npos) {
    if (buf_.size() > limit) return Status::Error("line too long");
    return false;
  }
  if (nl > limit) return Status::Error("line too long");
  size_t len = nl;
  if (len > 0 && buf_[len - 1] == '\r') --len;
  line->assign(buf_, 0, len);
  buf_.erase(0, nl + 1);
  if (line->find_first_of(std::string_view("\r\0", 2)) != std::string::npos) {
    return Status::Error("stray CR or NUL in " + Quote(*line));
  }
  return true;
}

Status HttpResponseParser::Run() {
  std::string line;
  while (true) {
    switch (state_) {
      case State::kStatusLine:
      case State::kHeaders:
      case State::kTrailers: {
        size_t room =
            kMaxHeaderBytes - std::min(header_bytes_, kMaxHeaderBytes);
        size_t before = buf_.size();
        Result<bool> got = NextLine(&line, room);
        if (!got.ok()) {
          if (got.status().message() == "line too long") {
            return Fail("response headers larger than " +
                        std::to_string(kMaxHeaderBytes) + " bytes");
          }
          return Fail("malformed response header: " + got.status().message());
        }
        if (!*got) return Status::Ok();
        header_bytes_ += before - buf_.size();
        Status s;
        if (state_ == State::kStatusLine) {
          s = StatusLine(line);
        } else if (state_ == State::kTrailers) {
          if (line.empty()) state_ = State::kDone;
        } else if (line.empty()) {
          s = EndOfHeaders();
        } else {
          s = HeaderLine(line);
        }
        if (!s.ok()) return s;
        break;
      }
      case State::kBodyLength:
      case State::kChunkData: {
        if (buf_.empty()) return Status::Ok();
        size_t n =
            static_cast<size_t>(std::min<uint64_t>(remaining_, buf_.size()));
        Status s = AppendBody(std::string_view(buf_).substr(0, n));
        if (!s.ok()) return s;
        buf_.erase(0, n);
        remaining_ -= n;
        if (remaining_ == 0) {
          state_ = state_ == State::kBodyLength ? State::kDone
                                                : State::kChunkDataEnd;
        }
        break;
      }
      case State::kBodyUntilClose: {
        Status s = AppendBody(buf_);
        buf_.clear();
        return s;
      }
      case State::kChunkSize:
      case State::kChunkDataEnd: {
        Result<bool> got = NextLine(&line, kMaxChunkLine);
        if (!got.ok()) {
          return Fail("malformed chunked body: " + got.status().message());
        }
        if (!*got) return Status::Ok();
        if (state_ == State::kChunkDataEnd) {
          if (!line.empty()) {
            return Fail("malformed chunked body: no line end after " +
                        std::string("the chunk data"));
          }
          state_ = State::kChunkSize;
          break;
        }
        Status s = ChunkSizeLine(line);
        if (!s.ok()) return s;
        break;
      }
      case State::kDone:
        buf_.clear();
        return Status::Ok();
      case State::kFailed:
        return Status::Error(error_);
    }
  }
}

Status HttpResponseParser::StatusLine(const std::string& line) {
  // HTTP/1.x SP 3DIGIT [SP reason]
  bool ok = line.size() >= 12 && line.compare(0, 7, "HTTP/1.") == 0 &&
            std::isdigit(static_cast<unsigned char>(line[7])) &&
            line[8] == ' ' && (line.size() == 12 || line[12] == ' ');
  for (size_t i = 9; ok && i < 12; ++i) {
    ok = std::isdigit(static_cast<unsigned char>(line[i]));
  }
  long status = ok ? std::stol(line.substr(9, 3)) : 0;
  if (!ok || status < 100 || status > 599) {
    return Fail("malformed status line " + Quote(line));
  }
  if (status == 101) {
    return Fail("unexpected 101 Switching Protocols");
  }
  resp_.status = status;
  resp_.headers.clear();
  last_header_.clear();
  content_length_.clear();
  has_content_length_ = false;
  transfer_encoding_.clear();
  state_ = State::kHeaders;
  return Status::Ok();
}

Status HttpResponseParser::HeaderLine(const std::string& line) {
  if (line[0] == ' ' || line[0] == '\t') {  // obs-fold
    if (last_header_.empty()) {
      return Fail("malformed response header " + Quote(line) +
                  ": continuation of nothing");
    }
    std::string more = TrimOws(line);
    std::string& v = resp_.headers[last_header_];
    if (!more.empty()) v += v.empty() ? more : " " + more;
    if (last_header_ == "transfer-encoding") transfer_encoding_ += " " + more;
    if (last_header_ == "content-length") content_length_ += " " + more;
    return Status::Ok();
  }
  size_t colon = line.find(':');
  if (colon == std::string::npos || colon == 0 ||
      !std::all_of(line.begin(), line.begin() + static_cast<long>(colon),
                   TokenChar)) {
    return Fail("malformed response header " + Quote(line));
  }
  std::string name = AsciiLower(line.substr(0, colon));
  std::string value = TrimOws(std::string_view(line).substr(colon + 1));
  resp_.headers[name] = value;
  last_header_ = name;
  if (name == "content-length") {
    if (has_content_length_ && TrimOws(content_length_) != value) {
      return Fail("conflicting Content-Length headers");
    }
    has_content_length_ = true;
    content_length_ = value;
  } else if (name == "transfer-encoding") {
    if (!transfer_encoding_.empty()) transfer_encoding_ += ",";
    transfer_encoding_ += value;
  }
  return Status::Ok();
}

Status HttpResponseParser::EndOfHeaders() {
  last_header_.clear();
  if (resp_.status < 200) {  // interim (100 Continue, 103 Early Hints)
    state_ = State::kStatusLine;
    return Status::Ok();
  }
  if (head_ || resp_.status == 204 || resp_.status == 304) {
    state_ = State::kDone;
    return Status::Ok();
  }
  if (!transfer_encoding_.empty()) {
    // Only "chunked" is supported (no Accept-Encoding or TE is sent).
    std::string codings;
    size_t pos = 0;
    bool chunked = false, other = false;
    while (pos <= transfer_encoding_.size()) {
      size_t comma = transfer_encoding_.find(',', pos);
      if (comma == std::string::npos) comma = transfer_encoding_.size();
      std::string c = AsciiLower(TrimOws(
          std::string_view(transfer_encoding_).substr(pos, comma - pos)));
      pos = comma + 1;
      if (c.empty()) continue;
      if (c == "chunked" && !chunked && !other) {
        chunked = true;
      } else {
        other = true;
      }
    }
    if (!chunked || other) {
      return Fail("unsupported Transfer-Encoding " + Quote(transfer_encoding_));
    }
    state_ = State::kChunkSize;
    return Status::Ok();
  }
  if (has_content_length_) {
    std::string v = TrimOws(content_length_);
    bool ok = !v.empty() && v.size() <= 18 &&
              std::all_of(v.begin(), v.end(),
                          [](char c) { return c >= '0' && c <= '9'; });
    if (!ok) return Fail("malformed Content-Length " + Quote(content_length_));
    expected_ = std::stoull(v);
    if (expected_ > max_bytes_) {
      return Fail("response larger than the limit of " +
                  std::to_string(max_bytes_) + " bytes (Content-Length " + v +
                  ")");
    }
    remaining_ = expected_;
    state_ = remaining_ == 0 ? State::kDone : State::kBodyLength;
    return Status::Ok();
  }
  state_ = State::kBodyUntilClose;
  return Status::Ok();
}

Status HttpResponseParser::ChunkSizeLine(const std::string& line) {
  size_t i = 0;
  uint64_t size = 0;
  while (i < line.size() &&
         std::isxdigit(static_cast<unsigned char>(line[i]))) {
    if (i >= 15) return Fail("malformed chunked body: chunk size too large");
    char c =
        static_cast<char>(std::tolower(static_cast<unsigned char>(line[i])));
    size = size * 16 + static_cast<uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
    ++i;
  }
  size_t j = i;
  while (j < line.size() && (line[j] == ' ' || line[j] == '\t')) ++j;
  if (i == 0 || (j < line.size() && line[j] != ';')) {
    return Fail("malformed chunk size " + Quote(line));
  }
  if (size == 0) {
    state_ = State::kTrailers;
    return Status::Ok();
  }
  if (size > max_bytes_ - std::min(max_bytes_, resp_.body.size())) {
    return Fail("response larger than the limit of " +
                std::to_string(max_bytes_) + " bytes");
  }
  remaining_ = size;
  state_ = State::kChunkData;
  return Status::Ok();
}

Status HttpResponseParser::AppendBody(std::string_view data) {
  if (data.size() > max_bytes_ - std::min(max_bytes_, resp_.body.size())) {
    return Fail("response larger than the limit of " +
                std::to_string(max_bytes_) + " bytes");
  }
  resp_.body.append(data);
  return Status::Ok();
}

Status HttpResponseParser::Finish() {
  switch (state_) {
    case State::kDone:
      return Status::Ok();
    case State::kFailed:
      return Status::Error(error_);
    case State::kBodyUntilClose:
      state_ = State::kDone;
      return Status::Ok();
    case State::kStatusLine:
      if (!received_any_) return Fail("connection closed without a response");
      if (resp_.status == 0) {
        return Fail("connection closed inside the status line " + Quote(buf_));
      }
      return Fail("connection closed before the end of the response headers");
    case State::kHeaders:
      return Fail("connection closed before the end of the response headers");
    case State::kBodyLength:
      return Fail("connection closed after " +
                  std::to_string(expected_ - remaining_) + " of " +
                  std::to_string(expected_) + " body bytes");
    case State::kChunkSize:
    case State::kChunkData:
    case State::kChunkDataEnd:
    case State::kTrailers:
      return Fail("connection closed inside the chunked body");
  }
  return Fail("connection closed");
}

}  // namespace flamingo
