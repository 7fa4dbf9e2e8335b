// Tests of the extensions beyond the paper's basic algorithm, each citing where it is described:
// Ongaro's thesis ("Consensus: Bridging Theory and Practice") for pre-vote, check-quorum and
// leases, membership changes, leadership transfer and ReadIndex; the paper for snapshots and the
// fast-backtracking optimization.
#include <gtest/gtest.h>

#include "test_util.h"

namespace consulate::raft::core {
namespace {

using testing::Cluster;
using testing::DeliverAll;
using testing::ElectLeader;
using testing::EntriesWithTerms;
using testing::Entry;
using testing::Filter;
using testing::LogEntries;
using testing::MakeRaft;
using testing::Msg;
using testing::N;
using testing::PaperOptions;
using testing::TestRaft;
using testing::Voters;

RaftOptions WithPreVote(uint64_t id) {
  RaftOptions o = PaperOptions(id);
  o.pre_vote = true;
  return o;
}

RaftOptions WithCheckQuorum(uint64_t id) {
  RaftOptions o = PaperOptions(id);
  o.check_quorum = true;
  return o;
}

// Acknowledges everything the leader has to `followers`, so they move to the replicate state
// and the leader's entries (its no-op included) commit.
void AckAll(Raft* leader, std::initializer_list<uint64_t> followers) {
  for (uint64_t f : followers) {
    ASSERT_TRUE(leader
                    ->Step(Msg(f, leader->id().value(), leader->term(),
                               AppendEntriesResponse{leader->log().LastIndex(), false, 0, 0}))
                    .ok());
  }
  leader->TakeMessages();
}

ConfChange Change(ConfChange::Kind kind, uint64_t id) { return ConfChange{kind, N(id)}; }

TestRaft Three(uint64_t id = 1) { return MakeRaft(PaperOptions(id), Voters({1, 2, 3})); }

// ---------------------------------------------------------------------------------------------
// Pre-vote (thesis §9.6): "a candidate would first ask other servers whether its log was
// up-to-date enough to get their vote. Only if the candidate believed it could get votes from a
// majority of the cluster would it increment its term and start a normal election."

TEST(PreVoteTest, PreCandidateKeepsItsTerm) {
  TestRaft r = MakeRaft(WithPreVote(1), Voters({1, 2, 3}), {}, HardState{4, kNoNode, 0});
  ASSERT_TRUE(r->Campaign().ok());
  EXPECT_EQ(r->role(), Role::kPreCandidate);
  EXPECT_EQ(r->term(), 4u);
  EXPECT_EQ(r->vote(), kNoNode);
  auto requests = Filter<PreVoteRequest>(r->TakeMessages());
  ASSERT_EQ(requests.size(), 2u);
  for (auto& [m, req] : requests) EXPECT_EQ(m.term, 5u);  // the term it would use
}

TEST(PreVoteTest, WinningThePreVoteStartsTheElection) {
  TestRaft r = MakeRaft(WithPreVote(1), Voters({1, 2, 3}));
  ASSERT_TRUE(r->Campaign().ok());
  r->TakeMessages();
  ASSERT_TRUE(r->Step(Msg(2, 1, 1, PreVoteResponse{true})).ok());
  EXPECT_EQ(r->role(), Role::kCandidate);
  EXPECT_EQ(r->term(), 1u);
  EXPECT_EQ(Filter<VoteRequest>(r->TakeMessages()).size(), 2u);
}

TEST(PreVoteTest, LosingThePreVoteLeavesTermUnchanged) {
  TestRaft r = MakeRaft(WithPreVote(1), Voters({1, 2, 3}), {}, HardState{2, kNoNode, 0});
  ASSERT_TRUE(r->Campaign().ok());
  ASSERT_TRUE(r->Step(Msg(2, 1, 2, PreVoteResponse{false})).ok());
  ASSERT_TRUE(r->Step(Msg(3, 1, 2, PreVoteResponse{false})).ok());
  EXPECT_EQ(r->role(), Role::kFollower);
  EXPECT_EQ(r->term(), 2u);
}

TEST(PreVoteTest, GrantingAPreVoteChangesNothing) {
  TestRaft r = MakeRaft(WithPreVote(1), Voters({1, 2, 3}), {}, HardState{1, N(3), 0});
  ASSERT_TRUE(r->Step(Msg(2, 1, 2, PreVoteRequest{0, 0})).ok());
  auto responses = Filter<PreVoteResponse>(r->TakeMessages());
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_TRUE(responses[0].second.granted);
  EXPECT_EQ(responses[0].first.term, 2u);  // the term asked about, so the candidate counts it
  EXPECT_EQ(r->term(), 1u);
  EXPECT_EQ(r->vote(), N(3));
}

TEST(PreVoteTest, RejectedWhenTheCandidateLogIsBehind) {
  TestRaft r = MakeRaft(WithPreVote(1), Voters({1, 2, 3}), EntriesWithTerms({1, 2}),
                        HardState{2, kNoNode, 0});
  ASSERT_TRUE(r->Step(Msg(2, 1, 3, PreVoteRequest{1, 1})).ok());
  auto responses = Filter<PreVoteResponse>(r->TakeMessages());
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_FALSE(responses[0].second.granted);
  EXPECT_EQ(responses[0].first.term, 2u);
}

TEST(PreVoteTest, IsolatedFollowerDoesNotInflateItsTerm) {
  Cluster c({1, 2, 3});
  c.Campaign(1);
  const TermId term = c.raft(1).term();
  c.Isolate(3);
  for (int i = 0; i < 200; ++i) {
    c.TickAll();
    c.Stabilize();
  }
  EXPECT_EQ(c.raft(3).term(), term);
  c.Heal();
  for (int i = 0; i < 20; ++i) {
    c.TickAll();
    c.Stabilize();
  }
  EXPECT_EQ(c.Leader(), 1u);  // the rejoining node did not depose the leader
  EXPECT_EQ(c.raft(1).term(), term);
}

// ---------------------------------------------------------------------------------------------
// Check-quorum and the leader lease (thesis §6.2, §4.2.3).

TEST(CheckQuorumTest, LeaderStepsDownWithoutHearingFromAQuorum) {
  TestRaft r = MakeRaft(WithCheckQuorum(1), Voters({1, 2, 3}));
  ElectLeader(r.raft.get());
  for (int i = 0; i < 10; ++i) r->Tick();
  EXPECT_EQ(r->role(), Role::kFollower);
  EXPECT_EQ(r->leader(), kNoNode);
}

TEST(CheckQuorumTest, LeaderHearingFromAQuorumStays) {
  TestRaft r = MakeRaft(WithCheckQuorum(1), Voters({1, 2, 3}));
  ElectLeader(r.raft.get());
  for (int i = 0; i < 50; ++i) {
    r->Tick();
    ASSERT_TRUE(r->Step(Msg(2, 1, r->term(), HeartbeatResponse{})).ok());
  }
  EXPECT_EQ(r->role(), Role::kLeader);
}

TEST(CheckQuorumTest, FollowerInLeaseIgnoresVoteRequests) {
  TestRaft r = MakeRaft(WithCheckQuorum(1), Voters({1, 2, 3}));
  ASSERT_TRUE(r->Step(Msg(2, 1, 1, HeartbeatRequest{0, ""})).ok());
  r->TakeMessages();
  ASSERT_TRUE(r->Step(Msg(3, 1, 2, VoteRequest{0, 0, false})).ok());
  EXPECT_EQ(r->term(), 1u);
  EXPECT_TRUE(r->TakeMessages().empty());
  // A leadership transfer overrides the lease.
  ASSERT_TRUE(r->Step(Msg(3, 1, 2, VoteRequest{0, 0, true})).ok());
  EXPECT_EQ(r->term(), 2u);
  auto responses = Filter<VoteResponse>(r->TakeMessages());
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_TRUE(responses[0].second.granted);
}

TEST(CheckQuorumTest, VoteGrantedOnceTheLeaseExpires) {
  TestRaft r = MakeRaft(WithCheckQuorum(1), Voters({1, 2, 3}));
  ASSERT_TRUE(r->Step(Msg(2, 1, 1, HeartbeatRequest{0, ""})).ok());
  for (int i = 0; i < 10; ++i) r->Tick();
  r->TakeMessages();
  ASSERT_TRUE(r->Step(Msg(3, 1, 2, VoteRequest{0, 0, false})).ok());
  EXPECT_EQ(r->term(), 2u);
  EXPECT_EQ(r->vote(), N(3));
}

TEST(CheckQuorumTest, StaleLeaderIsToldAboutTheNewTerm) {
  TestRaft r = MakeRaft(WithCheckQuorum(1), Voters({1, 2, 3}), {}, HardState{3, kNoNode, 0});
  ASSERT_TRUE(r->Step(Msg(2, 1, 2, HeartbeatRequest{0, ""})).ok());
  auto responses = Filter<AppendEntriesResponse>(r->TakeMessages());
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].first.term, 3u);  // makes leader 2 step down
}

