// Incremental parser of one HTTP/1.x response read from a connection that
// the client closes afterwards (the built-in http:// transport sends
// "Connection: close"). Pure: bytes in, HttpResponse out; fuzzed by
// sources/http_response_fuzz.cc.
//
// Accepted: a status line "HTTP/1.<digit> <100-599>[ reason]", header lines
// "name: value" (lines end in CRLF or a bare LF; obs-fold continuation lines
// are joined with a space), interim 1xx responses (skipped; 101 is an
// error), and a body framed by Transfer-Encoding: chunked (extensions and
// trailers ignored), Content-Length, or the end of the connection. HEAD
// responses and 204/304 have no body. Anything else is an error.
//
// Limits: response headers (all lines, interim responses included) at most
// kMaxHeaderBytes; the body at most `max_bytes`, checked before the bytes are
// stored (a declared Content-Length or chunk size over the limit fails at
// once).
//
// Error messages give the reason only ("malformed status line \"...\"",
// "connection closed after 10 of 20 body bytes", "response larger than the
// limit of N bytes"); the transport puts the method and URL in front.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/status.h"
#include "sources/http_client.h"

namespace flamingo {

class HttpResponseParser {
 public:
  static constexpr size_t kMaxHeaderBytes = 64 * 1024;

  HttpResponseParser(bool head_request, size_t max_bytes);

  // Consumes bytes received. After an error the parser stays failed. Bytes
  // after the end of the response are ignored.
  Status Feed(std::string_view data);
  // The peer closed the connection: completes a close-delimited body, and is
  // an error anywhere else before the end of the response.
  Status Finish();
  // The whole response has been read.
  bool done() const { return state_ == State::kDone; }
  // The response so far (complete when done()).
  HttpResponse& response() { return resp_; }

 private:
  enum class State {
    kStatusLine,
    kHeaders,
    kBodyLength,
    kBodyUntilClose,
    kChunkSize,
    kChunkData,
    kChunkDataEnd,
    kTrailers,
    kDone,
    kFailed,
  };
  Status Run();
  Status Fail(std::string reason);
  // Takes one line from the buffer into *line (without CRLF/LF); false when
  // no complete line is buffered yet. `limit` caps the unterminated line.
  Result<bool> NextLine(std::string* line, size_t limit);
  Status StatusLine(const std::string& line);
  Status HeaderLine(const std::string& line);
  Status EndOfHeaders();
  Status ChunkSizeLine(const std::string& line);
  Status AppendBody(std::string_view data);

  bool head_;
  size_t max_bytes_;
  State state_ = State::kStatusLine;
  std::string buf_;  // unconsumed input
  size_t header_bytes_ = 0;
  bool received_any_ = false;
  std::string last_header_;  // for obs-fold
  std::string content_length_;
  bool has_content_length_ = false;
  std::string transfer_encoding_;
  uint64_t remaining_ = 0;  // body bytes left (Content-Length or chunk)
  uint64_t expected_ = 0;   // Content-Length
  std::string error_;
  HttpResponse resp_;
};

}  // namespace flamingo
