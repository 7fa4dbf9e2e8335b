#include "checks/http_response.h"

#include <fmt/format.h>

#include <algorithm>

namespace consulate::checks {

namespace {

// Go's Transport default for MaxResponseHeaderBytes.
constexpr size_t kMaxHeaderBytes = 10 << 20;
constexpr size_t kMaxChunkLine = 4096;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Go's %q for the ASCII text a status line holds.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

bool ValidHttpVersion(std::string_view proto) {
  if (proto == "HTTP/1.0" || proto == "HTTP/1.1") return true;
  if (proto.substr(0, 5) != "HTTP/") return false;
  std::string_view rest = proto.substr(5);
  size_t dot = rest.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == rest.size()) return false;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (i == dot) continue;
    if (rest[i] < '0' || rest[i] > '9') return false;
  }
  return true;
}

}  // namespace

HttpResponseParser::HttpResponseParser(size_t body_capacity, bool head_request)
    : head_request_(head_request), body_(body_capacity == 0 ? 1 : body_capacity) {}

HttpResponseParser::State HttpResponseParser::Fail(std::string message) {
  error_ = std::move(message);
  state_ = State::kError;
  return state_;
}

HttpResponseParser::State HttpResponseParser::FailBody(std::string message) {
  body_error_ = std::move(message);
  phase_ = Phase::kDone;
  state_ = State::kDone;
  pending_.clear();
  return state_;
}

std::string HttpResponseParser::Header(std::string_view name) const {
  const std::string key = Lower(name);
  for (const auto& [k, v] : headers_) {
    if (k == key) return v;
  }
  return "";
}

HttpResponseParser::State HttpResponseParser::Feed(std::string_view data) {
  if (state_ != State::kNeedMore) return state_;
  if (!data.empty()) saw_bytes_ = true;
  pending_.append(data);
  return Process();
}

HttpResponseParser::State HttpResponseParser::FinishAtEof() {
  if (state_ != State::kNeedMore) return state_;
  switch (phase_) {
    case Phase::kStatusLine:
      return Fail(saw_bytes_ ? "unexpected EOF" : "EOF");
    case Phase::kHeaders:
      return Fail("unexpected EOF");
    case Phase::kBodyUntilClose:
    case Phase::kDone:
      phase_ = Phase::kDone;
      state_ = State::kDone;
      return state_;
    default:
      return FailBody("unexpected EOF");
  }
}

void HttpResponseParser::StartBody() {
  if (head_request_ || status_code_ == 204 || status_code_ == 304 ||
      (status_code_ >= 100 && status_code_ < 200)) {
    phase_ = Phase::kDone;
    return;
  }
  if (Lower(Header("transfer-encoding")).find("chunked") != std::string::npos) {
    phase_ = Phase::kChunkSize;
    return;
  }
  std::string length = std::string(Trim(Header("content-length")));
  if (!length.empty()) {
    uint64_t n = 0;
    for (char c : length) {
      if (c < '0' || c > '9' || n > (UINT64_MAX - 9) / 10) {
        Fail("bad Content-Length " + Quote(length));
        return;
      }
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    remaining_ = n;
    phase_ = n == 0 ? Phase::kDone : Phase::kBodyLength;
    return;
  }
  phase_ = Phase::kBodyUntilClose;
}

bool HttpResponseParser::HeaderLine(std::string_view line) {
  if (phase_ == Phase::kStatusLine) {
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) {
      Fail("malformed HTTP response " + Quote(line));
      return false;
    }
    std::string_view proto = line.substr(0, sp);
    std::string_view status = line.substr(sp + 1);
    while (!status.empty() && status.front() == ' ') status.remove_prefix(1);
    std::string_view code = status.substr(0, status.find(' '));
    if (code.size() != 3 ||
        !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      Fail("malformed HTTP status code " + Quote(code));
      return false;
    }
    if (!ValidHttpVersion(proto)) {
      Fail("malformed HTTP version " + Quote(proto));
      return false;
    }
    status_ = std::string(status);
    status_code_ = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
    headers_.clear();
    phase_ = Phase::kHeaders;
    return true;
  }
  // kHeaders
  if (line.empty()) {
    if (status_code_ >= 100 && status_code_ < 200 && status_code_ != 101) {
      phase_ = Phase::kStatusLine;  // an interim response: the real one follows
      return true;
    }
    StartBody();
    return state_ != State::kError;
  }
  if (line.front() == ' ' || line.front() == '\t') {
    if (!headers_.empty()) {  // an obsolete folded continuation
      headers_.back().second += " ";
      headers_.back().second += Trim(line);
      return true;
    }
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    Fail("malformed MIME header line: " + std::string(line));
    return false;
  }
  headers_.emplace_back(Lower(Trim(line.substr(0, colon))),
                        std::string(Trim(line.substr(colon + 1))));
  return true;
}

