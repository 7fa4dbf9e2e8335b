// Flow control (Progress, Inflights), quorum arithmetic and ReadOnly.
#include "raft/core/progress.h"

#include <gtest/gtest.h>

#include "raft/core/read_only.h"
#include "test_util.h"

namespace consulate::raft::core {
namespace {

using testing::N;
using testing::Voters;

TEST(InflightsTest, FullByCountOrBytesAndFreedInOrder) {
  Inflights in(3, 100);
  in.Add(5, 10);
  in.Add(7, 10);
  EXPECT_FALSE(in.Full());
  in.Add(9, 10);
  EXPECT_TRUE(in.Full());
  in.FreeLE(7);
  EXPECT_EQ(in.Count(), 1u);
  EXPECT_FALSE(in.Full());
  in.Add(12, 95);  // bytes now 105 >= 100
  EXPECT_TRUE(in.Full());
  in.FreeLE(100);
  EXPECT_EQ(in.Count(), 0u);
}

Progress Make(ProgressState state, LogIndex match, LogIndex next) {
  Progress p(4, 0);
  p.match = match;
  p.next = next;
  if (state == ProgressState::kReplicate) p.BecomeReplicate();
  p.next = next;
  return p;
}

TEST(ProgressTest, MaybeDecreaseTo) {
  struct Case {
    ProgressState state;
    LogIndex match, next, rejected, hint;
    bool changed;
    LogIndex want_next;
  };
  const Case cases[] = {
      // Replicate: a reject at or below match is stale; otherwise go back to match + 1.
      {ProgressState::kReplicate, 5, 10, 5, 5, false, 10},
      {ProgressState::kReplicate, 5, 10, 9, 9, true, 6},
      // Probe: only the reject of the last probe (at next - 1) counts.
      {ProgressState::kProbe, 0, 10, 5, 5, false, 10},
      {ProgressState::kProbe, 0, 10, 9, 9, true, 9},
      {ProgressState::kProbe, 0, 10, 9, 3, true, 4},   // hint jumps back
      {ProgressState::kProbe, 5, 10, 9, 2, true, 6},   // never below match + 1
      {ProgressState::kProbe, 0, 10, 9, 20, true, 9},  // hint past the reject is ignored
  };
  for (const Case& c : cases) {
    Progress p = Make(c.state, c.match, c.next);
    EXPECT_EQ(p.MaybeDecreaseTo(c.rejected, c.hint), c.changed);
    EXPECT_EQ(p.next, c.want_next);
  }
}

TEST(ProgressTest, StateTransitions) {
  Progress p(2, 0);
  p.next = 5;
  p.OnEntriesSent(1, 10);
  EXPECT_TRUE(p.IsPaused());  // probe: one at a time
  EXPECT_TRUE(p.MaybeUpdate(5));
  EXPECT_FALSE(p.IsPaused());
  p.BecomeReplicate();
  EXPECT_EQ(p.next, 6u);
  p.OnEntriesSent(3, 10);  // 6..8
  p.OnEntriesSent(2, 10);  // 9..10
  EXPECT_EQ(p.next, 11u);
  EXPECT_TRUE(p.IsPaused());  // window of 2 full
  EXPECT_TRUE(p.MaybeUpdate(8));
  p.inflights.FreeLE(8);
  EXPECT_FALSE(p.IsPaused());
  EXPECT_FALSE(p.MaybeUpdate(7));  // stale ack
  auto snap = std::make_shared<const Snapshot>(Snapshot{SnapshotMetadata{20, 2, {}}, "x"});
  p.BecomeSnapshot(snap);
  EXPECT_TRUE(p.IsPaused());
  EXPECT_EQ(p.pending_snapshot, 20u);
  p.BecomeProbe();
  EXPECT_EQ(p.next, 21u);  // resume after the snapshot
  EXPECT_EQ(p.snapshot, nullptr);
}

TEST(ProgressTrackerTest, QuorumMatchIndexCountsVotersOnly) {
  ProgressTracker t(4, 0);
  t.SetConfiguration(Voters({1, 2, 3, 4, 5}, {6}), 1);
  const LogIndex matches[] = {10, 8, 6, 4, 2, 100};
  for (uint64_t id = 1; id <= 6; ++id) t.Get(N(id))->match = matches[id - 1];
  EXPECT_EQ(t.QuorumMatchIndex(), 6u);
  t.SetConfiguration(Voters({1, 2}, {6}), 1);
  EXPECT_EQ(t.QuorumMatchIndex(), 8u);
  EXPECT_EQ(t.Get(N(3)), nullptr);  // departed members lose their progress
}

TEST(ProgressTrackerTest, VotesAndAcks) {
  ProgressTracker t(4, 0);
  t.SetConfiguration(Voters({1, 2, 3, 4}, {5}), 1);
  EXPECT_EQ(t.RecordVote(N(1), true), VoteResult::kPending);
  EXPECT_EQ(t.RecordVote(N(5), true), VoteResult::kPending);  // a learner's vote is ignored
  EXPECT_EQ(t.RecordVote(N(2), false), VoteResult::kPending);
  EXPECT_EQ(t.RecordVote(N(2), true), VoteResult::kPending);  // first vote sticks
  EXPECT_EQ(t.RecordVote(N(3), false), VoteResult::kLost);
  t.ResetVotes();
  t.RecordVote(N(1), true);
  t.RecordVote(N(2), true);
  EXPECT_EQ(t.RecordVote(N(4), true), VoteResult::kWon);
  EXPECT_EQ(t.TallyAcks({N(1), N(5)}), VoteResult::kPending);
  EXPECT_EQ(t.TallyAcks({N(1), N(2), N(3)}), VoteResult::kWon);
}

TEST(ProgressTrackerTest, QuorumActiveResetsTheFlags) {
  ProgressTracker t(4, 0);
  t.SetConfiguration(Voters({1, 2, 3}), 1);
  // New members start recently active (a grace period); self always counts.
  EXPECT_TRUE(t.QuorumActive(N(1)));
  EXPECT_FALSE(t.QuorumActive(N(1)));
  t.Get(N(3))->recent_active = true;
  EXPECT_TRUE(t.QuorumActive(N(1)));
}

TEST(ReadOnlyTest, AcksReleaseRequestsInOrder) {
  ReadOnly ro;
  ro.AddRequest(5, N(1), "a");
  ro.AddRequest(6, N(2), "b");
  ro.AddRequest(7, N(1), "c");
  ro.AddRequest(8, N(1), "b");  // duplicate context: ignored
  EXPECT_EQ(ro.LastPendingContext(), "c");
  EXPECT_EQ(ro.RecvAck(N(3), "zzz"), nullptr);
  const auto* acks = ro.RecvAck(N(3), "b");
  ASSERT_NE(acks, nullptr);
  EXPECT_EQ(acks->size(), 1u);
  auto released = ro.Advance("b");
  ASSERT_EQ(released.size(), 2u);
  EXPECT_EQ(released[0].context, "a");
  EXPECT_EQ(released[1].index, 6u);
  EXPECT_EQ(released[1].requester, N(2));
  EXPECT_EQ(ro.PendingCount(), 1u);
}

}  // namespace
}  // namespace consulate::raft::core
