// SegmentLog: the durable Raft log. A directory of segment files (format in segment_format.h),
// each named for the index of its first entry; only the last ("active") segment is written, the
// others are sealed and immutable.
//
// Index ranges: the log holds the entries [FirstIndex(), LastIndex()]; range arguments below are
// half-open [lo, hi). An empty log has LastIndex() == FirstIndex() - 1 (a new log: 0 and 1).
//
// Durability: Append writes (one write(2) per batch, not synced); Sync() makes every appended
// entry durable with one fdatasync (plus a directory fsync if a segment file was created since the
// last Sync). A Raft driver appends a Ready's entries and calls Sync() once before acknowledging
// them (group commit). TruncateSuffix and CompactPrefix sync themselves before returning.
// With Options::sync == false nothing is ever synced (tests, dev mode).
//
// Crash recovery (Open): every segment is read and every checksum verified. In the active segment
// the first record that is incomplete or fails its checksum, and everything after it, is treated
// as a torn write: the file is truncated there and the loss is reported in recovery_info() and to
// the logger. Note that a bit flip inside the active segment looks the same as a torn write and
// also drops the rest of that segment. Any damage in a sealed segment, a checksummed record with an
// unexpected index, or a gap between segments is Status::Corruption and Open fails.
//
// Errors: after a failed write or sync the log is poisoned: every later mutating call returns the
// same error (the page cache state is unknown after a failed fsync; reopen to recover). Reads still
// work.
//
// Thread-safety: none. The caller serializes all calls (the Raft driver owns the log).
// Files: Open takes dir/LOCK (flock) for the object's lifetime; one process, one SegmentLog.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/file_util.h"
#include "base/log.h"
#include "base/result.h"
#include "base/status.h"
#include "raft/log_entry.h"

namespace consulate::raft {

class SegmentLog {
 public:
  struct Options {
    // A segment is sealed once the next record would take it past this size. A single record
    // larger than this gets a segment of its own.
    // REQUIRES: kMinSegmentBytes <= segment_bytes <= kMaxSegmentBytes
    uint64_t segment_bytes = uint64_t{64} << 20;
    bool sync = true;
    // Before a write reaches the end of the file, extend the active segment by this many zero
    // bytes in the same write(2). Overwriting already-written blocks lets fdatasync skip the
    // journal commit for the size change, which measured ~1.5x faster for batched appends on
    // ext4. 0 disables. Capped at segment_bytes.
    uint64_t prefill_bytes = uint64_t{1} << 20;
    Logger logger;  // recovery warnings; the default drops them
  };
  static constexpr uint64_t kMinSegmentBytes = 4096;
  static constexpr uint64_t kMaxSegmentBytes = uint64_t{1} << 30;
  // Indices stay far below this (Open rejects segment names above it), so index arithmetic
  // such as LastIndex() + 1 never wraps.
  static constexpr uint64_t kMaxIndex = uint64_t{1} << 62;

  // What Open had to repair.
  struct RecoveryInfo {
    // Bytes cut from the end of the active segment; a tail of zeros (prefill) does not count.
    uint64_t dropped_bytes = 0;
    std::string detail;  // why; empty when nothing was dropped
  };

  // Opens (creating dir and the first segment if needed) and recovers the log in dir.
  static Result<std::unique_ptr<SegmentLog>> Open(const std::string& dir, const Options& options);

  ~SegmentLog();
  SegmentLog(const SegmentLog&) = delete;
  SegmentLog& operator=(const SegmentLog&) = delete;

  LogIndex FirstIndex() const { return first_index_; }
  // 0 for a new log; FirstIndex() - 1 whenever the log is empty.
  LogIndex LastIndex() const { return last_index_; }
  // Term of the entry at LastIndex(); 0 when the log is empty (the caller knows the snapshot's).
  TermId LastTerm() const { return IsEmpty() ? 0 : term_runs_.back().second; }
  bool IsEmpty() const { return last_index_ < first_index_; }
  const RecoveryInfo& recovery_info() const { return recovery_; }

  // Appends entries after LastIndex(), without syncing.
  // REQUIRES (else InvalidArgument, nothing written): entries[i].index == LastIndex() + 1 + i,
  // terms never decrease (also against LastTerm()), data.size() <= segment::kMaxDataSize.
  // Does one write(2) per segment touched; rolling to a new segment syncs the old one first.
  Status Append(const std::vector<LogEntry>& entries);

