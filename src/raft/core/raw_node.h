// RawNode: the Raft core behind the Ready/Advance contract (etcd's RawNode). This is the class a
// driver uses. It is single-threaded and deterministic; a driver thread owns it.
//
// The driver loop:
//   1. Feed inputs: Tick() on a timer, Step() for each received message, Propose*() etc.
//   2. If HasReady(), take rd = GetReady() and, in this order:
//      a. persist rd.snapshot (if any), then rd.entries (if any; an entry at index i replaces
//         every stored entry at or after i), then rd.hard_state (if any), syncing when
//         rd.must_sync. Update Storage so that it reflects all of that;
//      b. only then send rd.messages (votes and acknowledgements promise durable state);
//      c. apply rd.snapshot and then rd.committed_entries to the state machine, in order;
//         serve rd.read_states once the state machine has applied their index;
//   3. Call Advance(). Do not call GetReady() again before Advance().
// Inputs may be fed between GetReady() and Advance(); their effects show in the next Ready.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "raft/core/message.h"
#include "raft/core/raft.h"
#include "raft/core/storage.h"
#include "raft/core/types.h"

namespace consulate::raft::core {

struct Ready {
  // Who leads and our role, when changed since the last Ready. Volatile: never persist.
  std::optional<SoftState> soft_state;
  // Persist when set (it changed since the last Ready).
  std::optional<HardState> hard_state;
  // Persist before entries. The caller's log then restarts after it.
  std::optional<Snapshot> snapshot;
  // Append to the log after the snapshot; may first require truncating a conflicting suffix.
  std::vector<LogEntry> entries;
  // True if the snapshot, entries or the term/vote must be durable (fsync) before step 2b; a
  // commit-index-only change need not be.
  bool must_sync = false;
  // Send after persisting. Each message's `to` names the peer.
  std::vector<Message> messages;
  // Apply after persisting, in order. Some may also be in `entries` (persist them first).
  std::vector<LogEntry> committed_entries;
  // Answers to ReadIndex requests made through this node.
  std::vector<ReadState> read_states;
};

class RawNode {
 public:
  // See Raft::Create. REQUIRES: storage outlives the node.
  static Result<std::unique_ptr<RawNode>> Create(const RaftOptions& options,
                                                 const Storage* storage);

  // Inputs; see the Raft methods of the same names.
  void Tick() { raft_->Tick(); }
  Status Step(const Message& message) { return raft_->Step(message); }
  Status Campaign() { return raft_->Campaign(); }
  Result<LogIndex> Propose(std::string data) { return raft_->Propose(std::move(data)); }
  Result<LogIndex> ProposeConfChange(const ConfChange& change) {
    return raft_->ProposeConfChange(change);
  }
  Status TransferLeadership(NodeId to) { return raft_->TransferLeadership(to); }
  Status ReadIndex(std::string context) { return raft_->ReadIndex(std::move(context)); }
  void ForgetLeader(NodeId lost, int ticks_until_campaign) {
    raft_->ForgetLeader(lost, ticks_until_campaign);
  }

  bool HasReady() const;
  // Everything to persist, send and apply since the last Ready.
  Ready GetReady();
  // Acknowledges that the last Ready was handled: its entries and snapshot are in Storage, its
  // committed entries applied. `durable` false: the entries were written but not yet synced (a
  // leader may sync its log while it replicates; nothing else may); it then counts itself for
  // them once ReportDurable says so.
  void Advance(bool durable = true);
  // Everything through `index` (an entry of `term`) handed out by Readies is now durable.
  void ReportDurable(LogIndex index, TermId term) { raft_->OnLogPersisted(index, term); }

  // Read-only introspection (status pages, tests).
  const Raft& raft() const { return *raft_; }
  NodeId id() const { return raft_->id(); }
  Role role() const { return raft_->role(); }
  NodeId leader() const { return raft_->leader(); }
  TermId term() const { return raft_->term(); }
  const Status& fatal_error() const { return raft_->fatal_error(); }

 private:
  explicit RawNode(std::unique_ptr<Raft> raft);

  std::unique_ptr<Raft> raft_;
  SoftState prev_soft_state_;
  HardState prev_hard_state_;

  // What the last GetReady handed out, for Advance.
  struct Pending {
    std::optional<HardState> hard_state;
    LogIndex last_entry_index = 0;
    TermId last_entry_term = 0;
    LogIndex snapshot_index = 0;
    LogIndex applied_through = 0;
  };
  std::optional<Pending> pending_;
};

}  // namespace consulate::raft::core
