// Raft: the protocol state machine (etcd's raft struct). Single-threaded and deterministic: its
// only inputs are the calls below and what it reads from Storage; its outputs are messages and
// read states queued for the caller, plus the log's unstable entries, snapshot and commit index.
// RawNode (raw_node.h) wraps it with the Ready/Advance contract; use RawNode unless you are a test
// that wants to look at messages one step at a time.
//
// Implemented (section numbers: the Raft paper "In Search of an Understandable Consensus
// Algorithm", and Ongaro's thesis "Consensus: Bridging Theory and Practice"):
//   * elections with randomized timeouts (§5.2), pre-vote (thesis §9.6), check-quorum and the
//     leader lease that makes followers ignore vote requests while they hear from a leader
//     (thesis §4.2.3, §6.2);
//   * log replication with fast backtracking (§5.3), pipelining and flow control (Progress);
//   * commitment only of current-term entries, by counting replicas (§5.4.2), with a no-op
//     appended at the start of each term;
//   * snapshot install in chunks (§7);
//   * learners, and one-at-a-time membership changes that take effect when appended (thesis
//     §4.1); a new leader commits its no-op before accepting a change (the fix to the
//     single-server change bug described on raft-dev in 2015);
//   * leadership transfer (thesis §3.10) and ReadIndex (thesis §6.4).
//
// Errors: nothing here throws or aborts. A Storage failure, or a peer breaking the protocol in a
// way that would force us to lose committed data, is recorded in fatal_error(); afterwards every
// input is refused with that error and the caller should stop the node.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "raft/core/configuration.h"
#include "raft/core/message.h"
#include "raft/core/progress.h"
#include "raft/core/raft_log.h"
#include "raft/core/read_only.h"
#include "raft/core/storage.h"
#include "raft/core/types.h"

namespace consulate::raft::core {

struct RaftOptions {
  NodeId id;  // REQUIRES: not kNoNode
  // Election timeout, in ticks: followers wait a random time in [election_ticks,
  // 2 * election_ticks) without hearing from a leader before campaigning. It is also the leader
  // lease and the check-quorum period. REQUIRES: > heartbeat_ticks.
  int election_ticks = 10;
  int heartbeat_ticks = 1;  // leader heartbeat period. REQUIRES: >= 1
  // Seeds the PRNG that randomizes election timeouts; give every node a different seed.
  uint64_t random_seed = 0;
  bool pre_vote = true;
  bool check_quorum = true;
  // Entry data per AppendEntries (at least one entry is always sent).
  uint64_t max_append_bytes = uint64_t{1} << 20;
  // Flow control in the replicate state. max_inflight_bytes == 0: no byte limit.
  // REQUIRES: max_inflight_messages >= 1.
  size_t max_inflight_messages = 256;
  uint64_t max_inflight_bytes = 0;
  uint64_t snapshot_chunk_bytes = uint64_t{1} << 20;  // REQUIRES: >= 1
  // Entry data per Ready::committed_entries (at least one entry when any is ready).
  uint64_t max_committed_bytes_per_ready = UINT64_MAX;
  // The last index the caller's state machine applied before this start (0: apply everything
  // committed after the snapshot again).
  LogIndex applied = 0;
  // false: a leader counts its own copy of an entry towards commitment once appended, which is
  // safe when every Ready is persisted before the next message is stepped. true: only once the
  // caller reports it durable (RawNode::Advance(true) or ReportDurable), so that a leader may sync
  // its log while it goes on stepping messages (RawNode::Advance(false)).
  bool async_log_writes = false;
};

class Raft {
 public:
  // Loads the hard state and membership from storage. InvalidArgument for bad options,
  // Corruption if the hard state does not fit the log. REQUIRES: storage outlives the Raft.
  static Result<std::unique_ptr<Raft>> Create(const RaftOptions& options, const Storage* storage);

  Raft(const Raft&) = delete;
  Raft& operator=(const Raft&) = delete;

