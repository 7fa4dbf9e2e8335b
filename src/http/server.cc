#include "http/server.h"

#include <unistd.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <ctime>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "base/duration.h"
#include "base/thread_name.h"
#include "http/endpoints.h"
#include "http/forwarding.h"
#include "http/parser.h"

namespace consulate::http {

using boost::asio::ip::tcp;

namespace {
constexpr size_t kReadChunk = 16 * 1024;

// One I/O thread: its io_context, acceptors and scratch space. Only its own thread touches it.
struct Worker {
  asio::io_context io{1};
  std::vector<tcp::acceptor> acceptors;
  std::thread thread;
  char scratch[kReadChunk];
  std::time_t date_second = 0;
  char date[40] = {};

  std::string_view Date() {
    std::time_t now = std::time(nullptr);
    if (now != date_second) {
      date_second = now;
      std::tm tm{};
      gmtime_r(&now, &tm);
      std::strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    }
    return date;
  }
};

void AppendHead(std::string* out, const Response& r, size_t body_len, bool close,
                std::string_view date) {
  out->append("HTTP/1.1 ");
  char buf[24];
  auto p = std::to_chars(buf, buf + sizeof(buf), r.status);
  out->append(buf, p.ptr);
  out->push_back(' ');
  out->append(StatusText(r.status));
  out->append("\r\n");
  if (!r.content_type.empty()) {
    out->append("Content-Type: ");
    out->append(r.content_type);
    out->append("\r\n");
  }
  out->append("Vary: Accept-Encoding\r\n");
  for (const auto& [k, v] : r.headers) {
    out->append(k);
    out->append(": ");
    out->append(v);
    out->append("\r\n");
  }
  out->append("Date: ");
  out->append(date);
  out->append("\r\nContent-Length: ");
  p = std::to_chars(buf, buf + sizeof(buf), body_len);
  out->append(buf, p.ptr);
  out->append(close ? "\r\nConnection: close\r\n\r\n" : "\r\n\r\n");
}
}  // namespace

struct HttpServer::Impl {
  HttpServerOptions options;
  AgentApi* api;
  Logger logger;
  std::vector<std::unique_ptr<Worker>> workers;
  std::mutex conns_mu;
  std::unordered_map<std::string, size_t> conns_per_ip;  // GUARDED_BY(conns_mu)

  bool AcquireConn(const std::string& ip) {
    std::lock_guard<std::mutex> lock(conns_mu);
    size_t& n = conns_per_ip[ip];
    if (options.max_conns_per_client > 0 && n >= options.max_conns_per_client) {
      if (n == 0) conns_per_ip.erase(ip);
      return false;
    }
    ++n;
    return true;
  }
  void ReleaseConn(const std::string& ip) {
    std::lock_guard<std::mutex> lock(conns_mu);
    auto it = conns_per_ip.find(ip);
    if (it != conns_per_ip.end() && --it->second == 0) conns_per_ip.erase(it);
  }

  Task<void> Accept(Worker* w, tcp::acceptor* acceptor);
  Task<void> Session(Worker* w, tcp::socket sock, std::string ip);
  static Task<void> NotFound(Call& call) {
    call.resp.Error(404, "404 page not found\n");
    co_return;
  }
  Task<void> Dispatch(Call& call);
  Task<void> Forward(Call& call);
  Task<void> ServeOne(std::string request, std::function<void(std::string)> respond,
                      asio::any_io_executor ex);
  std::atomic<size_t> next_forwarded{0};
};

Task<void> HttpServer::Impl::Accept(Worker* w, tcp::acceptor* acceptor) {
  (void)w;
  size_t next = 0;
  while (acceptor->is_open()) {
    boost::system::error_code ec;
    tcp::socket sock =
        co_await acceptor->async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
      logger.Warn("accept failed: error=\"{}\"", ec.message());
      continue;
    }
    auto remote = sock.remote_endpoint(ec);
    if (ec) continue;
    std::string ip = remote.address().to_string();
    if (!AcquireConn(ip)) {
      logger.Debug("too many connections from client: address={}", ip);
      sock.close(ec);
      continue;
    }
    sock.set_option(tcp::no_delay(true), ec);
    // Hand the connection to the I/O threads in turn; each connection then lives on one thread.
    Worker* target = workers[next++ % workers.size()].get();
    auto protocol = remote.protocol();
    int fd = sock.release(ec);
    if (ec) {
      ReleaseConn(ip);
      continue;
    }
    asio::post(target->io, [this, target, protocol, fd, ip = std::move(ip)]() mutable {
      tcp::socket s(target->io);
      boost::system::error_code ec2;
      s.assign(protocol, fd, ec2);
      if (ec2) {
        ::close(fd);
        ReleaseConn(ip);
        return;
      }
      asio::co_spawn(target->io, Session(target, std::move(s), std::move(ip)), asio::detached);
    });
  }
}

