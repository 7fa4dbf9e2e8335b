// An HTTP/1.1 request and response as the API handlers see them: plain values, no Asio.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace consulate::http {

struct Request {
  std::string method;
  std::string path;  // percent-decoded path, without the query
  // Query parameters in order, decoded. A parameter without '=' has an empty value (presence
  // matters: "?recurse" and "?recurse=" both turn recursion on, like Consul).
  std::vector<std::pair<std::string, std::string>> query;
  // Header names lower-cased.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int version_minor = 1;
  bool keep_alive = true;
  bool expect_continue = false;
  std::string remote_ip;

  bool Has(std::string_view name) const;
  // The first value of query parameter `name` ("" when absent).
  std::string_view Query(std::string_view name) const;
  // All values of a repeatable parameter.
  std::vector<std::string_view> QueryAll(std::string_view name) const;
  // REQUIRES: `name` lower-case.
  std::string_view Header(std::string_view name) const;
  void Clear();
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string_view content_type = "application/json";  // a literal; empty: none

  void SetHeader(std::string name, std::string value);
  // A plain-text error body, as Consul writes its errors.
  void Error(int code, std::string message) {
    status = code;
    content_type = "text/plain; charset=utf-8";
    body = std::move(message);
  }
};

std::string_view StatusText(int status);

// Percent-decodes `in` (and '+' as space when `plus_is_space`). Returns false on a bad escape.
bool PercentDecode(std::string_view in, std::string* out, bool plus_is_space);

}  // namespace consulate::http
