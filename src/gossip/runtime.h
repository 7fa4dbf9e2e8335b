// The clock, timers and packet network memberlist runs on. Production uses Asio's steady clock and
// real sockets (AsioRuntime, Transport); a simulation plugs in a virtual clock and an in-memory
// network (tests/gossip/gossip_sim.cc), so the real state machine runs thousands of members in
// virtual time. Everything runs on one thread; nothing here is thread-safe.
#pragma once

#include <boost/asio.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string_view>

#include "base/status.h"

namespace consulate::gossip {

namespace asio = boost::asio;

// A one-shot timer. Arm() replaces any pending wait (its callback is dropped, never called);
// Cancel() drops it. The callback runs on the runtime's thread and may re-arm the timer.
class GossipTimer {
 public:
  virtual ~GossipTimer() = default;
  virtual void Arm(std::chrono::milliseconds after, std::function<void()> fn) = 0;
  virtual void Cancel() = 0;
};

class GossipRuntime {
 public:
  virtual ~GossipRuntime() = default;
  virtual std::chrono::steady_clock::time_point Now() const = 0;
  virtual std::unique_ptr<GossipTimer> MakeTimer() = 0;
};

// Wall time: std::chrono::steady_clock and asio::steady_timer on `io`.
class AsioRuntime final : public GossipRuntime {
 public:
  explicit AsioRuntime(asio::io_context& io) : io_(io) {}
  std::chrono::steady_clock::time_point Now() const override {
    return std::chrono::steady_clock::now();
  }
  std::unique_ptr<GossipTimer> MakeTimer() override;

 private:
  asio::io_context& io_;
};

}  // namespace consulate::gossip
