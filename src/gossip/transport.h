// memberlist's network transport (net_transport.go) on Asio: one UDP socket and one TCP listener
// on the same address and port, plus async TCP stream connections that read whole memberlist
// stream messages (packet.h framing). Everything runs on the owner's io_context thread; nothing
// here is thread-safe.
#pragma once

#include <array>
#include <boost/asio.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/log.h"
#include "base/result.h"
#include "base/status.h"
#include "gossip/packet.h"

namespace consulate::gossip {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

// One TCP connection carrying memberlist stream messages. A deadline (memberlist's TCPTimeout)
// closes it, failing whatever read or write is pending.
class StreamConn : public std::enable_shared_from_this<StreamConn> {
 public:
  using ReadCallback = std::function<void(Status, StreamMessage)>;
  using WriteCallback = std::function<void(Status)>;
  using ConnectCallback = std::function<void(Status, std::shared_ptr<StreamConn>)>;

  StreamConn(tcp::socket socket, std::chrono::milliseconds timeout);

  // Connects to `to`; the timeout covers the whole connection's life.
  static void Connect(asio::io_context& io, const tcp::endpoint& to,
                      std::chrono::milliseconds timeout, ConnectCallback done);

  // Reads the next whole message. `options.keyring` must stay valid until `done` runs. A clean
  // end of stream before any byte reports NotFound("EOF").
  void ReadMessage(StreamReadOptions options, ReadCallback done);
  void Write(std::string bytes, WriteCallback done);
  void Close();
  std::string RemoteAddress() const { return remote_; }

 private:
  void ContinueRead(StreamReadOptions options, ReadCallback done);
  void ArmDeadline();

  bool armed_ = false;

  tcp::socket socket_;
  asio::steady_timer deadline_;
  std::string remote_;
  std::string buffer_;
  std::array<char, 16384> chunk_;
};

// What memberlist needs from a network: packets both ways, and incoming streams. Transport is the
// real one; a simulation supplies an in-memory network (and never delivers streams).
class PacketTransport {
 public:
  using PacketHandler = std::function<void(std::string_view packet, const udp::endpoint& from)>;
  using StreamHandler = std::function<void(std::shared_ptr<StreamConn>)>;

  virtual ~PacketTransport() = default;
  virtual uint16_t port() const = 0;
  virtual asio::ip::address address() const = 0;
  // Starts receiving. Handlers run on the owner's thread.
  virtual void Start(PacketHandler on_packet, StreamHandler on_stream) = 0;
  // Best effort: errors are returned for logging only.
  virtual Status SendPacket(const udp::endpoint& to, std::string_view packet) = 0;
  // Stops sending and receiving.
  virtual void Close() = 0;
};

class Transport final : public PacketTransport {
 public:
  // Binds TCP and UDP to addr:port (port 0: an ephemeral port free for both).
  static Result<std::unique_ptr<Transport>> Create(asio::io_context& io, const std::string& addr,
                                                   uint16_t port,
                                                   std::chrono::milliseconds stream_timeout,
                                                   Logger logger);

  uint16_t port() const override { return port_; }
  asio::ip::address address() const override { return address_; }

  // Starts receiving. Handlers run on the io_context thread.
  void Start(PacketHandler on_packet, StreamHandler on_stream) override;
  Status SendPacket(const udp::endpoint& to, std::string_view packet) override;
  // Closes both sockets; pending operations end with operation_aborted.
  void Close() override;

 private:
  Transport(asio::io_context& io, udp::socket udp, tcp::acceptor tcp,
            std::chrono::milliseconds stream_timeout, Logger logger);
  void ReceivePacket();
  void Accept();

  asio::io_context& io_;
  udp::socket udp_;
  tcp::acceptor acceptor_;
  std::chrono::milliseconds stream_timeout_;
  Logger logger_;
  asio::ip::address address_;
  uint16_t port_ = 0;
  PacketHandler on_packet_;
  StreamHandler on_stream_;
  udp::endpoint from_;
  std::array<char, 65536> packet_buffer_;
  bool closed_ = false;
};

// "1.2.3.4:5" / "[::1]:5".
std::string JoinHostPort(const asio::ip::address& addr, uint16_t port);

}  // namespace consulate::gossip
