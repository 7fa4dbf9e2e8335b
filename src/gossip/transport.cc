#include "gossip/transport.h"

#include <fmt/format.h>

#include <utility>

namespace consulate::gossip {

std::string JoinHostPort(const asio::ip::address& addr, uint16_t port) {
  if (addr.is_v6()) return fmt::format("[{}]:{}", addr.to_string(), port);
  return fmt::format("{}:{}", addr.to_string(), port);
}

// ----- StreamConn -----

StreamConn::StreamConn(tcp::socket socket, std::chrono::milliseconds timeout)
    : socket_(std::move(socket)), deadline_(socket_.get_executor()) {
  boost::system::error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  if (!ec) remote_ = JoinHostPort(ep.address(), ep.port());
  deadline_.expires_after(timeout);
}

void StreamConn::Connect(asio::io_context& io, const tcp::endpoint& to,
                         std::chrono::milliseconds timeout, ConnectCallback done) {
  auto socket = std::make_shared<tcp::socket>(io);
  auto timer = std::make_shared<asio::steady_timer>(io);
  timer->expires_after(timeout);
  timer->async_wait([socket](const boost::system::error_code& ec) {
    if (!ec) {
      boost::system::error_code ignored;
      socket->close(ignored);
    }
  });
  socket->async_connect(to, [socket, timer, timeout, to,
                             done = std::move(done)](const boost::system::error_code& ec) mutable {
    timer->cancel();
    if (ec || !socket->is_open()) {
      done(Status::IOError(fmt::format("dial tcp {}: {}", JoinHostPort(to.address(), to.port()),
                                       ec ? ec.message() : "i/o timeout")),
           nullptr);
      return;
    }
    auto conn = std::make_shared<StreamConn>(std::move(*socket), timeout);
    conn->ArmDeadline();
    done(Status::OK(), std::move(conn));
  });
}

void StreamConn::ArmDeadline() {
  if (armed_) return;
  armed_ = true;
  std::weak_ptr<StreamConn> weak = shared_from_this();
  deadline_.async_wait([weak](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto c = weak.lock()) c->Close();
  });
}

void StreamConn::ReadMessage(StreamReadOptions options, ReadCallback done) {
  ArmDeadline();  // an accepted connection arms its deadline on first use
  ContinueRead(std::move(options), std::move(done));
}

void StreamConn::ContinueRead(StreamReadOptions options, ReadCallback done) {
  StreamMessage msg;
  size_t consumed = 0;
  if (!buffer_.empty()) {
    Status s = ReadStreamMessage(buffer_, options, &msg, &consumed);
    if (!s.ok()) {
      done(std::move(s), StreamMessage{});
      return;
    }
    if (consumed > 0) {
      buffer_.erase(0, consumed);
      done(Status::OK(), std::move(msg));
      return;
    }
  }
  auto self = shared_from_this();
  socket_.async_read_some(
      asio::buffer(chunk_), [self, options = std::move(options), done = std::move(done)](
                                const boost::system::error_code& ec, size_t n) mutable {
        if (ec) {
          if (ec == asio::error::eof && self->buffer_.empty()) {
            done(Status::NotFound("EOF"), StreamMessage{});
          } else if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) {
            done(Status::IOError("i/o timeout"), StreamMessage{});
          } else {
            done(Status::IOError(ec.message()), StreamMessage{});
          }
          return;
        }
        self->buffer_.append(self->chunk_.data(), n);
        if (self->buffer_.size() > kMaxPushStateBytes + 64) {
          done(Status::TooLarge("stream message too large"), StreamMessage{});
          return;
        }
        self->ContinueRead(std::move(options), std::move(done));
      });
}

void StreamConn::Write(std::string bytes, WriteCallback done) {
  ArmDeadline();
  auto self = shared_from_this();
  auto data = std::make_shared<std::string>(std::move(bytes));
  asio::async_write(
      socket_, asio::buffer(*data),
      [self, data, done = std::move(done)](const boost::system::error_code& ec, size_t) {
        done(ec ? Status::IOError(ec.message()) : Status::OK());
      });
}

