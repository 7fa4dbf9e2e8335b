#include "gossip/runtime.h"

#include <utility>

namespace consulate::gossip {

namespace {

class AsioTimer final : public GossipTimer {
 public:
  explicit AsioTimer(asio::io_context& io) : timer_(io) {}
  ~AsioTimer() override {
    *alive_ = false;
    timer_.cancel();
  }
  AsioTimer(const AsioTimer&) = delete;
  AsioTimer& operator=(const AsioTimer&) = delete;

  void Arm(std::chrono::milliseconds after, std::function<void()> fn) override {
    // A generation number drops a wait that was replaced after its handler was already queued.
    const uint64_t gen = ++generation_;
    timer_.expires_after(after);
    timer_.async_wait(
        [this, alive = alive_, gen, fn = std::move(fn)](const boost::system::error_code& ec) {
          if (ec || !*alive || generation_ != gen) return;
          fn();
        });
  }
  void Cancel() override {
    ++generation_;
    timer_.cancel();
  }

 private:
  asio::steady_timer timer_;
  uint64_t generation_ = 0;
  // Cleared when the timer is destroyed, so a handler still queued never touches it.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace

std::unique_ptr<GossipTimer> AsioRuntime::MakeTimer() { return std::make_unique<AsioTimer>(io_); }

}  // namespace consulate::gossip
