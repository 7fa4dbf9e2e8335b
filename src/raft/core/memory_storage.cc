#include "raft/core/memory_storage.h"

#include <utility>

namespace consulate::raft::core {

MemoryStorage::MemoryStorage(Configuration bootstrap) {
  snapshot_.metadata.configuration = std::move(bootstrap);
  entries_.push_back(LogEntry{});  // dummy at (0, 0)
}

Result<InitialState> MemoryStorage::GetInitialState() const {
  return InitialState{hard_state_, snapshot_.metadata.configuration};
}

Status MemoryStorage::Entries(LogIndex lo, LogIndex hi, uint64_t max_bytes,
                              std::vector<LogEntry>* out) const {
  out->clear();
  if (lo < FirstIndex()) return Status::NotFound("compacted");
  if (hi > LastIndex() + 1 || lo > hi) {
    return Status::InvalidArgument("entries [" + std::to_string(lo) + ", " + std::to_string(hi) +
                                   ") out of bounds");
  }
  const LogIndex offset = entries_.front().index;
  uint64_t bytes = 0;
  for (LogIndex i = lo; i < hi; ++i) {
    const LogEntry& e = entries_[i - offset];
    bytes += e.data.size();
    if (!out->empty() && bytes > max_bytes) break;
    out->push_back(e);
  }
  return Status::OK();
}

Result<TermId> MemoryStorage::Term(LogIndex index) const {
  const LogIndex offset = entries_.front().index;
  if (index < offset) return Status::NotFound("compacted");
  if (index > LastIndex()) return Status::Unavailable("index beyond the last entry");
  return entries_[index - offset].term;
}

Result<core::Snapshot> MemoryStorage::GetSnapshot() const { return snapshot_; }

Status MemoryStorage::ApplySnapshot(const core::Snapshot& snapshot) {
  if (snapshot.metadata.index <= snapshot_.metadata.index) {
    return Status::Conflict("snapshot is not newer than the one held");
  }
  snapshot_ = snapshot;
  entries_.assign(1,
                  LogEntry{snapshot.metadata.index, snapshot.metadata.term, EntryType::kNoop, ""});
  return Status::OK();
}

Status MemoryStorage::Append(const std::vector<LogEntry>& entries) {
  if (entries.empty()) return Status::OK();
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].index != entries[0].index + i) {
      return Status::InvalidArgument("entries are not consecutive");
    }
  }
  if (entries[0].index > LastIndex() + 1) {
    return Status::InvalidArgument("gap: entry " + std::to_string(entries[0].index) +
                                   " after last index " + std::to_string(LastIndex()));
  }
  const LogIndex first = FirstIndex();
  size_t skip = 0;
  if (entries[0].index < first) skip = first - entries[0].index;
  if (skip >= entries.size()) return Status::OK();
  const LogIndex start = entries[skip].index;
  entries_.resize(start - entries_.front().index);  // drop [start, ...)
  entries_.insert(entries_.end(), entries.begin() + skip, entries.end());
  return Status::OK();
}

Status MemoryStorage::CreateSnapshot(LogIndex index, const Configuration& configuration,
                                     std::string data) {
  if (index <= snapshot_.metadata.index || index > LastIndex()) {
    return Status::InvalidArgument("snapshot index " + std::to_string(index) + " out of range");
  }
  snapshot_.metadata.index = index;
  snapshot_.metadata.term = entries_[index - entries_.front().index].term;
  snapshot_.metadata.configuration = configuration;
  snapshot_.data = std::move(data);
  return Status::OK();
}

Status MemoryStorage::Compact(LogIndex through) {
  const LogIndex offset = entries_.front().index;
  if (through <= offset) return Status::OK();
  if (through > snapshot_.metadata.index) {
    return Status::InvalidArgument("compact past the snapshot's index");
  }
  // The entry at `through` becomes the new dummy.
  entries_.erase(entries_.begin(), entries_.begin() + (through - offset));
  entries_.front().data.clear();
  return Status::OK();
}

}  // namespace consulate::raft::core
