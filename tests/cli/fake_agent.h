// A stand-in for a Consul agent's HTTP API in CLI tests: listens on an ephemeral 127.0.0.1 port,
// answers each request from a table of canned responses keyed by "METHOD /path" (query excluded,
// path percent-decoded), and records every request line and body. One request per connection, as
// the CLI's client sends.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace consulate::cli::testing {

struct RecordedRequest {
  std::string method;
  std::string target;  // path and query, as sent
  std::string body;
};

class FakeAgent {
 public:
  struct Reply {
    int status = 200;
    std::string body;
  };

  FakeAgent() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(listen_fd_, 16);
    thread_ = std::thread([this] { Serve(); });
  }

  ~FakeAgent() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    thread_.join();
  }

  FakeAgent(const FakeAgent&) = delete;
  FakeAgent& operator=(const FakeAgent&) = delete;

  // "127.0.0.1:<port>", for -http-addr.
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  // Answers `method path` (e.g. "GET /v1/catalog/nodes") with `status` and `body`. Unlisted
  // requests get 404 with an empty body.
  void On(const std::string& method_and_path, int status, std::string body) {
    std::lock_guard<std::mutex> lock(mu_);
    replies_[method_and_path] = Reply{status, std::move(body)};
  }

  std::vector<RecordedRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

  // "METHOD target" of each request, in order.
  std::vector<std::string> request_lines() const {
    std::vector<std::string> lines;
    for (const RecordedRequest& r : requests()) lines.push_back(r.method + " " + r.target);
    return lines;
  }

 private:
  void Serve() {
    while (!stopping_) {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      Handle(fd);
      ::close(fd);
    }
  }

  void Handle(int fd) {
    std::string data;
    char buf[4096];
    size_t header_end = std::string::npos;
    while (header_end == std::string::npos) {
      ssize_t n = ::read(fd, buf, sizeof(buf));
      if (n <= 0) return;
      data.append(buf, static_cast<size_t>(n));
      header_end = data.find("\r\n\r\n");
    }
    size_t content_length = 0;
    std::string headers = data.substr(0, header_end);
    for (size_t pos = 0; pos < headers.size();) {
      size_t eol = headers.find("\r\n", pos);
      if (eol == std::string::npos) eol = headers.size();
      std::string line = headers.substr(pos, eol - pos);
      std::string lower = line;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower.rfind("content-length:", 0) == 0) content_length = std::stoul(line.substr(15));
      pos = eol + 2;
    }
    while (data.size() < header_end + 4 + content_length) {
      ssize_t n = ::read(fd, buf, sizeof(buf));
      if (n <= 0) break;
      data.append(buf, static_cast<size_t>(n));
    }
    std::string request_line = headers.substr(0, headers.find("\r\n"));
    size_t sp1 = request_line.find(' ');
    size_t sp2 = request_line.find(' ', sp1 + 1);
    RecordedRequest request{request_line.substr(0, sp1),
                            request_line.substr(sp1 + 1, sp2 - sp1 - 1),
                            data.substr(header_end + 4, content_length)};
    std::string path = PercentDecode(request.target.substr(0, request.target.find('?')));
    Reply reply{404, ""};
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(request);
      auto it = replies_.find(request.method + " " + path);
      if (it != replies_.end()) reply = it->second;
    }
    std::string response = "HTTP/1.1 " + std::to_string(reply.status) + " Status\r\n" +
                           "Content-Length: " + std::to_string(reply.body.size()) +
                           "\r\nConnection: close\r\n\r\n" + reply.body;
    for (size_t sent = 0; sent < response.size();) {
      ssize_t n = ::write(fd, response.data() + sent, response.size() - sent);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
  }

  static std::string PercentDecode(const std::string& text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '%' && i + 2 < text.size()) {
        out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        out += text[i];
      }
    }
    return out;
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::map<std::string, Reply> replies_;
  std::vector<RecordedRequest> requests_;
};

}  // namespace consulate::cli::testing
