#include "state/watch.h"

#include <cassert>

namespace consulate::state {

void WatchSet::AddKey(WatchHub* hub, std::string_view key) {
  assert(waiter_);
  Registration r{hub, false, std::string(key), {}};
  r.it = hub->Add(false, r.key, waiter_);
  regs_.push_back(std::move(r));
}

void WatchSet::AddPrefix(WatchHub* hub, std::string_view prefix) {
  assert(waiter_);
  Registration r{hub, true, std::string(prefix), {}};
  r.it = hub->Add(true, r.key, waiter_);
  regs_.push_back(std::move(r));
}

void WatchSet::Clear() {
  for (auto& r : regs_) r.hub->Remove(r.prefix, r.key, r.it);
  regs_.clear();
  regs_.shrink_to_fit();
}

WatchHub::WaiterList::iterator WatchHub::Add(bool prefix, const std::string& key,
                                             std::shared_ptr<Waiter> w) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& list = (prefix ? prefixes_ : exact_)[key];
  return list.insert(list.end(), std::move(w));
}

void WatchHub::Remove(bool prefix, const std::string& key, WaiterList::iterator it) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& buckets = prefix ? prefixes_ : exact_;
  auto b = buckets.find(key);
  if (b == buckets.end()) return;
  b->second.erase(it);
  if (b->second.empty()) buckets.erase(b);
}

void WatchHub::Collect(std::string_view key, std::vector<std::shared_ptr<Waiter>>* out) {
  std::lock_guard<std::mutex> lock(mu_);
  auto take = [out](WaiterList& list) {
    for (auto& w : list)
      if (w->TryMarkFired()) out->push_back(w);
  };
  if (auto it = exact_.find(key); it != exact_.end()) take(it->second);
  if (prefixes_.empty()) return;
  for (size_t n = 0; n <= key.size(); ++n) {
    if (auto it = prefixes_.find(key.substr(0, n)); it != prefixes_.end()) take(it->second);
  }
}

void WatchHub::CollectAll(std::vector<std::shared_ptr<Waiter>>* out) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto* buckets : {&exact_, &prefixes_})
    for (auto& [k, list] : *buckets)
      for (auto& w : list)
        if (w->TryMarkFired()) out->push_back(w);
}

size_t WatchHub::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (auto& [k, l] : exact_) n += l.size();
  for (auto& [k, l] : prefixes_) n += l.size();
  return n;
}

void FireAll(std::vector<std::shared_ptr<Waiter>>& waiters) {
  for (auto& w : waiters) w->Fire();
  waiters.clear();
}

}  // namespace consulate::state
