// KV table operations of StateStore (Consul's state/kvs.go).
#include "state/kvs.h"

#include <mutex>

#include "state/store.h"

namespace consulate::state {

namespace {
constexpr std::string_view kVerbNames[] = {
    "set",    "delete", "delete-cas", "delete-tree",   "cas",         "lock",
    "unlock", "get",    "get-tree",   "check-session", "check-index", "check-not-exists"};

bool HasPrefix(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}
}  // namespace

bool ParseKVOp(std::string_view verb, KVOp* out) {
  for (size_t i = 0; i < std::size(kVerbNames); ++i) {
    if (verb == kVerbNames[i]) {
      *out = static_cast<KVOp>(i);
      return true;
    }
  }
  return false;
}

std::string_view KVOpName(KVOp op) {
  auto i = static_cast<size_t>(op);
  return i < std::size(kVerbNames) ? kVerbNames[i] : std::string_view("unknown");
}

bool IsReadOnlyKVOp(KVOp op) {
  switch (op) {
    case KVOp::kGet:
    case KVOp::kGetTree:
    case KVOp::kCheckSession:
    case KVOp::kCheckIndex:
    case KVOp::kCheckNotExists:
      return true;
    default:
      return false;
  }
}

// ---- reads ----

uint64_t StateStore::KVSMaxIndexInTxn() const { return std::max(kvs_index_, tombstones_index_); }

uint64_t StateStore::PrefixTombstoneIndexInTxn(std::string_view prefix) const {
  uint64_t idx = 0;
  for (auto it = tombstones_.lower_bound(prefix);
       it != tombstones_.end() && HasPrefix(it->first, prefix); ++it)
    idx = std::max(idx, it->second);
  return idx;
}

uint64_t StateStore::KVSGet(std::string_view key, std::optional<DirEntry>* out,
                            WatchSet* ws) const {
  std::shared_lock lock(mu_);
  if (ws) ws->AddKey(&kv_watches_, key);
  auto it = kvs_.find(key);
  if (it != kvs_.end())
    *out = it->second;
  else
    out->reset();
  return KVSMaxIndexInTxn();
}

uint64_t StateStore::KVSList(std::string_view prefix, std::vector<DirEntry>* out,
                             WatchSet* ws) const {
  std::shared_lock lock(mu_);
  if (ws) ws->AddPrefix(&kv_watches_, prefix);
  uint64_t idx = KVSMaxIndexInTxn();
  uint64_t lindex = 0;
  for (auto it = kvs_.lower_bound(prefix); it != kvs_.end() && HasPrefix(it->first, prefix); ++it) {
    lindex = std::max(lindex, it->second.modify_index);
    out->push_back(it->second);
  }
  if (!prefix.empty())
    lindex = std::max(lindex, PrefixTombstoneIndexInTxn(prefix));
  else
    lindex = idx;
  return lindex != 0 ? lindex : idx;
}

uint64_t StateStore::KVSListKeys(std::string_view prefix, std::string_view separator,
                                 std::vector<std::string>* out, WatchSet* ws) const {
  std::shared_lock lock(mu_);
  if (ws) ws->AddPrefix(&kv_watches_, prefix);
  uint64_t idx = KVSMaxIndexInTxn();
  uint64_t lindex = 0;
  std::string_view last;
  for (auto it = kvs_.lower_bound(prefix); it != kvs_.end() && HasPrefix(it->first, prefix); ++it) {
    const std::string& key = it->first;
    lindex = std::max(lindex, it->second.modify_index);
    if (separator.empty()) {
      out->push_back(key);
      continue;
    }
    std::string_view after = std::string_view(key).substr(prefix.size());
    auto pos = after.find(separator);
    if (pos != std::string_view::npos) {
      std::string_view rolled =
          std::string_view(key).substr(0, prefix.size() + pos + separator.size());
      if (rolled != last) {
        out->emplace_back(rolled);
        last = out->back();
      }
    } else {
      out->push_back(key);
    }
  }
  if (!prefix.empty())
    lindex = std::max(lindex, PrefixTombstoneIndexInTxn(prefix));
  else
    lindex = idx;
  return lindex != 0 ? lindex : idx;
}

uint64_t StateStore::LastIndex() const {
  std::shared_lock lock(mu_);
  return last_index_;
}

size_t StateStore::KVSCount() const {
  std::shared_lock lock(mu_);
  return kvs_.size();
}

// ---- writes ----

void StateStore::FinishWrite(std::unique_lock<std::shared_mutex>& lock,
                             std::vector<std::string>& touched) {
  lock.unlock();
  if (touched.empty()) return;
  std::vector<std::shared_ptr<Waiter>> waiters;
  for (const auto& key : touched) kv_watches_.Collect(key, &waiters);
  FireAll(waiters);
}

void StateStore::KVSSetInTxn(uint64_t idx, DirEntry entry, bool update_session,
                             std::vector<std::string>* touched) {
  if (undo_) RecordUndoInTxn(entry.key);
  auto it = kvs_.find(entry.key);
  if (it != kvs_.end()) {
    entry.create_index = it->second.create_index;
    if (!update_session) {
      entry.session = it->second.session;
      entry.lock_index = it->second.lock_index;
    }
  } else {
    entry.create_index = idx;
    if (!update_session) {
      entry.session.clear();
      entry.lock_index = 0;
    }
  }
  entry.modify_index = idx;
  touched->push_back(entry.key);
  if (it != kvs_.end()) {
    it->second = std::move(entry);
  } else {
    std::string key = entry.key;
    kvs_.emplace(std::move(key), std::move(entry));
  }
  kvs_index_ = idx;
}

bool StateStore::KVSDeleteInTxn(uint64_t idx, std::string_view key,
                                std::vector<std::string>* touched) {
  auto it = kvs_.find(key);
  if (it == kvs_.end()) return false;
  if (undo_) RecordUndoInTxn(key);
  touched->push_back(it->first);
  tombstones_[it->first] = idx;
  tombstones_index_ = idx;
  kvs_.erase(it);
  kvs_index_ = idx;
  return true;
}

void StateStore::KVSDeleteTreeInTxn(uint64_t idx, std::string_view prefix,
                                    std::vector<std::string>* touched) {
  auto it = kvs_.lower_bound(prefix);
  bool any = false;
  while (it != kvs_.end() && HasPrefix(it->first, prefix)) {
    if (undo_) RecordUndoInTxn(it->first);
    touched->push_back(it->first);
    tombstones_[it->first] = idx;
    it = kvs_.erase(it);
    any = true;
  }
  if (any) {
    tombstones_index_ = idx;
    kvs_index_ = idx;
  }
}

void StateStore::KVSSet(uint64_t idx, const DirEntry& entry) {
  std::unique_lock lock(mu_);
  std::vector<std::string> touched;
  KVSSetInTxn(idx, entry, false, &touched);
  last_index_ = std::max(last_index_, idx);
  FinishWrite(lock, touched);
}

bool StateStore::KVSSetCAS(uint64_t idx, const DirEntry& entry) {
  std::unique_lock lock(mu_);
  std::vector<std::string> touched;
  last_index_ = std::max(last_index_, idx);
  auto it = kvs_.find(entry.key);
  bool ok =
      it == kvs_.end() ? entry.modify_index == 0 : entry.modify_index == it->second.modify_index;
  if (ok) KVSSetInTxn(idx, entry, false, &touched);
  FinishWrite(lock, touched);
  return ok;
}

void StateStore::KVSDelete(uint64_t idx, std::string_view key) {
  std::unique_lock lock(mu_);
  std::vector<std::string> touched;
  last_index_ = std::max(last_index_, idx);
  KVSDeleteInTxn(idx, key, &touched);
  FinishWrite(lock, touched);
}

bool StateStore::KVSDeleteCAS(uint64_t idx, uint64_t cas_index, std::string_view key) {
  std::unique_lock lock(mu_);
  std::vector<std::string> touched;
  last_index_ = std::max(last_index_, idx);
  auto it = kvs_.find(key);
  // Like Consul: deleting a key that is already gone succeeds.
  if (it == kvs_.end()) return true;
  if (it->second.modify_index != cas_index) return false;
  KVSDeleteInTxn(idx, key, &touched);
  FinishWrite(lock, touched);
  return true;
}

void StateStore::KVSDeleteTree(uint64_t idx, std::string_view prefix) {
  std::unique_lock lock(mu_);
  std::vector<std::string> touched;
  last_index_ = std::max(last_index_, idx);
  KVSDeleteTreeInTxn(idx, prefix, &touched);
  FinishWrite(lock, touched);
}

void StateStore::MarkApplied(uint64_t idx) {
  std::unique_lock lock(mu_);
  last_index_ = std::max(last_index_, idx);
}

}  // namespace consulate::state