// ---------------------------------------------------------------------------------------------
// Replication: fast backtracking (§5.3) and flow control.

TEST(ReplicationTest, RejectHintSkipsWholeTerms) {
  // Leader: 1 1 1 4 4 4 4 4. Follower: 1 1 1 2 2 2 2 2 2 2 3 3 3.
  TestRaft leader = MakeRaft(PaperOptions(1), Voters({1, 2, 3}),
                             EntriesWithTerms({1, 1, 1, 4, 4, 4, 4, 4}), HardState{4, kNoNode, 0});
  TestRaft follower =
      MakeRaft(PaperOptions(2), Voters({1, 2, 3}),
               EntriesWithTerms({1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3}), HardState{4, kNoNode, 0});
  ElectLeader(leader.raft.get());  // the no-op's AppendEntries is lost
  ASSERT_TRUE(leader->Propose("x").ok());
  // A heartbeat answer unpauses the probe: AppendEntries after the leader's last old entry.
  ASSERT_TRUE(leader->Step(Msg(2, 1, leader->term(), HeartbeatResponse{})).ok());
  int rejections = 0;
  DeliverAll({{1, leader.raft.get()}, {2, follower.raft.get()}}, [&](const Message& m) {
    if (const auto* r = std::get_if<AppendEntriesResponse>(&m.body); r && r->rejected) {
      ++rejections;
    }
    return false;
  });
  EXPECT_EQ(rejections, 1);  // one round trip instead of ten
  EXPECT_EQ(LogEntries(*follower), LogEntries(*leader));
}