  // Handles a message from a peer. InvalidArgument if it is malformed (entries not numbered
  // from prev_log_index + 1 or with terms out of order, an index or term >= 2^62) or not
  // addressed to us: it is dropped. The fatal error if one was recorded. Protocol-level refusals
  // (stale terms, rejected votes) are not errors: they are answered or dropped as Raft prescribes.
  Status Step(const Message& message);
  // Advances logical time by one tick.
  void Tick();
  // Leader only: appends a command. Returns its index; the entry is committed when it shows up in
  // Ready::committed_entries with the same index and term() at proposal time. Unavailable when not
  // the leader or during a leadership transfer.
  Result<LogIndex> Propose(std::string data);
  // Leader only: appends a configuration entry for `change`. Unavailable when not the leader, the
  // leader has not yet committed an entry of its term, or a previous change is not committed;
  // InvalidArgument when the change is invalid (ApplyConfChange).
  Result<LogIndex> ProposeConfChange(const ConfChange& change);
  // Leader only: hands leadership to voter `to` once its log is caught up. Proposals are refused
  // until the transfer ends; it is abandoned after an election timeout.
  Status TransferLeadership(NodeId to);
  // Requests a linearizable read point. The answer arrives as a ReadState with the same context
  // (unique per request) in a later Ready, or never if leadership changes meanwhile: retry after a
  // timeout. Unavailable when there is no known leader.
  Status ReadIndex(std::string context);
  // Starts an election now (a pre-vote first if enabled); a no-op on a leader. Unavailable if
  // this node cannot campaign (not a voter, or a snapshot is pending).
  Status Campaign();
  // A hint from the driver that `lost` (our leader) is gone, e.g. its connection closed (etcd's
  // ForgetLeader). A follower led by `lost` forgets it, so that it neither honours the leader
  // lease in vote requests nor waits a whole election timeout: it campaigns within
  // `ticks_until_campaign` ticks (give each node a different random value). Liveness only: it
  // never makes an unsafe vote possible. A no-op in any other case.
  void ForgetLeader(NodeId lost, int ticks_until_campaign);

  // The caller's log holds everything through `index` (whose entry has `term`) durably. A leader
  // counts itself towards a quorum only for durable entries, so it may write its log while it
  // replicates (thesis §10.2.1). A report about an entry that was replaced since is ignored.
  void OnLogPersisted(LogIndex index, TermId term);

  // Outputs, drained by the caller (RawNode).
  std::vector<Message> TakeMessages();
  std::vector<ReadState> TakeReadStates();
  bool HasMessages() const {
    return !messages_.empty() || (append_pending_ && role_ == Role::kLeader);
  }
  bool HasReadStates() const { return !read_states_.empty(); }

  NodeId id() const { return id_; }
  TermId term() const { return term_; }
  NodeId vote() const { return vote_; }
  NodeId leader() const { return lead_; }
  Role role() const { return role_; }
  HardState hard_state() const { return HardState{term_, vote_, log_.committed()}; }
  SoftState soft_state() const { return SoftState{lead_, role_}; }
  // The membership in force: the latest configuration in the log.
  const Configuration& configuration() const { return tracker_.configuration(); }
  const RaftLog& log() const { return log_; }
  RaftLog& mutable_log() { return log_; }
  const ProgressTracker& tracker() const { return tracker_; }
  NodeId lead_transferee() const { return lead_transferee_; }
  int election_elapsed() const { return election_elapsed_; }
  int randomized_election_timeout() const { return randomized_election_timeout_; }
  size_t pending_read_count() const { return read_only_.PendingCount() + pending_reads_.size(); }
  const Status& fatal_error() const { return log_.error(); }
  // May this node campaign? A voter without a pending snapshot may (see the .cc for the one
  // exception: a voter whose removal is not yet committed).
  bool Promotable() const;

 private:
  enum class CampaignKind : uint8_t { kPreElection, kElection, kTransfer };
  struct PendingRead {
    NodeId requester;
    std::string context;
  };

  Raft(const RaftOptions& options, const Storage* storage);

  // --- raft.cc: roles, terms, elections, ticks ---
  void Reset(TermId term);
  void BecomeFollower(TermId term, NodeId lead);
  void BecomePreCandidate();
  void BecomeCandidate();
  void BecomeLeader();
  void ResetRandomizedElectionTimeout();
  void Hup(CampaignKind kind);
  void StartCampaign(CampaignKind kind);
  VoteResult Poll(NodeId from, bool granted);
  void TickElection();
  void TickHeartbeat();
  void HandleVoteRequest(const Message& m);
  // Rechecks the membership after the log changed.
  void SyncConfiguration();
  void Send(NodeId to, MessageBody body);
  void SendWithTerm(NodeId to, TermId term, MessageBody body);

