// Transport: the server port (8300). Servers exchange Raft messages and forwarded requests over
// TCP, one outgoing connection per destination, each carrying length-prefixed frames:
//
//   frame    = length (uint32 big-endian, of what follows) | type (byte) | payload
//   kRaft    = payload is a Raft message with its sender (server/raft_node.cc)
//   kRequest = id (fixed64) | method (byte) | body            -- answered on the same connection
//   kResponse= id (fixed64) | body
//
// Raft messages are fire-and-forget (the protocol retransmits); a request gets exactly one
// callback: its response, or an error when the connection fails or the timeout passes.
// All I/O runs on one thread owned by the Transport; handlers are called on it and must not block.
// Its owner may run its own work on that thread too (Post, WakeAt): the Raft driver does, so that
// a message is stepped where it was read and sent where it was made, without a thread hand-off.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/log.h"
#include "base/result.h"
#include "base/status.h"

namespace consulate::rpc {

inline constexpr size_t kMaxFrameBytes = 64u << 20;

class Transport {
 public:
  using Respond = std::function<void(std::string body)>;
  struct Handlers {
    // A Raft frame's payload, and the inbound connection it came on.
    std::function<void(std::string payload, uint64_t conn_id)> on_raft;
    // An inbound connection closed (its peer stopped, crashed or was cut off).
    std::function<void(uint64_t conn_id)> on_inbound_closed;
    // A request; `respond` may be called later, from any thread, exactly once.
    std::function<void(uint8_t method, std::string body, Respond respond)> on_request;
  };

  // Binds host:port (port 0: any; see port()) and starts the I/O thread.
  static Result<std::unique_ptr<Transport>> Start(const std::string& host, uint16_t port,
                                                  Handlers handlers, Logger logger);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  uint16_t port() const;

  // Thread-safe. Queues a Raft frame to addr ("ip:port"); dropped if the peer is unreachable. On
  // the I/O thread the write starts at once.
  void SendRaft(const std::string& addr, std::string payload);
  // Thread-safe. Runs `task` on the I/O thread, after what is already queued there.
  void Post(std::function<void()> task);
  // Thread-safe. Runs `task` on the I/O thread once `when` has come; a later call replaces a
  // wake-up that has not run yet (there is one such timer).
  void WakeAt(std::chrono::steady_clock::time_point when, std::function<void()> task);
  // Thread-safe. `done` runs on the I/O thread.
  void Call(const std::string& addr, uint8_t method, std::string body,
            std::chrono::milliseconds timeout, std::function<void(Result<std::string>)> done);

  void Shutdown();

 private:
  struct Impl;
  explicit Transport(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;  // shared with callbacks that outlive a call
};

}  // namespace consulate::rpc
