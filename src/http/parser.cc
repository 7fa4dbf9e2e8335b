#include "http/parser.h"

#include <algorithm>
#include <charconv>

namespace consulate::http {

namespace {
bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool IsTokenChar(char c) {
  return c > 32 && c < 127 && c != '(' && c != ')' && c != '<' && c != '>' && c != '@' &&
         c != ',' && c != ';' && c != ':' && c != '\\' && c != '"' && c != '/' && c != '[' &&
         c != ']' && c != '?' && c != '=' && c != '{' && c != '}';
}

void ParseQuery(std::string_view q, Request* req) {
  while (!q.empty()) {
    auto amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (part.empty()) continue;
    auto eq = part.find('=');
    std::string k, v;
    // Like Go's url.ParseQuery, a pair with a bad escape is dropped.
    if (!PercentDecode(part.substr(0, eq), &k, true)) continue;
    if (eq != std::string_view::npos && !PercentDecode(part.substr(eq + 1), &v, true)) continue;
    req->query.emplace_back(std::move(k), std::move(v));
  }
}
}  // namespace

void RequestParser::Reset() {
  head_done_ = false;
  reported_head_ = false;
  head_len_ = 0;
  content_length_ = -1;
  chunked_ = false;
  error_status_ = 400;
  error_message_.clear();
}

RequestParser::State RequestParser::Fail(int status, std::string msg) {
  error_status_ = status;
  error_message_ = std::move(msg);
  return State::kError;
}

RequestParser::State RequestParser::ParseHead(std::string_view head, Request* req) {
  // Request line.
  auto eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  head.remove_prefix(eol + 2);
  auto sp1 = line.find(' ');
  auto sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1) return Fail(400, "malformed HTTP request");
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (method.empty() || !std::all_of(method.begin(), method.end(), IsTokenChar))
    return Fail(400, "invalid method");
  if (version == "HTTP/1.1")
    req->version_minor = 1;
  else if (version == "HTTP/1.0")
    req->version_minor = 0;
  else
    return Fail(505, "unsupported HTTP version");
  if (target.empty()) return Fail(400, "empty request target");
  req->method = std::string(method);
  // Absolute-form targets ("http://host/path") are reduced to their path.
  std::string_view t = target;
  if (t.substr(0, 7) == "http://" || t.substr(0, 8) == "https://") {
    auto slash = t.find('/', t.find("//") + 2);
    t = slash == std::string_view::npos ? std::string_view("/") : t.substr(slash);
  }
  auto qm = t.find('?');
  std::string_view raw_path = t.substr(0, qm);
  if (qm != std::string_view::npos) {
    ParseQuery(t.substr(qm + 1), req);
  }
  if (!PercentDecode(raw_path, &req->path, false)) return Fail(400, "invalid URL escape");
  req->keep_alive = req->version_minor == 1;

  // Header fields.
  bool has_length = false;
  while (!head.empty()) {
    eol = head.find("\r\n");
    line = head.substr(0, eol);
    head.remove_prefix(eol == std::string_view::npos ? head.size() : eol + 2);
    if (line.empty()) continue;
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0)
      return Fail(400, "malformed MIME header line");
    std::string_view name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), IsTokenChar))
      return Fail(400, "invalid header name");
    std::string_view value = Trim(line.substr(colon + 1));
    std::string lname(name);
    for (auto& c : lname) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lname == "content-length") {
      long long n = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || p != value.data() + value.size() || n < 0)
        return Fail(400, "bad Content-Length");
      if (has_length && n != content_length_) return Fail(400, "conflicting Content-Length");
      has_length = true;
      content_length_ = n;
    } else if (lname == "transfer-encoding") {
      if (IEquals(value, "chunked"))
        chunked_ = true;
      else if (!IEquals(value, "identity"))
        return Fail(501, "unsupported transfer encoding");
    } else if (lname == "connection") {
      if (IEquals(value, "close"))
        req->keep_alive = false;
      else if (IEquals(value, "keep-alive"))
        req->keep_alive = true;
    } else if (lname == "expect") {
      if (IEquals(value, "100-continue"))
        req->expect_continue = true;
      else
        return Fail(417, "unsupported Expect");
    }
    req->headers.emplace_back(std::move(lname), std::string(value));
  }
  if (chunked_) content_length_ = -1;
  if (content_length_ > static_cast<long long>(limits_.max_body_bytes)) {
    // Let the handler decide (it knows Consul's message); the parser only refuses absurd sizes.
  }
  return State::kNeedMore;
}

