#include "gossip/broadcast_queue.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace consulate::gossip {

int RetransmitLimit(int retransmit_mult, int num_nodes) {
  const double node_scale = std::ceil(std::log10(static_cast<double>(num_nodes) + 1.0));
  return retransmit_mult * static_cast<int>(node_scale);
}

std::chrono::milliseconds SuspicionTimeout(int suspicion_mult, int num_nodes,
                                           std::chrono::milliseconds interval) {
  const double node_scale =
      std::max(1.0, std::log10(std::max(1.0, static_cast<double>(num_nodes))));
  // Go keeps three decimals of the scale before multiplying; so do we.
  const auto scaled = static_cast<int64_t>(node_scale * 1000);
  return std::chrono::milliseconds(suspicion_mult * scaled * interval.count() / 1000);
}

std::chrono::milliseconds RemainingSuspicionTime(int confirmations, int expected,
                                                 std::chrono::milliseconds elapsed,
                                                 std::chrono::milliseconds min,
                                                 std::chrono::milliseconds max) {
  const double frac = std::log(static_cast<double>(confirmations) + 1.0) /
                      std::log(static_cast<double>(expected) + 1.0);
  const double raw = static_cast<double>(max.count()) / 1000.0 -
                     frac * static_cast<double>((max - min).count()) / 1000.0;
  auto timeout = std::chrono::milliseconds(static_cast<int64_t>(std::floor(1000.0 * raw)));
  if (timeout < min) timeout = min;
  return timeout - elapsed;
}

std::chrono::milliseconds PushPullScale(std::chrono::milliseconds interval, int num_nodes) {
  constexpr int kPushPullScaleThreshold = 32;
  if (num_nodes <= kPushPullScaleThreshold) return interval;
  const double multiplier = std::ceil(std::log2(static_cast<double>(num_nodes)) -
                                      std::log2(static_cast<double>(kPushPullScaleThreshold))) +
                            1.0;
  return interval * static_cast<int64_t>(multiplier);
}

void TransmitLimitedQueue::Finish(Item& item) {
  if (item.broadcast.finished) {
    auto fn = std::move(item.broadcast.finished);
    item.broadcast.finished = nullptr;
    fn();
  }
}

void TransmitLimitedQueue::Queue(Broadcast broadcast) {
  std::vector<Item> dropped;
  if (!broadcast.name.empty()) {
    auto it = std::stable_partition(items_.begin(), items_.end(), [&](const Item& item) {
      return item.broadcast.name != broadcast.name;
    });
    std::move(it, items_.end(), std::back_inserter(dropped));
    items_.erase(it, items_.end());
  }
  items_.push_back(Item{std::move(broadcast), 0, next_id_++});
  for (Item& item : dropped) Finish(item);
}

std::vector<std::string> TransmitLimitedQueue::GetBroadcasts(size_t overhead, size_t limit) {
  std::vector<std::string> out;
  if (items_.empty()) return out;
  const int transmit_limit = RetransmitLimit(retransmit_mult_, num_nodes_ ? num_nodes_() : 1);
  std::vector<size_t> order(items_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const Item& x = items_[a];
    const Item& y = items_[b];
    if (x.transmits != y.transmits) return x.transmits < y.transmits;
    if (x.broadcast.message.size() != y.broadcast.message.size())
      return x.broadcast.message.size() > y.broadcast.message.size();
    return x.id > y.id;
  });
  size_t used = 0;
  std::vector<bool> done(items_.size(), false);
  for (size_t idx : order) {
    if (used + overhead >= limit) break;
    const size_t free = limit - used - overhead;
    Item& item = items_[idx];
    if (item.broadcast.message.size() > free) continue;
    used += overhead + item.broadcast.message.size();
    out.push_back(item.broadcast.message);
    if (++item.transmits >= transmit_limit) done[idx] = true;
  }
  std::vector<Item> finished;
  std::vector<Item> kept;
  kept.reserve(items_.size());
  for (size_t i = 0; i < items_.size(); ++i) {
    (done[i] ? finished : kept).push_back(std::move(items_[i]));
  }
  items_ = std::move(kept);
  for (Item& item : finished) Finish(item);
  return out;
}

void TransmitLimitedQueue::Prune(size_t max_retain) {
  if (items_.size() <= max_retain) return;
  std::sort(items_.begin(), items_.end(), [](const Item& a, const Item& b) { return a.id > b.id; });
  std::vector<Item> dropped(std::make_move_iterator(items_.begin() + max_retain),
                            std::make_move_iterator(items_.end()));
  items_.resize(max_retain);
  for (Item& item : dropped) Finish(item);
}

void TransmitLimitedQueue::Reset() {
  std::vector<Item> dropped = std::move(items_);
  items_.clear();
  for (Item& item : dropped) Finish(item);
}

}  // namespace consulate::gossip
