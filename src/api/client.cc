#include "api/client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>

#include "api/go_compat.h"
#include "base/base64.h"

namespace consulate::api {

namespace {

constexpr int kDialTimeoutMs = 30'000;  // Go's DefaultTransport dial timeout

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Go's url.Error prefix: `Get "http://..."`.
std::string GoOp(std::string_view method) {
  std::string op;
  for (size_t i = 0; i < method.size(); ++i) {
    char c = method[i];
    if (i > 0 && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (i == 0 && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    op += c;
  }
  return op;
}

// Owns a socket descriptor.
class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Socket& operator=(Socket&& o) noexcept {
    if (this != &o) {
      Close();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() { Close(); }
  int fd() const { return fd_; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

std::string FormatSockaddr(const sockaddr* sa) {
  char ip[INET6_ADDRSTRLEN] = {0};
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    ::inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
    return std::string(ip) + ":" + std::to_string(ntohs(in->sin_port));
  }
  if (sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
    return "[" + std::string(ip) + "]:" + std::to_string(ntohs(in6->sin6_port));
  }
  return "?";
}

// The first "nameserver" of /etc/resolv.conf, which Go names in lookup errors.
std::string FirstNameserver() {
  std::ifstream in("/etc/resolv.conf");
  std::string line;
  while (std::getline(in, line)) {
    std::string_view l = TrimSpace(line);
    if (l.substr(0, 10) == "nameserver") {
      std::string_view rest = TrimSpace(l.substr(10));
      if (!rest.empty()) {
        std::string server(rest.substr(0, rest.find_first_of(" \t")));
        if (server.find(':') != std::string::npos) return "[" + server + "]:53";
        return server + ":53";
      }
    }
  }
  return "";
}

// Connects with a timeout. Returns the Go-worded error ("connect: connection refused", "i/o
// timeout").
Result<Socket> ConnectAddr(const sockaddr* addr, socklen_t len) {
  Socket sock(::socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (sock.fd() < 0) return Status::IOError("socket: " + GoErrnoText(errno));
  if (::connect(sock.fd(), addr, len) < 0) {
    if (errno != EINPROGRESS) return Status::Unavailable("connect: " + GoErrnoText(errno));
    pollfd pfd{sock.fd(), POLLOUT, 0};
    int r;
    do {
      r = ::poll(&pfd, 1, kDialTimeoutMs);
    } while (r < 0 && errno == EINTR);
    if (r == 0) return Status::Unavailable("i/o timeout");
    int err = 0;
    socklen_t err_len = sizeof(err);
    ::getsockopt(sock.fd(), SOL_SOCKET, SO_ERROR, &err, &err_len);
    if (err != 0) return Status::Unavailable("connect: " + GoErrnoText(err));
  }
  // Back to blocking mode for the simple request/response exchange.
  int flags = ::fcntl(sock.fd(), F_GETFL);
  ::fcntl(sock.fd(), F_SETFL, flags & ~O_NONBLOCK);
  return sock;
}

Result<Socket> DialTcp(const std::string& host, const std::string& port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  // Strip the brackets of an IPv6 literal for the resolver.
  std::string name = host;
  if (name.size() >= 2 && name.front() == '[' && name.back() == ']') {
    name = name.substr(1, name.size() - 2);
  }
  int rc = ::getaddrinfo(name.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) {
    std::string reason;
    if (rc == EAI_NONAME || rc == EAI_NODATA) {
      reason = "no such host";
    } else if (rc == EAI_SERVICE) {
      return Status::Unavailable("dial tcp: address " + port + ": unknown port");
    } else {
      reason = ::gai_strerror(rc);
    }
    std::string ns = FirstNameserver();
    return Status::Unavailable("dial tcp: lookup " + name + (ns.empty() ? "" : " on " + ns) + ": " +
                               reason);
  }
  // Go dials the IPv4 addresses first when a name has both kinds.
  std::vector<addrinfo*> addrs;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) addrs.push_back(ai);
  std::stable_partition(addrs.begin(), addrs.end(),
                        [](const addrinfo* ai) { return ai->ai_family == AF_INET; });
  Status first_error;
  for (const addrinfo* ai : addrs) {
    Result<Socket> sock = ConnectAddr(ai->ai_addr, ai->ai_addrlen);
    if (sock.ok()) {
      ::freeaddrinfo(res);
      return std::move(sock).value();
    }
    if (first_error.ok()) {
      first_error = Status::Unavailable("dial tcp " + FormatSockaddr(ai->ai_addr) + ": " +
                                        sock.status().message());
    }
  }
  ::freeaddrinfo(res);
  if (first_error.ok()) first_error = Status::Unavailable("dial tcp: no addresses for " + name);
  return first_error;
}

Result<Socket> DialUnix(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) {
    return Status::InvalidArgument("dial unix " + path + ": invalid argument");
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  Result<Socket> sock = ConnectAddr(reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
  if (!sock.ok()) return Status::Unavailable("dial unix " + path + ": " + sock.status().message());
  return sock;
}

// "read tcp 127.0.0.1:5000->127.0.0.1:8500: read: connection reset by peer"
std::string SocketOpError(int fd, std::string_view op, int err) {
  sockaddr_storage local{}, peer{};
  socklen_t local_len = sizeof(local), peer_len = sizeof(peer);
  std::string where;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) == 0 &&
      ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) == 0 &&
      (local.ss_family == AF_INET || local.ss_family == AF_INET6)) {
    where = " tcp " + FormatSockaddr(reinterpret_cast<sockaddr*>(&local)) + "->" +
            FormatSockaddr(reinterpret_cast<sockaddr*>(&peer));
  }
  return std::string(op) + where + ": " + std::string(op) + ": " + GoErrnoText(err);
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError(SocketOpError(fd, "write", errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

// Buffered reads from a byte source (the socket, or a string in tests), for parsing the response.
class Reader {
 public:
  // `read` fills up to `size` bytes at `data` and returns the count, 0 at end of stream.
  using ReadFn = std::function<Result<size_t>(char* data, size_t size)>;
  explicit Reader(ReadFn read) : read_(std::move(read)) {}

  // Reads one line ending in "\n" (the "\r" is dropped). Errors "EOF" / "unexpected EOF".
  Result<std::string> ReadLine() {
    while (true) {
      size_t nl = buf_.find('\n', pos_);
      if (nl != std::string::npos) {
        std::string line = buf_.substr(pos_, nl - pos_);
        pos_ = nl + 1;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
      }
      bool had_data = pos_ < buf_.size();
      CONSULATE_ASSIGN_OR_RETURN(bool more, Fill());
      if (!more) return Status::IOError(had_data ? "unexpected EOF" : "EOF");
    }
  }

  // Reads exactly n bytes.
  Status ReadExactly(size_t n, std::string* out) {
    while (buf_.size() - pos_ < n) {
      CONSULATE_ASSIGN_OR_RETURN(bool more, Fill());
      if (!more) return Status::IOError("unexpected EOF");
    }
    out->append(buf_, pos_, n);
    pos_ += n;
    return Status::OK();
  }

  Status ReadToEnd(std::string* out) {
    while (true) {
      out->append(buf_, pos_, std::string::npos);
      buf_.clear();
      pos_ = 0;
      CONSULATE_ASSIGN_OR_RETURN(bool more, Fill());
      if (!more) return Status::OK();
    }
  }

 private:
  // Appends what the socket has; false at end of stream.
  Result<bool> Fill() {
    if (pos_ > 0 && pos_ == buf_.size()) {
      buf_.clear();
      pos_ = 0;
    }
    char chunk[16384];
    CONSULATE_ASSIGN_OR_RETURN(size_t n, read_(chunk, sizeof(chunk)));
    if (n == 0) return false;
    buf_.append(chunk, n);
    return true;
  }

  ReadFn read_;
  std::string buf_;
  size_t pos_ = 0;
};

Result<uint64_t> ParseHexSize(std::string_view text) {
  // A chunk-size line may carry ";extensions".
  text = TrimSpace(text.substr(0, text.find(';')));
  uint64_t size = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), size, 16);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size()) {
    return Status::Corruption("invalid byte in chunk length");
  }
  return size;
}

Status ReadChunkedBody(Reader* reader, std::string* body) {
  while (true) {
    CONSULATE_ASSIGN_OR_RETURN(std::string size_line, reader->ReadLine());
    CONSULATE_ASSIGN_OR_RETURN(uint64_t size, ParseHexSize(size_line));
    if (size == 0) break;
    CONSULATE_RETURN_IF_ERROR(reader->ReadExactly(size, body));
    CONSULATE_ASSIGN_OR_RETURN(std::string crlf, reader->ReadLine());
    if (!crlf.empty()) return Status::Corruption("malformed chunked encoding");
  }
  // Trailer fields, up to the empty line.
  while (true) {
    CONSULATE_ASSIGN_OR_RETURN(std::string trailer, reader->ReadLine());
    if (trailer.empty()) return Status::OK();
  }
}

Result<Response> ReadResponse(Reader::ReadFn read, std::string_view method) {
  Reader reader(std::move(read));
  Response resp;
  // Skip interim 1xx responses.
  while (true) {
    CONSULATE_ASSIGN_OR_RETURN(std::string status_line, reader.ReadLine());
    // "HTTP/1.1 200 OK"
    if (status_line.substr(0, 5) != "HTTP/" || status_line.size() < 12 || status_line[8] != ' ') {
      return Status::Corruption("malformed HTTP response " + GoQuote(status_line));
    }
    std::string_view code = std::string_view(status_line).substr(9, 3);
    int status = 0;
    auto [p, ec] = std::from_chars(code.data(), code.data() + code.size(), status);
    if (ec != std::errc() || p != code.data() + code.size()) {
      return Status::Corruption("malformed HTTP status code " + GoQuote(code));
    }
    resp.status = status;
    resp.reason = status_line.size() > 13 ? status_line.substr(13) : "";
    resp.headers = Headers();
    while (true) {
      CONSULATE_ASSIGN_OR_RETURN(std::string line, reader.ReadLine());
      if (line.empty()) break;
      size_t colon = line.find(':');
      if (colon == std::string::npos || colon == 0) {
        return Status::Corruption("malformed MIME header line: " + line);
      }
      resp.headers.Add(TrimSpace(std::string_view(line).substr(0, colon)),
                       TrimSpace(std::string_view(line).substr(colon + 1)));
    }
    if (status >= 100 && status < 200 && status != 101) continue;
    break;
  }
  if (method == "HEAD" || resp.status == 204 || resp.status == 304) return resp;
  auto te = resp.headers.Get("Transfer-Encoding");
  if (te && EqualsIgnoreCase(TrimSpace(*te), "chunked")) {
    CONSULATE_RETURN_IF_ERROR(ReadChunkedBody(&reader, &resp.body));
    return resp;
  }
  if (auto cl = resp.headers.Get("Content-Length")) {
    uint64_t length = 0;
    std::string_view v = TrimSpace(*cl);
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), length);
    if (ec != std::errc() || p != v.data() + v.size()) {
      return Status::Corruption("bad Content-Length " + GoQuote(v));
    }
    CONSULATE_RETURN_IF_ERROR(reader.ReadExactly(length, &resp.body));
    return resp;
  }
  CONSULATE_RETURN_IF_ERROR(reader.ReadToEnd(&resp.body));
  return resp;
}

}  // namespace

void Headers::Set(std::string_view name, std::string_view value) {
  fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                               [&](const auto& f) { return EqualsIgnoreCase(f.first, name); }),
                fields_.end());
  Add(name, value);
}

