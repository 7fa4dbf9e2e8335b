#include "raft/segment_log.h"

#include <fcntl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "raft/segment_format.h"

namespace consulate::raft {

SegmentLog::SegmentLog(std::string dir, const Options& options)
    : dir_(std::move(dir)), options_(options) {}

SegmentLog::~SegmentLog() = default;

Result<std::unique_ptr<SegmentLog>> SegmentLog::Open(const std::string& dir,
                                                     const Options& options) {
  if (options.segment_bytes < kMinSegmentBytes || options.segment_bytes > kMaxSegmentBytes) {
    return Status::InvalidArgument(fmt::format("segment_bytes {} outside [{}, {}]",
                                               options.segment_bytes, kMinSegmentBytes,
                                               kMaxSegmentBytes));
  }
  std::unique_ptr<SegmentLog> log(new SegmentLog(dir, options));
  CONSULATE_RETURN_IF_ERROR(log->Recover());
  return log;
}

Status SegmentLog::Recover() {
  CONSULATE_RETURN_IF_ERROR(CreateDirs(dir_));
  CONSULATE_RETURN_IF_ERROR(LockDir(dir_, &lock_));
  std::vector<std::string> names;
  CONSULATE_RETURN_IF_ERROR(ListDir(dir_, &names));
  std::vector<uint64_t> firsts;
  for (const std::string& name : names) {
    uint64_t first = 0;
    if (segment::ParseSegmentFileName(name, &first)) firsts.push_back(first);
  }
  std::sort(firsts.begin(), firsts.end());
  if (firsts.empty()) {
    CONSULATE_RETURN_IF_ERROR(CreateSegment(1));
    first_index_ = 1;
    last_index_ = 0;
    return Sync();
  }
  if (firsts.front() == 0) return Status::Corruption("segment file with first index 0");
  if (firsts.back() > kMaxIndex) {
    return Status::Corruption(fmt::format("segment file with first index {}", firsts.back()));
  }

  uint64_t prev_term = 0;
  for (size_t i = 0; i < firsts.size(); ++i) {
    CONSULATE_RETURN_IF_ERROR(RecoverSegment(firsts[i], i + 1 == firsts.size(), &prev_term));
  }
  first_index_ = segments_.front().first_index;
  last_index_ = segments_.back().last_index();
  // A log whose first terms are 0 has no run for them yet.
  if (!IsEmpty() && (term_runs_.empty() || term_runs_.front().first > first_index_)) {
    term_runs_.insert(term_runs_.begin(), {first_index_, 0});
  }
  return Status::OK();
}

Status SegmentLog::RecoverSegment(uint64_t first_index, bool is_last, uint64_t* prev_term) {
  Segment seg;
  seg.first_index = first_index;
  seg.path = JoinPath(dir_, segment::SegmentFileName(first_index));
  if (!segments_.empty() && segments_.back().last_index() + 1 != first_index) {
    return Status::Corruption(fmt::format("segment {} does not follow {}, which ends at index {}",
                                          seg.path, segments_.back().path,
                                          segments_.back().last_index()));
  }
  CONSULATE_RETURN_IF_ERROR(OpenFile(seg.path, O_RDWR, &seg.fd));
  uint64_t size = 0;
  CONSULATE_RETURN_IF_ERROR(FileSize(seg.fd.get(), &size, seg.path));
  std::string contents;
  CONSULATE_RETURN_IF_ERROR(PreadExact(seg.fd.get(), 0, size, &contents, seg.path));
  segment::ScanResult scan;
  CONSULATE_RETURN_IF_ERROR(segment::ScanSegment(contents, first_index, *prev_term, &scan));

  if (!is_last) {
    // Sealed segments were trimmed and synced before their successor was created.
    if (!scan.tail.ok()) return scan.tail;
    if (scan.valid_end == 0) return Status::Corruption(seg.path + ": missing file header");
    if (scan.valid_end != size) {
      return Status::Corruption(fmt::format("{}: sealed segment has {} zero bytes at its end",
                                            seg.path, size - scan.valid_end));
    }
  } else {
    file_size_ = size;
    bool repaired = false;
    if (!scan.tail.ok()) {
      recovery_.dropped_bytes = scan.bad_bytes;
      recovery_.detail = scan.tail.message();
      options_.logger.Warn("raft log: dropping {} bytes of torn or corrupt tail: {}",
                           scan.bad_bytes, scan.tail.message());
      CONSULATE_RETURN_IF_ERROR(Truncate(seg.fd.get(), scan.valid_end, seg.path));
      file_size_ = scan.valid_end;
      repaired = true;
    }
    if (scan.valid_end == 0) {
      // The file was created but its header never made it: write it again.
      std::string header;
      segment::AppendFileHeader(first_index, &header);
      CONSULATE_RETURN_IF_ERROR(Truncate(seg.fd.get(), 0, seg.path));
      CONSULATE_RETURN_IF_ERROR(PwriteAll(seg.fd.get(), header, 0, seg.path));
      scan.valid_end = header.size();
      file_size_ = header.size();
      repaired = true;
    }
    if (repaired && options_.sync) CONSULATE_RETURN_IF_ERROR(Fdatasync(seg.fd.get(), seg.path));
  }
  seg.offsets = std::move(scan.offsets);
  seg.end = scan.valid_end;
  for (const auto& change : scan.term_changes) term_runs_.push_back(change);
  *prev_term = scan.last_term;
  segments_.push_back(std::move(seg));
  return Status::OK();
}

Status SegmentLog::CreateSegment(uint64_t first_index) {
  Segment seg;
  seg.first_index = first_index;
  seg.path = JoinPath(dir_, segment::SegmentFileName(first_index));
  CONSULATE_RETURN_IF_ERROR(OpenFile(seg.path, O_RDWR | O_CREAT | O_EXCL, &seg.fd));
  std::string header;
  segment::AppendFileHeader(first_index, &header);
  seg.end = header.size();
  const uint64_t prefill = std::min(options_.prefill_bytes, options_.segment_bytes);
  if (prefill > header.size()) header.resize(prefill, '\0');
  Status s = PwriteAll(seg.fd.get(), header, 0, seg.path);
  if (!s.ok()) {
    RemoveFile(seg.path);  // best effort; the error below is what matters
    return s;
  }
  file_size_ = header.size();
  segments_.push_back(std::move(seg));
  active_dirty_ = true;
  dir_dirty_ = true;
  return Status::OK();
}

Status SegmentLog::SealActive() {
  Segment& seg = segments_.back();
  if (file_size_ > seg.end) {
    CONSULATE_RETURN_IF_ERROR(Truncate(seg.fd.get(), seg.end, seg.path));
    file_size_ = seg.end;
    active_dirty_ = true;
  }
  if (options_.sync) {
    if (active_dirty_) CONSULATE_RETURN_IF_ERROR(Fdatasync(seg.fd.get(), seg.path));
    // The successor must never be durable without this segment's directory entry.
    if (dir_dirty_) CONSULATE_RETURN_IF_ERROR(SyncDir(dir_));
  }
  active_dirty_ = false;
  dir_dirty_ = false;
  return Status::OK();
}

Status SegmentLog::Poison(Status s) {
  if (poisoned_.ok()) poisoned_ = s;
  return s;
}

Status SegmentLog::WriteBuffer(const LogEntry* entries, size_t n) {
  if (n == 0) return Status::OK();
  Segment& seg = segments_.back();
  const uint64_t data_end = seg.end + buffer_.size();
  if (options_.prefill_bytes > 0 && data_end > file_size_ && data_end < options_.segment_bytes) {
    const uint64_t target = std::min(data_end + options_.prefill_bytes, options_.segment_bytes);
    buffer_.resize(buffer_.size() + (target - data_end), '\0');
  }
  CONSULATE_RETURN_IF_ERROR(PwriteAll(seg.fd.get(), buffer_, seg.end, seg.path));
  file_size_ = std::max(file_size_, seg.end + buffer_.size());
  for (size_t k = 0; k < n; ++k) {
    seg.offsets.push_back(pending_starts_[k]);
    if (term_runs_.empty() || term_runs_.back().second != entries[k].term) {
      term_runs_.emplace_back(entries[k].index, entries[k].term);
    }
  }
  seg.end = data_end;
  last_index_ += n;
  active_dirty_ = true;
  buffer_.clear();
  pending_starts_.clear();
  return Status::OK();
}

Status SegmentLog::Append(const std::vector<LogEntry>& entries) {
  if (!poisoned_.ok()) return poisoned_;
  if (entries.empty()) return Status::OK();
  uint64_t expected = last_index_ + 1;
  uint64_t term = LastTerm();
  for (const LogEntry& e : entries) {
    if (e.index != expected) {
      return Status::InvalidArgument(
          fmt::format("append: entry has index {}, want {}", e.index, expected));
    }
    if (e.term < term) {
      return Status::InvalidArgument(
          fmt::format("append: term goes back from {} to {} at index {}", term, e.term, e.index));
    }
    if (static_cast<uint8_t>(e.type) > kMaxEntryType) {
      return Status::InvalidArgument(
          fmt::format("append: unknown entry type at index {}", e.index));
    }
    if (e.data.size() > segment::kMaxDataSize) {
      return Status::InvalidArgument(
          fmt::format("append: entry {} has {} bytes of data", e.index, e.data.size()));
    }
    term = e.term;
    ++expected;
  }

  buffer_.clear();
  pending_starts_.clear();
  size_t batch_start = 0;  // first entry not yet written
  for (size_t i = 0; i < entries.size(); ++i) {
    const uint64_t size = segment::EncodedSize(entries[i]);
    const Segment& active = segments_.back();
    const uint64_t end = active.end + buffer_.size();
    const bool has_records = active.count() > 0 || !buffer_.empty();
    if (has_records && end + size > options_.segment_bytes) {
      Status s = WriteBuffer(&entries[batch_start], i - batch_start);
      if (s.ok()) s = SealActive();
      if (s.ok()) s = CreateSegment(entries[i].index);
      if (!s.ok()) return Poison(s);
      batch_start = i;
    }
    pending_starts_.push_back(static_cast<uint32_t>(segments_.back().end + buffer_.size()));
    segment::EncodeRecord(entries[i], &buffer_);
  }
  Status s = WriteBuffer(&entries[batch_start], entries.size() - batch_start);
  if (!s.ok()) return Poison(s);
  return Status::OK();
}

Status SegmentLog::Sync() {
  if (!poisoned_.ok()) return poisoned_;
  if (options_.sync) {
    Segment& seg = segments_.back();
    if (active_dirty_) {
      Status s = Fdatasync(seg.fd.get(), seg.path);
      if (!s.ok()) return Poison(s);
    }
    if (dir_dirty_) {
      Status s = SyncDir(dir_);
      if (!s.ok()) return Poison(s);
    }
  }
  active_dirty_ = false;
  dir_dirty_ = false;
  return Status::OK();
}

Result<std::function<Status()>> SegmentLog::TakeSyncJob() {
  if (!poisoned_.ok()) return poisoned_;
  std::function<Status()> job;
  if (options_.sync && (active_dirty_ || dir_dirty_)) {
    // A duplicate descriptor stays valid whatever happens to the segment meanwhile.
    const Segment& seg = segments_.back();
    const int fd = ::fcntl(seg.fd.get(), F_DUPFD_CLOEXEC, 0);
    if (fd < 0) return Poison(Status::IOError(seg.path + ": dup: " + std::strerror(errno)));
    auto handle = std::make_shared<FileHandle>(fd);
    job = [handle, path = seg.path, dir = dir_dirty_ ? dir_ : std::string()]() -> Status {
      CONSULATE_RETURN_IF_ERROR(Fdatasync(handle->get(), path));
      return dir.empty() ? Status::OK() : SyncDir(dir);
    };
  }
  active_dirty_ = false;
  dir_dirty_ = false;
  return job;
}

size_t SegmentLog::SegmentFor(uint64_t index) const {
  auto it = std::upper_bound(segments_.begin(), segments_.end(), index,
                             [](uint64_t i, const Segment& s) { return i < s.first_index; });
  return static_cast<size_t>(it - segments_.begin()) - 1;
}

TermId SegmentLog::TermAt(uint64_t index) const {
  auto it = std::upper_bound(
      term_runs_.begin(), term_runs_.end(), index,
      [](uint64_t i, const std::pair<uint64_t, uint64_t>& run) { return i < run.first; });
  return it == term_runs_.begin() ? 0 : std::prev(it)->second;
}

Result<TermId> SegmentLog::Term(LogIndex index) const {
  if (index < first_index_) {
    return Status::NotFound(
        fmt::format("log index {} is compacted (first is {})", index, first_index_));
  }
  if (index > last_index_) {
    return Status::NotFound(
        fmt::format("log index {} is past the last index {}", index, last_index_));
  }
  return TermAt(index);
}

Status SegmentLog::Entries(LogIndex lo, LogIndex hi, uint64_t max_bytes,
                           std::vector<LogEntry>* out) const {
  out->clear();
  if (lo > hi || hi > last_index_ + 1) {
    return Status::InvalidArgument(fmt::format("entries [{}, {}) outside the log [{}, {}]", lo, hi,
                                               first_index_, last_index_));
  }
  if (lo < first_index_) {
    return Status::NotFound(
        fmt::format("log index {} is compacted (first is {})", lo, first_index_));
  }
  uint64_t bytes = 0;
  uint64_t index = lo;
  std::string scratch;
  bool full = false;
  while (index < hi && !full) {
    const Segment& seg = segments_[SegmentFor(index)];
    const size_t k0 = index - seg.first_index;
    const size_t k_limit = std::min<uint64_t>(hi - seg.first_index, seg.count());
    size_t k1 = k0;
    while (k1 < k_limit) {
      const uint64_t size = seg.RecordEnd(k1) - seg.offsets[k1];
      if (bytes + size > max_bytes && !(out->empty() && k1 == k0)) {
        full = true;
        break;
      }
      bytes += size;
      ++k1;
    }
    if (k1 == k0) break;
    const uint64_t start = seg.offsets[k0];
    CONSULATE_RETURN_IF_ERROR(
        PreadExact(seg.fd.get(), start, seg.RecordEnd(k1 - 1) - start, &scratch, seg.path));
    std::string_view input = scratch;
    for (size_t k = k0; k < k1; ++k) {
      LogEntry& e = out->emplace_back();
      Status s = segment::DecodeRecord(&input, &e);
      if (s.ok() && e.index != seg.first_index + k) {
        s = Status::Corruption(
            fmt::format("record has index {}, want {}", e.index, seg.first_index + k));
      }
      if (!s.ok()) {
        out->clear();
        return Status::Corruption(
            fmt::format("{} at index {}: {}", seg.path, seg.first_index + k, s.message()));
      }
    }
    index = seg.first_index + k1;
  }
  return Status::OK();
}

Status SegmentLog::RemoveSegmentsAfter(size_t keep) {
  while (segments_.size() > keep + 1) {
    Segment& seg = segments_.back();
    seg.fd.Reset();
    CONSULATE_RETURN_IF_ERROR(RemoveFile(seg.path));
    segments_.pop_back();
    // One directory sync per file keeps the removal order (newest first) on disk.
    if (options_.sync) CONSULATE_RETURN_IF_ERROR(SyncDir(dir_));
  }
  return Status::OK();
}

Status SegmentLog::TruncateSuffix(LogIndex first_removed) {
  if (!poisoned_.ok()) return poisoned_;
  if (first_removed < first_index_ || first_removed > last_index_ + 1) {
    return Status::InvalidArgument(fmt::format("truncate from {} outside the log [{}, {}]",
                                               first_removed, first_index_, last_index_));
  }
  if (first_removed == last_index_ + 1) return Status::OK();
  const size_t keep = SegmentFor(first_removed);
  Status s = RemoveSegmentsAfter(keep);
  if (!s.ok()) return Poison(s);
  Segment& seg = segments_.back();
  const size_t kept = first_removed - seg.first_index;
  const uint64_t new_end = seg.offsets[kept];
  s = Truncate(seg.fd.get(), new_end, seg.path);
  if (!s.ok()) return Poison(s);
  seg.offsets.resize(kept);
  seg.end = new_end;
  file_size_ = new_end;
  last_index_ = first_removed - 1;
  while (!term_runs_.empty() && term_runs_.back().first >= first_removed) term_runs_.pop_back();
  active_dirty_ = true;
  return Sync();  // the cut, and the kept segment's directory entry if it is new
}

Status SegmentLog::CompactPrefix(LogIndex through_index) {
  if (!poisoned_.ok()) return poisoned_;
  if (through_index < first_index_) return Status::OK();
  const uint64_t new_first = through_index + 1;
  const bool keep_active =
      through_index < last_index_ ||
      (segments_.back().count() == 0 && segments_.back().first_index == new_first);
  // Oldest first, so a crash leaves a suffix of the log.
  size_t removed = 0;
  const size_t removable = keep_active ? segments_.size() - 1 : segments_.size();
  Status s;
  while (removed < removable && segments_[removed].last_index() <= through_index) {
    Segment& seg = segments_[removed];
    seg.fd.Reset();
    s = RemoveFile(seg.path);
    if (s.ok() && options_.sync) s = SyncDir(dir_);
    if (!s.ok()) break;
    ++removed;
  }
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(removed));
  if (!s.ok()) {
    if (!segments_.empty()) first_index_ = std::max(first_index_, segments_.front().first_index);
    return Poison(s);
  }
  if (segments_.empty()) {
    // The whole log is covered: persist where it restarts with an empty segment.
    first_index_ = new_first;
    last_index_ = through_index;
    term_runs_.clear();
    active_dirty_ = false;
    dir_dirty_ = false;
    s = CreateSegment(new_first);
    if (s.ok()) s = Sync();
    return s.ok() ? s : Poison(s);
  }
  first_index_ = new_first;
  if (through_index >= last_index_) {
    last_index_ = through_index;
    term_runs_.clear();
    return Status::OK();
  }
  // Drop the runs that end before new_first; the run covering it now starts there.
  size_t drop = 0;
  while (drop + 1 < term_runs_.size() && term_runs_[drop + 1].first <= new_first) ++drop;
  term_runs_.erase(term_runs_.begin(), term_runs_.begin() + static_cast<ptrdiff_t>(drop));
  term_runs_.front().first = new_first;
  return Status::OK();
}

}  // namespace consulate::raft
