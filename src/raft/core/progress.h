// What a leader knows about each follower's log, and the quorum arithmetic over the voters
// (etcd's tracker package).
//
// Flow control: a follower's Progress is in one of three states.
//   kProbe:     we do not know where its log matches ours. Send one AppendEntries at a time
//               (paused until it answers or a heartbeat interval passes) and walk back on rejects.
//   kReplicate: its log matches through `match`. Stream AppendEntries optimistically, advancing
//               `next` on send, with at most max_inflight_messages (and bytes) unacknowledged.
//   kSnapshot:  it needs entries we compacted away: a snapshot is being sent in chunks, and no
//               AppendEntries go out until it is installed.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "raft/core/configuration.h"
#include "raft/core/message.h"
#include "raft/core/types.h"

namespace consulate::raft::core {

// The AppendEntries sent but not yet acknowledged in kReplicate, as (last index, bytes) each.
class Inflights {
 public:
  // max_bytes == 0: no byte limit. REQUIRES: max_messages >= 1.
  Inflights(size_t max_messages, uint64_t max_bytes)
      : max_messages_(max_messages), max_bytes_(max_bytes) {}
  void Add(LogIndex last_index, uint64_t bytes);
  // Frees every message whose last index is <= index (acknowledged).
  void FreeLE(LogIndex index);
  bool Full() const {
    return in_flight_.size() >= max_messages_ || (max_bytes_ != 0 && bytes_ >= max_bytes_);
  }
  size_t Count() const { return in_flight_.size(); }
  void Reset() {
    in_flight_.clear();
    bytes_ = 0;
  }

 private:
  size_t max_messages_;
  uint64_t max_bytes_;
  std::deque<std::pair<LogIndex, uint64_t>> in_flight_;
  uint64_t bytes_ = 0;
};

enum class ProgressState : uint8_t { kProbe, kReplicate, kSnapshot };
const char* ProgressStateName(ProgressState state);

struct Progress {
  Progress(size_t max_inflight_messages, uint64_t max_inflight_bytes)
      : inflights(max_inflight_messages, max_inflight_bytes) {}

  LogIndex match = 0;  // highest index known to match the leader's log
  LogIndex next = 1;   // next index to send
  ProgressState state = ProgressState::kProbe;
  // kProbe: an AppendEntries is outstanding; wait for its answer or the next heartbeat.
  bool probe_sent = false;
  // Heard from since the last check-quorum round (any response counts).
  bool recent_active = false;
  // The commit index carried by the last AppendEntries sent; a newer one is worth telling.
  LogIndex commit_sent = 0;
  bool is_learner = false;
  Inflights inflights;

  // kSnapshot: the snapshot being streamed and how many of its bytes the follower holds.
  LogIndex pending_snapshot = 0;
  std::shared_ptr<const Snapshot> snapshot;
  uint64_t snapshot_offset = 0;

  void BecomeProbe();
  void BecomeReplicate();
  void BecomeSnapshot(std::shared_ptr<const Snapshot> snapshot);
  // The follower acknowledged `index`. Returns whether match advanced.
  bool MaybeUpdate(LogIndex index);
  // A reject of an AppendEntries at `rejected` (its prev_log_index), with a hint of where the
  // follower's log might match. Returns false if the reject is stale (ignored).
  bool MaybeDecreaseTo(LogIndex rejected, LogIndex hint);
  // Records entries [next, next + count) being sent.
  void OnEntriesSent(size_t count, uint64_t bytes);
  // Whether AppendEntries must wait (flow control).
  bool IsPaused() const;
  std::string ToString() const;

 private:
  void ResetState(ProgressState state);
};

enum class VoteResult : uint8_t { kPending, kWon, kLost };

// Progress for every member of the configuration in force, plus vote tallies. Iteration order is
// by node ID, so the core's behavior does not depend on hash order.
class ProgressTracker {
 public:
  ProgressTracker(size_t max_inflight_messages, uint64_t max_inflight_bytes)
      : max_inflight_messages_(max_inflight_messages), max_inflight_bytes_(max_inflight_bytes) {}

  // Switches to `configuration`: members that are new get a Progress starting at next_index
  // (recently active, so check-quorum gives them a chance to answer), departed ones lose theirs.
  void SetConfiguration(const Configuration& configuration, LogIndex next_index);
  const Configuration& configuration() const { return configuration_; }

  // Every Progress restarts at next_index with match 0 (a new term); `self` gets match self_match.
  void ResetAll(LogIndex next_index, NodeId self, LogIndex self_match);
  Progress* Get(NodeId id);
  const Progress* Get(NodeId id) const;
  std::map<NodeId, Progress>& progress() { return progress_; }
  const std::map<NodeId, Progress>& progress() const { return progress_; }

  // The largest index replicated on a majority of voters (by match).
  LogIndex QuorumMatchIndex() const;
  // Whether a majority of voters (counting `self` as active) was heard from since the last call;
  // resets every recent_active flag but self's.
  bool QuorumActive(NodeId self);
  bool IsSingleVoter(NodeId self) const {
    return configuration_.voters.size() == 1 && configuration_.voters[0] == self;
  }

  void ResetVotes() { votes_.clear(); }
  // Records a vote (the first one per voter counts) and tallies.
  VoteResult RecordVote(NodeId voter, bool granted);
  VoteResult TallyVotes() const;
  // The result of a poll in which exactly the `acks` said yes and nobody said no.
  VoteResult TallyAcks(const std::set<NodeId>& acks) const;

 private:
  const size_t max_inflight_messages_;
  const uint64_t max_inflight_bytes_;
  Configuration configuration_;
  std::map<NodeId, Progress> progress_;
  std::map<NodeId, bool> votes_;
};

}  // namespace consulate::raft::core
