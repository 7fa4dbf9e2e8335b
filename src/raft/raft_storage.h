// The Raft driver's storage: what the core reads (core::Storage) plus the writes a driver makes
// while handling a Ready. Two implementations: DiskStorage (segment log, snapshot files and the
// hard-state file under <data_dir>/raft) and MemoryRaftStorage (-dev: nothing touches the disk).
//
// Thread-safety: everything runs on the driver's thread except WriteSnapshot, which a background
// thread calls so that writing a snapshot file never stalls the log (see server/raft_node.h).
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/result.h"
#include "base/status.h"
#include "raft/core/memory_storage.h"
#include "raft/core/storage.h"

namespace consulate::raft {

class SegmentLog;
class SnapshotStore;
class StableStore;

class RaftStorage : public core::Storage {
 public:
  // True when nothing was ever stored: no term, no entry, no snapshot (Consul's "no existing
  // Raft state", the condition for bootstrapping).
  virtual bool IsPristine() const = 0;
  // Writes the founding configuration as entry 1 of term 1, the way every founding member of a
  // cluster does (identical entries on each, so the logs match). REQUIRES: IsPristine().
  virtual Status Bootstrap(const core::Configuration& voters) = 0;

  // Records the hard state; durable (synced) when term or vote changed. A commit index alone is
  // kept in memory: it is recomputed from the cluster after a restart.
  virtual Status SetHardState(const core::HardState& state) = 0;
  // Appends, first dropping held entries at or after entries[0].index. Not synced.
  virtual Status Append(const std::vector<LogEntry>& entries) = 0;
  virtual Status Sync() = 0;
  // Sync() split in two, for a leader that goes on replicating while its disk flushes: returns a
  // job (empty: nothing pending) that makes every entry appended so far durable; it may run on
  // another thread, concurrently with later Appends (which it does not cover).
  virtual Result<std::function<Status()>> TakeSyncJob() = 0;
  // Replaces the log with `snapshot` (a follower installing the leader's); durable on return.
  virtual Status InstallSnapshot(const core::Snapshot& snapshot) = 0;

  // Any thread: writes a state-machine snapshot durably. Then, on the driver thread,
  // SnapshotWritten makes it the one served to followers.
  virtual Status WriteSnapshot(const core::SnapshotMetadata& meta, const std::string& data) = 0;
  virtual Status SnapshotWritten(const core::SnapshotMetadata& meta) = 0;
  // Drops the entries through `through` (REQUIRES: covered by the latest snapshot).
  virtual Status Compact(LogIndex through) = 0;
  // The state-machine snapshot found at open, to restore before replaying (moved out once).
  virtual std::optional<core::Snapshot> TakeRecoveredSnapshot() = 0;
  virtual LogIndex SnapshotIndex() const = 0;
};

class MemoryRaftStorage final : public RaftStorage {
 public:
  Result<core::InitialState> GetInitialState() const override { return mem_.GetInitialState(); }
  Status Entries(LogIndex lo, LogIndex hi, uint64_t max_bytes,
                 std::vector<LogEntry>* out) const override {
    return mem_.Entries(lo, hi, max_bytes, out);
  }
  Result<TermId> Term(LogIndex index) const override { return mem_.Term(index); }
  LogIndex FirstIndex() const override { return mem_.FirstIndex(); }
  LogIndex LastIndex() const override { return mem_.LastIndex(); }
  Result<core::Snapshot> GetSnapshot() const override;

  bool IsPristine() const override;
  Status Bootstrap(const core::Configuration& voters) override;
  Status SetHardState(const core::HardState& state) override;
  Status Append(const std::vector<LogEntry>& entries) override { return mem_.Append(entries); }
  Status Sync() override { return Status::OK(); }
  Result<std::function<Status()>> TakeSyncJob() override { return std::function<Status()>(); }
  Status InstallSnapshot(const core::Snapshot& snapshot) override {
    return mem_.ApplySnapshot(snapshot);
  }
  Status WriteSnapshot(const core::SnapshotMetadata& meta, const std::string& data) override;
  Status SnapshotWritten(const core::SnapshotMetadata& meta) override;
  Status Compact(LogIndex through) override { return mem_.Compact(through); }
  std::optional<core::Snapshot> TakeRecoveredSnapshot() override { return std::nullopt; }
  LogIndex SnapshotIndex() const override { return mem_.snapshot().metadata.index; }

