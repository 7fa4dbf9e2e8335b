// Simulator::Run: the random fault schedule, healing, and the liveness requirement.
#include <algorithm>
#include <vector>

#include "sim/node.h"
#include "sim/simulator.h"

namespace consulate::raft::core::sim {

namespace {
std::string S(uint64_t v) { return std::to_string(v); }
}  // namespace

std::string Simulator::Run() {
  chaos_running_ = options_.chaos;
  if (chaos_running_) {
    Event chaos;
    chaos.kind = Event::Kind::kChaos;
    Schedule(now_ + 1, std::move(chaos));
  }
  RunFor(options_.chaos_ms);
  chaos_running_ = false;
  if (!checker_.ok()) return checker_.failure();
  HealAll();
  const uint64_t healed_at = now_;
  if (!LivenessPhase()) {
    if (checker_.ok()) {
      checker_.Fail("liveness: no proposal was applied by every member within " +
                    S(options_.liveness_bound_ms) + "ms of healing (leader " + S(Leader()) + ")");
    }
    return checker_.failure();
  }
  stats_.liveness_ms = now_ - healed_at;
  // Durability, at the end: every running member's log still holds (or has a snapshot of)
  // every entry that any node ever applied, up to what it has itself applied.
  for (auto& [id, n] : nodes_) {
    if (n->up) checker_.CheckHoldsCommitted(n->raft->raft(), n->applied, "durability");
  }
  return checker_.failure();
}

void Simulator::ChaosAction() {
  std::vector<uint64_t> up;
  for (auto& [id, n] : nodes_) {
    if (n->up) up.push_back(id);
  }
  const uint64_t leader = Leader();
  auto any_up = [&]() -> uint64_t { return up.empty() ? 0 : up[prng_.Uniform(up.size())]; };
  auto schedule_restart = [&](uint64_t id, uint64_t min_ms) {
    Event restart;
    restart.kind = Event::Kind::kRestart;
    restart.node = id;
    Schedule(now_ + min_ms + prng_.Uniform(1500), std::move(restart));
  };

  switch (PickAction()) {
    case ChaosKind::kPropose: {  // a client write, usually sent to the leader
      const uint64_t target = leader != 0 && prng_.Chance(0.8) ? leader : any_up();
      if (target != 0) (void)Propose(target, "c" + S(++next_command_));
      break;
    }
    case ChaosKind::kRead:
      if (uint64_t target = any_up()) ReadIndex(target);
      break;
    case ChaosKind::kCrash:  // crash now (between Readies), restart later
      if (uint64_t target = any_up()) {
        CrashNode(N(target));
        schedule_restart(target, 20);
      }
      break;
    case ChaosKind::kCrashMidReady:  // crash in the middle of handling the next Ready
      if (uint64_t target = any_up()) {
        N(target).armed_crash = static_cast<CrashPoint>(prng_.Uniform(5));
        schedule_restart(target, 50);
      }
      break;
    case ChaosKind::kPartition:
      switch (prng_.Uniform(3)) {
        case 0:
          if (!up.empty()) Isolate(any_up());
          break;
        case 1: {
          std::vector<std::set<uint64_t>> groups(2);
          for (auto& [id, n] : nodes_) groups[prng_.Uniform(2)].insert(id);
          Partition(groups);
          break;
        }
        default:
          // Non-transitive: cut random links.
          cut_.clear();
          for (auto& [a, na] : nodes_) {
            for (auto& [b, nb] : nodes_) {
              if (a < b && prng_.Chance(0.3)) cut_.insert({a, b});
            }
          }
          Log("cut " + S(cut_.size()) + " random links");
          break;
      }
      break;
    case ChaosKind::kHeal:
      HealPartitions();
      break;
    case ChaosKind::kMembership:
      if (leader != 0) ChaosMembership(leader);
      break;
    case ChaosKind::kTransfer:
      if (leader != 0) {
        const auto& voters = N(leader).raft->raft().configuration().voters;
        if (!voters.empty()) {
          (void)TransferLeadership(leader, voters[prng_.Uniform(voters.size())].value());
        }
      }
      break;
    case ChaosKind::kCompact:
      if (uint64_t target = any_up()) CompactNow(target);
      break;
    case ChaosKind::kCount:
      break;
  }
}

Simulator::ChaosKind Simulator::PickAction() {
  uint64_t total = 0;
  for (uint64_t w : chaos_weights_) total += w;
  uint64_t roll = prng_.Uniform(total);
  for (size_t k = 0; k < chaos_weights_.size(); ++k) {
    if (roll < chaos_weights_[k]) return static_cast<ChaosKind>(k);
    roll -= chaos_weights_[k];
  }
  return ChaosKind::kPropose;
}

void Simulator::ChaosMembership(uint64_t leader) {
  const Configuration c = N(leader).raft->raft().configuration();
  const size_t min_voters = std::max(1, options_.voters - 2);
  const size_t max_voters = options_.voters + 1;
  std::vector<ConfChange> choices;
  // Join a spare (start it first, with an empty configuration), or retry a stalled join.
  for (auto& [id, n] : nodes_) {
    if (c.Contains(NodeId(id)) || retired_.count(id) || ever_member_.count(id)) continue;
    choices.push_back(ConfChange{ConfChange::Kind::kAddLearner, NodeId(id)});
    break;
  }
  for (NodeId id : c.learners) {
    if (c.voters.size() < max_voters) choices.push_back({ConfChange::Kind::kAddVoter, id});
    choices.push_back({ConfChange::Kind::kRemoveNode, id});
  }
  if (c.voters.size() > min_voters) {
    const NodeId victim = c.voters[prng_.Uniform(c.voters.size())];
    choices.push_back({ConfChange::Kind::kRemoveNode, victim});
    choices.push_back({ConfChange::Kind::kAddLearner, victim});
  }
  if (choices.empty()) return;
  const ConfChange change = choices[prng_.Uniform(choices.size())];
  if (change.kind == ConfChange::Kind::kAddLearner && !c.Contains(change.node)) {
    StartSpare(change.node.value());
  }
  (void)ProposeConfChange(leader, change);
}

void Simulator::HealAll() {
  Log("=== healing: network repaired, every node restarted ===");
  cut_.clear();
  options_.drop_rate = 0;
  options_.duplicate_rate = 0;
  for (auto& [id, n] : nodes_) {
    n->armed_crash.reset();
    // Everyone ever started comes back (a spare whose join is still in flight included).
    if (!n->up && !retired_.count(id) && n->incarnation > 0) Boot(*n);
  }
}

bool Simulator::LivenessPhase() {
  const uint64_t deadline = now_ + options_.liveness_bound_ms;
  std::vector<std::pair<LogIndex, TermId>> proposals;
  uint64_t proposed_leader = 0;
  TermId proposed_term = 0;
  while (now_ < deadline && checker_.ok()) {
    RunFor(options_.tick_ms * 5);
    const uint64_t leader = Leader();
    if (leader == 0) continue;
    const TermId term = N(leader).raft->term();
    if (leader != proposed_leader || term != proposed_term) {
      auto index = Propose(leader, "live-" + S(leader) + "-" + S(term));
      if (index.ok()) {
        proposals.emplace_back(*index, term);
        proposed_leader = leader;
        proposed_term = term;
      }
    }
    for (const auto& [index, t] : proposals) {
      if (AllMembersApplied(index, t)) {
        Log("liveness: entry " + S(index) + " applied by every member");
        return true;
      }
    }
  }
  return false;
}

}  // namespace consulate::raft::core::sim
