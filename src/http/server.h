// HttpServer: the agent's HTTP listener. One io_context per I/O thread, each with its own
// SO_REUSEPORT acceptor per address, and one coroutine per connection (no thread per request),
// so thousands of parked blocking queries cost only their coroutine frame, socket and watch.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/status.h"
#include "http/api.h"

namespace consulate::http {

struct HttpServerOptions {
  std::vector<std::string> addresses{"127.0.0.1"};  // client_addr (may be several)
  int port = 8500;
  int threads = 2;
  size_t max_conns_per_client = 200;  // limits.http_max_conns_per_client
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, AgentApi* api, Logger logger);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds every listener (fails if a port is taken) and starts the I/O threads.
  Status Start();
  // Stops accepting, closes connections and joins the threads.
  void Stop();

  // Runs a request forwarded by a client agent (http/forwarding.h) through the route table on an
  // I/O thread and calls `respond` with the encoded response. Thread-safe.
  void ServeForwarded(std::string request, std::function<void(std::string)> respond);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace consulate::http