  // Makes everything appended so far durable. Cheap when nothing is pending.
  Status Sync();
  // Sync() split in two, for a caller that appends on while the disk flushes: TakeSyncJob (on the
  // appending thread) returns a job that makes everything appended so far durable, or an empty
  // function when nothing is pending; the job may run on any thread, once. Later appends are not
  // covered. A failed job means the log can no longer be trusted: stop using it.
  Result<std::function<Status()>> TakeSyncJob();

  // Replaces *out with the entries [lo, hi), stopping early so that the sum of their sizes stays
  // within max_bytes, but always returning at least one entry when lo < hi. An entry's size is
  // its data size plus 25 bytes of framing (its size on disk). Checksums are verified again.
  // REQUIRES: lo <= hi <= LastIndex() + 1, else InvalidArgument.
  // lo < FirstIndex(): NotFound ("compacted"), the caller needs a snapshot instead.
  Status Entries(LogIndex lo, LogIndex hi, uint64_t max_bytes, std::vector<LogEntry>* out) const;

  // Term of the entry at index. NotFound if index < FirstIndex() (compacted) or > LastIndex().
  // Served from memory.
  Result<TermId> Term(LogIndex index) const;

  // Removes the entries [first_removed, LastIndex()] and syncs; the next Append starts at
  // first_removed. A no-op when first_removed == LastIndex() + 1.
  // REQUIRES: FirstIndex() <= first_removed <= LastIndex() + 1, else InvalidArgument.
  // Crash-safe: segments are removed newest first and the directory synced before the kept
  // segment is cut, so a crash leaves either the old log or a prefix of it ending at or after
  // first_removed - 1.
  Status TruncateSuffix(LogIndex first_removed);

  // Forgets the entries [FirstIndex(), through_index], which a snapshot now covers; afterwards
  // FirstIndex() == through_index + 1. A no-op when through_index < FirstIndex().
  //   * Files are deleted only when all their entries are covered, so after a reopen the log may
  //     start before through_index + 1 again (with the same, committed entries).
  //   * If through_index >= LastIndex(), the log becomes empty and the next Append must use
  //     through_index + 1 (a follower installing a snapshot past its log). An empty segment file
  //     named through_index + 1 records that.
  //   * Crash-safe in this sense: a crash leaves a contiguous suffix of the old log, possibly
  //     empty (starting at 1 again). So at startup a driver compacts through its latest snapshot
  //     again whenever the log ends before the snapshot's index.
  Status CompactPrefix(LogIndex through_index);

  size_t NumSegments() const { return segments_.size(); }

 private:
  struct Segment {
    uint64_t first_index = 0;
    std::string path;
    FileHandle fd;
    // offsets[k]: byte offset of entry first_index + k.
    std::vector<uint32_t> offsets;
    uint64_t end = 0;  // bytes of header + records

    uint64_t count() const { return offsets.size(); }
    uint64_t last_index() const { return first_index + offsets.size() - 1; }
    uint64_t RecordEnd(size_t k) const { return k + 1 < offsets.size() ? offsets[k + 1] : end; }
  };

  SegmentLog(std::string dir, const Options& options);

  Status Recover();
  Status RecoverSegment(uint64_t first_index, bool is_last, uint64_t* prev_term);
  // Creates an empty segment file named first_index and makes it the active segment.
  Status CreateSegment(uint64_t first_index);
  // Syncs and trims the active segment so a new one can follow it.
  Status SealActive();
  // Writes buffer_ (the records of entries[0, n), to go at the active segment's end, starting at
  // pending_starts_) plus any prefill zeros in one write, then indexes them.
  Status WriteBuffer(const LogEntry* entries, size_t n);
  Status Poison(Status s);
  // Index of the segment holding `index`. REQUIRES: FirstIndex() <= index <= LastIndex().
  size_t SegmentFor(uint64_t index) const;
  TermId TermAt(uint64_t index) const;
  Status RemoveSegmentsAfter(size_t keep);

  const std::string dir_;
  const Options options_;
  FileHandle lock_;
  RecoveryInfo recovery_;
  Status poisoned_;  // OK until a write or sync fails

  std::vector<Segment> segments_;  // ascending; never empty once open; back() is active
  // (first index of a run of equal terms, term), ascending; covers [first_index_, last_index_].
  std::vector<std::pair<uint64_t, uint64_t>> term_runs_;
  uint64_t first_index_ = 1;
  uint64_t last_index_ = 0;
  uint64_t file_size_ = 0;     // size of the active segment's file (>= its end, zeros after)
  bool active_dirty_ = false;  // active segment written since the last fdatasync
  bool dir_dirty_ = false;     // a segment file was created since the last directory fsync
  std::string buffer_;         // reused encoding buffer
  std::vector<uint32_t> pending_starts_;  // segment offsets of the records in buffer_
};

}  // namespace consulate::raft
