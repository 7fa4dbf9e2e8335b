// An incremental HTTP/1.1 request parser (no Asio, so it can be fuzzed and unit-tested). It is fed
// the bytes received so far and reports whether a whole request is there.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "http/request.h"

namespace consulate::http {

struct ParserLimits {
  size_t max_header_bytes = 1 << 20;  // Go's http.DefaultMaxHeaderBytes
  size_t max_body_bytes = 64 << 20;
};

class RequestParser {
 public:
  enum class State { kNeedMore, kHeadersDone, kDone, kError };

  explicit RequestParser(ParserLimits limits = {}) : limits_(limits) {}

  // Parses from `data` (everything received and not yet consumed). On kDone, `*consumed` bytes
  // belong to the finished request in `*req`. kHeadersDone is reported once, when the head is
  // complete but the body is not (so "Expect: 100-continue" can be answered); call again with more
  // data. On kError, error_status()/error_message() say what to answer.
  State Parse(std::string_view data, Request* req, size_t* consumed);
  void Reset();

  int error_status() const { return error_status_; }
  const std::string& error_message() const { return error_message_; }
  // The declared Content-Length once headers are parsed (-1: none/chunked).
  long long content_length() const { return content_length_; }

 private:
  State Fail(int status, std::string msg);
  State ParseHead(std::string_view head, Request* req);
  State ParseChunked(std::string_view data, Request* req, size_t* consumed);

  ParserLimits limits_;
  bool head_done_ = false;
  bool reported_head_ = false;
  size_t head_len_ = 0;
  long long content_length_ = -1;
  bool chunked_ = false;
  int error_status_ = 400;
  std::string error_message_;
};

}  // namespace consulate::http
