// Raft: construction, the generic Step (term handling and votes), roles, elections and ticks.
// Role-specific message handling lives in raft_follower.cc and raft_leader.cc.
#include "raft/core/raft.h"

#include <algorithm>
#include <initializer_list>
#include <type_traits>
#include <utility>

namespace consulate::raft::core {

const char* RoleName(Role role) {
  switch (role) {
    case Role::kFollower:
      return "follower";
    case Role::kPreCandidate:
      return "pre-candidate";
    case Role::kCandidate:
      return "candidate";
    case Role::kLeader:
      return "leader";
  }
  return "unknown";
}

Raft::Raft(const RaftOptions& options, const Storage* storage)
    : id_(options.id),
      options_(options),
      storage_(storage),
      log_(storage, options.max_committed_bytes_per_ready),
      tracker_(options.max_inflight_messages, options.max_inflight_bytes),
      prng_(options.random_seed ^ (options.id.value() * 0x2545f4914f6cdd1dULL)) {}

Result<std::unique_ptr<Raft>> Raft::Create(const RaftOptions& options, const Storage* storage) {
  if (options.id.IsNone()) return Status::InvalidArgument("node id must not be 0");
  if (storage == nullptr) return Status::InvalidArgument("storage is required");
  if (options.heartbeat_ticks < 1) return Status::InvalidArgument("heartbeat_ticks must be >= 1");
  if (options.election_ticks <= options.heartbeat_ticks) {
    return Status::InvalidArgument("election_ticks must be greater than heartbeat_ticks");
  }
  if (options.max_inflight_messages < 1) {
    return Status::InvalidArgument("max_inflight_messages must be >= 1");
  }
  if (options.snapshot_chunk_bytes < 1) {
    return Status::InvalidArgument("snapshot_chunk_bytes must be >= 1");
  }
  auto initial = storage->GetInitialState();
  if (!initial.ok()) return initial.status();

  std::unique_ptr<Raft> raft(new Raft(options, storage));
  CONSULATE_RETURN_IF_ERROR(raft->log_.LoadConfigurations(initial->configuration));
  const HardState& hs = initial->hard_state;
  if (hs.commit_index > raft->log_.LastIndex()) {
    return Status::Corruption("hard state commit index " + std::to_string(hs.commit_index) +
                              " is past the last log index " +
                              std::to_string(raft->log_.LastIndex()));
  }
  // A commit index below the snapshot's is not an error: commit-only hard-state updates need not
  // be synced (Ready::must_sync), so one can be older than a snapshot taken since.
  raft->log_.CommitTo(hs.commit_index);
  raft->term_ = hs.term;
  raft->vote_ = hs.vote;
  if (options.applied > raft->log_.committed()) {
    return Status::InvalidArgument("applied index " + std::to_string(options.applied) +
                                   " is past the commit index");
  }
  raft->log_.AppliedTo(options.applied);
  raft->SyncConfiguration();
  raft->BecomeFollower(raft->term_, kNoNode);
  CONSULATE_RETURN_IF_ERROR(raft->fatal_error());
  return raft;
}

void Raft::OnLogPersisted(LogIndex index, TermId term) {
  if (!options_.async_log_writes || role_ != Role::kLeader || index <= persisted_) return;
  if (index > log_.LastIndex() || log_.TermOrZero(index) != term) return;  // replaced since
  persisted_ = index;
  Progress* self = tracker_.Get(id_);
  if (self == nullptr || !self->MaybeUpdate(index)) return;
  if (MaybeCommit()) {
    DeferBroadcastAppend();
    OnCommitAdvanced();
  }
}

std::vector<Message> Raft::TakeMessages() {
  FlushPendingAppends();
  return std::exchange(messages_, {});
}
std::vector<ReadState> Raft::TakeReadStates() { return std::exchange(read_states_, {}); }

bool Raft::Promotable() const {
  if (log_.HasPendingSnapshot()) return false;
  if (configuration().IsVoter(id_)) return true;
  // A voter removed (or demoted) by a configuration entry that is not yet committed may still
  // campaign, counting votes in the new configuration (as hashicorp/raft does). Otherwise a
  // leader that removed itself and then lost leadership before the change committed can
  // deadlock the cluster: it holds the longest log, so nobody else wins, and it would not run.
  const ConfigurationHistory& history = log_.configurations();
  const Configuration* previous = history.Previous();
  return history.LatestIndex() > log_.committed() && previous != nullptr && previous->IsVoter(id_);
}

void Raft::Send(NodeId to, MessageBody body) { SendWithTerm(to, term_, std::move(body)); }

void Raft::SendWithTerm(NodeId to, TermId term, MessageBody body) {
  messages_.push_back(Message{id_, to, term, std::move(body)});
}

// ---------------------------------------------------------------------------------------------
// Step

namespace {

bool IsVoteRequest(const MessageBody& body) {
  return std::holds_alternative<VoteRequest>(body) || std::holds_alternative<PreVoteRequest>(body);
}

// Messages only a current leader sends: receiving one with a newer term names the new leader.
bool IsFromLeader(const MessageBody& body) {
  return std::holds_alternative<AppendEntriesRequest>(body) ||
         std::holds_alternative<HeartbeatRequest>(body) ||
         std::holds_alternative<InstallSnapshotRequest>(body);
}

// Indices and terms stay far below 2^64 (SegmentLog caps indices at 2^62), so index + 1 and
// term + 1 never wrap. A peer sending larger ones is broken or hostile.
constexpr uint64_t kMaxIndexOrTerm = uint64_t{1} << 62;

bool TooBig(std::initializer_list<uint64_t> values) {
  for (uint64_t v : values) {
    if (v >= kMaxIndexOrTerm) return true;
  }
  return false;
}

// Rejects what the codec cannot: values out of range and inconsistent entry numbering.
Status ValidateMessage(const Message& m) {
  const bool too_big = std::visit(
      [&](const auto& b) -> bool {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, VoteRequest> || std::is_same_v<T, PreVoteRequest>) {
          return TooBig({b.last_log_index, b.last_log_term});
        } else if constexpr (std::is_same_v<T, AppendEntriesRequest>) {
          return TooBig({b.prev_log_index, b.prev_log_index + b.entries.size(), b.prev_log_term,
                         b.commit_index});
        } else if constexpr (std::is_same_v<T, AppendEntriesResponse>) {
          return TooBig({b.index, b.hint_index, b.hint_term});
        } else if constexpr (std::is_same_v<T, HeartbeatRequest>) {
          return TooBig({b.commit_index});
        } else if constexpr (std::is_same_v<T, InstallSnapshotRequest>) {
          return TooBig({b.metadata.index, b.metadata.term, b.offset});
        } else if constexpr (std::is_same_v<T, InstallSnapshotResponse>) {
          return TooBig({b.snapshot_index, b.next_offset, b.last_index});
        } else if constexpr (std::is_same_v<T, ReadIndexResponse>) {
          return TooBig({b.index});
        } else {
          return false;
        }
      },
      m.body);
  if (too_big || TooBig({m.term})) return Status::InvalidArgument("index or term out of range");
  if (const auto* append = std::get_if<AppendEntriesRequest>(&m.body)) {
    if (append->prev_log_index > 0 && append->prev_log_term == 0) {
      return Status::InvalidArgument("AppendEntries after an entry of term 0");
    }
    for (size_t i = 0; i < append->entries.size(); ++i) {
      const LogEntry& e = append->entries[i];
      if (e.index != append->prev_log_index + 1 + i) {
        return Status::InvalidArgument("AppendEntries with non-consecutive entries");
      }
      if (e.term > m.term || (i > 0 && e.term < append->entries[i - 1].term) ||
          e.term < append->prev_log_term) {
        return Status::InvalidArgument("AppendEntries with terms out of order");
      }
    }
  }
  if (const auto* snapshot = std::get_if<InstallSnapshotRequest>(&m.body)) {
    if (snapshot->metadata.term > m.term) {
      return Status::InvalidArgument("snapshot from a future term");
    }
  }
  return Status::OK();
}

}  // namespace

