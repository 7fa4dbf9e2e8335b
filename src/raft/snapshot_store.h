// SnapshotStore: a directory of Raft snapshots, one file each, named
// "<index:020>-<term:020>.snap" so names sort by index. A snapshot is written to a temporary
// file, fsynced, renamed into place and the directory fsynced, so a crash leaves either no new
// snapshot or a complete one. The newest Options::retain snapshots are kept.
//
// File format (all integers little-endian, see base/coding.h):
//   magic "CSLSNAP1" | meta_length fixed32 | meta | data | data_length fixed64 | masked_crc fixed32
//   meta = index fixed64 | term fixed64 | configuration (length-prefixed string)
// masked_crc is crc32c::Mask of the CRC32C of every byte before it.
//
// Thread-safety: SnapshotStore's methods may be called from any thread. A SnapshotWriter is used
// by one thread at a time (e.g. the state store serializing from a background thread) while other
// threads keep using the store. The store must outlive its writers.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/file_util.h"
#include "base/log.h"
#include "base/result.h"
#include "base/status.h"
#include "raft/log_entry.h"

namespace consulate::raft {

struct SnapshotMeta {
  LogIndex index = 0;         // last log index the snapshot covers; >= 1
  TermId term = 0;            // term of that entry
  std::string configuration;  // the cluster configuration at index, encoded by the caller

  friend bool operator==(const SnapshotMeta&, const SnapshotMeta&) = default;
};

struct Snapshot {
  SnapshotMeta meta;
  std::string data;
};

// A snapshot file LoadLatest could not use.
struct SkippedSnapshot {
  std::string path;
  Status reason;
};

// Parses a whole snapshot file (format above). Corruption if anything is off. Pure; fuzzed.
Status DecodeSnapshotFile(std::string_view contents, Snapshot* out);

class SnapshotStore;

// Streams one snapshot to disk. Appended bytes are buffered (up to 1 MiB) and written in the
// order given. Nothing is visible to LoadLatest until Commit succeeds; destroying an uncommitted
// writer (or Abort) deletes its temporary file. After any error the writer is dead: further calls
// return that error.
class SnapshotWriter {
 public:
  ~SnapshotWriter();
  SnapshotWriter(const SnapshotWriter&) = delete;
  SnapshotWriter& operator=(const SnapshotWriter&) = delete;

  // Appends chunk to the snapshot's data.
  Status Append(std::string_view chunk);
  // Finishes the file, makes it durable and visible, then prunes old snapshots.
  // REQUIRES: not yet committed or aborted.
  Status Commit();
  // Drops the snapshot. Idempotent; a no-op after Commit.
  void Abort();

  const SnapshotMeta& meta() const { return meta_; }
  uint64_t data_bytes() const { return data_bytes_; }

 private:
  friend class SnapshotStore;
  SnapshotWriter(SnapshotStore* store, SnapshotMeta meta, std::string tmp_path, FileHandle fd);
  Status Flush();
  Status Fail(Status s);

  SnapshotStore* const store_;
  const SnapshotMeta meta_;
  const std::string tmp_path_;
  FileHandle fd_;
  std::string buffer_;
  uint32_t crc_ = 0;  // of everything before buffer_ plus buffer_ so far
  uint64_t data_bytes_ = 0;
  bool done_ = false;  // committed or aborted
  Status error_;
};

class SnapshotStore {
 public:
  struct Options {
    int retain = 2;  // snapshots kept after a Commit; REQUIRES: >= 1
    bool sync = true;
    Logger logger;  // warnings about skipped snapshots
  };

  // Opens dir (creating it if needed) and deletes temporary files left by a crash.
  static Result<std::unique_ptr<SnapshotStore>> Open(const std::string& dir,
                                                     const Options& options);

  // Starts a snapshot. REQUIRES: meta.index >= 1, else InvalidArgument.
  Result<std::unique_ptr<SnapshotWriter>> Create(const SnapshotMeta& meta);
  // Create + Append(data) + Commit.
  Status Save(const SnapshotMeta& meta, std::string_view data);

  // The newest snapshot whose file is intact; nullopt if there is no snapshot file at all.
  // A newest file that fails its checks is renamed to "<name>.corrupt" (kept for inspection, out
  // of rotation), reported in *skipped (if given) and to the logger, and the next older one is
  // tried. If every snapshot file is unusable, returns Corruption: starting from nothing would
  // silently lose the state that the compacted log no longer holds.
  Result<std::optional<Snapshot>> LoadLatest(std::vector<SkippedSnapshot>* skipped = nullptr);

  // Metadata of the snapshot files present, newest first (from their names; not verified).
  Result<std::vector<std::pair<LogIndex, TermId>>> List();

  const std::string& dir() const { return dir_; }

 private:
  friend class SnapshotWriter;
  SnapshotStore(std::string dir, const Options& options);
  // Renames the writer's finished temp file into place and prunes.
  Status Install(const std::string& tmp_path, const SnapshotMeta& meta);
  Status ListLocked(std::vector<std::pair<LogIndex, TermId>>* out);

  const std::string dir_;
  const Options options_;
  std::mutex mu_;          // serializes directory changes (install, prune, quarantine)
  uint64_t next_tmp_ = 0;  // GUARDED_BY(mu_)
};

}  // namespace consulate::raft