TEST(ReplicationTest, ProbeSendsOneAppendAtATime) {
  TestRaft r = MakeRaft(PaperOptions(1), Voters({1, 2}));
  ElectLeader(r.raft.get());  // the no-op went out as the probe
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(r->Propose("p").ok());
  EXPECT_TRUE(Filter<AppendEntriesRequest>(r->TakeMessages()).empty());
  ASSERT_TRUE(r->Step(Msg(2, 1, r->term(), AppendEntriesResponse{1, false, 0, 0})).ok());
  EXPECT_EQ(r->tracker().Get(N(2))->state, ProgressState::kReplicate);
  auto appends = Filter<AppendEntriesRequest>(r->TakeMessages());
  ASSERT_FALSE(appends.empty());
  EXPECT_EQ(appends[0].second.prev_log_index, 1u);
}

TEST(ReplicationTest, InflightWindowBoundsPipelining) {
  RaftOptions o = PaperOptions(1);
  o.max_inflight_messages = 2;
  o.max_append_bytes = 1;  // one entry per message
  TestRaft r = MakeRaft(o, Voters({1, 2}));
  ElectLeader(r.raft.get());
  AckAll(r.raft.get(), {2});
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(r->Propose("p" + std::to_string(i)).ok());
  auto appends = Filter<AppendEntriesRequest>(r->TakeMessages());
  ASSERT_EQ(appends.size(), 2u);
  EXPECT_TRUE(r->tracker().Get(N(2))->IsPaused());
  // One acknowledgement frees one slot (and the commit index moved, so all get an update).
  ASSERT_TRUE(r->Step(Msg(2, 1, r->term(), AppendEntriesResponse{2, false, 0, 0})).ok());
  appends = Filter<AppendEntriesRequest>(r->TakeMessages());
  ASSERT_EQ(appends.size(), 1u);
  EXPECT_EQ(appends[0].second.entries.front().index, 4u);
}

TEST(ReplicationTest, LostAppendIsRecoveredAfterAHeartbeat) {
  TestRaft leader = MakeRaft(PaperOptions(1), Voters({1, 2}));
  TestRaft follower = MakeRaft(PaperOptions(2), Voters({1, 2}));
  ElectLeader(leader.raft.get());
  std::map<uint64_t, Raft*> net = {{1, leader.raft.get()}, {2, follower.raft.get()}};
  // The follower answers the (lost) no-op probe as if it had an empty log.
  ASSERT_TRUE(leader->Step(Msg(2, 1, leader->term(), AppendEntriesResponse{0, false, 0, 0})).ok());
  DeliverAll(net);
  ASSERT_EQ(leader->tracker().Get(N(2))->state, ProgressState::kReplicate);
  ASSERT_TRUE(leader->Propose("lost").ok());
  leader->TakeMessages();  // the AppendEntries carrying "lost" never arrives
  ASSERT_TRUE(leader->Propose("next").ok());
  DeliverAll(net);  // follower rejects "next" (gap), leader backs up and resends
  EXPECT_EQ(LogEntries(*follower), LogEntries(*leader));
  ASSERT_TRUE(leader->Propose("lost-again").ok());
  leader->TakeMessages();  // the last AppendEntries is lost and nothing follows it...
  leader->Tick();          // ...until a heartbeat round reveals the gap
  DeliverAll(net);
  EXPECT_EQ(LogEntries(*follower), LogEntries(*leader));
  EXPECT_EQ(leader->log().committed(), leader->log().LastIndex());
}

