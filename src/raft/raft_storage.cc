#include "raft/raft_storage.h"

#include <charconv>

#include "base/file_util.h"
#include "raft/segment_format.h"
#include "raft/segment_log.h"
#include "raft/snapshot_store.h"
#include "raft/stable_store.h"

namespace consulate::raft {

namespace {

HardState ToStable(const core::HardState& hs) {
  HardState out;
  out.current_term = hs.term;
  out.voted_for = hs.vote.IsNone() ? std::string() : std::to_string(hs.vote.value());
  out.commit_index = hs.commit_index;
  return out;
}

Result<core::HardState> FromStable(const HardState& hs) {
  core::HardState out;
  out.term = hs.current_term;
  out.commit_index = hs.commit_index;
  if (!hs.voted_for.empty()) {
    uint64_t v = 0;
    const char* end = hs.voted_for.data() + hs.voted_for.size();
    auto [p, ec] = std::from_chars(hs.voted_for.data(), end, v);
    if (ec != std::errc() || p != end) {
      return Status::Corruption("raft-state: bad voted_for \"" + hs.voted_for + "\"");
    }
    out.vote = core::NodeId(v);
  }
  return out;
}

LogEntry BootstrapEntry(const core::Configuration& voters) {
  LogEntry e;
  e.index = 1;
  e.term = 1;
  e.type = EntryType::kConfiguration;
  e.data = core::EncodeConfiguration(voters);
  return e;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// MemoryRaftStorage

Result<core::Snapshot> MemoryRaftStorage::GetSnapshot() const { return mem_.GetSnapshot(); }

bool MemoryRaftStorage::IsPristine() const {
  return mem_.hard_state().IsEmpty() && mem_.LastIndex() == 0;
}

Status MemoryRaftStorage::Bootstrap(const core::Configuration& voters) {
  if (!IsPristine()) return Status::Conflict("raft state already exists");
  CONSULATE_RETURN_IF_ERROR(mem_.Append({BootstrapEntry(voters)}));
  mem_.SetHardState(core::HardState{1, core::kNoNode, 0});
  return Status::OK();
}

Status MemoryRaftStorage::SetHardState(const core::HardState& state) {
  mem_.SetHardState(state);
  return Status::OK();
}

Status MemoryRaftStorage::WriteSnapshot(const core::SnapshotMetadata& meta,
                                        const std::string& data) {
  std::lock_guard<std::mutex> lock(mu_);
  written_ = core::Snapshot{meta, data};
  return Status::OK();
}

Status MemoryRaftStorage::SnapshotWritten(const core::SnapshotMetadata& meta) {
  std::optional<core::Snapshot> snap;
  {
    std::lock_guard<std::mutex> lock(mu_);
    snap.swap(written_);
  }
  if (!snap || snap->metadata != meta) return Status::Conflict("no such snapshot");
  return mem_.CreateSnapshot(meta.index, meta.configuration, std::move(snap->data));
}

// ---------------------------------------------------------------------------------------------
// DiskStorage

Result<std::unique_ptr<DiskStorage>> DiskStorage::Open(const std::string& raft_dir,
                                                       const Options& options) {
  std::unique_ptr<DiskStorage> s(new DiskStorage(options));
  CONSULATE_RETURN_IF_ERROR(s->Recover(raft_dir));
  return s;
}

DiskStorage::DiskStorage(const Options& options) : options_(options) {}
DiskStorage::~DiskStorage() = default;

Status DiskStorage::Recover(const std::string& raft_dir) {
  StableStore::Options so;
  so.sync = options_.sync;
  auto stable = StableStore::Open(raft_dir, so);
  if (!stable.ok()) return stable.status();
  stable_ = std::move(*stable);
  auto hs = FromStable(stable_->state());
  if (!hs.ok()) return hs.status();
  hard_state_ = *hs;

  SnapshotStore::Options sno;
  sno.sync = options_.sync;
  sno.logger = options_.logger;
  auto snaps = SnapshotStore::Open(raft_dir + "/snapshots", sno);
  if (!snaps.ok()) return snaps.status();
  snapshots_ = std::move(*snaps);
  auto latest = snapshots_->LoadLatest();
  if (!latest.ok()) return latest.status();
  if (latest->has_value()) {
    Snapshot& file = **latest;
    core::Snapshot snap;
    snap.metadata.index = file.meta.index;
    snap.metadata.term = file.meta.term;
    CONSULATE_RETURN_IF_ERROR(
        core::DecodeConfiguration(file.meta.configuration, &snap.metadata.configuration));
    snap.data = std::move(file.data);
    snap_meta_ = snap.metadata;
    recovered_ = std::move(snap);
  }

  SegmentLog::Options lo;
  lo.segment_bytes = options_.segment_bytes;
  lo.sync = options_.sync;
  lo.logger = options_.logger;
  auto log = SegmentLog::Open(raft_dir + "/log", lo);
  if (!log.ok()) return log.status();
  log_ = std::move(*log);

  const LogIndex snap_index = snap_meta_.index;
  // A crash during compaction can leave a log that ends before the snapshot: forget it again.
  if (snap_index > 0 && log_->LastIndex() < snap_index)
    CONSULATE_RETURN_IF_ERROR(log_->CompactPrefix(snap_index));
  if (!log_->IsEmpty() && log_->FirstIndex() > snap_index + 1) {
    return Status::Corruption("raft log starts at " + std::to_string(log_->FirstIndex()) +
                              " but the newest snapshot ends at " + std::to_string(snap_index));
  }
  if (log_->IsEmpty() || log_->FirstIndex() == snap_index + 1) {
    base_index_ = snap_index;
    base_term_ = snap_meta_.term;
  } else {
    // The log reaches back before the snapshot (trailing logs): its first entry serves as the
    // base, since the term of the entry before it is not known.
    base_index_ = log_->FirstIndex();
    auto t = log_->Term(base_index_);
    if (!t.ok()) return t.status();
    base_term_ = *t;
  }
  if (hard_state_.commit_index > LastIndex()) hard_state_.commit_index = LastIndex();
  if (hard_state_.commit_index < snap_index) hard_state_.commit_index = snap_index;
  return Status::OK();
}

Result<core::InitialState> DiskStorage::GetInitialState() const {
  return core::InitialState{hard_state_, snap_meta_.configuration};
}

LogIndex DiskStorage::LastIndex() const {
  return log_->IsEmpty() ? base_index_ : std::max(base_index_, log_->LastIndex());
}

Status DiskStorage::Entries(LogIndex lo, LogIndex hi, uint64_t max_bytes,
                            std::vector<LogEntry>* out) const {
  out->clear();
  if (lo <= base_index_) return Status::NotFound("compacted");
  if (lo > hi || hi > LastIndex() + 1) {
    return Status::InvalidArgument("entries [" + std::to_string(lo) + ", " + std::to_string(hi) +
                                   ") out of bounds");
  }
  if (lo == hi) return Status::OK();
  if (recent_.Get(lo, hi, max_bytes, out)) return Status::OK();
  return log_->Entries(lo, hi, max_bytes, out);
}

void DiskStorage::RecentEntries::Add(const LogEntry* entries, size_t n) {
  if (n == 0) return;
  DropFrom(entries[0].index);
  if (!entries_.empty() && entries_.back().index + 1 != entries[0].index) Clear();
  for (size_t i = 0; i < n; ++i) {
    bytes_ += segment::EncodedSize(entries[i]);
    entries_.push_back(entries[i]);
  }
  while (bytes_ > kMaxBytes && entries_.size() > 1) DropThrough(entries_.front().index);
}

void DiskStorage::RecentEntries::DropFrom(LogIndex first) {
  while (!entries_.empty() && entries_.back().index >= first) {
    bytes_ -= segment::EncodedSize(entries_.back());
    entries_.pop_back();
  }
}

void DiskStorage::RecentEntries::DropThrough(LogIndex last) {
  while (!entries_.empty() && entries_.front().index <= last) {
    bytes_ -= segment::EncodedSize(entries_.front());
    entries_.pop_front();
  }
}

bool DiskStorage::RecentEntries::Get(LogIndex lo, LogIndex hi, uint64_t max_bytes,
                                     std::vector<LogEntry>* out) const {
  if (entries_.empty() || lo < entries_.front().index || hi - 1 > entries_.back().index) {
    return false;
  }
  uint64_t bytes = 0;
  for (auto it = entries_.begin() + static_cast<std::ptrdiff_t>(lo - entries_.front().index);
       it != entries_.end() && it->index < hi; ++it) {
    const uint64_t size = segment::EncodedSize(*it);
    if (!out->empty() && bytes + size > max_bytes) break;  // as SegmentLog::Entries counts
    bytes += size;
    out->push_back(*it);
  }
  return true;
}

Result<TermId> DiskStorage::Term(LogIndex index) const {
  if (index == base_index_) return base_term_;
  if (index < base_index_) return Status::NotFound("compacted");
  if (index > LastIndex()) return Status::Unavailable("index beyond the last entry");
  return log_->Term(index);
}

Result<core::Snapshot> DiskStorage::GetSnapshot() const {
  if (snap_meta_.index == 0) return core::Snapshot{};
  if (cached_ && cached_->metadata == snap_meta_) return *cached_;
  auto latest = snapshots_->LoadLatest();
  if (!latest.ok()) return latest.status();
  if (!latest->has_value() || (*latest)->meta.index != snap_meta_.index)
    return Status::Unavailable("snapshot not readable yet");
  core::Snapshot snap;
  snap.metadata = snap_meta_;
  snap.data = std::move((*latest)->data);
  cached_ = snap;
  return snap;
}

bool DiskStorage::IsPristine() const {
  return hard_state_.term == 0 && hard_state_.vote.IsNone() && LastIndex() == 0 &&
         snap_meta_.index == 0;
}

Status DiskStorage::Bootstrap(const core::Configuration& voters) {
  if (!IsPristine()) return Status::Conflict("raft state already exists");
  CONSULATE_RETURN_IF_ERROR(log_->Append({BootstrapEntry(voters)}));
  CONSULATE_RETURN_IF_ERROR(log_->Sync());
  return SetHardState(core::HardState{1, core::kNoNode, 0});
}

Status DiskStorage::SetHardState(const core::HardState& state) {
  const bool durable_part_changed =
      state.term != hard_state_.term || state.vote != hard_state_.vote;
  if (durable_part_changed || stable_->state().current_term == 0) {
    CONSULATE_RETURN_IF_ERROR(stable_->Save(ToStable(state)));
  }
  hard_state_ = state;
  return Status::OK();
}

Status DiskStorage::Append(const std::vector<LogEntry>& entries) {
  size_t skip = 0;
  while (skip < entries.size() && entries[skip].index <= base_index_) ++skip;
  if (skip == entries.size()) return Status::OK();
  const LogIndex first = entries[skip].index;
  if (first > LastIndex() + 1) {
    return Status::InvalidArgument("append at " + std::to_string(first) + " leaves a gap after " +
                                   std::to_string(LastIndex()));
  }
  // Entries from `first` on are replaced: drop their cached copies first, whatever fails below.
  recent_.DropFrom(first);
  if (!log_->IsEmpty() && first <= log_->LastIndex())
    CONSULATE_RETURN_IF_ERROR(log_->TruncateSuffix(first));
  Status st;
  if (skip == 0) {
    st = log_->Append(entries);
  } else {
    std::vector<LogEntry> rest(entries.begin() + static_cast<std::ptrdiff_t>(skip), entries.end());
    st = log_->Append(rest);
  }
  if (st.ok()) {
    recent_.Add(entries.data() + skip, entries.size() - skip);
  } else {
    recent_.Clear();
  }
  return st;
}

Status DiskStorage::Sync() { return log_->Sync(); }

Result<std::function<Status()>> DiskStorage::TakeSyncJob() { return log_->TakeSyncJob(); }

Status DiskStorage::InstallSnapshot(const core::Snapshot& snapshot) {
  const core::SnapshotMetadata& m = snapshot.metadata;
  if (m.index <= snap_meta_.index) return Status::Conflict("snapshot is not newer");
  SnapshotMeta meta{m.index, m.term, core::EncodeConfiguration(m.configuration)};
  CONSULATE_RETURN_IF_ERROR(snapshots_->Save(meta, snapshot.data));
  // The log restarts after the snapshot.
  if (!log_->IsEmpty() && log_->LastIndex() > m.index) {
    CONSULATE_RETURN_IF_ERROR(log_->TruncateSuffix(std::max(log_->FirstIndex(), m.index + 1)));
  }
  CONSULATE_RETURN_IF_ERROR(log_->CompactPrefix(m.index));
  snap_meta_ = m;
  cached_ = snapshot;
  recent_.Clear();
  base_index_ = m.index;
  base_term_ = m.term;
  if (hard_state_.commit_index < m.index) hard_state_.commit_index = m.index;
  return Status::OK();
}

Status DiskStorage::WriteSnapshot(const core::SnapshotMetadata& meta, const std::string& data) {
  SnapshotMeta file_meta{meta.index, meta.term, core::EncodeConfiguration(meta.configuration)};
  return snapshots_->Save(file_meta, data);
}

Status DiskStorage::SnapshotWritten(const core::SnapshotMetadata& meta) {
  if (meta.index <= snap_meta_.index) return Status::OK();
  snap_meta_ = meta;
  cached_.reset();
  // A snapshot only ever covers applied, hence committed, entries.
  if (hard_state_.commit_index < meta.index) hard_state_.commit_index = meta.index;
  return Status::OK();
}

Status DiskStorage::Compact(LogIndex through) {
  if (through <= base_index_) return Status::OK();
  if (through > snap_meta_.index) {
    return Status::InvalidArgument("compaction through " + std::to_string(through) +
                                   " passes the snapshot at " + std::to_string(snap_meta_.index));
  }
  auto t = Term(through);
  if (!t.ok()) return t.status();
  CONSULATE_RETURN_IF_ERROR(log_->CompactPrefix(through));
  recent_.DropThrough(through);
  base_index_ = through;
  base_term_ = *t;
  return Status::OK();
}

std::optional<core::Snapshot> DiskStorage::TakeRecoveredSnapshot() {
  std::optional<core::Snapshot> out;
  out.swap(recovered_);
  return out;
}

}  // namespace consulate::raft