  // --- raft_follower.cc ---
  void StepFollower(const Message& m);
  void StepCandidate(const Message& m);
  void HandleAppendEntries(const Message& m, const AppendEntriesRequest& request);
  void HandleHeartbeat(const Message& m, const HeartbeatRequest& request);
  void HandleInstallSnapshot(const Message& m, const InstallSnapshotRequest& request);
  // Installs a complete snapshot; false if it was not needed (we already have its entries).
  bool Restore(const Snapshot& snapshot);

  // --- raft_leader.cc ---
  void StepLeader(const Message& m);
  void HandleAppendEntriesResponse(const Message& m, const AppendEntriesResponse& response);
  void HandleHeartbeatResponse(const Message& m, const HeartbeatResponse& response);
  void HandleInstallSnapshotResponse(const Message& m, const InstallSnapshotResponse& response);
  void HandleReadIndexRequest(NodeId requester, std::string context);
  void RespondToRead(const ReadIndexStatus& status);
  // Sends the entries from Progress::next (or a snapshot if they are compacted) unless paused.
  // Returns whether a message went out.
  bool SendAppend(NodeId to, bool send_if_empty);
  // An AppendEntries without entries at next - 1, ignoring flow control: resynchronizes a
  // follower whose acknowledgements were lost.
  void SendEmptyAppend(NodeId to);
  bool MaybeSendSnapshot(NodeId to, Progress* progress);
  void SendSnapshotChunk(NodeId to, const Progress& progress);
  void SendHeartbeat(NodeId to, const std::string& context);
  // Marks entries or the commit index as waiting to be sent; see append_pending_.
  void DeferBroadcastAppend() { append_pending_ = true; }
  void FlushPendingAppends();
  void BroadcastAppend();
  void BroadcastHeartbeat(const std::string& context);
  // Appends entries (index and term filled in here) to the leader's log. Returns the last index.
  LogIndex AppendToLog(std::vector<LogEntry> entries);
  bool MaybeCommit();
  // After the commit index moved: serve waiting reads, step down if removed.
  void OnCommitAdvanced();
  bool CommittedEntryInCurrentTerm() const;
  void SendTimeoutNow(NodeId to);
  void AbortLeaderTransfer() { lead_transferee_ = kNoNode; }

  const NodeId id_;
  const RaftOptions options_;
  const Storage* const storage_;

  TermId term_ = 0;
  NodeId vote_;
  NodeId lead_;
  Role role_ = Role::kFollower;
  RaftLog log_;
  ProgressTracker tracker_;
  uint64_t configuration_version_ = ~uint64_t{0};

  // Ticks since the last election timeout (followers, candidates: since we last heard from a
  // leader or granted a vote; leaders: since the last check-quorum round).
  int election_elapsed_ = 0;
  int heartbeat_elapsed_ = 0;  // leaders only
  int randomized_election_timeout_ = 0;
  Prng prng_;

  // Leader state.
  NodeId lead_transferee_;
  // Index of the latest configuration entry (or of the term's no-op); no new change is accepted
  // until it is committed.
  LogIndex pending_conf_index_ = 0;
  ReadOnly read_only_;
  // ReadIndex requests that arrived before the leader committed an entry of its term: the
  // commit index is not known to be up to date until then (thesis §6.4 step 1).
  std::vector<PendingRead> pending_reads_;

  // Follower state: the snapshot being received in chunks.
  std::optional<Snapshot> incoming_snapshot_;

  // Leader: new entries or a new commit index are waiting to be sent. Sending is deferred to
  // TakeMessages, so that all proposals and acknowledgements stepped between two Readies go out
  // as one AppendEntries per follower rather than one each.
  bool append_pending_ = false;
  // Leader: the last index reported durable (OnLogPersisted), or the log's end when it took office
  // (a candidate's log is durable before it can win).
  LogIndex persisted_ = 0;
  std::vector<Message> messages_;
  std::vector<ReadState> read_states_;
};

}  // namespace consulate::raft::core
