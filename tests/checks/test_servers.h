// Real local servers for the runner tests: an HTTP(S) server whose responses a test scripts, and
// a bare TCP listener. Both bind 127.0.0.1 (port 0 picks one; a fixed port restarts a stopped
// server in place) and serve one connection at a time on their own thread.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace consulate::checks::testing {

// A full HTTP response: "HTTP/1.1 <code> <reason>", Content-Length and Connection: close.
std::string HttpResponse(int code, const std::string& reason, const std::string& body,
                         const std::string& extra_headers = "");

class TestHttpServer {
 public:
  // Returns the raw response for one raw request (headers and body as received).
  using Handler = std::function<std::string(const std::string& request)>;

  // Binds 127.0.0.1:port (0: any free port). `tls`, when set, serves HTTPS with it (not owned).
  explicit TestHttpServer(Handler handler, int port = 0, SSL_CTX* tls = nullptr);
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  bool ok() const { return listen_fd_ >= 0; }
  int port() const { return port_; }
  // Stops accepting and closes the listener (later connections are refused).
  void Stop();
  std::vector<std::string> Requests();

 private:
  void Serve();
  void HandleConnection(int fd);

  Handler handler_;
  SSL_CTX* tls_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> requests_;  // GUARDED_BY(mu_)
};

// A listener that never accepts: the kernel completes TCP handshakes for it.
class TestTcpListener {
 public:
  explicit TestTcpListener(int port = 0);
  ~TestTcpListener();
  bool ok() const { return fd_ >= 0; }
  int port() const { return port_; }
  void Stop();

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A self-signed certificate for "localhost"/127.0.0.1 in a server context. Caller owns it.
// `cert_pem`, when set, receives the certificate (to trust it as a CA).
SSL_CTX* MakeSelfSignedServerContext(std::string* cert_pem = nullptr);

}  // namespace consulate::checks::testing