// With async_log_writes the leader counts its own copy only once the caller reports it durable:
// one follower's acknowledgement is not a quorum of three until then, two are.
TEST(ReplicationTest, AsyncLeaderCountsItsOwnCopyOnceDurable) {
  RaftOptions options = PaperOptions(1);
  options.async_log_writes = true;
  TestRaft leader = MakeRaft(options, Voters({1, 2, 3}));
  ElectLeader(leader.raft.get());
  const LogIndex noop = leader->log().LastIndex();
  leader->OnLogPersisted(noop, leader->term());  // the no-op is on disk
  ASSERT_TRUE(leader->Propose("x").ok());
  const LogIndex x = leader->log().LastIndex();
  leader->TakeMessages();
  ASSERT_TRUE(leader->Step(Msg(2, 1, leader->term(), AppendEntriesResponse{x, false, 0, 0})).ok());
  EXPECT_LT(leader->log().committed(), x);        // leader (not durable) + node 2 is not enough
  leader->OnLogPersisted(x, leader->term() + 1);  // about another entry: ignored
  EXPECT_LT(leader->log().committed(), x);
  leader->OnLogPersisted(x, leader->term());
  EXPECT_EQ(leader->log().committed(), x);
  // The new commit index goes out to the followers.
  auto appends = Filter<AppendEntriesRequest>(leader->TakeMessages());
  ASSERT_FALSE(appends.empty());
  EXPECT_EQ(appends.back().second.commit_index, x);

  ASSERT_TRUE(leader->Propose("y").ok());
  const LogIndex y = leader->log().LastIndex();
  ASSERT_TRUE(leader->Step(Msg(2, 1, leader->term(), AppendEntriesResponse{y, false, 0, 0})).ok());
  ASSERT_TRUE(leader->Step(Msg(3, 1, leader->term(), AppendEntriesResponse{y, false, 0, 0})).ok());
  EXPECT_EQ(leader->log().committed(), y);  // two followers are a quorum without the leader
}

TEST(ReplicationTest, AsyncSingleVoterCommitsOnceDurable) {
  RaftOptions options = PaperOptions(1);
  options.async_log_writes = true;
  TestRaft t = MakeRaft(options, Voters({1}));
  ElectLeader(t.raft.get());
  EXPECT_EQ(t->log().committed(), 0u);
  t->OnLogPersisted(t->log().LastIndex(), t->term());
  EXPECT_EQ(t->log().committed(), t->log().LastIndex());
}

// ---------------------------------------------------------------------------------------------
// Snapshots (§7), sent in chunks.

TEST(SnapshotTest, LaggingFollowerGetsTheSnapshotInChunks) {
  Cluster c({1, 2, 3}, [](RaftOptions* o) { o->snapshot_chunk_bytes = 3; });
  c.Campaign(1);
  c.Isolate(3);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(c.Propose(1, "v" + std::to_string(i)).ok());
  c.CompactLog(1);
  const Snapshot snapshot = c.storage(1).snapshot();
  ASSERT_GT(snapshot.metadata.index, 10u);
  c.Heal();
  c.ClearSent();
  for (int i = 0; i < 10; ++i) {
    c.TickAll();
    c.Stabilize();
  }
  EXPECT_EQ(c.storage(3).snapshot(), snapshot);
  EXPECT_EQ(c.applied_snapshot(3), snapshot.metadata.index);
  std::vector<uint64_t> offsets;
  for (auto& [m, req] : Filter<InstallSnapshotRequest>(c.sent())) {
    if (offsets.empty() || req.offset != offsets.back()) offsets.push_back(req.offset);
    EXPECT_EQ(req.done, req.offset + req.data.size() == snapshot.data.size());
  }
  const uint64_t chunks = (snapshot.data.size() + 2) / 3;
  ASSERT_EQ(offsets.size(), chunks);
  for (uint64_t i = 0; i < chunks; ++i) EXPECT_EQ(offsets[i], 3 * i);
  // Replication resumes after the snapshot.
  ASSERT_TRUE(c.Propose(1, "after").ok());
  EXPECT_EQ(c.AppliedCommands(3), std::vector<std::string>{"after"});
}

SnapshotMetadata Meta(LogIndex index, TermId term) {
  return SnapshotMetadata{index, term, Voters({1, 2, 3})};
}

TEST(SnapshotTest, FollowerAssemblesChunksInOrderOnly) {
  TestRaft r = MakeRaft(PaperOptions(2), Voters({1, 2, 3}));
  auto step = [&](uint64_t offset, std::string data, bool done) {
    EXPECT_TRUE(r->Step(Msg(1, 2, 1, InstallSnapshotRequest{Meta(5, 1), offset, data, done})).ok());
    auto responses = Filter<InstallSnapshotResponse>(r->TakeMessages());
    EXPECT_EQ(responses.size(), 1u);
    return responses.empty() ? InstallSnapshotResponse{} : responses[0].second;
  };
  EXPECT_EQ(step(4, "ef", true).next_offset, 0u);  // nothing before it: start over
  EXPECT_EQ(step(0, "abcd", false).next_offset, 4u);
  EXPECT_EQ(step(2, "cd", false).next_offset, 4u);  // a duplicate changes nothing
  const InstallSnapshotResponse done = step(4, "ef", true);
  EXPECT_TRUE(done.done);
  EXPECT_EQ(done.last_index, 5u);
  ASSERT_TRUE(r->log().UnstableSnapshot().has_value());
  EXPECT_EQ(r->log().UnstableSnapshot()->data, "abcdef");
  EXPECT_EQ(r->log().committed(), 5u);
  EXPECT_EQ(r->log().LastIndex(), 5u);
}