// Not a coroutine: it returns the handler's coroutine directly, so a parked request has one frame
// less. Errors thrown inside the handler are caught by Session.
Task<void> HttpServer::Impl::Dispatch(Call& call) {
  if (api->server == nullptr && api->forward && IsForwardedPath(call.req.path))
    return Forward(call);
  Handler h = FindRoute(call.req.path);
  if (!h) return NotFound(call);
  return h(call);
}

// A client agent: the request goes to a server, which answers it as its own (blocking queries
// included: the RPC waits as long as the query may).
Task<void> HttpServer::Impl::Forward(Call& call) {
  auto timeout = std::chrono::milliseconds(30000);
  if (call.req.Has("index")) {
    std::chrono::nanoseconds wait = std::chrono::minutes(5);
    if (call.req.Has("wait")) {
      auto d = ParseGoDuration(call.req.Query("wait"));
      if (d.ok() && d->count() > 0) wait = *d;
    }
    wait = std::min<std::chrono::nanoseconds>(wait, std::chrono::minutes(10));
    timeout += std::chrono::duration_cast<std::chrono::milliseconds>(wait + wait / 16);
  }
  auto* fwd = &api->forward;
  std::shared_ptr<std::string> encoded;
  if (call.req.Query("near") == "_agent") {
    // "_agent" means this (client) agent's node, not the server's that answers.
    Request copy = call.req;
    for (auto& [k, v] : copy.query)
      if (k == "near" && v == "_agent") v = api->node_name;
    encoded = std::make_shared<std::string>(EncodeForwardedRequest(copy));
  } else {
    encoded = std::make_shared<std::string>(EncodeForwardedRequest(call.req));
  }
  auto ex = co_await asio::this_coro::executor;
  Result<std::string> r =
      co_await AwaitCallback<Result<std::string>>(ex, [fwd, encoded, timeout](auto done) {
        (*fwd)(std::move(*encoded), timeout, std::move(done));
      });
  if (!r.ok()) {
    call.resp.Error(500, r.status().message());
    co_return;
  }
  Status st = DecodeForwardedResponse(*r, &call.resp);
  if (!st.ok()) call.resp.Error(500, st.message());
}

Task<void> HttpServer::Impl::ServeOne(std::string request, std::function<void(std::string)> respond,
                                      asio::any_io_executor ex) {
  Request req;
  Response resp;
  Status st = DecodeForwardedRequest(request, &req);
  if (!st.ok()) {
    resp.Error(400, st.message());
  } else {
    Call call(req, resp, *api, ex);
    try {
      co_await Dispatch(call);
    } catch (const std::exception& e) {
      resp = Response{};
      resp.Error(500, e.what());
    }
  }
  respond(EncodeForwardedResponse(resp));
}

void HttpServer::ServeForwarded(std::string request, std::function<void(std::string)> respond) {
  Impl& s = *impl_;
  if (s.workers.empty()) {
    Response resp;
    resp.Error(503, "HTTP server not running");
    respond(EncodeForwardedResponse(resp));
    return;
  }
  Worker* w = s.workers[s.next_forwarded++ % s.workers.size()].get();
  asio::co_spawn(w->io, s.ServeOne(std::move(request), std::move(respond), w->io.get_executor()),
                 asio::detached);
}