HttpResponseParser::State HttpResponseParser::Process() {
  for (;;) {
    switch (phase_) {
      case Phase::kStatusLine:
      case Phase::kHeaders:
      case Phase::kChunkSize:
      case Phase::kChunkDataEnd:
      case Phase::kTrailers: {
        const bool in_headers = phase_ == Phase::kStatusLine || phase_ == Phase::kHeaders;
        size_t nl = pending_.find('\n');
        if (nl == std::string::npos) {
          if (in_headers && header_bytes_ + pending_.size() > kMaxHeaderBytes) {
            return Fail(fmt::format("net/http: server response headers exceeded {} bytes; aborted",
                                    kMaxHeaderBytes));
          }
          if (!in_headers && pending_.size() > kMaxChunkLine)
            return FailBody("invalid byte in chunk length");
          return State::kNeedMore;
        }
        std::string line = pending_.substr(0, nl);
        pending_.erase(0, nl + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (in_headers) {
          header_bytes_ += nl + 1;
          if (header_bytes_ > kMaxHeaderBytes) {
            return Fail(fmt::format("net/http: server response headers exceeded {} bytes; aborted",
                                    kMaxHeaderBytes));
          }
          if (!HeaderLine(line)) return state_;
          break;
        }
        if (phase_ == Phase::kChunkSize) {
          std::string_view size_text = Trim(std::string_view(line).substr(0, line.find(';')));
          if (size_text.empty() || size_text.size() > 16)
            return FailBody("invalid byte in chunk length");
          uint64_t n = 0;
          for (char c : size_text) {
            int digit = 0;
            if (c >= '0' && c <= '9')
              digit = c - '0';
            else if (c >= 'a' && c <= 'f')
              digit = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F')
              digit = c - 'A' + 10;
            else
              return FailBody("invalid byte in chunk length");
            n = n * 16 + static_cast<uint64_t>(digit);
          }
          remaining_ = n;
          phase_ = n == 0 ? Phase::kTrailers : Phase::kChunkData;
        } else if (phase_ == Phase::kChunkDataEnd) {
          if (!line.empty()) return FailBody("malformed chunked encoding");
          phase_ = Phase::kChunkSize;
        } else if (line.empty()) {  // kTrailers
          phase_ = Phase::kDone;
        }
        break;
      }
      case Phase::kBodyLength:
      case Phase::kChunkData: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, pending_.size()));
        body_.Write(std::string_view(pending_).substr(0, n));
        pending_.erase(0, n);
        remaining_ -= n;
        if (remaining_ > 0) return State::kNeedMore;
        phase_ = phase_ == Phase::kBodyLength ? Phase::kDone : Phase::kChunkDataEnd;
        break;
      }
      case Phase::kBodyUntilClose:
        body_.Write(pending_);
        pending_.clear();
        return State::kNeedMore;
      case Phase::kDone:
        pending_.clear();
        state_ = State::kDone;
        return state_;
    }
  }
}

}  // namespace consulate::checks
