// StateStore: the in-memory state every server holds, built only by applying committed log entries
// at their Raft index (see fsm/). Readers take a shared lock and may register watches for blocking
// queries; the single applier takes the exclusive lock. Mirrors Consul's agent/consul/state.
//
// Thread-safety: all public methods are thread-safe. Write methods must be called by one thread at
// a time in increasing index order (the log applier).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "state/kvs.h"
#include "state/watch.h"

namespace consulate::state {

struct TxnKVOp {
  KVOp verb = KVOp::kSet;
  DirEntry entry;  // key, value, flags, session; modify_index holds the CAS/check index
};

struct TxnError {
  uint32_t op_index = 0;
  std::string what;
};

struct TxnResult {
  std::vector<DirEntry> kv;  // one entry per result, in order (get-tree adds several)
  std::vector<TxnError> errors;
  bool ok() const { return errors.empty(); }
};

class StateStore {
 public:
  StateStore() = default;
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // ---- Reads. Each returns the index to report (never moves backwards) and, when `ws` is given,
  // registers the watches that cover its answer (REQUIRES: ws->waiter() set).
  uint64_t KVSGet(std::string_view key, std::optional<DirEntry>* out, WatchSet* ws) const;
  uint64_t KVSList(std::string_view prefix, std::vector<DirEntry>* out, WatchSet* ws) const;
  // Keys under `prefix`, rolled up at the first `separator` after the prefix (empty: no roll-up).
  uint64_t KVSListKeys(std::string_view prefix, std::string_view separator,
                       std::vector<std::string>* out, WatchSet* ws) const;
  // Runs a transaction of read-only verbs without a log entry.
  uint64_t ReadTxn(const std::vector<TxnKVOp>& ops, TxnResult* out) const;
  // The highest index applied to the store.
  uint64_t LastIndex() const;
  size_t KVSCount() const;

  // ---- Writes at log index `idx`. Each fires the watches of the keys it changed.
  void KVSSet(uint64_t idx, const DirEntry& entry);
  // Sets only when entry.modify_index is 0 and the key is absent, or equals the current
  // ModifyIndex. Returns whether it was applied.
  bool KVSSetCAS(uint64_t idx, const DirEntry& entry);
  void KVSDelete(uint64_t idx, std::string_view key);
  bool KVSDeleteCAS(uint64_t idx, uint64_t cas_index, std::string_view key);
  void KVSDeleteTree(uint64_t idx, std::string_view prefix);
  // Applies all operations or none. Read verbs in a write transaction see earlier writes.
  TxnResult Txn(uint64_t idx, const std::vector<TxnKVOp>& ops);
  // Records `idx` as applied without changing data (no-op and unknown entries).
  void MarkApplied(uint64_t idx);

  // ---- Snapshots: a self-describing, versioned encoding of every table.
  std::string EncodeSnapshot() const;
  // Replaces the whole state. Fires every watch.
  Status RestoreSnapshot(std::string_view data);

  WatchHub& kv_watches() { return kv_watches_; }

 private:

  // Helpers that run inside a lock (names end in InTxn, like Consul's *Txn helpers).
  uint64_t KVSMaxIndexInTxn() const;
  uint64_t PrefixTombstoneIndexInTxn(std::string_view prefix) const;
  void KVSSetInTxn(uint64_t idx, DirEntry entry, bool update_session, std::vector<std::string>* touched);
  bool KVSDeleteInTxn(uint64_t idx, std::string_view key, std::vector<std::string>* touched);
  void KVSDeleteTreeInTxn(uint64_t idx, std::string_view prefix, std::vector<std::string>* touched);
  Status TxnOpInTxn(uint64_t idx, const TxnKVOp& op, bool read_only, TxnResult* out,
                    std::vector<std::string>* touched);
  void FinishWrite(std::unique_lock<std::shared_mutex>& lock, std::vector<std::string>& touched);

  // Records the prior state of a key before a transaction changes it, so a failed transaction can
  // be rolled back whole. Only set while Txn() runs.
  struct Undo {
    std::string key;
    std::optional<DirEntry> entry;
    std::optional<uint64_t> tombstone;
  };
  void RecordUndoInTxn(std::string_view key);

  mutable std::shared_mutex mu_;
  std::vector<Undo>* undo_ = nullptr;                  // GUARDED_BY(mu_)
  KVMap kvs_;                                          // GUARDED_BY(mu_)
  std::map<std::string, uint64_t, std::less<>> tombstones_;  // key -> delete index; GUARDED_BY(mu_)
  uint64_t kvs_index_ = 0;                             // GUARDED_BY(mu_)
  uint64_t tombstones_index_ = 0;                      // GUARDED_BY(mu_)
  uint64_t last_index_ = 0;                            // GUARDED_BY(mu_)
  mutable WatchHub kv_watches_;
};

}  // namespace consulate::state
