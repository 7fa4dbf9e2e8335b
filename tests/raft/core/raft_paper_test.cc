// Tests of the basic algorithm, one per statement of the Raft paper ("In Search of an
// Understandable Consensus Algorithm", extended version), after etcd's raft_paper_test.go. Each
// test names the section it checks. Pre-vote and check-quorum are off here: they are extensions
// (raft_features_test.cc).
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "test_util.h"

namespace consulate::raft::core {
namespace {

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

TestRaft Three(uint64_t id = 1) { return MakeRaft(PaperOptions(id), Voters({1, 2, 3})); }

void BecomeCandidate(Raft* r) {
  ASSERT_TRUE(r->Campaign().ok());
  ASSERT_EQ(r->role(), Role::kCandidate);
  r->TakeMessages();
}

// §5.1: "If one server's current term is smaller than the other's, then it updates its current
// term to the larger value. If a candidate or leader discovers that its term is out of date, it
// immediately reverts to follower state."
TEST(RaftPaperTest, UpdateTermFromMessage) {
  for (Role role : {Role::kFollower, Role::kCandidate, Role::kLeader}) {
    SCOPED_TRACE(RoleName(role));
    TestRaft r = Three();
    if (role == Role::kCandidate) BecomeCandidate(r.raft.get());
    if (role == Role::kLeader) ElectLeader(r.raft.get());
    const TermId newer = r->term() + 5;
    ASSERT_TRUE(r->Step(Msg(2, 1, newer, AppendEntriesRequest{})).ok());
    EXPECT_EQ(r->term(), newer);
    EXPECT_EQ(r->role(), Role::kFollower);
    EXPECT_EQ(r->leader(), N(2));
  }
}

// §5.1: "If a server receives a request with a stale term number, it rejects the request."
TEST(RaftPaperTest, RejectStaleTermMessage) {
  TestRaft r = MakeRaft(PaperOptions(1), Voters({1, 2, 3}), {}, HardState{2, kNoNode, 0});
  ASSERT_TRUE(r->Step(Msg(2, 1, 1, AppendEntriesRequest{0, 0, {Entry(1, 1)}, 0})).ok());
  EXPECT_EQ(r->term(), 2u);
  EXPECT_EQ(r->log().LastIndex(), 0u);
  EXPECT_EQ(r->leader(), kNoNode);
  EXPECT_TRUE(r->TakeMessages().empty());
}

// §5.2: "When servers start up, they begin as followers."
TEST(RaftPaperTest, StartAsFollower) {
  TestRaft r = Three();
  EXPECT_EQ(r->role(), Role::kFollower);
  EXPECT_EQ(r->term(), 0u);
}

// §5.2: "Leaders send periodic heartbeats (AppendEntries RPCs that carry no log entries) to all
// followers in order to maintain their authority."
TEST(RaftPaperTest, LeaderBroadcastsHeartbeats) {
  TestRaft r = MakeRaft(PaperOptions(1, 10, 2), Voters({1, 2, 3}));
  ElectLeader(r.raft.get());
  r->Tick();
  EXPECT_TRUE(Filter<HeartbeatRequest>(r->TakeMessages()).empty());
  r->Tick();
  auto beats = Filter<HeartbeatRequest>(r->TakeMessages());
  ASSERT_EQ(beats.size(), 2u);
  std::set<NodeId> to;
  for (auto& [m, hb] : beats) {
    to.insert(m.to);
    EXPECT_EQ(m.term, r->term());
  }
  EXPECT_EQ(to, (std::set<NodeId>{N(2), N(3)}));
}

// §5.2: "If a follower receives no communication over a period of time called the election
// timeout, then it ... begins an election": it increments its term, votes for itself and sends
// RequestVote RPCs (carrying its last log index and term, §5.4.1) to every other server. A
// candidate whose election times out starts a new one the same way.
TEST(RaftPaperTest, FollowerAndCandidateStartElection) {
  for (bool from_candidate : {false, true}) {
    SCOPED_TRACE(from_candidate ? "candidate" : "follower");
    TestRaft r = MakeRaft(PaperOptions(1), Voters({1, 2, 3}), EntriesWithTerms({1, 1}),
                          HardState{1, kNoNode, 0});
    if (from_candidate) BecomeCandidate(r.raft.get());
    const TermId before = r->term();
    for (int i = 0; i < 2 * 10; ++i) r->Tick();
    EXPECT_EQ(r->role(), Role::kCandidate);
    EXPECT_EQ(r->term(), before + 1);
    EXPECT_EQ(r->vote(), N(1));
    auto votes = Filter<VoteRequest>(r->TakeMessages());
    ASSERT_EQ(votes.size(), 2u);
    for (auto& [m, req] : votes) {
      EXPECT_EQ(m.term, before + 1);
      EXPECT_EQ(req.last_log_index, 2u);
      EXPECT_EQ(req.last_log_term, 1u);
    }
  }
}

// §5.2: a candidate wins if it gets votes from a majority, loses (returns to follower) once a
// majority rejected it, and otherwise keeps waiting.
TEST(RaftPaperTest, LeaderElectionInOneRound) {
  struct Case {
    std::vector<uint64_t> voters;
    std::map<uint64_t, bool> votes;
    Role want;
  };
  const Case cases[] = {
      {{1}, {}, Role::kLeader},
      {{1, 2, 3}, {{2, true}, {3, true}}, Role::kLeader},
      {{1, 2, 3}, {{2, true}}, Role::kLeader},
      {{1, 2, 3, 4, 5}, {{2, true}, {3, true}, {4, true}, {5, true}}, Role::kLeader},
      {{1, 2, 3, 4, 5}, {{2, true}, {3, true}}, Role::kLeader},
      {{1, 2, 3}, {}, Role::kCandidate},
      {{1, 2, 3, 4, 5}, {{2, true}}, Role::kCandidate},
      {{1, 2, 3, 4, 5}, {{2, false}, {3, false}}, Role::kCandidate},
      {{1, 2, 3}, {{2, false}, {3, false}}, Role::kFollower},
      {{1, 2, 3, 4, 5}, {{2, false}, {3, false}, {4, false}}, Role::kFollower},
  };
  for (const Case& c : cases) {
    Configuration conf;
    for (uint64_t id : c.voters) conf.voters.push_back(N(id));
    TestRaft r = MakeRaft(PaperOptions(1), conf);
    ASSERT_TRUE(r->Campaign().ok());
    for (auto [from, granted] : c.votes) {
      ASSERT_TRUE(r->Step(Msg(from, 1, r->term(), VoteResponse{granted})).ok());
    }
    EXPECT_EQ(r->role(), c.want) << "voters=" << c.voters.size() << " votes=" << c.votes.size();
    EXPECT_EQ(r->term(), 1u);
  }
}

// §5.2: "Each server will vote for at most one candidate in a given term, on a
// first-come-first-served basis."
TEST(RaftPaperTest, FollowerVotesOnceFirstComeFirstServed) {
  struct Case {
    NodeId voted;
    uint64_t candidate;
    bool granted;
  };
  const Case cases[] = {
      {kNoNode, 2, true}, {kNoNode, 3, true}, {N(2), 2, true},
      {N(3), 3, true},    {N(2), 3, false},   {N(3), 2, false},
  };
  for (const Case& c : cases) {
    TestRaft r = MakeRaft(PaperOptions(1), Voters({1, 2, 3}), {}, HardState{1, c.voted, 0});
    ASSERT_TRUE(r->Step(Msg(c.candidate, 1, 1, VoteRequest{0, 0, false})).ok());
    auto responses = Filter<VoteResponse>(r->TakeMessages());
    ASSERT_EQ(responses.size(), 1u);
    EXPECT_EQ(responses[0].second.granted, c.granted);
    EXPECT_EQ(r->vote(), c.granted ? N(c.candidate) : c.voted);
  }
}

// §5.2: "While waiting for votes, a candidate may receive an AppendEntries RPC from another server
// claiming to be leader. If the leader's term is at least as large as the candidate's current
// term, then the candidate recognizes the leader as legitimate and returns to follower state."
TEST(RaftPaperTest, CandidateFallsBackToLeader) {
  for (TermId delta : {0, 1}) {
    TestRaft r = Three();
    BecomeCandidate(r.raft.get());
    const TermId term = r->term() + delta;
    ASSERT_TRUE(r->Step(Msg(2, 1, term, AppendEntriesRequest{})).ok());
    EXPECT_EQ(r->role(), Role::kFollower);
    EXPECT_EQ(r->term(), term);
    EXPECT_EQ(r->leader(), N(2));
  }
}

// §5.2: "Raft uses randomized election timeouts ... chosen randomly from a fixed interval."
TEST(RaftPaperTest, ElectionTimeoutRandomized) {
  for (bool candidate : {false, true}) {
    std::set<int> timeouts;
    for (uint64_t seed = 0; seed < 50; ++seed) {
      RaftOptions o = PaperOptions(1);
      o.random_seed = seed;
      TestRaft r = MakeRaft(o, Voters({1, 2, 3}));
      if (candidate) BecomeCandidate(r.raft.get());
      const TermId term = r->term();
      int ticks = 0;
      while (r->term() == term && ticks < 100) {
        r->Tick();
        ++ticks;
      }
      EXPECT_GE(ticks, 10);
      EXPECT_LT(ticks, 20);
      timeouts.insert(ticks);
    }
    EXPECT_GT(timeouts.size(), 5u) << "timeouts are not spread";
  }
}

// §5.2: "In most cases only a single server (follower or candidate) will time out."
TEST(RaftPaperTest, ElectionTimeoutsRarelyConflict) {
  int conflicts = 0;
  const int rounds = 200;
  for (int round = 0; round < rounds; ++round) {
    std::vector<TestRaft> rafts;
    for (uint64_t id = 1; id <= 5; ++id) {
      RaftOptions o = PaperOptions(id);
      o.random_seed = round;
      rafts.push_back(MakeRaft(o, Voters({1, 2, 3, 4, 5})));
    }
    int timed_out = 0;
    while (timed_out == 0) {
      for (TestRaft& r : rafts) {
        r->Tick();
        if (r->role() == Role::kCandidate) ++timed_out;
      }
    }
    if (timed_out > 1) ++conflicts;
  }
  EXPECT_LT(conflicts, rounds * 3 / 10);
}

// §5.3: "Once a leader has been elected, it begins servicing client requests ... The leader
// appends the command to its log as a new entry, then issues AppendEntries RPCs in parallel to
// each of the other servers to replicate the entry."
TEST(RaftPaperTest, LeaderStartsReplication) {
  TestRaft r = Three();
  ElectLeader(r.raft.get());
  const LogIndex noop = r->log().LastIndex();
  // Acknowledge the no-op so both followers are in the replicate state.
  for (uint64_t f : {2, 3}) {
    ASSERT_TRUE(r->Step(Msg(f, 1, r->term(), AppendEntriesResponse{noop, false, 0, 0})).ok());
  }
  r->TakeMessages();
  auto index = r->Propose("x");
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(*index, noop + 1);
  auto appends = Filter<AppendEntriesRequest>(r->TakeMessages());
  ASSERT_EQ(appends.size(), 2u);
  for (auto& [m, req] : appends) {
    EXPECT_EQ(req.prev_log_index, noop);
    EXPECT_EQ(req.prev_log_term, r->term());
    ASSERT_EQ(req.entries.size(), 1u);
    EXPECT_EQ(req.entries[0], Entry(noop + 1, r->term(), "x"));
    EXPECT_EQ(req.commit_index, noop);
  }
}

// §5.3: "A log entry is committed once the leader that created the entry has replicated it on a
// majority of the servers ... The leader keeps track of the highest index it knows to be
// committed, and it includes that index in future AppendEntries RPCs."
TEST(RaftPaperTest, LeaderCommitsOnMajorityAndTellsFollowers) {
  struct Case {
    size_t size;
    std::vector<uint64_t> acks;
    bool committed;
  };
  const Case cases[] = {
      {1, {}, true},  {3, {}, false},  {3, {2}, true},    {3, {2, 3}, true},
      {5, {}, false}, {5, {2}, false}, {5, {2, 3}, true}, {5, {2, 3, 4, 5}, true},
  };
  for (const Case& c : cases) {
    Configuration conf;
    for (uint64_t id = 1; id <= c.size; ++id) conf.voters.push_back(N(id));
    TestRaft r = MakeRaft(PaperOptions(1), conf);
    ElectLeader(r.raft.get());
    const LogIndex index = r->log().LastIndex();  // the no-op
    for (uint64_t f : c.acks) {
      ASSERT_TRUE(r->Step(Msg(f, 1, r->term(), AppendEntriesResponse{index, false, 0, 0})).ok());
    }
    EXPECT_EQ(r->log().committed() == index, c.committed) << c.size << " " << c.acks.size();
    if (c.committed && c.size > 1) {
      // The new commit index goes out to every follower.
      auto appends = Filter<AppendEntriesRequest>(r->TakeMessages());
      ASSERT_FALSE(appends.empty());
      EXPECT_EQ(appends.back().second.commit_index, index);
    }
  }
}

// §5.3: "When the entry has been safely replicated, the leader applies the entry ... This also
// commits all preceding entries in the leader's log, including entries created by previous
// leaders."
TEST(RaftPaperTest, LeaderCommitsPrecedingEntries) {
  const std::vector<std::vector<LogEntry>> logs = {
      {}, {Entry(1, 2)}, {Entry(1, 1), Entry(2, 2)}, {Entry(1, 1)}};
  for (const auto& log : logs) {
    TestRaft r = MakeRaft(PaperOptions(1), Voters({1, 2, 3}), log, HardState{2, kNoNode, 0});
    ElectLeader(r.raft.get());
    ASSERT_TRUE(r->Propose("x").ok());
    const LogIndex last = r->log().LastIndex();
    ASSERT_TRUE(r->Step(Msg(2, 1, r->term(), AppendEntriesResponse{last, false, 0, 0})).ok());
    EXPECT_EQ(r->log().committed(), last);
    auto committed = r->mutable_log().NextCommittedEntries();
    ASSERT_EQ(committed.size(), last);
    for (size_t i = 0; i < log.size(); ++i) EXPECT_EQ(committed[i], log[i]);
  }
}

// §5.3: "Once a follower learns that a log entry is committed, it applies the entry to its local
// state machine (in log order)."
TEST(RaftPaperTest, FollowerCommitsFromLeader) {
  TestRaft r = Three();
  const std::vector<LogEntry> entries = {Entry(1, 1, "a"), Entry(2, 1, "b"), Entry(3, 1, "c")};
  ASSERT_TRUE(r->Step(Msg(2, 1, 1, AppendEntriesRequest{0, 0, entries, 1})).ok());
  EXPECT_EQ(r->log().committed(), 1u);
  for (LogIndex commit : {2, 3}) {
    ASSERT_TRUE(r->Step(Msg(2, 1, 1, AppendEntriesRequest{3, 1, {}, commit})).ok());
    EXPECT_EQ(r->log().committed(), commit);
  }
  auto committed = r->mutable_log().NextCommittedEntries();
  EXPECT_EQ(committed, entries);
}

// §5.3: "When sending an AppendEntries RPC, the leader includes the index and term of the entry
// in its log that immediately precedes the new entries. If the follower does not find an entry
// in its log with the same index and term, then it refuses the new entries."
TEST(RaftPaperTest, FollowerChecksPrecedingEntry) {
  struct Case {
    LogIndex prev_index;
    TermId prev_term;
    bool rejected;
    LogIndex hint_index;
    TermId hint_term;
  };
  // The follower holds 1@1 2@2.
  const Case cases[] = {
      {0, 0, false, 0, 0},  // matches the start of every log
      {1, 1, false, 0, 0}, {2, 2, false, 0, 0}, {1, 2, true, 1, 1},  // wrong term at 1
      {3, 3, true, 2, 2},  // past our end: hint = our last entry with term <= 3
      {2, 1, true, 1, 1},  // term 2 at 2 > 1: back up to 1@1
  };
  for (const Case& c : cases) {
    TestRaft r = MakeRaft(PaperOptions(1), Voters({1, 2, 3}), EntriesWithTerms({1, 2}),
                          HardState{2, kNoNode, 0});
    ASSERT_TRUE(r->Step(Msg(2, 1, 2, AppendEntriesRequest{c.prev_index, c.prev_term, {}, 0})).ok());
    auto responses = Filter<AppendEntriesResponse>(r->TakeMessages());
    ASSERT_EQ(responses.size(), 1u);
    const AppendEntriesResponse& resp = responses[0].second;
    EXPECT_EQ(resp.rejected, c.rejected) << c.prev_index << "@" << c.prev_term;
    if (c.rejected) {
      EXPECT_EQ(resp.index, c.prev_index);
      EXPECT_EQ(resp.hint_index, c.hint_index);
      EXPECT_EQ(resp.hint_term, c.hint_term);
    } else {
      EXPECT_EQ(resp.index, c.prev_index);
    }
  }
}

// §5.3: "If an existing entry conflicts with a new one (same index but different terms), delete
// the existing entry and all that follow it; append any new entries not already in the log."
TEST(RaftPaperTest, FollowerAppendsAndTruncatesConflicts) {
  struct Case {
    LogIndex prev_index;
    TermId prev_term;
    std::vector<LogEntry> entries;
    std::vector<TermId> want_terms;
  };
  const Case cases[] = {
      {2, 2, {Entry(3, 3)}, {1, 2, 3}},
      {1, 1, {Entry(2, 3), Entry(3, 4)}, {1, 3, 4}},
      {0, 0, {Entry(1, 1)}, {1, 2}},
      {0, 0, {Entry(1, 3)}, {3}},
  };
  for (const Case& c : cases) {
    TestRaft r = MakeRaft(PaperOptions(1), Voters({1, 2, 3}), EntriesWithTerms({1, 2}),
                          HardState{2, kNoNode, 0});
    ASSERT_TRUE(
        r->Step(Msg(2, 1, 4, AppendEntriesRequest{c.prev_index, c.prev_term, c.entries, 0})).ok());
    std::vector<TermId> terms;
    for (const LogEntry& e : LogEntries(*r)) terms.push_back(e.term);
    EXPECT_EQ(terms, c.want_terms);
  }
}

// §5.3, Figure 7: "the leader handles inconsistencies by forcing the followers' logs to
// duplicate its own" — for each follower log (a)-(f) of the figure.
TEST(RaftPaperTest, LeaderBringsFollowerLogsInSync) {
  const std::vector<TermId> leader_terms = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6};
  const std::vector<std::vector<TermId>> followers = {
      {1, 1, 1, 4, 4, 5, 5, 6, 6},           // (a)
      {1, 1, 1, 4},                          // (b)
      {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6},     // (c)
      {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7},  // (d)
      {1, 1, 1, 4, 4, 4, 4},                 // (e)
      {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3},     // (f)
  };
  auto make_log = [](const std::vector<TermId>& terms) {
    std::vector<LogEntry> out;
    for (size_t i = 0; i < terms.size(); ++i) {
      // Same (index, term) means same entry (Log Matching): data depends only on those.
      out.push_back(Entry(i + 1, terms[i], std::to_string(i + 1) + "@" + std::to_string(terms[i])));
    }
    return out;
  };
  for (size_t f = 0; f < followers.size(); ++f) {
    SCOPED_TRACE("follower (" + std::string(1, static_cast<char>('a' + f)) + ")");
    TestRaft leader = MakeRaft(PaperOptions(1), Voters({1, 2, 3}), make_log(leader_terms),
                               HardState{8, kNoNode, 0});
    TestRaft follower = MakeRaft(PaperOptions(2), Voters({1, 2, 3}), make_log(followers[f]),
                                 HardState{7, kNoNode, 0});
    // A third voter with the leader's log, so that the leader can be elected.
    TestRaft third = MakeRaft(PaperOptions(3), Voters({1, 2, 3}), make_log(leader_terms),
                              HardState{7, kNoNode, 0});
    ASSERT_TRUE(leader->Campaign().ok());
    DeliverAll({{1, leader.raft.get()}, {2, follower.raft.get()}, {3, third.raft.get()}});
    ASSERT_EQ(leader->role(), Role::kLeader);
    EXPECT_EQ(LogEntries(*follower), LogEntries(*leader));
  }
}

// §5.4.1: "Raft determines which of two logs is more up-to-date by comparing the index and term
// of the last entries in the logs ... the voter denies its vote if its own log is more
// up-to-date than that of the candidate."
TEST(RaftPaperTest, VoterGrantsOnlyToUpToDateLogs) {
  struct Case {
    LogIndex last_index;
    TermId last_term;
    bool granted;
  };
  // The voter's log: 1@2 2@2.
  const Case cases[] = {
      {2, 2, true},  {3, 2, true},  {1, 2, false}, {1, 3, true},
      {3, 1, false}, {2, 1, false}, {0, 0, false}, {5, 3, true},
  };
  for (const Case& c : cases) {
    TestRaft r = MakeRaft(PaperOptions(1), Voters({1, 2, 3}), EntriesWithTerms({2, 2}),
                          HardState{3, kNoNode, 0});
    ASSERT_TRUE(r->Step(Msg(2, 1, 3, VoteRequest{c.last_index, c.last_term, false})).ok());
    auto responses = Filter<VoteResponse>(r->TakeMessages());
    ASSERT_EQ(responses.size(), 1u);
    EXPECT_EQ(responses[0].second.granted, c.granted) << c.last_index << "@" << c.last_term;
  }
}

// §5.4.2: "Raft never commits log entries from previous terms by counting replicas. Only log
// entries from the leader's current term are committed by counting replicas."
TEST(RaftPaperTest, LeaderOnlyCommitsCurrentTermEntriesByCounting) {
  TestRaft r = MakeRaft(PaperOptions(1), Voters({1, 2, 3}), EntriesWithTerms({1, 2}),
                        HardState{2, kNoNode, 0});
  ElectLeader(r.raft.get());  // term 3; no-op at 3
  ASSERT_EQ(r->log().LastIndex(), 3u);
  // A follower acknowledges the old entries only: nothing commits.
  ASSERT_TRUE(r->Step(Msg(2, 1, 3, AppendEntriesResponse{2, false, 0, 0})).ok());
  EXPECT_EQ(r->log().committed(), 0u);
  // Once the term-3 no-op is on a majority, it and everything before it commit.
  ASSERT_TRUE(r->Step(Msg(2, 1, 3, AppendEntriesResponse{3, false, 0, 0})).ok());
  EXPECT_EQ(r->log().committed(), 3u);
}

}  // namespace
}  // namespace consulate::raft::core