RequestParser::State RequestParser::ParseChunked(std::string_view data, Request* req,
                                                 size_t* consumed) {
  size_t pos = head_len_;
  req->body.clear();
  while (true) {
    auto eol = data.find("\r\n", pos);
    if (eol == std::string_view::npos) return State::kNeedMore;
    std::string_view size_line = data.substr(pos, eol - pos);
    if (auto semi = size_line.find(';'); semi != std::string_view::npos)
      size_line = size_line.substr(0, semi);
    size_line = Trim(size_line);
    size_t n = 0;
    auto [p, ec] = std::from_chars(size_line.data(), size_line.data() + size_line.size(), n, 16);
    if (size_line.empty() || ec != std::errc() || p != size_line.data() + size_line.size())
      return Fail(400, "bad chunk size");
    if (req->body.size() + n > limits_.max_body_bytes) return Fail(413, "request body too large");
    pos = eol + 2;
    if (n == 0) {
      // Trailers, then an empty line.
      while (true) {
        eol = data.find("\r\n", pos);
        if (eol == std::string_view::npos) return State::kNeedMore;
        bool empty = eol == pos;
        pos = eol + 2;
        if (empty) break;
      }
      *consumed = pos;
      return State::kDone;
    }
    if (data.size() < pos + n + 2) return State::kNeedMore;
    req->body.append(data.substr(pos, n));
    if (data.substr(pos + n, 2) != "\r\n") return Fail(400, "bad chunk terminator");
    pos += n + 2;
  }
}

RequestParser::State RequestParser::Parse(std::string_view data, Request* req, size_t* consumed) {
  if (!head_done_) {
    // Tolerate empty lines before a request (RFC 7230 §3.5).
    size_t skip = 0;
    while (data.substr(skip, 2) == "\r\n") skip += 2;
    auto end = data.find("\r\n\r\n", skip);
    if (end == std::string_view::npos) {
      if (data.size() > limits_.max_header_bytes) return Fail(431, "request header too large");
      return State::kNeedMore;
    }
    if (end + 4 > limits_.max_header_bytes) return Fail(431, "request header too large");
    req->Clear();
    State s = ParseHead(data.substr(skip, end + 2 - skip), req);
    if (s == State::kError) return s;
    head_done_ = true;
    head_len_ = end + 4;
  }
  if (chunked_) {
    State s = ParseChunked(data, req, consumed);
    if (s == State::kNeedMore && !reported_head_) {
      reported_head_ = true;
      return State::kHeadersDone;
    }
    if (s != State::kNeedMore) Reset();
    return s;
  }
  size_t len = content_length_ > 0 ? static_cast<size_t>(content_length_) : 0;
  if (len > limits_.max_body_bytes) {
    // The caller may still answer (e.g. 413) from the head alone.
    if (!reported_head_) {
      reported_head_ = true;
      return State::kHeadersDone;
    }
    return Fail(413, "request body too large");
  }
  if (data.size() < head_len_ + len) {
    if (!reported_head_) {
      reported_head_ = true;
      return State::kHeadersDone;
    }
    return State::kNeedMore;
  }
  req->body.assign(data.substr(head_len_, len));
  *consumed = head_len_ + len;
  Reset();
  return State::kDone;
}

}  // namespace consulate::http
