// A small blocking HTTP/1.1 client for the Consul HTTP API, configured like Consul's Go `api`
// package.
//
// One request per connection ("Connection: close"), no TLS, no keep-alive: the CLI makes one or two
// calls and exits, so starting fast matters more than throughput. Errors read exactly as the Go
// client's url.Error, because Consul's CLI prints them after its own prefix:
//   Get "http://127.0.0.1:8500/v1/kv/x": dial tcp 127.0.0.1:8500: connect: connection refused
// A non-2xx answer is not an error here: the caller looks at Response::status (a 404 from /v1/kv is
// "no such key") and can turn it into Go's wording with UnexpectedResponseError().
#pragma once

#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/url.h"
#include "base/result.h"
#include "base/status.h"

namespace consulate::api {

// HTTP header fields in arrival order, looked up case-insensitively.
class Headers {
 public:
  // Replaces every field named `name` (any case) with one field.
  void Set(std::string_view name, std::string_view value);
  void Add(std::string_view name, std::string_view value);
  // The first value of `name`, if present.
  std::optional<std::string_view> Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

struct Response {
  int status = 0;      // e.g. 200
  std::string reason;  // e.g. "OK"
  Headers headers;
  std::string body;  // de-chunked
};

// Where and how to reach the agent. Fill from the environment with FromEnvironment(), then apply
// the command-line flags that were given (flags win), then build a Client.
struct Config {
  // "host:port", "host" (port 80/443), "[v6]:port", "http://host:port", "https://...",
  // or "unix:///path/to/socket".
  std::string address = "127.0.0.1:8500";
  std::string scheme = "http";  // "http" or "https"; an address with a scheme overrides it
  std::string datacenter;       // sent as ?dc= on every request
  std::string namespace_name;   // sent as ?ns= on every request (Consul Enterprise)
  std::string token;            // sent as X-Consul-Token
  std::string token_file;  // if set, its trimmed content replaces `token` (as the Go client does)
  std::string http_auth;   // "user[:password]" for HTTP basic auth
  bool stale = false;      // add ?stale to reads (GET), letting any server answer

  // Reads CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN, CONSUL_HTTP_TOKEN_FILE, CONSUL_HTTP_AUTH,
  // CONSUL_HTTP_SSL and CONSUL_NAMESPACE. `getenv` is injectable for tests.
  static Config FromEnvironment(const std::function<const char*(const char*)>& getenv =
                                    [](const char* n) { return std::getenv(n); });
};

struct Request {
  std::string method = "GET";
  std::string path;  // unescaped, e.g. "/v1/kv/a b"; escaped when sent
  Params params;     // besides the ones the client adds (dc, ns, stale)
  std::string body;  // sent with Content-Length when non-empty or for PUT/POST
  Headers headers;   // besides Host, Content-Length, X-Consul-Token, ...
};

class Client {
 public:
  // Validates the address and loads the token file. Errors read like the Go client's:
  // "Unknown protocol scheme: ftp", "Error loading token file: open /x: no such file or directory".
  static Result<Client> Create(Config config);

  // Sends one request and reads the whole response.
  Result<Response> Do(const Request& request) const;
  Result<Response> Send(std::string_view method, std::string_view path, Params params = {},
                        std::string body = {}, Headers headers = {}) const;

  // The URL a request goes to, as Go prints it in errors (client-added parameters included).
  std::string UrlFor(const Request& request) const;

  const Config& config() const { return config_; }

 private:
  explicit Client(Config config) : config_(std::move(config)) {}
  Params AllParams(const Request& request) const;

  Config config_;     // address_ is parsed out of config_.address
  std::string host_;  // host name or IP, or the socket path for unix
  std::string port_;
  bool unix_ = false;
};

// Parses a complete HTTP/1.1 response (status line, header fields, body by Content-Length, chunked
// transfer coding, or up to the end of `raw`) to a request of `method`. Exposed for tests.
Result<Response> ParseHttpResponse(std::string_view raw, std::string_view method = "GET");

// "Unexpected response code: 400 (Missing key name)", as the Go client words a non-200 answer.
Status UnexpectedResponseError(const Response& response);

}  // namespace consulate::api