Status Raft::Step(const Message& m) {
  CONSULATE_RETURN_IF_ERROR(fatal_error());
  if (m.to != id_) return Status::InvalidArgument("message for node " + ToString(m.to));
  if (m.from.IsNone() || m.from == id_) return Status::InvalidArgument("bad sender");
  CONSULATE_RETURN_IF_ERROR(ValidateMessage(m));

  if (m.term > term_) {
    if (IsVoteRequest(m.body)) {
      const auto* vote = std::get_if<VoteRequest>(&m.body);
      const bool forced = vote != nullptr && vote->leadership_transfer;
      // Leader lease (thesis §4.2.3): while we hear from a leader, a vote request is from a
      // server that cannot reach it (or was removed) and must not disrupt the cluster.
      const bool in_lease =
          options_.check_quorum && !lead_.IsNone() && election_elapsed_ < options_.election_ticks;
      if (!forced && in_lease) return Status::OK();
    }
    if (std::holds_alternative<PreVoteRequest>(m.body)) {
      // A pre-vote never changes our term.
    } else if (const auto* pre = std::get_if<PreVoteResponse>(&m.body); pre && pre->granted) {
      // A granted pre-vote carries the term we asked about; we move to it only when we win.
    } else if (IsFromLeader(m.body)) {
      BecomeFollower(m.term, m.from);
    } else {
      BecomeFollower(m.term, kNoNode);
    }
  } else if (m.term < term_) {
    if ((options_.check_quorum || options_.pre_vote) &&
        (std::holds_alternative<AppendEntriesRequest>(m.body) ||
         std::holds_alternative<HeartbeatRequest>(m.body))) {
      // A stale leader (e.g. partitioned away, then healed). Without check-quorum it would learn
      // of our term from a vote request; with pre-vote and leases there may be none, so tell it.
      Send(m.from, AppendEntriesResponse{});
    } else if (std::holds_alternative<PreVoteRequest>(m.body)) {
      // Answer so the pre-candidate learns our newer term and stops.
      Send(m.from, PreVoteResponse{false});
    }
    return Status::OK();
  }

  if (IsVoteRequest(m.body)) {
    HandleVoteRequest(m);
    return Status::OK();
  }
  switch (role_) {
    case Role::kFollower:
      StepFollower(m);
      break;
    case Role::kPreCandidate:
    case Role::kCandidate:
      StepCandidate(m);
      break;
    case Role::kLeader:
      StepLeader(m);
      break;
  }
  return Status::OK();
}