 private:
  core::MemoryStorage mem_;
  std::mutex mu_;
  std::optional<core::Snapshot> written_;  // GUARDED_BY(mu_)
};

class DiskStorage final : public RaftStorage {
 public:
  struct Options {
    bool sync = true;
    uint64_t segment_bytes = 64ull << 20;
    Logger logger;
  };
  // Opens (creating) raft_dir/{log,snapshots,raft-state} and recovers: the newest intact
  // snapshot, the log after it, the hard state.
  static Result<std::unique_ptr<DiskStorage>> Open(const std::string& raft_dir,
                                                   const Options& options);
  ~DiskStorage() override;

  Result<core::InitialState> GetInitialState() const override;
  Status Entries(LogIndex lo, LogIndex hi, uint64_t max_bytes,
                 std::vector<LogEntry>* out) const override;
  Result<TermId> Term(LogIndex index) const override;
  LogIndex FirstIndex() const override { return base_index_ + 1; }
  LogIndex LastIndex() const override;
  Result<core::Snapshot> GetSnapshot() const override;

  bool IsPristine() const override;
  Status Bootstrap(const core::Configuration& voters) override;
  Status SetHardState(const core::HardState& state) override;
  Status Append(const std::vector<LogEntry>& entries) override;
  Status Sync() override;
  Result<std::function<Status()>> TakeSyncJob() override;
  Status InstallSnapshot(const core::Snapshot& snapshot) override;
  Status WriteSnapshot(const core::SnapshotMetadata& meta, const std::string& data) override;
  Status SnapshotWritten(const core::SnapshotMetadata& meta) override;
  Status Compact(LogIndex through) override;
  std::optional<core::Snapshot> TakeRecoveredSnapshot() override;
  LogIndex SnapshotIndex() const override { return snap_meta_.index; }

 private:
  explicit DiskStorage(const Options& options);
  Status Recover(const std::string& raft_dir);

  const Options options_;
  std::unique_ptr<SegmentLog> log_;
  std::unique_ptr<SnapshotStore> snapshots_;
  std::unique_ptr<StableStore> stable_;
  core::HardState hard_state_;  // as last set (commit index possibly newer than on disk)
  core::SnapshotMetadata snap_meta_;
  // The entry just before FirstIndex(): its term is known even though the entry is gone.
  LogIndex base_index_ = 0;
  TermId base_term_ = 0;
  std::optional<core::Snapshot> recovered_;
  mutable std::optional<core::Snapshot> cached_;  // GetSnapshot's last answer

  // The newest entries, contiguous and ending at LastIndex(), kept in memory so that applying
  // and replicating them right after they were appended needs no read from the log file.
  class RecentEntries {
   public:
    // Adds entries[0, n) after what is kept (dropping kept ones they replace); the oldest go
    // once more than kMaxBytes are kept.
    void Add(const LogEntry* entries, size_t n);
    void DropFrom(LogIndex first);    // entries at or after `first`
    void DropThrough(LogIndex last);  // entries at or before `last`
    void Clear() { DropFrom(0); }
    // SegmentLog::Entries from memory; false if [lo, hi) is not all kept.
    bool Get(LogIndex lo, LogIndex hi, uint64_t max_bytes, std::vector<LogEntry>* out) const;

   private:
    static constexpr uint64_t kMaxBytes = uint64_t{2} << 20;
    std::deque<LogEntry> entries_;
    uint64_t bytes_ = 0;
  };
  RecentEntries recent_;
};

}  // namespace consulate::raft