TEST(SnapshotTest, SnapshotCoveredByTheCommitIndexIsSkipped) {
  TestRaft r = MakeRaft(PaperOptions(2), Voters({1, 2, 3}), EntriesWithTerms({1, 1, 1, 1, 1}),
                        HardState{1, kNoNode, 5});
  ASSERT_TRUE(r->Step(Msg(1, 2, 1, InstallSnapshotRequest{Meta(3, 1), 0, "abc", true})).ok());
  auto responses = Filter<InstallSnapshotResponse>(r->TakeMessages());
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_TRUE(responses[0].second.done);
  EXPECT_EQ(responses[0].second.last_index, 5u);
  EXPECT_FALSE(r->log().HasPendingSnapshot());
}

TEST(SnapshotTest, SnapshotMatchingTheLogOnlyCommits) {
  TestRaft r = MakeRaft(PaperOptions(2), Voters({1, 2, 3}), EntriesWithTerms({1, 1, 1, 1, 1}),
                        HardState{1, kNoNode, 0});
  ASSERT_TRUE(r->Step(Msg(1, 2, 1, InstallSnapshotRequest{Meta(3, 1), 0, "abc", true})).ok());
  EXPECT_FALSE(r->log().HasPendingSnapshot());
  EXPECT_EQ(r->log().committed(), 3u);
  EXPECT_EQ(r->log().LastIndex(), 5u);  // entries after the snapshot are kept
}

// ---------------------------------------------------------------------------------------------
// Learners (non-voters; thesis §4.2.1 "catching up new servers").

TEST(LearnerTest, LearnerNeverCampaigns) {
  TestRaft r = MakeRaft(PaperOptions(3), Voters({1, 2}, {3}));
  for (int i = 0; i < 100; ++i) r->Tick();
  EXPECT_EQ(r->role(), Role::kFollower);
  EXPECT_EQ(r->term(), 0u);
  EXPECT_FALSE(r->Campaign().ok());
}

TEST(LearnerTest, LearnerDoesNotCountTowardCommitOrVotes) {
  TestRaft r = MakeRaft(PaperOptions(1), Voters({1, 2}, {3}));
  ASSERT_TRUE(r->Campaign().ok());
  ASSERT_TRUE(r->Step(Msg(3, 1, 1, VoteResponse{true})).ok());
  EXPECT_EQ(r->role(), Role::kCandidate);
  ASSERT_TRUE(r->Step(Msg(2, 1, 1, VoteResponse{true})).ok());
  ASSERT_EQ(r->role(), Role::kLeader);
  ASSERT_TRUE(r->Step(Msg(3, 1, 1, AppendEntriesResponse{1, false, 0, 0})).ok());
  EXPECT_EQ(r->log().committed(), 0u);
  ASSERT_TRUE(r->Step(Msg(2, 1, 1, AppendEntriesResponse{1, false, 0, 0})).ok());
  EXPECT_EQ(r->log().committed(), 1u);
}

TEST(LearnerTest, LearnerReplicatesAndCanBePromoted) {
  Cluster c(Voters({1, 2}, {3}));
  c.Campaign(1);
  ASSERT_TRUE(c.Propose(1, "a").ok());
  EXPECT_EQ(c.AppliedCommands(3), std::vector<std::string>{"a"});
  ASSERT_TRUE(c.node(1).ProposeConfChange(Change(ConfChange::Kind::kAddVoter, 3)).ok());
  c.Stabilize();
  EXPECT_EQ(c.raft(3).configuration(), Voters({1, 2, 3}));
  EXPECT_TRUE(c.raft(3).Promotable());
}

// ---------------------------------------------------------------------------------------------
// Membership changes, one server at a time (thesis §4.1, §4.2.2).

TEST(MembershipTest, ConfigurationTakesEffectWhenAppended) {
  TestRaft r = MakeRaft(PaperOptions(1), Voters({1, 2, 3}));
  ElectLeader(r.raft.get());
  AckAll(r.raft.get(), {2});
  auto index = r->ProposeConfChange(Change(ConfChange::Kind::kAddVoter, 4));
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_LT(r->log().committed(), *index);
  EXPECT_EQ(r->configuration(), Voters({1, 2, 3, 4}));
  EXPECT_NE(r->tracker().Get(N(4)), nullptr);
  // The new quorum (3 of 4) is in force: one follower's ack no longer commits.
  ASSERT_TRUE(r->Step(Msg(2, 1, r->term(), AppendEntriesResponse{*index, false, 0, 0})).ok());
  EXPECT_LT(r->log().committed(), *index);
  ASSERT_TRUE(r->Step(Msg(3, 1, r->term(), AppendEntriesResponse{*index, false, 0, 0})).ok());
  EXPECT_EQ(r->log().committed(), *index);
}

