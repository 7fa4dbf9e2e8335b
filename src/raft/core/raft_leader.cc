// Raft: the leader. Replication with flow control, commitment, snapshots in chunks, ReadIndex,
// leadership transfer, and the public proposal entry points.
#include <algorithm>
#include <memory>
#include <utility>

#include "raft/core/raft.h"

namespace consulate::raft::core {

// ---------------------------------------------------------------------------------------------
// Proposals

Result<LogIndex> Raft::Propose(std::string data) {
  CONSULATE_RETURN_IF_ERROR(fatal_error());
  if (role_ != Role::kLeader) {
    return Status::Unavailable("not the leader (leader: " + ToString(lead_) + ")");
  }
  if (!lead_transferee_.IsNone()) {
    return Status::Unavailable("leadership transfer to " + ToString(lead_transferee_) +
                               " in progress");
  }
  LogEntry entry;
  entry.type = EntryType::kCommand;
  entry.data = std::move(data);
  const LogIndex index = AppendToLog({std::move(entry)});
  DeferBroadcastAppend();
  return index;
}

Result<LogIndex> Raft::ProposeConfChange(const ConfChange& change) {
  CONSULATE_RETURN_IF_ERROR(fatal_error());
  if (role_ != Role::kLeader) {
    return Status::Unavailable("not the leader (leader: " + ToString(lead_) + ")");
  }
  if (!lead_transferee_.IsNone()) return Status::Unavailable("leadership transfer in progress");
  // One change at a time (thesis §4.1). pending_conf_index_ starts at the term's no-op, so this
  // also waits for the first commit of the term: without that, a leader could append a change
  // based on a configuration that a previous leader's uncommitted change is about to replace
  // (the single-server membership bug, raft-dev 2015).
  if (pending_conf_index_ > log_.committed()) {
    return Status::Unavailable(
        "a previous configuration change (or the leader's first entry) "
        "is not committed yet");
  }
  auto next = ApplyConfChange(configuration(), change);
  if (!next.ok()) return next.status();
  LogEntry entry;
  entry.type = EntryType::kConfiguration;
  entry.data = EncodeConfiguration(*next);
  const LogIndex index = AppendToLog({std::move(entry)});
  pending_conf_index_ = index;
  BroadcastAppend();
  return index;
}

LogIndex Raft::AppendToLog(std::vector<LogEntry> entries) {
  LogIndex index = log_.LastIndex();
  for (LogEntry& e : entries) {
    e.index = ++index;
    e.term = term_;
  }
  const LogIndex last = log_.Append(entries);
  SyncConfiguration();  // a configuration entry is in force once appended
  // With async_log_writes the leader's own copy counts once durable (OnLogPersisted).
  if (!options_.async_log_writes) {
    if (Progress* self = tracker_.Get(id_)) self->MaybeUpdate(last);
  }
  // A single voter commits on its own; a membership change can also move the quorum.
  if (MaybeCommit()) OnCommitAdvanced();
  return last;
}

bool Raft::MaybeCommit() {
  // §5.4.2: only an entry of the current term is committed by counting replicas; earlier ones
  // follow by Log Matching.
  return log_.MaybeCommit(tracker_.QuorumMatchIndex(), term_);
}

bool Raft::CommittedEntryInCurrentTerm() const {
  return log_.TermOrZero(log_.committed()) == term_;
}

void Raft::OnCommitAdvanced() {
  if (role_ != Role::kLeader) return;
  if (CommittedEntryInCurrentTerm() && !pending_reads_.empty()) {
    for (PendingRead& read : std::exchange(pending_reads_, {})) {
      HandleReadIndexRequest(read.requester, std::move(read.context));
    }
  }
  // A leader that removed (or demoted) itself manages the cluster until the change commits, then
  // steps down (thesis §4.2.2).
  if (log_.configurations().LatestIndex() <= log_.committed() && !configuration().IsVoter(id_)) {
    BroadcastAppend();  // let followers learn the commit index before we go quiet
    BecomeFollower(term_, kNoNode);
  }
}

// ---------------------------------------------------------------------------------------------
// Messages to the leader

void Raft::StepLeader(const Message& m) {
  if (const auto* append = std::get_if<AppendEntriesResponse>(&m.body)) {
    HandleAppendEntriesResponse(m, *append);
  } else if (const auto* heartbeat = std::get_if<HeartbeatResponse>(&m.body)) {
    HandleHeartbeatResponse(m, *heartbeat);
  } else if (const auto* snap = std::get_if<InstallSnapshotResponse>(&m.body)) {
    HandleInstallSnapshotResponse(m, *snap);
  } else if (const auto* read = std::get_if<ReadIndexRequest>(&m.body)) {
    if (tracker_.Get(m.from) != nullptr) HandleReadIndexRequest(m.from, read->context);
  }
  // Vote responses, TimeoutNow and requests from another "leader" of our term are dropped.
}

void Raft::HandleAppendEntriesResponse(const Message& m, const AppendEntriesResponse& response) {
  Progress* pr = tracker_.Get(m.from);
  if (pr == nullptr) return;
  pr->recent_active = true;

  if (response.rejected) {
    // Fast backtracking: with the follower's (hint_index, hint_term), skip every entry of ours
    // whose term is above hint_term; they cannot match.
    LogIndex next_probe = response.hint_index;
    if (response.hint_term > 0) {
      next_probe = log_.FindConflictByTerm(response.hint_index, response.hint_term).first;
    }
    if (pr->MaybeDecreaseTo(response.index, next_probe)) {
      if (pr->state == ProgressState::kReplicate) pr->BecomeProbe();
      SendAppend(m.from, true);
    }
    return;
  }

  const bool was_paused = pr->IsPaused();
  const bool probe_matched = pr->state == ProgressState::kProbe && pr->match == response.index;
  if (!pr->MaybeUpdate(response.index) && !probe_matched) return;  // stale or duplicate

  switch (pr->state) {
    case ProgressState::kProbe:
      pr->BecomeReplicate();
      break;
    case ProgressState::kSnapshot:
      // The follower caught up by other means (e.g. an older AppendEntries arriving late).
      if (pr->match + 1 >= log_.FirstIndex()) {
        pr->BecomeProbe();
        pr->BecomeReplicate();
      }
      break;
    case ProgressState::kReplicate:
      pr->inflights.FreeLE(response.index);
      break;
  }
  if (MaybeCommit()) {
    DeferBroadcastAppend();
    OnCommitAdvanced();
    if (role_ != Role::kLeader) return;
  } else if (was_paused) {
    SendAppend(m.from, false);
  }
  // Pipelining: keep sending while the window has room.
  while (SendAppend(m.from, false)) {
  }
  pr = tracker_.Get(m.from);
  if (pr != nullptr && m.from == lead_transferee_ && pr->match == log_.LastIndex()) {
    SendTimeoutNow(m.from);
  }
}

void Raft::HandleHeartbeatResponse(const Message& m, const HeartbeatResponse& response) {
  Progress* pr = tracker_.Get(m.from);
  if (pr == nullptr) return;
  pr->recent_active = true;
  pr->probe_sent = false;
  switch (pr->state) {
    case ProgressState::kSnapshot:
      // Chunks (or their acks) may have been lost: resend from the last acknowledged offset.
      SendSnapshotChunk(m.from, *pr);
      break;
    case ProgressState::kProbe:
      SendAppend(m.from, true);
      break;
    case ProgressState::kReplicate:
      // An AppendEntries or its answer was lost if the follower still lags: new entries go out
      // if the window allows, else an empty AppendEntries whose answer (accept or reject)
      // resynchronizes the window.
      if (pr->match < log_.LastIndex() && !SendAppend(m.from, false)) SendEmptyAppend(m.from);
      break;
  }

  if (response.context.empty()) return;
  const std::set<NodeId>* acks = read_only_.RecvAck(m.from, response.context);
  if (acks == nullptr || tracker_.TallyAcks(*acks) != VoteResult::kWon) return;
  for (const ReadIndexStatus& status : read_only_.Advance(response.context)) {
    RespondToRead(status);
  }
}

void Raft::HandleInstallSnapshotResponse(const Message& m,
                                         const InstallSnapshotResponse& response) {
  Progress* pr = tracker_.Get(m.from);
  if (pr == nullptr) return;
  pr->recent_active = true;
  if (pr->state != ProgressState::kSnapshot || response.snapshot_index != pr->pending_snapshot) {
    return;  // about another transfer
  }
  if (response.done) {
    // Installed (or not needed): last_index matches our log. Probe from there.
    const bool updated = pr->MaybeUpdate(response.last_index);
    pr->BecomeProbe();
    if (updated && MaybeCommit()) {
      BroadcastAppend();
      OnCommitAdvanced();
      return;
    }
    SendAppend(m.from, true);
    return;
  }
  if (response.next_offset == pr->snapshot_offset) return;  // a duplicate; the resend timer acts
  pr->snapshot_offset = std::min<uint64_t>(response.next_offset, pr->snapshot->data.size());
  SendSnapshotChunk(m.from, *pr);
}

// ---------------------------------------------------------------------------------------------
// Sending

bool Raft::SendAppend(NodeId to, bool send_if_empty) {
  Progress* pr = tracker_.Get(to);
  if (pr == nullptr || pr->IsPaused()) return false;
  const LogIndex prev_index = pr->next - 1;
  auto prev_term = log_.Term(prev_index);
  std::vector<LogEntry> entries;
  Status entries_status = log_.Entries(pr->next, options_.max_append_bytes, &entries);
  if (!prev_term.ok() || !entries_status.ok()) {
    const Status& failure = !prev_term.ok() ? prev_term.status() : entries_status;
    if (failure.IsNotFound()) return MaybeSendSnapshot(to, pr);  // compacted
    if (failure.code() != Status::Code::kUnavailable) log_.RecordError(failure);
    return false;
  }
  if (entries.empty() && !send_if_empty) return false;
  uint64_t bytes = 0;
  for (const LogEntry& e : entries) bytes += e.data.size();
  const size_t count = entries.size();
  Send(to, AppendEntriesRequest{prev_index, *prev_term, std::move(entries), log_.committed()});
  pr->commit_sent = log_.committed();
  pr->OnEntriesSent(count, bytes);
  return true;
}

void Raft::SendEmptyAppend(NodeId to) {
  Progress* pr = tracker_.Get(to);
  if (pr == nullptr) return;
  auto prev_term = log_.Term(pr->next - 1);
  if (!prev_term.ok()) {
    // Compacted meanwhile: probe from match instead, which falls back to a snapshot.
    pr->BecomeProbe();
    SendAppend(to, true);
    return;
  }
  Send(to, AppendEntriesRequest{pr->next - 1, *prev_term, {}, log_.committed()});
  pr->commit_sent = log_.committed();
}

bool Raft::MaybeSendSnapshot(NodeId to, Progress* pr) {
  // Only to followers we heard from lately: a snapshot is expensive, a dead node gets none.
  if (!pr->recent_active) return false;
  auto snapshot = storage_->GetSnapshot();
  if (!snapshot.ok()) {
    if (snapshot.status().code() != Status::Code::kUnavailable) {
      log_.RecordError(snapshot.status());
    }
    return false;
  }
  if (snapshot->IsEmpty()) {
    log_.RecordError(Status::Internal("entries are compacted but storage has no snapshot"));
    return false;
  }
  pr->BecomeSnapshot(std::make_shared<const Snapshot>(std::move(snapshot).value()));
  SendSnapshotChunk(to, *pr);
  return true;
}

void Raft::SendSnapshotChunk(NodeId to, const Progress& pr) {
  const Snapshot& snapshot = *pr.snapshot;
  const uint64_t size = snapshot.data.size();
  const uint64_t offset = std::min(pr.snapshot_offset, size);
  const uint64_t length = std::min(options_.snapshot_chunk_bytes, size - offset);
  InstallSnapshotRequest request;
  request.metadata = snapshot.metadata;
  request.offset = offset;
  request.data = snapshot.data.substr(offset, length);
  request.done = offset + length == size;
  Send(to, std::move(request));
}

void Raft::SendHeartbeat(NodeId to, const std::string& context) {
  const Progress* pr = tracker_.Get(to);
  // Never more than the follower is known to hold: it has no log check to reject a commit index
  // past its log.
  const LogIndex commit = std::min(pr != nullptr ? pr->match : 0, log_.committed());
  Send(to, HeartbeatRequest{commit, context});
}

void Raft::BroadcastAppend() {
  for (auto& [id, pr] : tracker_.progress()) {
    if (id != id_) SendAppend(id, true);
  }
}

void Raft::FlushPendingAppends() {
  if (!std::exchange(append_pending_, false) || role_ != Role::kLeader) return;
  for (auto& [id, pr] : tracker_.progress()) {
    if (id == id_) continue;
    bool sent = false;
    while (SendAppend(id, false)) sent = true;  // new entries, as far as the window allows
    // Otherwise only the commit index is new: an empty AppendEntries carries it.
    if (!sent && pr.commit_sent < log_.committed()) SendAppend(id, true);
  }
}

void Raft::BroadcastHeartbeat(const std::string& context) {
  for (auto& [id, pr] : tracker_.progress()) {
    if (id != id_) SendHeartbeat(id, context);
  }
}

// ---------------------------------------------------------------------------------------------
// ReadIndex (thesis §6.4)

Status Raft::ReadIndex(std::string context) {
  CONSULATE_RETURN_IF_ERROR(fatal_error());
  if (role_ == Role::kLeader) {
    HandleReadIndexRequest(id_, std::move(context));
    return Status::OK();
  }
  if (role_ == Role::kFollower && !lead_.IsNone()) {
    Send(lead_, ReadIndexRequest{std::move(context)});
    return Status::OK();
  }
  return Status::Unavailable("no leader");
}

void Raft::HandleReadIndexRequest(NodeId requester, std::string context) {
  // Step 1: the commit index is only known to be current once an entry of this term committed.
  if (!CommittedEntryInCurrentTerm()) {
    pending_reads_.push_back(PendingRead{requester, std::move(context)});
    return;
  }
  read_only_.AddRequest(log_.committed(), requester, context);
  if (tracker_.IsSingleVoter(id_)) {
    // No one to confirm leadership with.
    for (const ReadIndexStatus& status : read_only_.Advance(context)) RespondToRead(status);
    return;
  }
  // Step 2: confirm we are still the leader with a round of heartbeats.
  read_only_.RecvAck(id_, context);
  BroadcastHeartbeat(context);
}

void Raft::RespondToRead(const ReadIndexStatus& status) {
  if (status.requester == id_) {
    read_states_.push_back(ReadState{status.index, status.context});
  } else {
    Send(status.requester, ReadIndexResponse{status.index, status.context});
  }
}

// ---------------------------------------------------------------------------------------------
// Leadership transfer (thesis §3.10)

Status Raft::TransferLeadership(NodeId to) {
  CONSULATE_RETURN_IF_ERROR(fatal_error());
  if (role_ != Role::kLeader) return Status::Unavailable("not the leader");
  if (to == id_) return Status::OK();
  if (!configuration().IsVoter(to)) {
    return Status::InvalidArgument("node " + ToString(to) + " is not a voter");
  }
  if (lead_transferee_ == to) return Status::OK();
  AbortLeaderTransfer();
  // The transfer must finish within an election timeout (TickHeartbeat abandons it).
  election_elapsed_ = 0;
  lead_transferee_ = to;
  const Progress* pr = tracker_.Get(to);
  if (pr != nullptr && pr->match == log_.LastIndex()) {
    SendTimeoutNow(to);
  } else {
    SendAppend(to, true);
  }
  return Status::OK();
}

void Raft::SendTimeoutNow(NodeId to) { Send(to, TimeoutNowRequest{}); }

}  // namespace consulate::raft::core