void Headers::Add(std::string_view name, std::string_view value) {
  fields_.emplace_back(std::string(name), std::string(value));
}

std::optional<std::string_view> Headers::Get(std::string_view name) const {
  for (const auto& [n, v] : fields_) {
    if (EqualsIgnoreCase(n, name)) return std::string_view(v);
  }
  return std::nullopt;
}

Config Config::FromEnvironment(const std::function<const char*(const char*)>& getenv) {
  Config config;
  auto env = [&](const char* name) -> std::string {
    const char* v = getenv(name);
    return v ? std::string(v) : std::string();
  };
  if (std::string addr = env("CONSUL_HTTP_ADDR"); !addr.empty()) config.address = addr;
  config.token_file = env("CONSUL_HTTP_TOKEN_FILE");
  config.token = env("CONSUL_HTTP_TOKEN");
  config.http_auth = env("CONSUL_HTTP_AUTH");
  if (std::string ssl = env("CONSUL_HTTP_SSL"); !ssl.empty()) {
    // Go's strconv.ParseBool forms; an unparsable value is ignored as the Go client does.
    if (ssl == "1" || ssl == "t" || ssl == "T" || ssl == "true" || ssl == "TRUE" || ssl == "True") {
      config.scheme = "https";
    }
  }
  config.namespace_name = env("CONSUL_NAMESPACE");
  return config;
}

