// MemoryStorage: Storage kept in memory, for tests and the simulator (etcd's MemoryStorage).
//
// Layout: entries_[0] is a dummy entry holding the snapshot's (index, term); real entries follow,
// so FirstIndex() == entries_[0].index + 1.
//
// Thread-safety: none; one thread drives it and the core that reads it.
#pragma once

#include <vector>

#include "raft/core/storage.h"

namespace consulate::raft::core {

class MemoryStorage : public Storage {
 public:
  // An empty log whose base configuration (as of index 0) is `bootstrap`: pass the initial voters
  // to every founding member; a server joining later starts with an empty configuration and
  // learns its membership from the leader.
  explicit MemoryStorage(Configuration bootstrap = {});

  Result<InitialState> GetInitialState() const override;
  Status Entries(LogIndex lo, LogIndex hi, uint64_t max_bytes,
                 std::vector<LogEntry>* out) const override;
  Result<TermId> Term(LogIndex index) const override;
  LogIndex FirstIndex() const override { return entries_.front().index + 1; }
  LogIndex LastIndex() const override { return entries_.front().index + entries_.size() - 1; }
  Result<core::Snapshot> GetSnapshot() const override;

  // --- Writes, done by the caller while handling a Ready. ---
  void SetHardState(const HardState& state) { hard_state_ = state; }
  const HardState& hard_state() const { return hard_state_; }

  // Replaces everything with `snapshot`. Conflict if it is not newer than the one held.
  Status ApplySnapshot(const core::Snapshot& snapshot);

  // Appends entries, first dropping any held entries at or after entries[0].index. Entries below
  // FirstIndex() are ignored (already covered by the snapshot).
  // REQUIRES (else InvalidArgument): consecutive indices, entries[0].index <= LastIndex() + 1.
  Status Append(const std::vector<LogEntry>& entries);

  // Records a snapshot of the state machine as of `index` (which the caller has applied).
  // InvalidArgument if index is not in (snapshot index, LastIndex()].
  Status CreateSnapshot(LogIndex index, const Configuration& configuration, std::string data);

  // Discards the entries up to and including `through`. InvalidArgument if the snapshot does not
  // cover them (through > snapshot index): a follower needing them could never be served. A no-op
  // if through < FirstIndex().
  Status Compact(LogIndex through);

  const core::Snapshot& snapshot() const { return snapshot_; }

 private:
  HardState hard_state_;
  core::Snapshot snapshot_;
  std::vector<LogEntry> entries_;  // entries_[0] is the dummy; never empty
};

}  // namespace consulate::raft::core
