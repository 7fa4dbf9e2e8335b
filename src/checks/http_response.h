// HttpResponseParser: an incremental HTTP/1.x response reader for HTTP checks. Pure (no I/O):
// feed it bytes as they arrive and tell it when the peer closed. It reads what Go's net/http
// client accepts (status line, headers, 1xx interim responses skipped, Content-Length, chunked,
// or read-until-close bodies) and keeps only the last `body_capacity` bytes of the body, as
// Consul's circular output buffer does. Error texts are Go's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "checks/output.h"

namespace consulate::checks {

class HttpResponseParser {
 public:
  enum class State { kNeedMore, kDone, kError };

  // `head_request`: the request was HEAD, so the response has no body whatever its headers say.
  HttpResponseParser(size_t body_capacity, bool head_request);

  // Consumes `data`. kError only for a broken status line or header block (error()); a broken
  // body ends the response early with body_error() set, as Go's client returns the response and
  // fails only the body read.
  State Feed(std::string_view data);
  // The peer closed the connection. kDone when the response is complete or its body runs to the
  // close (body_error() "unexpected EOF" when a declared length was cut short); kError ("EOF" or
  // "unexpected EOF") when the status line and headers had not all arrived.
  State FinishAtEof();

  State state() const { return state_; }
  bool headers_complete() const {
    return phase_ != Phase::kStatusLine && phase_ != Phase::kHeaders;
  }
  int status_code() const { return status_code_; }
  // The status as Go's Response.Status: the status line after the protocol, e.g. "200 OK".
  const std::string& status() const { return status_; }
  // The first value of a response header (case-insensitive name), or "".
  std::string Header(std::string_view name) const;
  const TailBuffer& body() const { return body_; }
  const std::string& error() const { return error_; }
  const std::string& body_error() const { return body_error_; }

 private:
  enum class Phase {
    kStatusLine,
    kHeaders,
    kBodyLength,
    kBodyUntilClose,
    kChunkSize,
    kChunkData,
    kChunkDataEnd,
    kTrailers,
    kDone
  };

  State Fail(std::string message);
  State FailBody(std::string message);
  State Process();
  // Parses one header-block line; the block ends at an empty line.
  bool HeaderLine(std::string_view line);
  void StartBody();

  const bool head_request_;
  State state_ = State::kNeedMore;
  Phase phase_ = Phase::kStatusLine;
  std::string pending_;  // unconsumed bytes
  size_t header_bytes_ = 0;
  bool saw_bytes_ = false;
  int status_code_ = 0;
  std::string status_;
  std::vector<std::pair<std::string, std::string>> headers_;  // lower-case names
  uint64_t remaining_ = 0;                                    // body or chunk bytes still expected
  TailBuffer body_;
  std::string error_;
  std::string body_error_;
};

}  // namespace consulate::checks