TEST(MembershipTest, FollowerAdoptsAndRevertsWithItsLog) {
  TestRaft r = MakeRaft(PaperOptions(2), Voters({1, 2, 3}));
  LogEntry config =
      Entry(1, 1, EncodeConfiguration(Voters({1, 2, 3, 4})), EntryType::kConfiguration);
  ASSERT_TRUE(r->Step(Msg(1, 2, 1, AppendEntriesRequest{0, 0, {config}, 0})).ok());
  EXPECT_EQ(r->configuration(), Voters({1, 2, 3, 4}));
  // A new leader overwrites the uncommitted entry: the old configuration is back.
  ASSERT_TRUE(r->Step(Msg(3, 2, 2, AppendEntriesRequest{0, 0, {Entry(1, 2, "x")}, 0})).ok());
  EXPECT_EQ(r->configuration(), Voters({1, 2, 3}));
}

TEST(MembershipTest, OneChangeAtATimeAndOnlyAfterTheFirstCommitOfTheTerm) {
  TestRaft r = MakeRaft(PaperOptions(1), Voters({1, 2, 3}));
  ElectLeader(r.raft.get());
  // The no-op is not committed yet (the single-server change bug fix).
  EXPECT_EQ(r->ProposeConfChange(Change(ConfChange::Kind::kAddLearner, 4)).status().code(),
            Status::Code::kUnavailable);
  AckAll(r.raft.get(), {2});
  auto first = r->ProposeConfChange(Change(ConfChange::Kind::kAddLearner, 4));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(r->ProposeConfChange(Change(ConfChange::Kind::kAddVoter, 4)).status().code(),
            Status::Code::kUnavailable);
  AckAll(r.raft.get(), {2});
  EXPECT_TRUE(r->ProposeConfChange(Change(ConfChange::Kind::kAddVoter, 4)).ok());
}

TEST(MembershipTest, InvalidChangesAreRejected) {
  TestRaft r = MakeRaft(PaperOptions(1), Voters({1}));
  ElectLeader(r.raft.get());
  EXPECT_TRUE(
      r->ProposeConfChange(Change(ConfChange::Kind::kAddVoter, 1)).status().IsInvalidArgument());
  EXPECT_TRUE(
      r->ProposeConfChange(Change(ConfChange::Kind::kRemoveNode, 9)).status().IsInvalidArgument());
  EXPECT_TRUE(r->ProposeConfChange(Change(ConfChange::Kind::kRemoveNode, 1))
                  .status()
                  .IsInvalidArgument());  // no voter left
  EXPECT_TRUE(
      r->ProposeConfChange(Change(ConfChange::Kind::kAddVoter, 0)).status().IsInvalidArgument());
}

TEST(MembershipTest, RemovedLeaderStepsDownOnceTheChangeCommits) {
  Cluster c({1, 2, 3});
  c.Campaign(1);
  ASSERT_TRUE(c.node(1).ProposeConfChange(Change(ConfChange::Kind::kRemoveNode, 1)).ok());
  c.Stabilize();
  EXPECT_NE(c.raft(1).role(), Role::kLeader);
  EXPECT_EQ(c.raft(2).configuration(), Voters({2, 3}));
  EXPECT_EQ(c.raft(2).log().committed(), c.raft(1).log().committed());
  const uint64_t next = c.ElectAny();
  EXPECT_TRUE(next == 2 || next == 3) << next;
  for (int i = 0; i < 100; ++i) {
    c.TickAll();
    c.Stabilize();
  }
  EXPECT_NE(c.raft(1).role(), Role::kLeader);
  EXPECT_EQ(c.Leader(), next);
}

// Regression (found by the simulator): with two voters, the leader removes itself and then
// loses leadership before the change commits. It holds the longest log, so the other voter
// cannot win; the removed leader must still be allowed to campaign to finish the change.
TEST(MembershipTest, LeaderWhoseRemovalIsUncommittedCanFinishIt) {
  Cluster c({1, 2});
  c.Campaign(1);
  c.Cut(1, 2);
  ASSERT_TRUE(c.node(1).ProposeConfChange(Change(ConfChange::Kind::kRemoveNode, 1)).ok());
  for (int i = 0; i < 30; ++i) {
    c.TickAll();
    c.Stabilize();
  }
  EXPECT_NE(c.raft(1).role(), Role::kLeader);  // check-quorum
  EXPECT_TRUE(c.raft(1).Promotable());
  c.Heal();
  for (int i = 0; i < 200 && !(c.Leader() == 2 && c.raft(2).configuration() == Voters({2})); ++i) {
    c.TickAll();
    c.Stabilize();
  }
  EXPECT_EQ(c.Leader(), 2u);
  EXPECT_EQ(c.raft(2).configuration(), Voters({2}));
  EXPECT_FALSE(c.raft(1).Promotable());
}

TEST(MembershipTest, RestartFindsConfigurationEntriesInTheLog) {
  std::vector<LogEntry> log = EntriesWithTerms({1});
  log.push_back(
      Entry(2, 1, EncodeConfiguration(Voters({1, 2, 3}, {4})), EntryType::kConfiguration));
  TestRaft r = MakeRaft(PaperOptions(1), Voters({1, 2, 3}), log, HardState{1, kNoNode, 1});
  EXPECT_EQ(r->configuration(), Voters({1, 2, 3}, {4}));
}

