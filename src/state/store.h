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
#include "state/catalog.h"
#include "state/coordinate.h"
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

  // ---- Catalog reads (state/catalog.cc). Indexes as Consul 1.8 reports them.
  uint64_t Nodes(std::vector<Node>* out, WatchSet* ws) const;
  // catalog/node/<name>: the node (absent: nullopt) and its services.
  uint64_t NodeServices(std::string_view node, std::optional<Node>* out,
                        std::vector<NodeService>* services, WatchSet* ws) const;
  // catalog/services: service name -> the union of its instances' tags (sorted, unique).
  uint64_t Services(std::map<std::string, std::vector<std::string>>* out, WatchSet* ws) const;
  // catalog/service/<name> and health/service/<name> (with_checks).
  uint64_t ServiceNodes(std::string_view service, bool with_checks,
                        std::vector<ServiceInstance>* out, WatchSet* ws) const;
  uint64_t NodeChecks(std::string_view node, std::vector<HealthCheck>* out, WatchSet* ws) const;
  uint64_t ServiceChecks(std::string_view service, std::vector<HealthCheck>* out,
                         WatchSet* ws) const;
  // health/state/<state>; "any" matches every check.
  uint64_t ChecksInState(std::string_view state, std::vector<HealthCheck>* out, WatchSet* ws) const;

  // ---- Catalog writes.
  Status EnsureRegistration(uint64_t idx, const RegisterRequest& req);
  Status Deregister(uint64_t idx, const DeregisterRequest& req);

  // ---- Coordinates (state/coordinate.cc). Both report the coordinates table's index.
  uint64_t Coordinates(std::vector<CoordinateEntry>* out, WatchSet* ws) const;
  // One node's coordinates by segment (empty when it has none).
  uint64_t NodeCoordinates(std::string_view node, CoordinateSet* out, WatchSet* ws) const;
  // Upserts each valid update of a node in the catalog; others are dropped silently.
  void CoordinateBatchUpdate(uint64_t idx, const std::vector<CoordinateEntry>& updates);

  // ---- Snapshots: a self-describing, versioned encoding of every table.
  std::string EncodeSnapshot() const;
  // Replaces the whole state. Fires every watch.
  Status RestoreSnapshot(std::string_view data);

  WatchHub& kv_watches() { return kv_watches_; }

 private:
  // Helpers that run inside a lock (names end in InTxn, like Consul's *Txn helpers).
  uint64_t KVSMaxIndexInTxn() const;
  uint64_t PrefixTombstoneIndexInTxn(std::string_view prefix) const;
  void KVSSetInTxn(uint64_t idx, DirEntry entry, bool update_session,
                   std::vector<std::string>* touched);
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
  std::vector<Undo>* undo_ = nullptr;                        // GUARDED_BY(mu_)
  KVMap kvs_;                                                // GUARDED_BY(mu_)
  std::map<std::string, uint64_t, std::less<>> tombstones_;  // key -> delete index; GUARDED_BY(mu_)
  uint64_t kvs_index_ = 0;                                   // GUARDED_BY(mu_)
  uint64_t tombstones_index_ = 0;                            // GUARDED_BY(mu_)
  uint64_t last_index_ = 0;                                  // GUARDED_BY(mu_)
  mutable WatchHub kv_watches_;

  // Catalog tables. Watch keys in catalog_watches_: "n:<node>", "s:<service name>", and the
  // table keys "t:nodes", "t:services", "t:checks".
  template <typename V>
  using ByName = std::map<std::string, V, std::less<>>;
  Status EnsureNodeInTxn(uint64_t idx, const Node& node, std::vector<std::string>* touched);
  Status EnsureServiceInTxn(uint64_t idx, const std::string& node, const NodeService& svc,
                            std::vector<std::string>* touched);
  Status EnsureCheckInTxn(uint64_t idx, const HealthCheck& check,
                          std::vector<std::string>* touched);
  void DeleteServiceInTxn(uint64_t idx, const std::string& node, const std::string& id,
                          std::vector<std::string>* touched);
  void DeleteCheckInTxn(uint64_t idx, const std::string& node, const std::string& id,
                        std::vector<std::string>* touched);
  void TouchServicesOfNodeInTxn(uint64_t idx, const std::string& node,
                                std::vector<std::string>* touched);
  uint64_t ServiceIndexInTxn(std::string_view service, bool exists, bool with_checks) const;
  void FinishCatalogWrite(std::unique_lock<std::shared_mutex>& lock,
                          std::vector<std::string>& touched);

  // Coordinates: (node, segment) -> coordinate. Watch keys "c:<node>" and "t:coordinates" in
  // catalog_watches_. Removed with their node (catalog.cc).
  void DeleteCoordinatesInTxn(uint64_t idx, const std::string& node,
                              std::vector<std::string>* touched);
  std::map<std::pair<std::string, std::string>, Coordinate> coordinates_;  // GUARDED_BY(mu_)
  uint64_t coordinates_index_ = 0;                                         // GUARDED_BY(mu_)

  ByName<Node> nodes_;                    // GUARDED_BY(mu_)
  ByName<ByName<NodeService>> services_;  // node -> service id; GUARDED_BY(mu_)
  ByName<ByName<HealthCheck>> checks_;    // node -> check id; GUARDED_BY(mu_)
  ByName<std::map<std::pair<std::string, std::string>, bool>> instances_;  // name -> (node, id)
  ByName<uint64_t> service_indexes_;  // Consul's "service.<name>" indexes
  uint64_t nodes_index_ = 0, services_index_ = 0, checks_index_ = 0;
  uint64_t service_extinction_index_ = 0;  // last time a service name disappeared
  mutable WatchHub catalog_watches_;
};

}  // namespace consulate::state
