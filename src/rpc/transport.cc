#include "rpc/transport.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <thread>
#include <unordered_map>

#include "base/thread_name.h"

namespace consulate::rpc {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

enum FrameType : uint8_t { kRaft = 1, kRequest = 2, kResponse = 3 };

void PutFixed32BE(std::string* dst, uint32_t v) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
               static_cast<char>(v)};
  dst->append(b, 4);
}
void PutFixed64(std::string* dst, uint64_t v) {
  for (int i = 0; i < 8; ++i) dst->push_back(static_cast<char>(v >> (8 * i)));
}
uint64_t GetFixed64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

std::string Frame(uint8_t type, std::string_view head, std::string_view payload) {
  std::string f;
  f.reserve(5 + head.size() + payload.size());
  PutFixed32BE(&f, static_cast<uint32_t>(1 + head.size() + payload.size()));
  f.push_back(static_cast<char>(type));
  f.append(head);
  f.append(payload);
  return f;
}

Result<tcp::endpoint> ParseEndpoint(const std::string& addr) {
  size_t colon = addr.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("address without port: " + addr);
  std::string host = addr.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  error_code ec;
  auto ip = asio::ip::make_address(host, ec);
  if (ec) return Status::InvalidArgument("bad address: " + addr);
  int port = 0;
  for (char c : addr.substr(colon + 1)) {
    if (c < '0' || c > '9') return Status::InvalidArgument("bad port: " + addr);
    port = port * 10 + (c - '0');
    if (port > 65535) return Status::InvalidArgument("bad port: " + addr);
  }
  return tcp::endpoint(ip, static_cast<uint16_t>(port));
}

// Reads frames from a socket through a buffer, so that a burst of small frames (Raft messages
// and acknowledgements) costs one read(2) rather than two per frame.
class FrameReader {
 public:
  explicit FrameReader(tcp::socket& sock) : sock_(sock) {}

  // The next frame into *type and *payload. False at EOF, on error or on a bad length.
  asio::awaitable<bool> Next(uint8_t* type, std::string* payload) {
    while (true) {
      const size_t avail = buf_.size() - pos_;
      if (avail >= 5) {
        const auto* h = reinterpret_cast<const unsigned char*>(buf_.data() + pos_);
        const uint32_t len = (uint32_t{h[0]} << 24) | (uint32_t{h[1]} << 16) |
                             (uint32_t{h[2]} << 8) | uint32_t{h[3]};
        if (len == 0 || len > kMaxFrameBytes) co_return false;
        if (avail >= 4 + size_t{len}) {
          *type = h[4];
          payload->assign(buf_.data() + pos_ + 5, len - 1);
          pos_ += 4 + size_t{len};
          co_return true;
        }
      }
      // Need more: compact, then read whatever has arrived.
      if (pos_ > 0) {
        buf_.erase(0, pos_);
        pos_ = 0;
      }
      const size_t old = buf_.size();
      buf_.resize(old + kChunk);
      error_code ec;
      const size_t n = co_await sock_.async_read_some(
          asio::buffer(buf_.data() + old, kChunk), asio::redirect_error(asio::use_awaitable, ec));
      buf_.resize(old + n);
      if (ec || n == 0) co_return false;
    }
  }

 private:
  static constexpr size_t kChunk = 64 * 1024;
  tcp::socket& sock_;
  std::string buf_;
  size_t pos_ = 0;
};

}  // namespace

struct Transport::Impl : std::enable_shared_from_this<Transport::Impl> {
  // One outgoing connection per destination.
  struct Peer : std::enable_shared_from_this<Peer> {
    Peer(asio::io_context& io, std::string a) : addr(std::move(a)), sock(io) {}
    std::string addr;
    tcp::socket sock;
    bool connected = false;
    bool connecting = false;
    bool writing = false;
    std::deque<std::string> queue;
    size_t queued_bytes = 0;
    struct PendingCall {
      std::function<void(Result<std::string>)> done;
      std::shared_ptr<asio::steady_timer> timer;
    };
    std::unordered_map<uint64_t, PendingCall> calls;
  };
  struct Inbound : std::enable_shared_from_this<Inbound> {
    explicit Inbound(tcp::socket s, uint64_t i) : sock(std::move(s)), id(i) {}
    tcp::socket sock;
    uint64_t id;
    std::deque<std::string> queue;
    bool writing = false;
    bool closed = false;
  };

  Impl(Handlers h, Logger l) : handlers(std::move(h)), logger(std::move(l)) {}

  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  asio::steady_timer wake_timer{io};
  Handlers handlers;
  Logger logger;
  std::unordered_map<std::string, std::shared_ptr<Peer>> peers;
  uint64_t next_call_id = 1;
  uint64_t next_conn_id = 1;
  std::thread thread;
  bool stopped = false;

  static constexpr size_t kMaxQueuedBytes = 256u << 20;