Result<Client> Client::Create(Config config) {
  Client client(std::move(config));
  Config& c = client.config_;
  if (size_t sep = c.address.find("://"); sep != std::string::npos) {
    std::string scheme = c.address.substr(0, sep);
    std::string rest = c.address.substr(sep + 3);
    if (scheme == "http" || scheme == "https") {
      c.scheme = scheme;
    } else if (scheme == "unix") {
      client.unix_ = true;
    } else {
      return Status::InvalidArgument("Unknown protocol scheme: " + scheme);
    }
    c.address = rest;
  }
  if (client.unix_) {
    client.host_ = c.address;
  } else {
    while (!c.address.empty() && c.address.back() == '/') c.address.pop_back();
    std::string_view addr = c.address;
    if (!addr.empty() && addr.front() == '[') {
      size_t close = addr.find(']');
      client.host_ =
          std::string(addr.substr(0, close == std::string_view::npos ? addr.size() : close + 1));
      if (close != std::string_view::npos && close + 1 < addr.size() && addr[close + 1] == ':') {
        client.port_ = std::string(addr.substr(close + 2));
      }
    } else if (size_t colon = addr.find(':'); colon != std::string_view::npos &&
                                              addr.find(':', colon + 1) == std::string_view::npos) {
      client.host_ = std::string(addr.substr(0, colon));
      client.port_ = std::string(addr.substr(colon + 1));
    } else {
      client.host_ = std::string(addr);
    }
    if (client.port_.empty()) client.port_ = c.scheme == "https" ? "443" : "80";
  }
  if (!c.token_file.empty()) {
    Result<std::string> data = ReadFileGoStyle(c.token_file);
    if (!data.ok()) {
      return Status::InvalidArgument("Error loading token file: " + data.status().message());
    }
    if (std::string_view token = TrimSpace(*data); !token.empty()) c.token = std::string(token);
  }
  return client;
}

