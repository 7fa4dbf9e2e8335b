// StableStore: the Raft hard state {current_term, voted_for, commit_index} in one small file,
// dir/raft-state, replaced atomically (write raft-state.tmp, fsync, rename, fsync dir). A crash
// leaves the previous or the new state, never a mix.
//
// File format: magic "CSLHARD1" | current_term fixed64 | commit_index fixed64 |
//              voted_for (length-prefixed string) | masked_crc fixed32 (CRC32C of all before it)
//
// Cost: Save is two fsyncs and a rename. Raft requires current_term and voted_for to be durable
// before answering a vote or an append from a newer term; commit_index can be recomputed from the
// cluster, so a driver need not Save when only it changed (etcd's MustSync does the same).
//
// Thread-safety: none; the Raft driver owns it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/status.h"
#include "raft/log_entry.h"

namespace consulate::raft {

struct HardState {
  TermId current_term = 0;
  std::string voted_for;  // server ID voted for in current_term; empty: none
  LogIndex commit_index = 0;

  friend bool operator==(const HardState&, const HardState&) = default;
};

// The file's bytes, and their parser (Corruption if anything is off). Pure; fuzzed.
std::string EncodeHardState(const HardState& state);
Status DecodeHardState(std::string_view contents, HardState* out);

class StableStore {
 public:
  struct Options {
    bool sync = true;
  };

  // Opens dir (creating it if needed), deletes a stale temp file and loads the state: all zero
  // when there is no file yet, Corruption when the file is damaged.
  static Result<std::unique_ptr<StableStore>> Open(const std::string& dir, const Options& options);

  // The last state saved (or loaded).
  const HardState& state() const { return state_; }

  // Durably replaces the state. On error the file holds the old or the new state and state()
  // is unchanged.
  Status Save(const HardState& state);

 private:
  StableStore(std::string dir, const Options& options) : dir_(std::move(dir)), options_(options) {}

  const std::string dir_;
  const Options options_;
  HardState state_;
};

}  // namespace consulate::raft