  asio::awaitable<void> AcceptLoop() {
    while (true) {
      error_code ec;
      tcp::socket s = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec == asio::error::operation_aborted || stopped) co_return;
        continue;
      }
      s.set_option(tcp::no_delay(true), ec);
      auto in = std::make_shared<Inbound>(std::move(s), next_conn_id++);
      asio::co_spawn(io, InboundLoop(in), asio::detached);
    }
  }

  asio::awaitable<void> InboundLoop(std::shared_ptr<Inbound> in) {
    uint8_t type = 0;
    std::string payload;
    FrameReader reader(in->sock);
    while (co_await reader.Next(&type, &payload)) {
      if (type == kRaft) {
        if (handlers.on_raft) handlers.on_raft(std::move(payload), in->id);
      } else if (type == kRequest && payload.size() >= 9) {
        const uint64_t id = GetFixed64(payload.data());
        const uint8_t method = static_cast<uint8_t>(payload[8]);
        std::string body = payload.substr(9);
        std::weak_ptr<Inbound> weak = in;
        auto self = shared_from_this();
        Respond respond = [self, weak, id](std::string resp) {
          asio::post(self->io, [self, weak, id, resp = std::move(resp)]() mutable {
            auto conn = weak.lock();
            if (!conn || conn->closed) return;
            std::string head;
            PutFixed64(&head, id);
            conn->queue.push_back(Frame(kResponse, head, resp));
            self->FlushInbound(conn);
          });
        };
        if (handlers.on_request) handlers.on_request(method, std::move(body), std::move(respond));
      }
      payload = std::string();
    }
    in->closed = true;
    error_code ec;
    in->sock.close(ec);
    if (handlers.on_inbound_closed) handlers.on_inbound_closed(in->id);
  }

  void FlushInbound(const std::shared_ptr<Inbound>& in) {
    if (in->writing || in->queue.empty() || in->closed) return;
    in->writing = true;
    auto buf = std::make_shared<std::string>();
    while (!in->queue.empty()) {
      buf->append(in->queue.front());
      in->queue.pop_front();
    }
    asio::async_write(in->sock, asio::buffer(*buf), [this, in, buf](error_code ec, size_t) {
      in->writing = false;
      if (ec) {
        in->closed = true;
        error_code ignored;
        in->sock.close(ignored);
        return;
      }
      FlushInbound(in);
    });
  }

  std::shared_ptr<Peer> GetPeer(const std::string& addr) {
    auto& p = peers[addr];
    if (!p) p = std::make_shared<Peer>(io, addr);
    return p;
  }

  void Enqueue(const std::shared_ptr<Peer>& p, std::string frame) {
    if (p->queued_bytes + frame.size() > kMaxQueuedBytes) return;  // Raft will retransmit
    p->queued_bytes += frame.size();
    p->queue.push_back(std::move(frame));
    if (p->connected) {
      FlushPeer(p);
    } else if (!p->connecting) {
      p->connecting = true;
      asio::co_spawn(io, ConnectAndRead(p), asio::detached);
    }
  }

  void FlushPeer(const std::shared_ptr<Peer>& p) {
    if (p->writing || p->queue.empty() || !p->connected) return;
    p->writing = true;
    auto buf = std::make_shared<std::string>();
    while (!p->queue.empty()) {
      buf->append(p->queue.front());
      p->queue.pop_front();
    }
    p->queued_bytes = 0;
    asio::async_write(p->sock, asio::buffer(*buf), [this, p, buf](error_code ec, size_t) {
      p->writing = false;
      if (ec) {
        Disconnect(p, "write failed: " + ec.message());
        return;
      }
      FlushPeer(p);
    });
  }

  void Disconnect(const std::shared_ptr<Peer>& p, const std::string& why) {
    if (p->connected || p->connecting) {
      logger.Debug("rpc: connection to {} closed: {}", p->addr, why);
    }
    error_code ec;
    p->sock.close(ec);
    p->connected = false;
    p->connecting = false;
    p->queue.clear();
    p->queued_bytes = 0;
    auto calls = std::move(p->calls);
    p->calls.clear();
    for (auto& [id, call] : calls) {
      if (call.timer) call.timer->cancel();
      call.done(Status::Unavailable("connection to " + p->addr + " failed: " + why));
    }
    // A fresh socket for the next attempt.
    p->sock = tcp::socket(io);
  }

  asio::awaitable<void> ConnectAndRead(std::shared_ptr<Peer> p) {
    auto ep = ParseEndpoint(p->addr);
    if (!ep.ok()) {
      Disconnect(p, ep.status().message());
      co_return;
    }
    error_code ec;
    asio::steady_timer guard(io);
    guard.expires_after(std::chrono::seconds(2));
    guard.async_wait([p](error_code e) {
      if (!e && p->connecting) {
        error_code ignored;
        p->sock.cancel(ignored);
      }
    });
    co_await p->sock.async_connect(*ep, asio::redirect_error(asio::use_awaitable, ec));
    guard.cancel();
    if (ec || stopped) {
      Disconnect(p, ec ? ec.message() : "shut down");
      co_return;
    }
    p->sock.set_option(tcp::no_delay(true), ec);
    p->connecting = false;
    p->connected = true;
    FlushPeer(p);
    uint8_t type = 0;
    std::string payload;
    FrameReader reader(p->sock);
    while (co_await reader.Next(&type, &payload)) {
      if (type != kResponse || payload.size() < 8) continue;
      const uint64_t id = GetFixed64(payload.data());
      auto it = p->calls.find(id);
      if (it == p->calls.end()) continue;
      auto call = std::move(it->second);
      p->calls.erase(it);
      if (call.timer) call.timer->cancel();
      call.done(payload.substr(8));
    }
    if (p->connected) Disconnect(p, "closed by peer");
  }

  void StartCall(const std::string& addr, uint8_t method, std::string body,
                 std::chrono::milliseconds timeout, std::function<void(Result<std::string>)> done) {
    if (stopped) {
      done(Status::Unavailable("transport is shut down"));
      return;
    }
    auto p = GetPeer(addr);
    const uint64_t id = next_call_id++;
    auto timer = std::make_shared<asio::steady_timer>(io);
    timer->expires_after(timeout);
    std::weak_ptr<Peer> weak = p;
    timer->async_wait([weak, id](error_code ec) {
      if (ec) return;
      auto peer = weak.lock();
      if (!peer) return;
      auto it = peer->calls.find(id);
      if (it == peer->calls.end()) return;
      auto call = std::move(it->second);
      peer->calls.erase(it);
      call.done(Status::Unavailable("timeout waiting for " + peer->addr));
    });
    p->calls.emplace(id, Peer::PendingCall{std::move(done), timer});
    std::string head;
    PutFixed64(&head, id);
    head.push_back(static_cast<char>(method));
    Enqueue(p, Frame(kRequest, head, body));
  }
};