Task<void> HttpServer::Impl::Session(Worker* w, tcp::socket sock, std::string ip) {
  std::string in;  // received, not yet consumed: [start, size)
  size_t start = 0;
  RequestParser parser;
  Request req;
  req.remote_ip = ip;
  std::string head;
  boost::system::error_code ec;
  sock.non_blocking(true, ec);
  while (true) {
    size_t consumed = 0;
    auto state = parser.Parse(std::string_view(in).substr(start), &req, &consumed);
    if (state == RequestParser::State::kHeadersDone && req.expect_continue) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      co_await asio::async_write(sock, asio::buffer(kContinue),
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      continue;
    }
    if (state == RequestParser::State::kHeadersDone) continue;
    if (state == RequestParser::State::kNeedMore) {
      if (start > 0) {
        in.erase(0, start);
        start = 0;
      }
      // Read synchronously into the thread's scratch space once the socket is readable, and copy
      // out at once: no buffer is held by a connection that waits for its next request, and no
      // other connection of this thread can touch the scratch space in between.
      size_t n = sock.read_some(asio::buffer(w->scratch, kReadChunk), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) {
        co_await sock.async_wait(tcp::socket::wait_read,
                                 asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
        continue;
      }
      if (ec || n == 0) break;
      in.append(w->scratch, n);
      continue;
    }
    Response resp;
    bool close = false;
    if (state == RequestParser::State::kError) {
      resp.Error(parser.error_status(),
                 std::string(StatusText(parser.error_status())) + ": " + parser.error_message());
      close = true;
    } else {
      start += consumed;
      if (start == in.size()) {
        in.clear();
        start = 0;
      }
      Call call(req, resp, *api, sock.get_executor());
      call.before_park = [&in] {
        if (in.empty()) std::string().swap(in);
      };
      try {
        co_await Dispatch(call);
      } catch (const std::exception& e) {
        resp = Response{};
        resp.Error(500, e.what());
      }
      close = !req.keep_alive;
    }
    head.clear();
    AppendHead(&head, resp, resp.body.size(), close, w->Date());
    std::array<asio::const_buffer, 2> bufs{asio::buffer(head), asio::buffer(resp.body)};
    co_await asio::async_write(sock, bufs, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || close) break;
    if (head.capacity() > 4096) std::string().swap(head);
  }
  sock.shutdown(tcp::socket::shutdown_send, ec);
  sock.close(ec);
  ReleaseConn(ip);
}

HttpServer::HttpServer(HttpServerOptions options, AgentApi* api, Logger logger)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->api = api;
  impl_->logger = std::move(logger);
}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  Impl& s = *impl_;
  int threads = std::max(1, s.options.threads);
  for (int t = 0; t < threads; ++t) s.workers.push_back(std::make_unique<Worker>());
  // The listeners live on the first I/O thread, which deals accepted connections out to all.
  Worker* first = s.workers.front().get();
  for (const auto& addr : s.options.addresses) {
    boost::system::error_code ec;
    auto ip = asio::ip::make_address(addr, ec);
    if (ec) return Status::InvalidArgument("invalid HTTP address " + addr + ": " + ec.message());
    tcp::endpoint ep(ip, static_cast<unsigned short>(s.options.port));
    tcp::acceptor acc(first->io);
    acc.open(ep.protocol(), ec);
    if (!ec) acc.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acc.bind(ep, ec);
    if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Status::IOError("Error starting listener on " + ep.address().to_string() + ":" +
                             std::to_string(ep.port()) + ": " + ec.message());
    }
    first->acceptors.push_back(std::move(acc));
  }
  for (auto& acc : first->acceptors)
    asio::co_spawn(first->io, s.Accept(first, &acc), asio::detached);
  for (auto& w : s.workers) {
    // Keep idle workers running until Stop().
    w->thread = std::thread([wp = w.get()] {
      SetThreadName("http");
      auto guard = asio::make_work_guard(wp->io);
      wp->io.run();
    });
  }
  return Status::OK();
}

void HttpServer::Stop() {
  if (!impl_) return;
  for (auto& w : impl_->workers) {
    asio::post(w->io, [wp = w.get()] {
      boost::system::error_code ec;
      for (auto& a : wp->acceptors) a.close(ec);
      wp->io.stop();
    });
  }
  for (auto& w : impl_->workers)
    if (w->thread.joinable()) w->thread.join();
  impl_->workers.clear();
}

}  // namespace consulate::http