void Raft::HandleVoteRequest(const Message& m) {
  const bool pre = std::holds_alternative<PreVoteRequest>(m.body);
  LogIndex last_index = 0;
  TermId last_term = 0;
  if (pre) {
    const auto& req = std::get<PreVoteRequest>(m.body);
    last_index = req.last_log_index;
    last_term = req.last_log_term;
  } else {
    const auto& req = std::get<VoteRequest>(m.body);
    last_index = req.last_log_index;
    last_term = req.last_log_term;
  }
  // We can vote for m.from if we already did in this term (a retransmission), if we have voted
  // for nobody and know no leader, or, for a pre-vote, if it is about a future term.
  const bool can_vote =
      vote_ == m.from || (vote_.IsNone() && lead_.IsNone()) || (pre && m.term > term_);
  const bool grant = can_vote && log_.IsUpToDate(last_index, last_term);  // §5.4.1
  if (pre) {
    // A granted pre-vote answers with the term asked about, so the pre-candidate counts it.
    SendWithTerm(m.from, grant ? m.term : term_, PreVoteResponse{grant});
    return;
  }
  if (grant) {
    election_elapsed_ = 0;  // we just helped start an election: give it time to finish
    vote_ = m.from;
  }
  Send(m.from, VoteResponse{grant});
}

// ---------------------------------------------------------------------------------------------
// Roles

void Raft::ResetRandomizedElectionTimeout() {
  randomized_election_timeout_ =
      options_.election_ticks + static_cast<int>(prng_.Uniform(options_.election_ticks));
}

void Raft::Reset(TermId term) {
  if (term_ != term) {
    term_ = term;
    vote_ = kNoNode;
  }
  lead_ = kNoNode;
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  ResetRandomizedElectionTimeout();
  AbortLeaderTransfer();
  tracker_.ResetVotes();
  tracker_.ResetAll(log_.LastIndex() + 1, id_, log_.LastIndex());
  pending_conf_index_ = 0;
  read_only_.Reset();
  pending_reads_.clear();
}

void Raft::BecomeFollower(TermId term, NodeId lead) {
  Reset(term);
  lead_ = lead;
  role_ = Role::kFollower;
}

void Raft::BecomePreCandidate() {
  // Neither term nor vote change: a pre-candidate is a follower asking "would you vote for me?".
  tracker_.ResetVotes();
  lead_ = kNoNode;
  role_ = Role::kPreCandidate;
  incoming_snapshot_.reset();
}

void Raft::BecomeCandidate() {
  Reset(term_ + 1);
  vote_ = id_;
  role_ = Role::kCandidate;
  incoming_snapshot_.reset();
}

void Raft::BecomeLeader() {
  Reset(term_);
  lead_ = id_;
  role_ = Role::kLeader;
  incoming_snapshot_.reset();
  persisted_ = log_.LastIndex();  // stepped after the candidate's Ready was persisted
  if (Progress* self = tracker_.Get(id_)) self->BecomeReplicate();
  // §5.4.2 / §8: entries of earlier terms commit only once an entry of this term does. The
  // no-op also gates ReadIndex and configuration changes until it commits.
  LogEntry noop;
  noop.type = EntryType::kNoop;
  pending_conf_index_ = AppendToLog({std::move(noop)});
}

