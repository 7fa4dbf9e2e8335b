// Raft: followers and candidates. Followers accept entries, heartbeats and snapshot chunks from
// the leader; candidates count votes and fall back to followers when a leader shows up.
#include <algorithm>
#include <utility>

#include "raft/core/raft.h"

namespace consulate::raft::core {

void Raft::StepFollower(const Message& m) {
  if (const auto* append = std::get_if<AppendEntriesRequest>(&m.body)) {
    election_elapsed_ = 0;
    lead_ = m.from;
    HandleAppendEntries(m, *append);
  } else if (const auto* heartbeat = std::get_if<HeartbeatRequest>(&m.body)) {
    election_elapsed_ = 0;
    lead_ = m.from;
    HandleHeartbeat(m, *heartbeat);
  } else if (const auto* chunk = std::get_if<InstallSnapshotRequest>(&m.body)) {
    election_elapsed_ = 0;
    lead_ = m.from;
    HandleInstallSnapshot(m, *chunk);
  } else if (std::holds_alternative<TimeoutNowRequest>(m.body)) {
    // Leadership transfer (thesis §3.10): campaign at once, skipping pre-vote and asking voters
    // to ignore their lease; the old leader stopped accepting proposals, so our log is current.
    if (Promotable()) StartCampaign(CampaignKind::kTransfer);
  } else if (const auto* read = std::get_if<ReadIndexResponse>(&m.body)) {
    read_states_.push_back(ReadState{read->index, read->context});
  }
  // Anything else (stale responses, requests meant for a leader) is dropped.
}

void Raft::StepCandidate(const Message& m) {
  if (const auto* append = std::get_if<AppendEntriesRequest>(&m.body)) {
    // §5.2: a leader for our term exists; recognize it.
    BecomeFollower(m.term, m.from);
    HandleAppendEntries(m, *append);
  } else if (const auto* heartbeat = std::get_if<HeartbeatRequest>(&m.body)) {
    BecomeFollower(m.term, m.from);
    HandleHeartbeat(m, *heartbeat);
  } else if (const auto* chunk = std::get_if<InstallSnapshotRequest>(&m.body)) {
    BecomeFollower(m.term, m.from);
    HandleInstallSnapshot(m, *chunk);
  } else {
    const auto* vote = std::get_if<VoteResponse>(&m.body);
    const auto* pre_vote = std::get_if<PreVoteResponse>(&m.body);
    const bool ours = (role_ == Role::kCandidate && vote != nullptr) ||
                      (role_ == Role::kPreCandidate && pre_vote != nullptr);
    if (!ours) return;
    const bool granted = vote != nullptr ? vote->granted : pre_vote->granted;
    switch (Poll(m.from, granted)) {
      case VoteResult::kWon:
        if (role_ == Role::kPreCandidate) {
          StartCampaign(CampaignKind::kElection);
        } else {
          BecomeLeader();
          BroadcastAppend();
        }
        break;
      case VoteResult::kLost:
        // Our term (unchanged for a pre-candidate) is kept; a later timeout retries.
        BecomeFollower(term_, kNoNode);
        break;
      case VoteResult::kPending:
        break;
    }
  }
}

void Raft::HandleAppendEntries(const Message& m, const AppendEntriesRequest& request) {
  if (request.prev_log_index < log_.committed()) {
    // Everything up to our commit index matches the leader (Leader Completeness); tell it where
    // to continue.
    Send(m.from, AppendEntriesResponse{log_.committed(), false, 0, 0});
    return;
  }
  if (auto last_new = log_.MaybeAppend(request.prev_log_index, request.prev_log_term,
                                       request.commit_index, request.entries)) {
    SyncConfiguration();
    Send(m.from, AppendEntriesResponse{*last_new, false, 0, 0});
    return;
  }
  if (!fatal_error().ok()) return;
  // §5.3: reject, with a hint that lets the leader skip a whole term of mismatching entries
  // per round trip instead of one entry.
  const LogIndex probe = std::min(request.prev_log_index, log_.LastIndex());
  auto [hint_index, hint_term] = log_.FindConflictByTerm(probe, request.prev_log_term);
  Send(m.from, AppendEntriesResponse{request.prev_log_index, true, hint_index, hint_term});
}

void Raft::HandleHeartbeat(const Message& m, const HeartbeatRequest& request) {
  // The leader sends min(match, commit), so this never passes entries we do not hold.
  log_.CommitTo(request.commit_index);
  Send(m.from, HeartbeatResponse{request.context});
}

void Raft::HandleInstallSnapshot(const Message& m, const InstallSnapshotRequest& request) {
  const SnapshotMetadata& meta = request.metadata;
  InstallSnapshotResponse response;
  response.snapshot_index = meta.index;
  if (meta.index <= log_.committed()) {
    // We already hold everything it covers: skip the transfer.
    incoming_snapshot_.reset();
    response.done = true;
    response.last_index = log_.committed();
    Send(m.from, response);
    return;
  }
  if (request.offset == 0) {
    incoming_snapshot_.emplace();
    incoming_snapshot_->metadata = meta;
  }
  const bool same = incoming_snapshot_ && incoming_snapshot_->metadata == meta;
  if (!same || request.offset != incoming_snapshot_->data.size()) {
    // Out of order, duplicated, or we restarted meanwhile: say what we have so the leader resends
    // from there.
    response.next_offset = same ? incoming_snapshot_->data.size() : 0;
    Send(m.from, response);
    return;
  }
  incoming_snapshot_->data += request.data;
  response.next_offset = incoming_snapshot_->data.size();
  if (!request.done) {
    Send(m.from, response);
    return;
  }
  Snapshot snapshot = std::move(*incoming_snapshot_);
  incoming_snapshot_.reset();
  response.done = true;
  response.last_index = Restore(snapshot) ? log_.LastIndex() : log_.committed();
  Send(m.from, response);
}

bool Raft::Restore(const Snapshot& snapshot) {
  const SnapshotMetadata& meta = snapshot.metadata;
  if (meta.index <= log_.committed()) return false;
  if (log_.MatchTerm(meta.index, meta.term)) {
    // Our log already has the snapshot's last entry, hence (Log Matching) all before it: just
    // commit, and keep the entries after it.
    log_.CommitTo(meta.index);
    return false;
  }
  log_.Restore(snapshot);
  SyncConfiguration();
  return true;
}

}  // namespace consulate::raft::core
