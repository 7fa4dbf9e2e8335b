#include "raft/core/progress.h"

#include <algorithm>
#include <functional>
#include <vector>

namespace consulate::raft::core {

void Inflights::Add(LogIndex last_index, uint64_t bytes) {
  in_flight_.emplace_back(last_index, bytes);
  bytes_ += bytes;
}

void Inflights::FreeLE(LogIndex index) {
  while (!in_flight_.empty() && in_flight_.front().first <= index) {
    bytes_ -= in_flight_.front().second;
    in_flight_.pop_front();
  }
}

const char* ProgressStateName(ProgressState state) {
  switch (state) {
    case ProgressState::kProbe:
      return "probe";
    case ProgressState::kReplicate:
      return "replicate";
    case ProgressState::kSnapshot:
      return "snapshot";
  }
  return "unknown";
}

void Progress::ResetState(ProgressState new_state) {
  probe_sent = false;
  pending_snapshot = 0;
  snapshot.reset();
  snapshot_offset = 0;
  state = new_state;
  inflights.Reset();
}

void Progress::BecomeProbe() {
  // After a snapshot, the follower holds at least the snapshot's entries if it installed it;
  // probing from there (rather than from match) skips a pointless walk back.
  const LogIndex after_snapshot = state == ProgressState::kSnapshot ? pending_snapshot + 1 : 0;
  ResetState(ProgressState::kProbe);
  next = std::max(match + 1, after_snapshot);
}

void Progress::BecomeReplicate() {
  ResetState(ProgressState::kReplicate);
  next = match + 1;
}

void Progress::BecomeSnapshot(std::shared_ptr<const Snapshot> snap) {
  ResetState(ProgressState::kSnapshot);
  pending_snapshot = snap->metadata.index;
  next = pending_snapshot + 1;
  snapshot = std::move(snap);
}

bool Progress::MaybeUpdate(LogIndex index) {
  bool updated = false;
  if (match < index) {
    match = index;
    probe_sent = false;
    updated = true;
  }
  next = std::max(next, index + 1);
  return updated;
}

bool Progress::MaybeDecreaseTo(LogIndex rejected, LogIndex hint) {
  if (state == ProgressState::kReplicate) {
    // A reject below match is a stale or duplicated answer.
    if (rejected <= match) return false;
    next = match + 1;  // the caller switches to probing from there
    return true;
  }
  // In probe (and snapshot) state only the answer to the AppendEntries we sent last counts.
  if (next == 0 || next - 1 != rejected) return false;
  next = std::max(std::min(rejected, hint + 1), match + 1);
  probe_sent = false;
  return true;
}

void Progress::OnEntriesSent(size_t count, uint64_t bytes) {
  switch (state) {
    case ProgressState::kReplicate:
      if (count > 0) {
        const LogIndex last = next + count - 1;
        next = last + 1;
        inflights.Add(last, bytes);
      }
      break;
    case ProgressState::kProbe:
      probe_sent = true;
      break;
    case ProgressState::kSnapshot:
      break;
  }
}

bool Progress::IsPaused() const {
  switch (state) {
    case ProgressState::kProbe:
      return probe_sent;
    case ProgressState::kReplicate:
      return inflights.Full();
    case ProgressState::kSnapshot:
      return true;
  }
  return true;
}

std::string Progress::ToString() const {
  std::string out = std::string(ProgressStateName(state)) + " match=" + std::to_string(match) +
                    " next=" + std::to_string(next);
  if (is_learner) out += " learner";
  if (probe_sent) out += " probe_sent";
  if (state == ProgressState::kSnapshot) {
    out += " snapshot=" + std::to_string(pending_snapshot) + "@" + std::to_string(snapshot_offset);
  }
  if (inflights.Count() > 0) out += " inflight=" + std::to_string(inflights.Count());
  return out;
}

void ProgressTracker::SetConfiguration(const Configuration& configuration, LogIndex next_index) {
  configuration_ = configuration;
  for (auto it = progress_.begin(); it != progress_.end();) {
    if (configuration_.Contains(it->first)) {
      ++it;
    } else {
      it = progress_.erase(it);
    }
  }
  auto add = [&](NodeId id, bool learner) {
    auto [it, inserted] = progress_.try_emplace(id, max_inflight_messages_, max_inflight_bytes_);
    if (inserted) {
      it->second.next = next_index;
      it->second.recent_active = true;
    }
    it->second.is_learner = learner;
  };
  for (NodeId id : configuration_.voters) add(id, false);
  for (NodeId id : configuration_.learners) add(id, true);
}

void ProgressTracker::ResetAll(LogIndex next_index, NodeId self, LogIndex self_match) {
  for (auto& [id, pr] : progress_) {
    const bool learner = pr.is_learner;
    pr = Progress(max_inflight_messages_, max_inflight_bytes_);
    pr.is_learner = learner;
    pr.next = next_index;
    if (id == self) pr.match = self_match;
  }
}

Progress* ProgressTracker::Get(NodeId id) {
  auto it = progress_.find(id);
  return it == progress_.end() ? nullptr : &it->second;
}

const Progress* ProgressTracker::Get(NodeId id) const {
  auto it = progress_.find(id);
  return it == progress_.end() ? nullptr : &it->second;
}

LogIndex ProgressTracker::QuorumMatchIndex() const {
  std::vector<LogIndex> matches;
  for (NodeId id : configuration_.voters) {
    const Progress* pr = Get(id);
    matches.push_back(pr ? pr->match : 0);
  }
  if (matches.empty()) return 0;
  std::sort(matches.begin(), matches.end(), std::greater<>());
  return matches[matches.size() / 2];  // the (n/2 + 1)-th largest
}

bool ProgressTracker::QuorumActive(NodeId self) {
  std::set<NodeId> active;
  for (auto& [id, pr] : progress_) {
    if (id == self) {
      active.insert(id);
      continue;
    }
    if (pr.recent_active) active.insert(id);
    pr.recent_active = false;
  }
  return TallyAcks(active) == VoteResult::kWon;
}

VoteResult ProgressTracker::RecordVote(NodeId voter, bool granted) {
  votes_.try_emplace(voter, granted);
  return TallyVotes();
}

VoteResult ProgressTracker::TallyVotes() const {
  size_t granted = 0;
  size_t rejected = 0;
  for (NodeId id : configuration_.voters) {
    auto it = votes_.find(id);
    if (it == votes_.end()) continue;
    (it->second ? granted : rejected)++;
  }
  const size_t quorum = configuration_.voters.size() / 2 + 1;
  if (granted >= quorum) return VoteResult::kWon;
  if (configuration_.voters.size() - rejected < quorum) return VoteResult::kLost;
  return VoteResult::kPending;
}

VoteResult ProgressTracker::TallyAcks(const std::set<NodeId>& acks) const {
  size_t granted = 0;
  for (NodeId id : configuration_.voters) granted += acks.count(id);
  if (configuration_.voters.empty()) return VoteResult::kLost;
  return granted >= configuration_.voters.size() / 2 + 1 ? VoteResult::kWon : VoteResult::kPending;
}

}  // namespace consulate::raft::core
