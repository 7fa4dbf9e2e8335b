// RaftLog: the core's view of the log, i.e. what the caller has persisted (Storage) followed by
// what it has not yet persisted (Unstable), plus the commit and apply cursors and the membership
// the log implies (etcd's raftLog and unstable).
//
//   snapshot/first index ...... applied <= committed ...... last index
//   [ Storage: persisted entries ][ Unstable: handed out in Ready::entries, awaiting Advance ]
//
// Ranges are half-open [lo, hi). An index is "compacted" when it is below FirstIndex() - 1.
// Storage failures (anything but "compacted") are remembered in error(): the core stops, it does
// not guess.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "raft/core/configuration.h"
#include "raft/core/message.h"
#include "raft/core/storage.h"
#include "raft/log_entry.h"

namespace consulate::raft::core {

// Entries and a snapshot not yet persisted by the caller. entries[i] has index offset + i.
class Unstable {
 public:
  // A snapshot's index + 1 if one is pending.
  std::optional<LogIndex> MaybeFirstIndex() const;
  // The last unstable entry's index, else a pending snapshot's.
  std::optional<LogIndex> MaybeLastIndex() const;
  std::optional<TermId> MaybeTerm(LogIndex index) const;

  // The caller persisted entries through (index, term): drop them. Ignored if the entry there has
  // since been replaced by one of another term.
  void StableTo(LogIndex index, TermId term);
  void StableSnapshotTo(LogIndex index);
  void Restore(const Snapshot& snapshot);
  // REQUIRES: entries non-empty and consecutive; entries[0].index <= last index + 1.
  void TruncateAndAppend(const std::vector<LogEntry>& entries);
  // REQUIRES: offset <= lo <= hi <= offset + entries.size()
  void Slice(LogIndex lo, LogIndex hi, std::vector<LogEntry>* out) const;

  const std::vector<LogEntry>& entries() const { return entries_; }
  const std::optional<Snapshot>& snapshot() const { return snapshot_; }
  LogIndex offset() const { return offset_; }
  void set_offset(LogIndex offset) { offset_ = offset; }

 private:
  std::optional<Snapshot> snapshot_;
  std::vector<LogEntry> entries_;
  LogIndex offset_ = 0;
};

class RaftLog {
 public:
  // REQUIRES: storage outlives the log. max_committed_bytes bounds NextCommittedEntries.
  RaftLog(const Storage* storage, uint64_t max_committed_bytes);

  // Seeds the membership with `base` (in force as of FirstIndex() - 1) and scans the stored
  // entries for configuration entries. Called once at start.
  Status LoadConfigurations(const Configuration& base);

  LogIndex FirstIndex() const;
  LogIndex LastIndex() const;
  TermId LastTerm() const { return TermOrZero(LastIndex()); }
  // Term of `index`: 0 past the end; NotFound below FirstIndex() - 1 (compacted).
  Result<TermId> Term(LogIndex index) const;
  TermId TermOrZero(LogIndex index) const;
  // Whether our log holds an entry at `index` with `term` (index 0 / the snapshot's included).
  bool MatchTerm(LogIndex index, TermId term) const;
  // Raft §5.4.1: a candidate's log (last_index, last_term) is at least as up-to-date as ours.
  bool IsUpToDate(LogIndex last_index, TermId last_term) const;

  // Follower side of AppendEntries (§5.3): if our entry at prev_index has prev_term, append the
  // entries that are new (truncating the first conflicting suffix), raise the commit index to
  // min(leader_commit, last new index) and return that last new index. nullopt on a mismatch.
  std::optional<LogIndex> MaybeAppend(LogIndex prev_index, TermId prev_term, LogIndex leader_commit,
                                      const std::vector<LogEntry>& entries);
  // Appends, replacing whatever is at and after entries[0].index. Returns the new last index.
  // REQUIRES: entries[0].index > committed(); consecutive indices.
  LogIndex Append(const std::vector<LogEntry>& entries);
  // Index of the first entry that conflicts with (same index, other term) or is missing from our
  // log; 0 if every entry is already present.
  LogIndex FindConflict(const std::vector<LogEntry>& entries) const;
  // Fast backtracking: the largest index <= `index` whose term is <= `term`, and that term
  // (0 when compacted). See AppendEntriesResponse.
  std::pair<LogIndex, TermId> FindConflictByTerm(LogIndex index, TermId term) const;

  // Replaces *out with the entries [lo, LastIndex() + 1), size-limited as in Storage::Entries.
  Status Entries(LogIndex lo, uint64_t max_bytes, std::vector<LogEntry>* out) const;
  // [lo, hi). NotFound if lo is compacted; InvalidArgument if hi > LastIndex() + 1.
  Status Slice(LogIndex lo, LogIndex hi, uint64_t max_bytes, std::vector<LogEntry>* out) const;

  // Leader: commits max_index if it is past the commit index and has `term` (§5.4.2: only
  // entries of the current term are committed by counting replicas).
  bool MaybeCommit(LogIndex max_index, TermId term);
  // Raises the commit index (never lowers it). An index past the end is clamped and recorded in
  // error(): it means a peer or the storage broke the protocol.
  void CommitTo(LogIndex index);
  void AppliedTo(LogIndex index);

  // Committed entries not yet handed out for applying (none while a snapshot is pending).
  bool HasNextCommittedEntries() const;
  std::vector<LogEntry> NextCommittedEntries();

  void StableTo(LogIndex index, TermId term) { unstable_.StableTo(index, term); }
  void StableSnapshotTo(LogIndex index) { unstable_.StableSnapshotTo(index); }
  // Replaces the whole log by `snapshot` (follower installing it). Also commits its index.
  void Restore(const Snapshot& snapshot);

  const std::vector<LogEntry>& UnstableEntries() const { return unstable_.entries(); }
  const std::optional<Snapshot>& UnstableSnapshot() const { return unstable_.snapshot(); }
  bool HasPendingSnapshot() const { return unstable_.snapshot().has_value(); }

  LogIndex committed() const { return committed_; }
  LogIndex applied() const { return applied_; }
  const ConfigurationHistory& configurations() const { return configurations_; }
  const Storage* storage() const { return storage_; }

  // The first storage failure or protocol violation seen; OK otherwise.
  const Status& error() const { return error_; }
  void RecordError(Status status) {
    if (error_.ok()) error_ = std::move(status);
  }

 private:
  // Adds the configuration entries of entries to the history (after truncating it at the first).
  void TrackConfigurations(const std::vector<LogEntry>& entries);

  const Storage* const storage_;
  const uint64_t max_committed_bytes_;
  Unstable unstable_;
  LogIndex committed_ = 0;
  LogIndex applied_ = 0;
  ConfigurationHistory configurations_;
  Status error_;
};

}  // namespace consulate::raft::core
