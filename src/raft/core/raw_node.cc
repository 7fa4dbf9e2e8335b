#include "raft/core/raw_node.h"

#include <utility>

namespace consulate::raft::core {

Result<std::unique_ptr<RawNode>> RawNode::Create(const RaftOptions& options,
                                                 const Storage* storage) {
  auto raft = Raft::Create(options, storage);
  if (!raft.ok()) return raft.status();
  return std::unique_ptr<RawNode>(new RawNode(std::move(raft).value()));
}

RawNode::RawNode(std::unique_ptr<Raft> raft)
    : raft_(std::move(raft)),
      prev_soft_state_(raft_->soft_state()),
      prev_hard_state_(raft_->hard_state()) {}

bool RawNode::HasReady() const {
  const RaftLog& log = raft_->log();
  return raft_->soft_state() != prev_soft_state_ || raft_->hard_state() != prev_hard_state_ ||
         log.HasPendingSnapshot() || !log.UnstableEntries().empty() || raft_->HasMessages() ||
         raft_->HasReadStates() || log.HasNextCommittedEntries();
}

Ready RawNode::GetReady() {
  Ready rd;
  Pending pending;
  RaftLog& log = raft_->mutable_log();

  const SoftState soft = raft_->soft_state();
  if (soft != prev_soft_state_) {
    rd.soft_state = soft;
    prev_soft_state_ = soft;  // volatile: nothing to confirm in Advance
  }
  const HardState hard = raft_->hard_state();
  if (hard != prev_hard_state_) {
    rd.hard_state = hard;
    pending.hard_state = hard;
  }
  if (log.UnstableSnapshot()) {
    rd.snapshot = *log.UnstableSnapshot();
    pending.snapshot_index = rd.snapshot->metadata.index;
  }
  rd.entries = log.UnstableEntries();
  if (!rd.entries.empty()) {
    pending.last_entry_index = rd.entries.back().index;
    pending.last_entry_term = rd.entries.back().term;
  }
  rd.committed_entries = log.NextCommittedEntries();
  if (!rd.committed_entries.empty()) {
    pending.applied_through = rd.committed_entries.back().index;
  } else if (rd.snapshot) {
    pending.applied_through = rd.snapshot->metadata.index;
  }
  rd.messages = raft_->TakeMessages();
  rd.read_states = raft_->TakeReadStates();
  rd.must_sync = !rd.entries.empty() || rd.snapshot.has_value() ||
                 (rd.hard_state && (rd.hard_state->term != prev_hard_state_.term ||
                                    rd.hard_state->vote != prev_hard_state_.vote));
  pending_ = pending;
  return rd;
}

void RawNode::Advance(bool durable) {
  if (!pending_) return;
  RaftLog& log = raft_->mutable_log();
  if (pending_->hard_state) prev_hard_state_ = *pending_->hard_state;
  if (pending_->snapshot_index != 0) log.StableSnapshotTo(pending_->snapshot_index);
  if (pending_->last_entry_index != 0) {
    log.StableTo(pending_->last_entry_index, pending_->last_entry_term);
    if (durable) raft_->OnLogPersisted(pending_->last_entry_index, pending_->last_entry_term);
  }
  if (pending_->applied_through != 0) log.AppliedTo(pending_->applied_through);
  pending_.reset();
}

}  // namespace consulate::raft::core
