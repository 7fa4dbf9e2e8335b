// memberlist's TransmitLimitedQueue (queue.go) and the scaling formulas of util.go and
// suspicion.go. Pure: no clocks, sockets or threads; the owner serializes access.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace consulate::gossip {

// How many times a broadcast is sent: mult * ceil(log10(n + 1)) (retransmitLimit).
int RetransmitLimit(int retransmit_mult, int num_nodes);
// The minimum suspicion timeout: mult * max(1, log10(max(1, n))) * interval (suspicionTimeout).
std::chrono::milliseconds SuspicionTimeout(int suspicion_mult, int num_nodes,
                                           std::chrono::milliseconds interval);
// Lifeguard: what is left of a suspicion after `confirmations` of the `expected` independent
// confirmations arrived, `elapsed` after it started (remainingSuspicionTime). May be negative.
std::chrono::milliseconds RemainingSuspicionTime(int confirmations, int expected,
                                                 std::chrono::milliseconds elapsed,
                                                 std::chrono::milliseconds min,
                                                 std::chrono::milliseconds max);
// Push/pull slows down past 32 nodes: interval * (ceil(log2(n) - log2(32)) + 1) (pushPullScale).
std::chrono::milliseconds PushPullScale(std::chrono::milliseconds interval, int num_nodes);

// One message to gossip.
struct Broadcast {
  // Non-empty: queuing another broadcast with the same name drops this one (memberlist names its
  // alive/suspect/dead broadcasts by node). Empty: unique, never invalidated (serf's messages).
  std::string name;
  std::string message;
  // Called exactly once when the broadcast leaves the queue: sent often enough, replaced by a
  // newer one of the same name, pruned, or the queue reset. May be empty.
  std::function<void()> finished;
};

class TransmitLimitedQueue {
 public:
  // `num_nodes` gives the current cluster size estimate for the retransmit limit.
  TransmitLimitedQueue(int retransmit_mult, std::function<int()> num_nodes)
      : retransmit_mult_(retransmit_mult), num_nodes_(std::move(num_nodes)) {}
  TransmitLimitedQueue(const TransmitLimitedQueue&) = delete;
  TransmitLimitedQueue& operator=(const TransmitLimitedQueue&) = delete;

  void Queue(Broadcast broadcast);

  // Messages to piggyback, fewest transmissions first and, among those, largest first, such that
  // the sum of (overhead + size) stays within `limit`. Each returned message counts one
  // transmission; those that reach the retransmit limit leave the queue.
  std::vector<std::string> GetBroadcasts(size_t overhead, size_t limit);

  size_t NumQueued() const { return items_.size(); }
  // Keeps the `max_retain` newest broadcasts, finishing the rest.
  void Prune(size_t max_retain);
  // Finishes and drops everything.
  void Reset();

 private:
  struct Item {
    Broadcast broadcast;
    int transmits = 0;
    uint64_t id = 0;  // insertion order; newer is larger
  };
  static void Finish(Item& item);

  int retransmit_mult_;
  std::function<int()> num_nodes_;
  std::vector<Item> items_;
  uint64_t next_id_ = 0;
};

}  // namespace consulate::gossip