// ---------------------------------------------------------------------------------------------
// Leadership transfer (thesis §3.10).

TEST(TransferTest, UpToDateTargetTakesOverInTheNextTerm) {
  Cluster c({1, 2, 3});
  c.Campaign(1);
  ASSERT_TRUE(c.Propose(1, "a").ok());
  const TermId term = c.raft(1).term();
  ASSERT_TRUE(c.node(1).TransferLeadership(N(2)).ok());
  c.Stabilize();
  EXPECT_EQ(c.Leader(), 2u);
  EXPECT_EQ(c.raft(2).term(), term + 1);
  EXPECT_EQ(c.raft(1).role(), Role::kFollower);
}

TEST(TransferTest, LaggingTargetCatchesUpFirst) {
  Cluster c({1, 2, 3});
  c.Campaign(1);
  c.Isolate(3);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(c.Propose(1, "x").ok());
  c.Heal();
  ASSERT_TRUE(c.node(1).TransferLeadership(N(3)).ok());
  c.ProcessReadies();
  EXPECT_TRUE(Filter<TimeoutNowRequest>(c.sent()).empty());  // not before 3 catches up
  c.Stabilize();
  EXPECT_EQ(c.Leader(), 3u);
  EXPECT_EQ(c.AppliedCommands(3).size(), 5u);
}

TEST(TransferTest, ProposalsWaitAndTransferExpires) {
  TestRaft r = MakeRaft(PaperOptions(1), Voters({1, 2, 3}));
  ElectLeader(r.raft.get());
  ASSERT_TRUE(r->TransferLeadership(N(2)).ok());  // 2 is behind: no TimeoutNow yet
  EXPECT_EQ(r->lead_transferee(), N(2));
  EXPECT_EQ(r->Propose("x").status().code(), Status::Code::kUnavailable);
  for (int i = 0; i < 10; ++i) r->Tick();
  EXPECT_EQ(r->lead_transferee(), kNoNode);
  EXPECT_TRUE(r->Propose("x").ok());
}

TEST(TransferTest, OnlyVotersCanBeTargets) {
  TestRaft r = MakeRaft(PaperOptions(1), Voters({1, 2}, {3}));
  ElectLeader(r.raft.get());
  EXPECT_TRUE(r->TransferLeadership(N(3)).IsInvalidArgument());
  EXPECT_TRUE(r->TransferLeadership(N(7)).IsInvalidArgument());
  TestRaft follower = MakeRaft(PaperOptions(2), Voters({1, 2}));
  EXPECT_EQ(follower->TransferLeadership(N(1)).code(), Status::Code::kUnavailable);
}

// ---------------------------------------------------------------------------------------------
// ReadIndex (thesis §6.4).

TEST(ReadIndexTest, LeaderAnswersAfterAQuorumConfirmsItsLeadership) {
  TestRaft r = MakeRaft(PaperOptions(1), Voters({1, 2, 3}));
  ElectLeader(r.raft.get());
  AckAll(r.raft.get(), {2, 3});
  const LogIndex commit = r->log().committed();
  ASSERT_TRUE(r->ReadIndex("ctx").ok());
  auto beats = Filter<HeartbeatRequest>(r->TakeMessages());
  ASSERT_EQ(beats.size(), 2u);
  for (auto& [m, hb] : beats) EXPECT_EQ(hb.context, "ctx");
  EXPECT_FALSE(r->HasReadStates());
  ASSERT_TRUE(r->Step(Msg(2, 1, r->term(), HeartbeatResponse{"ctx"})).ok());
  EXPECT_EQ(r->TakeReadStates(), (std::vector<ReadState>{{commit, "ctx"}}));
}

TEST(ReadIndexTest, NewLeaderWaitsForItsFirstCommit) {
  TestRaft r = MakeRaft(PaperOptions(1), Voters({1, 2, 3}), EntriesWithTerms({1, 1}),
                        HardState{1, kNoNode, 1});
  ElectLeader(r.raft.get());
  ASSERT_TRUE(r->ReadIndex("ctx").ok());
  EXPECT_TRUE(Filter<HeartbeatRequest>(r->TakeMessages()).empty());
  EXPECT_EQ(r->pending_read_count(), 1u);
  AckAll(r.raft.get(), {2});
  ASSERT_TRUE(r->Step(Msg(2, 1, r->term(), HeartbeatResponse{"ctx"})).ok());
  auto states = r->TakeReadStates();
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].index, 3u);  // the no-op, not the stale commit index 1
}

TEST(ReadIndexTest, FollowerForwardsToTheLeader) {
  Cluster c({1, 2, 3});
  c.Campaign(1);
  ASSERT_TRUE(c.Propose(1, "a").ok());
  ASSERT_TRUE(c.node(2).ReadIndex("r1").ok());
  c.Stabilize();
  ASSERT_EQ(c.read_states(2).size(), 1u);
  EXPECT_EQ(c.read_states(2)[0], (ReadState{c.raft(1).log().committed(), "r1"}));
}

