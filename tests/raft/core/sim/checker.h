// Checker: the simulator's safety oracle. The simulator reports what nodes persist, commit, apply
// and read; the checker verifies Raft's safety properties (paper Figure 3) against everything seen
// so far and remembers the first violation.
//
//   Election Safety     at most one leader per term.
//   Log Matching        two logs holding an entry with the same (index, term) hold the same entry
//                       there and the same term just before it, hence (by induction) identical
//                       prefixes. Checked on every entry a node persists.
//   Leader Completeness a leader of term T holds every entry committed by a leader of a term < T.
//                       Checked when a node is first seen leading a term.
//   State Machine Safety no two nodes apply different entries at the same index; snapshots carry
//                       the same state as applying the log up to their index.
//   Durability          the above together mean committed entries are never lost: every later
//                       leader has them and every node applies them.
//   Linearizable reads  a ReadIndex answer is at least the highest commit index observed anywhere
//                       before the request was made.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "raft/core/raft.h"
#include "raft/core/types.h"
#include "raft/log_entry.h"

namespace consulate::raft::core::sim {

uint64_t HashBytes(std::string_view bytes);
// The state machine's running hash after applying `entry` on top of `previous`.
uint64_t ChainHash(uint64_t previous, const LogEntry& entry);

class Checker {
 public:
  // `raft` is a node seen in the leader role (any time during its leadership).
  void OnLeader(const Raft& raft);
  // Durability: `raft`'s log holds every entry applied anywhere up to `through` (or a snapshot
  // covering it). `what` names the property in the failure message.
  void CheckHoldsCommitted(const Raft& raft, LogIndex through, const std::string& what);
  // A node persisted `entries`; prev_term is the term of the entry before the first, if known.
  void OnPersistedEntries(NodeId node, const std::vector<LogEntry>& entries,
                          std::optional<TermId> prev_term);
  // A leader of `term` has (durably, on a majority) committed through `commit_index`.
  void OnLeaderCommit(TermId term, LogIndex commit_index);
  // A node applied `entry`, its state machine hash becoming `hash`.
  void OnApply(NodeId node, const LogEntry& entry, uint64_t hash);
  // A node restored its state machine from a snapshot claiming `hash` at `index`.
  void OnSnapshotRestore(NodeId node, LogIndex index, uint64_t hash);
  void OnReadRequest(const std::string& context) { read_floor_[context] = max_commit_; }
  void OnReadState(NodeId node, const ReadState& state);
  // Free-form violation found by the simulator itself.
  void Fail(std::string message) {
    if (failure_.empty()) failure_ = std::move(message);
  }

  bool ok() const { return failure_.empty(); }
  const std::string& failure() const { return failure_; }
  LogIndex max_commit() const { return max_commit_; }
  // Hash of the state after applying `index`, if some node applied it.
  std::optional<uint64_t> ChainAt(LogIndex index) const;
  size_t committed_count() const { return committed_.size(); }
  // Term of the entry some node applied at `index`.
  std::optional<TermId> AppliedTermAt(LogIndex index) const {
    auto it = committed_.find(index);
    if (it == committed_.end()) return std::nullopt;
    return it->second.term;
  }
  size_t leader_terms() const { return leaders_.size(); }
  size_t reads_checked() const { return reads_checked_; }

 private:
  struct Digest {
    TermId term = 0;
    uint64_t hash = 0;  // of type and data
  };
  struct Seen {
    uint64_t hash = 0;
    std::optional<TermId> prev_term;
  };

  std::string failure_;
  std::map<TermId, NodeId> leaders_;
  std::set<std::pair<uint64_t, TermId>> completeness_checked_;  // (node, term)
  std::map<std::pair<LogIndex, TermId>, Seen> seen_;
  std::map<LogIndex, Digest> committed_;  // applied by some node
  std::map<LogIndex, uint64_t> chain_;    // state hash after applying index
  // (commit index, leader term) each time the highest observed commit index rose.
  std::vector<std::pair<LogIndex, TermId>> commit_steps_;
  LogIndex max_commit_ = 0;
  std::map<std::string, LogIndex> read_floor_;
  size_t reads_checked_ = 0;
};

}  // namespace consulate::raft::core::sim
