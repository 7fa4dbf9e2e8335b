#include "raft/core/raft_log.h"

#include <algorithm>
#include <string>

namespace consulate::raft::core {

namespace {

// Keeps the longest prefix of entries whose data fits in max_bytes, but at least one entry.
void LimitSize(std::vector<LogEntry>* entries, uint64_t max_bytes) {
  uint64_t bytes = 0;
  for (size_t i = 0; i < entries->size(); ++i) {
    bytes += (*entries)[i].data.size();
    if (i > 0 && bytes > max_bytes) {
      entries->resize(i);
      return;
    }
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Unstable

std::optional<LogIndex> Unstable::MaybeFirstIndex() const {
  if (snapshot_) return snapshot_->metadata.index + 1;
  return std::nullopt;
}

std::optional<LogIndex> Unstable::MaybeLastIndex() const {
  if (!entries_.empty()) return offset_ + entries_.size() - 1;
  if (snapshot_) return snapshot_->metadata.index;
  return std::nullopt;
}

std::optional<TermId> Unstable::MaybeTerm(LogIndex index) const {
  if (index < offset_) {
    if (snapshot_ && snapshot_->metadata.index == index) return snapshot_->metadata.term;
    return std::nullopt;
  }
  auto last = MaybeLastIndex();
  if (!last || index > *last) return std::nullopt;
  return entries_[index - offset_].term;
}

void Unstable::StableTo(LogIndex index, TermId term) {
  auto t = MaybeTerm(index);
  // Below offset the term matched the snapshot, not an unstable entry: nothing to drop.
  if (!t || *t != term || index < offset_) return;
  entries_.erase(entries_.begin(), entries_.begin() + (index + 1 - offset_));
  offset_ = index + 1;
}

void Unstable::StableSnapshotTo(LogIndex index) {
  if (snapshot_ && snapshot_->metadata.index == index) snapshot_.reset();
}

void Unstable::Restore(const Snapshot& snapshot) {
  offset_ = snapshot.metadata.index + 1;
  entries_.clear();
  snapshot_ = snapshot;
}

void Unstable::TruncateAndAppend(const std::vector<LogEntry>& entries) {
  const LogIndex after = entries.front().index;
  if (after == offset_ + entries_.size()) {
    // Directly after what we hold.
  } else if (after <= offset_) {
    // Replaces all unstable entries; the caller will overwrite the persisted ones from `after`.
    offset_ = after;
    entries_.clear();
  } else {
    entries_.resize(after - offset_);
  }
  entries_.insert(entries_.end(), entries.begin(), entries.end());
}

void Unstable::Slice(LogIndex lo, LogIndex hi, std::vector<LogEntry>* out) const {
  out->insert(out->end(), entries_.begin() + (lo - offset_), entries_.begin() + (hi - offset_));
}

// ---------------------------------------------------------------------------------------------
// RaftLog

RaftLog::RaftLog(const Storage* storage, uint64_t max_committed_bytes)
    : storage_(storage), max_committed_bytes_(max_committed_bytes) {
  const LogIndex first = storage_->FirstIndex();
  unstable_.set_offset(storage_->LastIndex() + 1);
  committed_ = first - 1;
  applied_ = first - 1;
}

Status RaftLog::LoadConfigurations(const Configuration& base) {
  configurations_.Reset(FirstIndex() - 1, base);
  const LogIndex last = LastIndex();
  std::vector<LogEntry> batch;
  for (LogIndex lo = FirstIndex(); lo <= last;) {
    CONSULATE_RETURN_IF_ERROR(storage_->Entries(lo, last + 1, uint64_t{1} << 20, &batch));
    if (batch.empty()) return Status::Internal("storage returned no entries");
    for (const LogEntry& e : batch) {
      CONSULATE_RETURN_IF_ERROR(configurations_.Append(e));
    }
    lo = batch.back().index + 1;
  }
  return Status::OK();
}

LogIndex RaftLog::FirstIndex() const {
  if (auto i = unstable_.MaybeFirstIndex()) return *i;
  return storage_->FirstIndex();
}

LogIndex RaftLog::LastIndex() const {
  if (auto i = unstable_.MaybeLastIndex()) return *i;
  return storage_->LastIndex();
}

Result<TermId> RaftLog::Term(LogIndex index) const {
  const LogIndex dummy = FirstIndex() - 1;
  if (index < dummy) return Status::NotFound("compacted");
  if (index > LastIndex()) return TermId{0};
  if (auto t = unstable_.MaybeTerm(index)) return *t;
  return storage_->Term(index);
}

TermId RaftLog::TermOrZero(LogIndex index) const {
  auto t = Term(index);
  return t.ok() ? *t : 0;
}

bool RaftLog::MatchTerm(LogIndex index, TermId term) const {
  if (index > LastIndex()) return false;  // Term() says 0 there, which must not "match" 0
  auto t = Term(index);
  return t.ok() && *t == term;
}

bool RaftLog::IsUpToDate(LogIndex last_index, TermId last_term) const {
  const TermId our_term = LastTerm();
  return last_term > our_term || (last_term == our_term && last_index >= LastIndex());
}

std::optional<LogIndex> RaftLog::MaybeAppend(LogIndex prev_index, TermId prev_term,
                                             LogIndex leader_commit,
                                             const std::vector<LogEntry>& entries) {
  if (!MatchTerm(prev_index, prev_term)) return std::nullopt;
  const LogIndex last_new = prev_index + entries.size();
  const LogIndex conflict = FindConflict(entries);
  if (conflict != 0) {
    if (conflict <= committed_) {
      // A committed entry would be overwritten: Log Matching or Leader Completeness is broken.
      RecordError(Status::Internal("entry " + std::to_string(conflict) +
                                   " conflicts with the committed prefix (committed " +
                                   std::to_string(committed_) + ")"));
      return std::nullopt;
    }
    const size_t skip = conflict - (prev_index + 1);
    Append(std::vector<LogEntry>(entries.begin() + skip, entries.end()));
  }
  CommitTo(std::min(leader_commit, last_new));
  return last_new;
}

LogIndex RaftLog::Append(const std::vector<LogEntry>& entries) {
  if (entries.empty()) return LastIndex();
  if (entries.front().index <= committed_) {
    RecordError(Status::Internal("append at " + std::to_string(entries.front().index) +
                                 " would overwrite committed entries"));
    return LastIndex();
  }
  unstable_.TruncateAndAppend(entries);
  TrackConfigurations(entries);
  return LastIndex();
}

void RaftLog::TrackConfigurations(const std::vector<LogEntry>& entries) {
  configurations_.Truncate(entries.front().index);
  for (const LogEntry& e : entries) {
    Status s = configurations_.Append(e);
    if (!s.ok()) RecordError(std::move(s));
  }
}

LogIndex RaftLog::FindConflict(const std::vector<LogEntry>& entries) const {
  for (const LogEntry& e : entries) {
    if (!MatchTerm(e.index, e.term)) return e.index;
  }
  return 0;
}

std::pair<LogIndex, TermId> RaftLog::FindConflictByTerm(LogIndex index, TermId term) const {
  for (; index > 0; --index) {
    auto our = Term(index);
    if (!our.ok()) return {index, 0};  // compacted: we cannot tell, let the leader probe here
    if (*our <= term) return {index, *our};
  }
  return {0, 0};
}

Status RaftLog::Entries(LogIndex lo, uint64_t max_bytes, std::vector<LogEntry>* out) const {
  out->clear();
  if (lo > LastIndex()) return Status::OK();
  return Slice(lo, LastIndex() + 1, max_bytes, out);
}

Status RaftLog::Slice(LogIndex lo, LogIndex hi, uint64_t max_bytes,
                      std::vector<LogEntry>* out) const {
  out->clear();
  if (lo < FirstIndex()) return Status::NotFound("compacted");
  if (lo > hi || hi > LastIndex() + 1) {
    return Status::InvalidArgument("slice [" + std::to_string(lo) + ", " + std::to_string(hi) +
                                   ") out of bounds");
  }
  if (lo == hi) return Status::OK();
  const LogIndex offset = unstable_.offset();
  if (lo < offset) {
    const LogIndex stored_hi = std::min(hi, offset);
    Status s = storage_->Entries(lo, stored_hi, max_bytes, out);
    if (!s.ok()) {
      out->clear();
      return s;
    }
    if (out->size() < stored_hi - lo) return Status::OK();  // size limit reached in storage
  }
  if (hi > offset) {
    unstable_.Slice(std::max(lo, offset), hi, out);
  }
  LimitSize(out, max_bytes);
  return Status::OK();
}

bool RaftLog::MaybeCommit(LogIndex max_index, TermId term) {
  if (max_index > committed_ && TermOrZero(max_index) == term) {
    CommitTo(max_index);
    return true;
  }
  return false;
}

void RaftLog::CommitTo(LogIndex index) {
  if (index <= committed_) return;
  if (index > LastIndex()) {
    RecordError(Status::Internal("commit index " + std::to_string(index) +
                                 " is past the last index " + std::to_string(LastIndex())));
    index = LastIndex();
    if (index <= committed_) return;
  }
  committed_ = index;
  configurations_.Compact(committed_);
}

void RaftLog::AppliedTo(LogIndex index) {
  if (index == 0 || index <= applied_) return;
  if (index > committed_) {
    RecordError(
        Status::Internal("applied index " + std::to_string(index) + " is past the commit index"));
    return;
  }
  applied_ = index;
}

bool RaftLog::HasNextCommittedEntries() const {
  if (HasPendingSnapshot()) return false;
  const LogIndex from = std::max(applied_ + 1, FirstIndex());
  return committed_ + 1 > from;
}

std::vector<LogEntry> RaftLog::NextCommittedEntries() {
  std::vector<LogEntry> out;
  if (!HasNextCommittedEntries()) return out;
  const LogIndex from = std::max(applied_ + 1, FirstIndex());
  Status s = Slice(from, committed_ + 1, max_committed_bytes_, &out);
  if (!s.ok()) {
    RecordError(Status::Internal("reading committed entries: " + s.ToString()));
    out.clear();
  }
  return out;
}

void RaftLog::Restore(const Snapshot& snapshot) {
  committed_ = snapshot.metadata.index;
  unstable_.Restore(snapshot);
  configurations_.Reset(snapshot.metadata.index, snapshot.metadata.configuration);
}

}  // namespace consulate::raft::core