TEST(ReadIndexTest, SingleVoterAnswersAtOnceAndNoLeaderMeansUnavailable) {
  TestRaft r = MakeRaft(PaperOptions(1), Voters({1}));
  EXPECT_EQ(r->ReadIndex("early").code(), Status::Code::kUnavailable);
  ElectLeader(r.raft.get());
  ASSERT_TRUE(r->ReadIndex("ctx").ok());
  EXPECT_EQ(r->TakeReadStates(), (std::vector<ReadState>{{1, "ctx"}}));
}

// ---------------------------------------------------------------------------------------------
// Construction and input validation.

TEST(RaftCreateTest, RestoresTheHardState) {
  TestRaft r = MakeRaft(PaperOptions(1), Voters({1, 2, 3}), EntriesWithTerms({1, 2, 2}),
                        HardState{5, N(2), 2});
  EXPECT_EQ(r->term(), 5u);
  EXPECT_EQ(r->vote(), N(2));
  EXPECT_EQ(r->log().committed(), 2u);
  EXPECT_EQ(r->role(), Role::kFollower);
}

TEST(RaftCreateTest, RejectsBadOptionsAndStates) {
  MemoryStorage storage(Voters({1}));
  RaftOptions o = PaperOptions(1);
  o.id = kNoNode;
  EXPECT_TRUE(Raft::Create(o, &storage).status().IsInvalidArgument());
  o = PaperOptions(1, 2, 2);
  EXPECT_TRUE(Raft::Create(o, &storage).status().IsInvalidArgument());
  o = PaperOptions(1);
  o.max_inflight_messages = 0;
  EXPECT_TRUE(Raft::Create(o, &storage).status().IsInvalidArgument());
  EXPECT_TRUE(Raft::Create(PaperOptions(1), nullptr).status().IsInvalidArgument());
  storage.SetHardState(HardState{1, kNoNode, 3});  // commit past the (empty) log
  EXPECT_TRUE(Raft::Create(PaperOptions(1), &storage).status().IsCorruption());
}

TEST(RaftStepTest, RejectsMisaddressedAndMalformedMessages) {
  TestRaft r = Three();
  EXPECT_TRUE(r->Step(Msg(2, 3, 1, HeartbeatRequest{})).IsInvalidArgument());
  EXPECT_TRUE(r->Step(Msg(0, 1, 1, HeartbeatRequest{})).IsInvalidArgument());
  EXPECT_TRUE(
      r->Step(Msg(2, 1, 1, AppendEntriesRequest{0, 0, {Entry(2, 1)}, 0})).IsInvalidArgument());
  // Found by fuzzing: "after entry 8 of term 0" must not match a log that ends at 0.
  EXPECT_TRUE(
      r->Step(Msg(2, 1, 1, AppendEntriesRequest{8, 0, {Entry(9, 1)}, 0})).IsInvalidArgument());
  EXPECT_TRUE(r->Step(Msg(2, 1, 1, AppendEntriesRequest{0, 0, {Entry(1, 2)}, 0}))
                  .IsInvalidArgument());  // an entry from a future term
  EXPECT_TRUE(r->Step(Msg(2, 1, 2, AppendEntriesRequest{0, 0, {Entry(1, 2), Entry(2, 1)}, 0}))
                  .IsInvalidArgument());  // terms decreasing
  EXPECT_TRUE(r->Step(Msg(2, 1, uint64_t{1} << 62, HeartbeatRequest{})).IsInvalidArgument());
  EXPECT_TRUE(r->Step(Msg(2, 1, 1, HeartbeatRequest{uint64_t{1} << 63, ""})).IsInvalidArgument());
  EXPECT_EQ(r->log().LastIndex(), 0u);
  EXPECT_EQ(r->term(), 0u);
  EXPECT_TRUE(r->fatal_error().ok());
}

TEST(RaftStepTest, ProtocolViolationsAreFatalNotCrashes) {
  TestRaft r = MakeRaft(PaperOptions(1), Voters({1, 2, 3}), EntriesWithTerms({1, 1}),
                        HardState{1, kNoNode, 2});
  // An AppendEntries below the commit index cannot touch committed entries: answered, ignored.
  ASSERT_TRUE(r->Step(Msg(2, 1, 2, AppendEntriesRequest{0, 0, {Entry(1, 2)}, 0})).ok());
  EXPECT_TRUE(r->fatal_error().ok());
  EXPECT_EQ(*r->log().Term(1), 1u);
  // A "leader" claiming a commit index past our log (it must send min(match, commit)).
  ASSERT_TRUE(r->Step(Msg(2, 1, 2, HeartbeatRequest{9, ""})).ok());
  EXPECT_FALSE(r->fatal_error().ok());
  EXPECT_EQ(r->log().committed(), 2u);
  EXPECT_FALSE(r->Step(Msg(2, 1, 2, HeartbeatRequest{})).ok());  // the node refuses to go on
  EXPECT_FALSE(r->Propose("x").ok());
}

}  // namespace
}  // namespace consulate::raft::core
