// Storage: the core's read-only window onto what the caller has persisted (etcd's Storage).
//
// The caller writes (it applies each Ready's snapshot, entries and hard state to its durable
// store); the core only reads, through this interface, and keeps whatever is not yet persisted
// (the unstable tail) itself (raft_log.h). The log visible here is the entries
// [FirstIndex(), LastIndex()] that follow the latest snapshot; FirstIndex() - 1 is that snapshot's
// index (or 0), whose term Term() must still answer.
//
// Errors: "compacted" is Status::NotFound (the entries are gone, a snapshot covers them);
// Status::Unavailable means "not now, try later" (e.g. a snapshot being produced). Any other error
// is a storage failure: the core stops using the range and reports it in Raft::fatal_error().
//
// Ownership: results are copies owned by the caller of the method. Thread-safety: the core calls
// these methods only from inside its own calls (Step, Tick, GetReady, ...), never concurrently.
#pragma once

#include <cstdint>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "raft/core/configuration.h"
#include "raft/core/message.h"
#include "raft/core/types.h"
#include "raft/log_entry.h"

namespace consulate::raft::core {

struct InitialState {
  HardState hard_state;
  // Membership as of FirstIndex() - 1 (the snapshot's, or the bootstrap configuration). The core
  // scans the entries after it for newer configuration entries.
  Configuration configuration;
};

class Storage {
 public:
  virtual ~Storage() = default;

  // The persisted hard state and base configuration; called once when the core starts.
  virtual Result<InitialState> GetInitialState() const = 0;

  // Replaces *out with entries [lo, hi), stopping early once their data sizes would pass max_bytes
  // but returning at least one entry when lo < hi.
  // NotFound if lo < FirstIndex() (compacted). REQUIRES: hi <= LastIndex() + 1.
  virtual Status Entries(LogIndex lo, LogIndex hi, uint64_t max_bytes,
                         std::vector<LogEntry>* out) const = 0;

  // Term of entry `index`, for FirstIndex() - 1 <= index <= LastIndex() (the first of those being
  // the snapshot's). NotFound below that range (compacted), Unavailable above it.
  virtual Result<TermId> Term(LogIndex index) const = 0;

  virtual LogIndex FirstIndex() const = 0;
  // FirstIndex() - 1 when there are no entries after the snapshot.
  virtual LogIndex LastIndex() const = 0;

  // The latest snapshot, sent to followers that need compacted entries. Unavailable if it is not
  // ready yet (the core retries later).
  virtual Result<core::Snapshot> GetSnapshot() const = 0;
};

}  // namespace consulate::raft::core
