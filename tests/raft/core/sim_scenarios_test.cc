// Regression scenarios: specific histories that a Raft implementation must survive, replayed
// deterministically. Figure 8 uses the synchronous Cluster (it needs message-level control); the
// others run in the Simulator, whose Checker verifies every safety property after each event on
// top of the assertions here.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "sim/simulator.h"
#include "test_util.h"

namespace consulate::raft::core {
namespace {

using sim::CrashPoint;
using sim::SimOptions;
using sim::Simulator;
using testing::Cluster;
using testing::N;

// ---------------------------------------------------------------------------------------------
// Raft paper §5.4.2, Figure 8: an entry from an earlier term, stored on a majority by a later
// leader, is still not committed, and can be overwritten by a leader elected afterwards.

bool IsAppendFrom(const Message& m, uint64_t from) {
  return m.from == N(from) && std::holds_alternative<AppendEntriesRequest>(m.body);
}

bool CarriesIndex(const Message& m, LogIndex index) {
  const auto* a = std::get_if<AppendEntriesRequest>(&m.body);
  if (a == nullptr) return false;
  for (const LogEntry& e : a->entries) {
    if (e.index == index) return true;
  }
  return false;
}

// Runs (a)-(c) of the figure with five servers S1..S5. Afterwards:
//   S1: 1@1 2@1 3@3 (leader of term 3)   S2: 1@1 2@1 3@3   S3: 1@1 2@1   S4: 1@1   S5: 1@1 2@2
// so entry 2 (term 1, "old") is stored on a majority, and S1 knows it, but S1's own no-op (3@3)
// is not. (The figure has S2 without entry 3; with it, S1 learns that S2 holds entry 2, which
// makes the test sharper: counting replicas of entry 2 would now commit it.)
void RunFigure8Prefix(Cluster* c) {
  // (a) S1 leads term 1 and replicates entry 2 to S2 only.
  c->Campaign(1);
  ASSERT_EQ(c->Leader(), 1u);
  for (uint64_t f : {3, 4, 5}) c->Cut(1, f);
  ASSERT_TRUE(c->Propose(1, "old").ok());
  ASSERT_EQ(c->raft(2).log().LastIndex(), 2u);
  ASSERT_EQ(c->raft(1).log().committed(), 1u);
  // (b) S1 crashes; S5 wins term 2 with S3's and S4's votes and appends its own entry 2, which
  // reaches nobody.
  c->Heal();
  c->Isolate(1);
  c->DropIf([](const Message& m) { return IsAppendFrom(m, 5); });
  c->Campaign(5);
  ASSERT_EQ(c->Leader(), 5u);
  ASSERT_EQ(c->raft(5).log().LastIndex(), 2u);
  ASSERT_EQ(c->raft(5).log().LastTerm(), 2u);
  // (c) S5 crashes; S1 restarts and wins term 3, then replicates entry 2 to S3 only; its no-op
  // (entry 3) gets nowhere.
  c->Heal();
  c->Isolate(5);
  c->Restart(1);
  c->DropIf([](const Message& m) { return IsAppendFrom(m, 1); });
  for (int i = 0; i < 3 && c->Leader() != 1; ++i) c->Campaign(1);
  ASSERT_EQ(c->Leader(), 1u);
  ASSERT_EQ(c->raft(1).term(), 3u);
  // A heartbeat round restarts replication: S2 catches up fully. S3's first probe (entries after
  // 2) is rejected, as S3 lacks entry 2; the retry carries entry 2 alone (max_append_bytes); the
  // next one, with entry 3, is lost. S4 hears nothing.
  auto probes_to_3 = std::make_shared<int>(0);
  c->DropIf([probes_to_3](const Message& m) {
    if (!IsAppendFrom(m, 1) || m.to == N(2)) return false;
    if (m.to != N(3)) return true;
    return CarriesIndex(m, 3) && (*probes_to_3)++ > 0;
  });
  c->Tick(1);
  c->Stabilize();
  ASSERT_EQ(c->raft(2).log().LastIndex(), 3u);
  ASSERT_EQ(c->raft(1).tracker().Get(N(2))->match, 3u);
  ASSERT_EQ(c->raft(1).tracker().Get(N(3))->match, 2u);
  ASSERT_EQ(c->raft(3).log().LastIndex(), 2u);
  ASSERT_EQ(c->raft(3).log().LastTerm(), 1u);
  ASSERT_EQ(c->raft(1).log().LastIndex(), 3u);
}

Cluster::Tweak PaperSetting() {
  return [](RaftOptions* o) {
    o->pre_vote = false;  // the figure predates both extensions
    o->check_quorum = false;
    o->max_append_bytes = 1;  // one non-empty entry per AppendEntries
  };
}

TEST(Figure8Test, OldTermEntryOnAMajorityIsNotCommittedAndMayBeReplaced) {
  Cluster c({1, 2, 3, 4, 5}, PaperSetting());
  RunFigure8Prefix(&c);
  // Entry 2 is on a majority, but it is from term 1 and S1 leads term 3: not committed.
  EXPECT_EQ(c.raft(1).log().committed(), 1u);
  // (d) S1 crashes; S5 returns and, with the votes of S2, S3 and S4, wins and overwrites
  // entry 2 everywhere. This is safe exactly because entry 2 was never committed.
  c.Heal();
  c.Isolate(1);
  c.Restart(5);
  for (int i = 0; i < 3 && c.Leader() != 5; ++i) c.Campaign(5);
  ASSERT_EQ(c.Leader(), 5u);
  ASSERT_TRUE(c.Propose(5, "new").ok());
  for (uint64_t id : {2, 3, 4, 5}) {
    EXPECT_EQ(c.AppliedCommands(id), std::vector<std::string>{"new"}) << id;
    EXPECT_EQ(*c.raft(id).log().Term(2), 2u) << id;
  }
  // S1 returns and is brought in line: it never applies "old".
  c.Heal();
  c.Tick(5);
  c.Stabilize();
  ASSERT_TRUE(c.Propose(5, "later").ok());
  EXPECT_EQ(c.AppliedCommands(1), (std::vector<std::string>{"new", "later"}));
}

TEST(Figure8Test, OnceACurrentTermEntryCommitsTheOldEntryIsSafe) {
  Cluster c({1, 2, 3, 4, 5}, PaperSetting());
  RunFigure8Prefix(&c);
  // (e) S1 gets its term-3 no-op onto a majority: that commits it, and entry 2 with it.
  c.Heal();
  c.Isolate(4);
  c.Isolate(5);
  ASSERT_TRUE(c.Propose(1, "current").ok());
  c.Tick(1);  // a heartbeat round resynchronizes S3, whose last AppendEntries was lost
  c.Stabilize();
  EXPECT_EQ(c.raft(1).log().committed(), 4u);
  // Now S1 crashes; S5 returns but cannot win: S2 and S3 hold a more up-to-date log.
  c.Heal();
  c.Isolate(1);
  c.Restart(5);
  for (int i = 0; i < 5; ++i) c.Campaign(5);
  EXPECT_NE(c.Leader(), 5u);
  for (uint64_t id : {1, 2, 3}) {
    EXPECT_EQ(c.AppliedCommands(id), (std::vector<std::string>{"old", "current"})) << id;
  }
}

// ---------------------------------------------------------------------------------------------
// Simulator scenarios.

SimOptions Manual(int voters, uint64_t seed = 7) {
  SimOptions o;
  o.seed = seed;
  o.voters = voters;
  o.spares = 1;
  o.chaos = false;
  return o;
}

uint64_t ElectLeader(Simulator* sim) {
  EXPECT_TRUE(sim->RunUntil([&] { return sim->Leader() != 0; }, 2000));
  return sim->Leader();
}

// Proposes at the current leader and waits until every member applied it.
bool ProposeAndWait(Simulator* sim, const std::string& command, uint64_t max_ms = 3000) {
  const uint64_t leader = sim->Leader();
  if (leader == 0) return false;
  auto index = sim->Propose(leader, command);
  if (!index.ok()) return false;
  const TermId term = sim->node(leader).term();
  return sim->RunUntil([&] { return sim->AllMembersApplied(*index, term); }, max_ms);
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// A leader cut off with a minority keeps believing it leads for a while. It must not commit
// anything, and must not answer a ReadIndex, while the majority elects a new leader and commits.
TEST(ScenarioTest, PartitionedOldLeaderCannotCommitOrServeReads) {
  Simulator sim(Manual(5));
  const uint64_t old_leader = ElectLeader(&sim);
  ASSERT_TRUE(ProposeAndWait(&sim, "before"));
  const TermId old_term = sim.node(old_leader).term();
  const LogIndex old_commit = sim.node(old_leader).raft().log().committed();
  std::set<uint64_t> minority = {old_leader, old_leader % 5 + 1};
  std::set<uint64_t> majority;
  for (uint64_t id = 1; id <= 5; ++id) {
    if (!minority.count(id)) majority.insert(id);
  }
  sim.Partition({minority, majority});
  auto stale = sim.Propose(old_leader, "stale-write");
  ASSERT_TRUE(stale.ok());
  const std::string read = sim.ReadIndex(old_leader);
  ASSERT_TRUE(sim.RunUntil(
      [&] {
        const uint64_t l = sim.Leader();
        return l != 0 && majority.count(l) && sim.node(l).term() > old_term;
      },
      3000));
  const uint64_t new_leader = sim.Leader();
  auto fresh = sim.Propose(new_leader, "fresh");
  ASSERT_TRUE(fresh.ok());
  ASSERT_TRUE(sim.RunUntil([&] { return sim.applied_index(new_leader) >= *fresh; }, 1000));
  sim.RunFor(500);
  if (sim.IsUp(old_leader)) {
    EXPECT_EQ(sim.node(old_leader).raft().log().committed(), old_commit);
    for (const ReadState& rs : sim.read_states(old_leader)) EXPECT_NE(rs.context, read);
  }
  EXPECT_TRUE(Contains(sim.applied_commands(new_leader), "fresh"));
  sim.HealPartitions();
  ASSERT_TRUE(ProposeAndWait(&sim, "after-heal"));
  for (uint64_t id = 1; id <= 5; ++id) {
    EXPECT_FALSE(Contains(sim.applied_commands(id), "stale-write")) << id;
  }
  EXPECT_TRUE(sim.checker().ok()) << sim.checker().failure() << "\n" << sim.Trace();
}

// A follower crashes between writing a batch of entries and syncing it: the tail of its log is
// torn. It restarts from the synced prefix and catches up; nothing committed is lost.
TEST(ScenarioTest, FollowerRestartsFromATornLogTail) {
  Simulator sim(Manual(3));
  const uint64_t leader = ElectLeader(&sim);
  const uint64_t follower = leader % 3 + 1;
  ASSERT_TRUE(ProposeAndWait(&sim, "a"));
  sim.Isolate(follower);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(sim.Propose(leader, "b" + std::to_string(i)).ok());
  sim.RunFor(100);
  const LogIndex leader_last = sim.node(leader).raft().log().LastIndex();
  sim.ArmCrash(follower, CrashPoint::kTornWrite);
  sim.HealPartitions();
  ASSERT_TRUE(sim.RunUntil([&] { return !sim.IsUp(follower); }, 2000));
  EXPECT_LT(sim.disk_last_index(follower), leader_last);  // the torn tail is gone
  sim.Restart(follower);
  ASSERT_TRUE(ProposeAndWait(&sim, "c"));
  EXPECT_EQ(sim.applied_commands(follower), sim.applied_commands(leader));
  EXPECT_EQ(sim.state_hash(follower), sim.state_hash(leader));
  EXPECT_TRUE(sim.checker().ok()) << sim.checker().failure();
}

// Pre-vote (thesis §9.6): a node partitioned away times out again and again, but without
// winning a pre-vote it never raises its term, so on rejoining it does not depose the leader.
// Without pre-vote it does.
TEST(ScenarioTest, PreVoteKeepsARejoiningNodeFromDisrupting) {
  for (bool pre_vote : {true, false}) {
    SCOPED_TRACE(pre_vote ? "pre-vote" : "no pre-vote");
    SimOptions o = Manual(3);
    o.pre_vote = pre_vote;
    o.check_quorum = pre_vote;  // without either, nothing stops the disruption
    Simulator sim(o);
    const uint64_t leader = ElectLeader(&sim);
    const TermId term = sim.node(leader).term();
    const uint64_t loner = leader % 3 + 1;
    sim.Isolate(loner);
    sim.RunFor(3000);
    if (pre_vote) {
      EXPECT_EQ(sim.node(loner).term(), term);
    } else {
      EXPECT_GT(sim.node(loner).term(), term + 5);
    }
    sim.HealPartitions();
    sim.RunFor(1000);
    ASSERT_TRUE(sim.RunUntil([&] { return sim.Leader() != 0; }, 2000));
    if (pre_vote) {
      EXPECT_EQ(sim.Leader(), leader);
      EXPECT_EQ(sim.node(leader).term(), term);
    } else {
      EXPECT_GT(sim.node(sim.Leader()).term(), term + 5);  // the old leader was deposed
    }
    EXPECT_TRUE(ProposeAndWait(&sim, "still-works"));
    EXPECT_TRUE(sim.checker().ok()) << sim.checker().failure();
  }
}

// Check-quorum (thesis §6.2): an isolated leader steps down within about two election timeouts;
// without check-quorum it would stay leader forever.
TEST(ScenarioTest, CheckQuorumStepsDownAnIsolatedLeader) {
  for (bool check_quorum : {true, false}) {
    SCOPED_TRACE(check_quorum ? "check-quorum" : "no check-quorum");
    SimOptions o = Manual(3);
    o.check_quorum = check_quorum;
    Simulator sim(o);
    const uint64_t leader = ElectLeader(&sim);
    sim.Isolate(leader);
    const uint64_t timeout_ms = o.election_ticks * o.tick_ms;
    const bool stepped_down =
        sim.RunUntil([&] { return sim.node(leader).role() != Role::kLeader; }, 3 * timeout_ms);
    EXPECT_EQ(stepped_down, check_quorum);
    // The others elect a leader either way.
    EXPECT_TRUE(sim.RunUntil(
        [&] {
          const uint64_t l = sim.Leader();
          return l != 0 && l != leader;
        },
        3000));
    EXPECT_TRUE(sim.checker().ok()) << sim.checker().failure();
  }
}

// Leadership transfer (thesis §3.10): the target takes over in the next term, promptly, and
// nothing committed is lost.
TEST(ScenarioTest, LeadershipTransfer) {
  Simulator sim(Manual(5));
  const uint64_t leader = ElectLeader(&sim);
  ASSERT_TRUE(ProposeAndWait(&sim, "x"));
  const TermId term = sim.node(leader).term();
  const uint64_t target = leader % 5 + 1;
  ASSERT_TRUE(sim.TransferLeadership(leader, target).ok());
  const SimOptions o = Manual(5);
  ASSERT_TRUE(sim.RunUntil([&] { return sim.Leader() == target; }, o.election_ticks * o.tick_ms));
  EXPECT_EQ(sim.node(target).term(), term + 1);
  EXPECT_TRUE(ProposeAndWait(&sim, "y"));
  EXPECT_EQ(sim.applied_commands(leader), (std::vector<std::string>{"x", "y"}));
  EXPECT_TRUE(sim.checker().ok()) << sim.checker().failure();
}

// A follower that fell behind the leader's compacted log receives a snapshot, in chunks, and
// ends in the same state.
TEST(ScenarioTest, LaggingFollowerInstallsASnapshotInChunks) {
  SimOptions o = Manual(3);
  o.compact_threshold = 20;
  o.snapshot_padding = 3000;
  o.snapshot_chunk_bytes = 512;
  Simulator sim(o);
  const uint64_t leader = ElectLeader(&sim);
  const uint64_t laggard = leader % 3 + 1;
  sim.Isolate(laggard);
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(sim.Propose(leader, "v" + std::to_string(i)).ok());
    sim.RunFor(5);
  }
  ASSERT_GT(sim.node(leader).raft().log().FirstIndex(), sim.applied_index(laggard) + 1);
  sim.HealPartitions();
  ASSERT_TRUE(
      sim.RunUntil([&] { return sim.applied_index(laggard) == sim.applied_index(leader); }, 5000));
  EXPECT_EQ(sim.state_hash(laggard), sim.state_hash(leader));
  EXPECT_GE(sim.stats().snapshots_installed, 1u);
  EXPECT_GE(sim.delivered("InstallSnapshotRequest"), (3000u + 511) / 512);
  EXPECT_TRUE(ProposeAndWait(&sim, "after"));
  EXPECT_TRUE(sim.checker().ok()) << sim.checker().failure();
}

// Membership (thesis §4.1, §4.2.1): a new server joins as a learner, catches up without
// counting toward quorums, is promoted to voter, and can then lead.
TEST(ScenarioTest, AddALearnerThenPromoteIt) {
  Simulator sim(Manual(3));
  const uint64_t leader = ElectLeader(&sim);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(sim.Propose(leader, "v" + std::to_string(i)).ok());
  sim.RunFor(200);
  sim.StartSpare(4);
  ASSERT_TRUE(sim.ProposeConfChange(leader, ConfChange{ConfChange::Kind::kAddLearner, N(4)}).ok());
  ASSERT_TRUE(
      sim.RunUntil([&] { return sim.applied_index(4) == sim.applied_index(leader); }, 3000));
  EXPECT_TRUE(sim.node(4).raft().configuration().IsLearner(N(4)));
  EXPECT_FALSE(sim.node(4).raft().Promotable());
  auto promote = sim.ProposeConfChange(leader, ConfChange{ConfChange::Kind::kAddVoter, N(4)});
  ASSERT_TRUE(promote.ok());
  const TermId term = sim.node(leader).term();
  ASSERT_TRUE(sim.RunUntil([&] { return sim.AllMembersApplied(*promote, term); }, 3000));
  for (uint64_t id = 1; id <= 4; ++id) {
    EXPECT_EQ(sim.node(id).raft().configuration(), (Configuration{{N(1), N(2), N(3), N(4)}, {}}));
  }
  ASSERT_TRUE(sim.TransferLeadership(leader, 4).ok());
  ASSERT_TRUE(sim.RunUntil([&] { return sim.Leader() == 4; }, 1000));
  EXPECT_TRUE(ProposeAndWait(&sim, "led-by-4"));
  EXPECT_EQ(sim.applied_commands(4), sim.applied_commands(leader));
  EXPECT_TRUE(sim.checker().ok()) << sim.checker().failure();
}

}  // namespace
}  // namespace consulate::raft::core