// ---------------------------------------------------------------------------------------------
// Elections

Status Raft::Campaign() {
  CONSULATE_RETURN_IF_ERROR(fatal_error());
  if (role_ == Role::kLeader) return Status::OK();
  if (!Promotable()) return Status::Unavailable("node " + ToString(id_) + " cannot campaign");
  Hup(options_.pre_vote ? CampaignKind::kPreElection : CampaignKind::kElection);
  return Status::OK();
}

void Raft::Hup(CampaignKind kind) {
  if (role_ == Role::kLeader || !Promotable()) return;
  StartCampaign(kind);
}

void Raft::StartCampaign(CampaignKind kind) {
  TermId vote_term = 0;
  if (kind == CampaignKind::kPreElection) {
    BecomePreCandidate();
    vote_term = term_ + 1;  // the term we would use; ours stays put
  } else {
    BecomeCandidate();
    vote_term = term_;
  }
  if (Poll(id_, true) == VoteResult::kWon) {
    // A single-voter configuration: we won on our own vote.
    if (kind == CampaignKind::kPreElection) {
      StartCampaign(CampaignKind::kElection);
    } else {
      BecomeLeader();
    }
    return;
  }
  const LogIndex last_index = log_.LastIndex();
  const TermId last_term = log_.LastTerm();
  for (NodeId voter : configuration().voters) {
    if (voter == id_) continue;
    if (kind == CampaignKind::kPreElection) {
      SendWithTerm(voter, vote_term, PreVoteRequest{last_index, last_term});
    } else {
      SendWithTerm(voter, vote_term,
                   VoteRequest{last_index, last_term, kind == CampaignKind::kTransfer});
    }
  }
}

VoteResult Raft::Poll(NodeId from, bool granted) { return tracker_.RecordVote(from, granted); }

// ---------------------------------------------------------------------------------------------
// Ticks

void Raft::Tick() {
  if (!fatal_error().ok()) return;
  if (role_ == Role::kLeader) {
    TickHeartbeat();
  } else {
    TickElection();
  }
}

void Raft::ForgetLeader(NodeId lost, int ticks_until_campaign) {
  if (role_ != Role::kFollower || lost.IsNone() || lead_ != lost) return;
  lead_ = kNoNode;
  election_elapsed_ =
      std::max(election_elapsed_, randomized_election_timeout_ - std::max(ticks_until_campaign, 1));
}

void Raft::TickElection() {
  ++election_elapsed_;
  if (Promotable() && election_elapsed_ >= randomized_election_timeout_) {
    election_elapsed_ = 0;
    Hup(options_.pre_vote ? CampaignKind::kPreElection : CampaignKind::kElection);
  }
}

void Raft::TickHeartbeat() {
  ++heartbeat_elapsed_;
  ++election_elapsed_;
  if (election_elapsed_ >= options_.election_ticks) {
    election_elapsed_ = 0;
    // Check-quorum (thesis §6.2): a leader that has not heard from a majority within an election
    // timeout steps down, so a partitioned leader stops serving (its lease has expired anyway).
    if (options_.check_quorum && !tracker_.QuorumActive(id_)) {
      BecomeFollower(term_, kNoNode);
      return;
    }
    // A transfer that did not finish within an election timeout is abandoned (thesis §3.10).
    AbortLeaderTransfer();
  }
  if (heartbeat_elapsed_ >= options_.heartbeat_ticks) {
    heartbeat_elapsed_ = 0;
    BroadcastHeartbeat(read_only_.LastPendingContext());
  }
}

// ---------------------------------------------------------------------------------------------
// Membership

void Raft::SyncConfiguration() {
  const ConfigurationHistory& history = log_.configurations();
  if (history.version() == configuration_version_) return;
  configuration_version_ = history.version();
  tracker_.SetConfiguration(history.Latest(), log_.LastIndex() + 1);
  if (role_ == Role::kLeader) {
    if (!lead_transferee_.IsNone() && !configuration().IsVoter(lead_transferee_)) {
      AbortLeaderTransfer();
    }
    if (Progress* self = tracker_.Get(id_)) {
      self->MaybeUpdate(options_.async_log_writes ? std::min(persisted_, log_.LastIndex())
                                                  : log_.LastIndex());
    }
  }
}

}  // namespace consulate::raft::core