Params Client::AllParams(const Request& request) const {
  Params params = request.params;
  auto has = [&](std::string_view key) {
    return std::any_of(params.begin(), params.end(), [&](const auto& p) { return p.first == key; });
  };
  if (!config_.datacenter.empty() && !has("dc")) params.emplace_back("dc", config_.datacenter);
  if (!config_.namespace_name.empty() && !has("ns"))
    params.emplace_back("ns", config_.namespace_name);
  if (config_.stale && request.method == "GET" && !has("stale")) params.emplace_back("stale", "");
  return params;
}

std::string Client::UrlFor(const Request& request) const {
  std::string url = config_.scheme + "://" + (unix_ ? EscapeHost(host_) : config_.address);
  url += EscapePath(request.path);
  std::string query = EncodeQuery(AllParams(request));
  if (!query.empty()) url += "?" + query;
  return url;
}

Result<Response> Client::Send(std::string_view method, std::string_view path, Params params,
                              std::string body, Headers headers) const {
  Request request;
  request.method = std::string(method);
  request.path = std::string(path);
  request.params = std::move(params);
  request.body = std::move(body);
  request.headers = std::move(headers);
  return Do(request);
}

Result<Response> Client::Do(const Request& request) const {
  std::string url = UrlFor(request);
  auto fail = [&](const Status& cause) {
    std::string message = GoOp(request.method) + " " + GoQuote(url) + ": " + cause.message();
    return cause.code() == Status::Code::kUnavailable ? Status::Unavailable(message)
                                                      : Status::IOError(message);
  };
  if (!unix_ && config_.scheme == "https") {
    return fail(Status::InvalidArgument("HTTPS is not supported by this version of Consulate"));
  }
  Result<Socket> sock = unix_ ? DialUnix(host_) : DialTcp(host_, port_);
  if (!sock.ok()) return fail(sock.status());

  std::string target = EscapePath(request.path);
  std::string query = EncodeQuery(AllParams(request));
  if (!query.empty()) target += "?" + query;
  std::string head = request.method + " " + target + " HTTP/1.1\r\n";
  head += "Host: " + (unix_ ? std::string("localhost") : config_.address) + "\r\n";
  head += "User-Agent: consulate/" CONSULATE_VERSION "\r\n";
  if (!request.body.empty() || request.method == "PUT" || request.method == "POST") {
    head += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  }
  if (!config_.token.empty() && !request.headers.Has("X-Consul-Token")) {
    head += "X-Consul-Token: " + config_.token + "\r\n";
  }
  if (!config_.http_auth.empty() && !request.headers.Has("Authorization")) {
    head += "Authorization: Basic " + Base64Encode(config_.http_auth) + "\r\n";
  }
  for (const auto& [name, value] : request.headers.fields()) {
    head += name + ": " + value + "\r\n";
  }
  head += "Connection: close\r\n\r\n";
  Status s = WriteAll(sock->fd(), head);
  if (s.ok()) s = WriteAll(sock->fd(), request.body);
  if (!s.ok()) return fail(s);
  int fd = sock->fd();
  Result<Response> resp = ReadResponse(
      [fd](char* data, size_t size) -> Result<size_t> {
        while (true) {
          ssize_t n = ::recv(fd, data, size, 0);
          if (n >= 0) return static_cast<size_t>(n);
          if (errno != EINTR) return Status::IOError(SocketOpError(fd, "read", errno));
        }
      },
      request.method);
  if (!resp.ok()) return fail(resp.status());
  return resp;
}

Result<Response> ParseHttpResponse(std::string_view raw, std::string_view method) {
  size_t pos = 0;
  return ReadResponse(
      [&](char* data, size_t size) -> Result<size_t> {
        size_t n = std::min(size, raw.size() - pos);
        std::memcpy(data, raw.data() + pos, n);
        pos += n;
        return n;
      },
      method);
}

Status UnexpectedResponseError(const Response& response) {
  return Status::IOError("Unexpected response code: " + std::to_string(response.status) + " (" +
                         response.body + ")");
}

}  // namespace consulate::api
