// Watches: how a blocking query learns that its answer may have changed.
//
// A reader registers a Waiter on the exact keys and key prefixes its answer depends on, while it
// still holds the store's read lock; a writer changes the store under the write lock and then fires
// the waiters of every key it touched (exact watchers of that key, and prefix watchers of every
// prefix of it). Because registration and mutation are ordered by the store lock, a change either
// shows in the reader's result or fires its waiter: no lost wake-ups. A write to key A never fires
// a waiter of key B (unless one is a prefix watch covering the other).
#pragma once

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace consulate::state {

// Something to wake. Fire() is called at most once per registration set, from the writer's
// thread, outside any store lock; it must be cheap and thread-safe (e.g. post to an executor).
class Waiter {
 public:
  virtual ~Waiter() = default;
  // Returns true the first time only.
  bool TryMarkFired() { return !fired_.exchange(true, std::memory_order_acq_rel); }
  virtual void Fire() = 0;

 private:
  std::atomic<bool> fired_{false};
};

class WatchHub;

// The registrations of one blocking query. Unregisters everything on destruction (RAII), so a
// query that times out leaves nothing behind. Not thread-safe: owned by one query.
class WatchSet {
 public:
  WatchSet() = default;
  ~WatchSet() { Clear(); }
  WatchSet(const WatchSet&) = delete;
  WatchSet& operator=(const WatchSet&) = delete;

  // REQUIRES: the same hub and waiter for every Add on one set.
  void AddKey(WatchHub* hub, std::string_view key);
  void AddPrefix(WatchHub* hub, std::string_view prefix);
  void set_waiter(std::shared_ptr<Waiter> waiter) { waiter_ = std::move(waiter); }
  const std::shared_ptr<Waiter>& waiter() const { return waiter_; }
  bool empty() const { return regs_.empty(); }
  void Clear();

 private:
  friend class WatchHub;
  struct Registration {
    WatchHub* hub;
    bool prefix;
    std::string key;
    std::list<std::shared_ptr<Waiter>>::iterator it;
  };
  std::shared_ptr<Waiter> waiter_;
  std::vector<Registration> regs_;
};

class WatchHub {
 public:
  WatchHub() = default;
  WatchHub(const WatchHub&) = delete;
  WatchHub& operator=(const WatchHub&) = delete;

  // Appends to `out` every waiter watching `key` exactly or through a prefix of it. Each waiter is
  // appended once per notification round thanks to TryMarkFired(). Thread-safe.
  void Collect(std::string_view key, std::vector<std::shared_ptr<Waiter>>* out);
  // Fires every waiter on the hub (used on snapshot restore, when anything may have changed).
  void CollectAll(std::vector<std::shared_ptr<Waiter>>* out);
  size_t size() const;

 private:
  friend class WatchSet;
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using WaiterList = std::list<std::shared_ptr<Waiter>>;
  using Buckets = std::unordered_map<std::string, WaiterList, Hash, std::equal_to<>>;

  WaiterList::iterator Add(bool prefix, const std::string& key, std::shared_ptr<Waiter> w);
  void Remove(bool prefix, const std::string& key, WaiterList::iterator it);

  mutable std::mutex mu_;
  Buckets exact_;     // GUARDED_BY(mu_)
  Buckets prefixes_;  // GUARDED_BY(mu_)
};

// Fires waiters collected by WatchHub::Collect. Call outside store locks.
void FireAll(std::vector<std::shared_ptr<Waiter>>& waiters);

}  // namespace consulate::state