void StreamConn::Close() {
  boost::system::error_code ignored;
  deadline_.cancel();
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

// ----- Transport -----

Transport::Transport(asio::io_context& io, udp::socket udp, tcp::acceptor tcp,
                     std::chrono::milliseconds stream_timeout, Logger logger)
    : io_(io),
      udp_(std::move(udp)),
      acceptor_(std::move(tcp)),
      stream_timeout_(stream_timeout),
      logger_(std::move(logger)) {
  boost::system::error_code ec;
  auto ep = acceptor_.local_endpoint(ec);
  address_ = ep.address();
  port_ = ep.port();
}

Result<std::unique_ptr<Transport>> Transport::Create(asio::io_context& io, const std::string& addr,
                                                     uint16_t port,
                                                     std::chrono::milliseconds stream_timeout,
                                                     Logger logger) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(addr, ec);
  if (ec) return Status::InvalidArgument(fmt::format("invalid bind address \"{}\"", addr));
  // With port 0, the TCP port the kernel picks may be taken for UDP: retry a few times.
  const int attempts = port == 0 ? 10 : 1;
  std::string last_error;
  for (int i = 0; i < attempts; ++i) {
    tcp::acceptor acceptor(io);
    const tcp::endpoint tcp_ep(ip, port);
    acceptor.open(tcp_ep.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(tcp_ep, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      last_error = fmt::format("Failed to start TCP listener on \"{}\" port {}: {}", addr, port,
                               ec.message());
      continue;
    }
    const uint16_t bound = acceptor.local_endpoint().port();
    udp::socket udp(io);
    const udp::endpoint udp_ep(ip, bound);
    udp.open(udp_ep.protocol(), ec);
    if (!ec) udp.bind(udp_ep, ec);
    if (ec) {
      last_error = fmt::format("Failed to start UDP listener on \"{}\" port {}: {}", addr, bound,
                               ec.message());
      continue;
    }
    // As memberlist's setUDPRecvBuf: ask for a large receive buffer, best effort.
    udp.set_option(asio::socket_base::receive_buffer_size(2 * 1024 * 1024), ec);
    return std::unique_ptr<Transport>(
        new Transport(io, std::move(udp), std::move(acceptor), stream_timeout, std::move(logger)));
  }
  return Status::IOError(last_error);
}

void Transport::Start(PacketHandler on_packet, StreamHandler on_stream) {
  on_packet_ = std::move(on_packet);
  on_stream_ = std::move(on_stream);
  ReceivePacket();
  Accept();
}

void Transport::ReceivePacket() {
  udp_.async_receive_from(
      asio::buffer(packet_buffer_), from_, [this](const boost::system::error_code& ec, size_t n) {
        if (ec == asio::error::operation_aborted || closed_) return;
        if (ec) {
          logger_.Error("memberlist: Error reading UDP packet: {}", ec.message());
        } else if (n < 1) {
          logger_.Error("memberlist: UDP packet too short ({} bytes) from={}", n,
                        JoinHostPort(from_.address(), from_.port()));
        } else {
          on_packet_(std::string_view(packet_buffer_.data(), n), from_);
        }
        if (!closed_) ReceivePacket();
      });
}

void Transport::Accept() {
  acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || closed_) return;
    if (ec) {
      logger_.Error("memberlist: Error accepting TCP connection: {}", ec.message());
    } else {
      on_stream_(std::make_shared<StreamConn>(std::move(socket), stream_timeout_));
    }
    if (!closed_) Accept();
  });
}

Status Transport::SendPacket(const udp::endpoint& to, std::string_view packet) {
  if (closed_) return Status::Unavailable("transport closed");
  boost::system::error_code ec;
  udp_.send_to(asio::buffer(packet.data(), packet.size()), to, 0, ec);
  if (ec) return Status::IOError(ec.message());
  return Status::OK();
}

void Transport::Close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  udp_.close(ignored);
  acceptor_.close(ignored);
}

}  // namespace consulate::gossip