Transport::Transport(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<Transport>> Transport::Start(const std::string& host, uint16_t port,
                                                    Handlers handlers, Logger logger) {
  // Impl is shared so that handlers posted to the I/O thread can hold it.
  auto impl = std::make_shared<Impl>(std::move(handlers), std::move(logger));
  error_code ec;
  auto ip = asio::ip::make_address(host, ec);
  if (ec) return Status::InvalidArgument("bad bind address: " + host);
  tcp::endpoint ep(ip, port);
  impl->acceptor.open(ep.protocol(), ec);
  if (!ec) impl->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(ep, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IOError("Failed to start RPC layer: listen tcp " + host + ":" +
                           std::to_string(port) + ": " + ec.message());
  }
  asio::co_spawn(impl->io, impl->AcceptLoop(), asio::detached);
  Impl* raw = impl.get();
  raw->thread = std::thread([raw] {
    SetThreadName("rpc-io");
    raw->io.run();
  });
  return std::unique_ptr<Transport>(new Transport(std::move(impl)));
}

Transport::~Transport() { Shutdown(); }

uint16_t Transport::port() const {
  error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void Transport::Post(std::function<void()> task) { asio::post(impl_->io, std::move(task)); }

void Transport::WakeAt(std::chrono::steady_clock::time_point when, std::function<void()> task) {
  Impl* impl = impl_.get();
  asio::dispatch(impl->io, [impl, when, task = std::move(task)]() mutable {
    if (impl->stopped) return;
    impl->wake_timer.expires_at(when);  // cancels the previous wait
    impl->wake_timer.async_wait([task = std::move(task)](error_code ec) {
      if (!ec) task();
    });
  });
}

void Transport::SendRaft(const std::string& addr, std::string payload) {
  Impl* impl = impl_.get();
  asio::dispatch(impl->io, [impl, addr, payload = std::move(payload)]() mutable {
    if (impl->stopped) return;
    impl->Enqueue(impl->GetPeer(addr), Frame(kRaft, {}, payload));
  });
}

void Transport::Call(const std::string& addr, uint8_t method, std::string body,
                     std::chrono::milliseconds timeout,
                     std::function<void(Result<std::string>)> done) {
  Impl* impl = impl_.get();
  asio::post(impl->io, [impl, addr, method, body = std::move(body), timeout,
                        done = std::move(done)]() mutable {
    impl->StartCall(addr, method, std::move(body), timeout, std::move(done));
  });
}

void Transport::Shutdown() {
  Impl* impl = impl_.get();
  if (!impl || !impl->thread.joinable()) return;
  asio::post(impl->io, [impl] {
    impl->stopped = true;
    error_code ec;
    impl->acceptor.close(ec);
    impl->wake_timer.cancel();
    for (auto& [addr, p] : impl->peers) impl->Disconnect(p, "shut down");
    impl->io.stop();
  });
  impl->thread.join();
}

}  // namespace consulate::rpc
