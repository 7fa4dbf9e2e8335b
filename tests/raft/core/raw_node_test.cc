// The Ready/Advance contract of RawNode (raw_node.h).
#include "raft/core/raw_node.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace consulate::raft::core {
namespace {

using testing::EntriesWithTerms;
using testing::Entry;
using testing::Filter;
using testing::Msg;
using testing::N;
using testing::PaperOptions;
using testing::Voters;

std::unique_ptr<RawNode> NewNode(const RaftOptions& options, const Storage* storage) {
  auto r = RawNode::Create(options, storage);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

// Persists a Ready into storage the way a driver must.
void Persist(const Ready& rd, MemoryStorage* storage) {
  if (rd.snapshot) {
    ASSERT_TRUE(storage->ApplySnapshot(*rd.snapshot).ok());
  }
  ASSERT_TRUE(storage->Append(rd.entries).ok());
  if (rd.hard_state) storage->SetHardState(*rd.hard_state);
}

TEST(RawNodeTest, FreshNodeHasNothingReady) {
  MemoryStorage storage(Voters({1, 2, 3}));
  auto node = NewNode(PaperOptions(1), &storage);
  EXPECT_FALSE(node->HasReady());
}

TEST(RawNodeTest, SingleNodeCampaignProducesACompleteReady) {
  MemoryStorage storage(Voters({1}));
  auto node = NewNode(PaperOptions(1), &storage);
  ASSERT_TRUE(node->Campaign().ok());
  ASSERT_TRUE(node->HasReady());
  Ready rd = node->GetReady();
  ASSERT_TRUE(rd.soft_state.has_value());
  EXPECT_EQ(*rd.soft_state, (SoftState{N(1), Role::kLeader}));
  ASSERT_TRUE(rd.hard_state.has_value());
  EXPECT_EQ(*rd.hard_state, (HardState{1, N(1), 1}));
  ASSERT_EQ(rd.entries.size(), 1u);
  EXPECT_EQ(rd.entries[0].type, EntryType::kNoop);
  EXPECT_TRUE(rd.must_sync);
  EXPECT_TRUE(rd.messages.empty());
  // Committed on its own vote: to apply once persisted.
  EXPECT_EQ(rd.committed_entries, rd.entries);
  Persist(rd, &storage);
  node->Advance();
  EXPECT_FALSE(node->HasReady());
  EXPECT_EQ(node->raft().log().applied(), 1u);
  EXPECT_TRUE(node->raft().log().UnstableEntries().empty());
}

TEST(RawNodeTest, MustSyncOnlyForEntriesTermOrVote) {
  MemoryStorage storage(Voters({1, 2}));
  auto node = NewNode(PaperOptions(2), &storage);
  // Entries plus a new term: sync.
  ASSERT_TRUE(node->Step(Msg(1, 2, 1, AppendEntriesRequest{0, 0, {Entry(1, 1)}, 0})).ok());
  Ready rd = node->GetReady();
  EXPECT_TRUE(rd.must_sync);
  ASSERT_EQ(rd.messages.size(), 1u);  // the acknowledgement, to send after persisting
  Persist(rd, &storage);
  node->Advance();
  // Only the commit index moves: no sync needed.
  ASSERT_TRUE(node->Step(Msg(1, 2, 1, HeartbeatRequest{1, ""})).ok());
  rd = node->GetReady();
  ASSERT_TRUE(rd.hard_state.has_value());
  EXPECT_EQ(rd.hard_state->commit_index, 1u);
  EXPECT_FALSE(rd.must_sync);
  EXPECT_EQ(rd.committed_entries.size(), 1u);
  Persist(rd, &storage);
  node->Advance();
  // A vote in a new term: sync before the response goes out.
  ASSERT_TRUE(node->Step(Msg(1, 2, 2, VoteRequest{1, 1, false})).ok());
  rd = node->GetReady();
  EXPECT_TRUE(rd.must_sync);
  EXPECT_EQ(rd.hard_state->vote, N(1));
  EXPECT_EQ(Filter<VoteResponse>(rd.messages).size(), 1u);
}

TEST(RawNodeTest, HardStateOnlyWhenChanged) {
  MemoryStorage storage(Voters({1, 2}));
  auto node = NewNode(PaperOptions(2), &storage);
  ASSERT_TRUE(node->Step(Msg(1, 2, 1, HeartbeatRequest{0, ""})).ok());
  Ready rd = node->GetReady();
  EXPECT_TRUE(rd.hard_state.has_value());
  Persist(rd, &storage);
  node->Advance();
  ASSERT_TRUE(node->Step(Msg(1, 2, 1, HeartbeatRequest{0, ""})).ok());
  rd = node->GetReady();
  EXPECT_FALSE(rd.hard_state.has_value());
  EXPECT_FALSE(rd.soft_state.has_value());
  EXPECT_EQ(rd.messages.size(), 1u);
}

TEST(RawNodeTest, EntriesStayUnstableUntilAdvance) {
  MemoryStorage storage(Voters({1}));
  auto node = NewNode(PaperOptions(1), &storage);
  ASSERT_TRUE(node->Campaign().ok());
  Ready rd = node->GetReady();
  Persist(rd, &storage);
  node->Advance();
  ASSERT_TRUE(node->Propose("a").ok());
  rd = node->GetReady();
  ASSERT_EQ(rd.entries.size(), 1u);
  // Inputs between GetReady and Advance show up in the next Ready, not this one.
  ASSERT_TRUE(node->Propose("b").ok());
  Persist(rd, &storage);
  node->Advance();
  ASSERT_TRUE(node->HasReady());
  rd = node->GetReady();
  ASSERT_EQ(rd.entries.size(), 1u);
  EXPECT_EQ(rd.entries[0].data, "b");
  ASSERT_EQ(rd.committed_entries.size(), 1u);
  EXPECT_EQ(rd.committed_entries[0].data, "b");
}

TEST(RawNodeTest, RestartRedeliversCommittedButUnappliedEntries) {
  MemoryStorage storage(Voters({1, 2, 3}));
  ASSERT_TRUE(storage.Append(EntriesWithTerms({1, 1, 1})).ok());
  storage.SetHardState(HardState{1, N(1), 3});
  RaftOptions o = PaperOptions(1);
  o.applied = 1;
  auto node = NewNode(o, &storage);
  ASSERT_TRUE(node->HasReady());
  Ready rd = node->GetReady();
  EXPECT_FALSE(rd.hard_state.has_value());  // nothing new to persist
  ASSERT_EQ(rd.committed_entries.size(), 2u);
  EXPECT_EQ(rd.committed_entries[0].index, 2u);
  node->Advance();
  EXPECT_FALSE(node->HasReady());
}

TEST(RawNodeTest, SnapshotReadyThenAppliedCursorMoves) {
  MemoryStorage storage(Voters({1, 2}));
  auto node = NewNode(PaperOptions(2), &storage);
  SnapshotMetadata meta{10, 3, Voters({1, 2})};
  ASSERT_TRUE(node->Step(Msg(1, 2, 3, InstallSnapshotRequest{meta, 0, "state", true})).ok());
  Ready rd = node->GetReady();
  ASSERT_TRUE(rd.snapshot.has_value());
  EXPECT_EQ(rd.snapshot->metadata, meta);
  EXPECT_EQ(rd.snapshot->data, "state");
  EXPECT_TRUE(rd.must_sync);
  EXPECT_TRUE(rd.committed_entries.empty());
  Persist(rd, &storage);
  node->Advance();
  EXPECT_EQ(node->raft().log().applied(), 10u);
  EXPECT_EQ(node->raft().log().FirstIndex(), 11u);
  EXPECT_FALSE(node->HasReady());
}

TEST(RawNodeTest, ReadStatesArriveInReady) {
  MemoryStorage storage(Voters({1}));
  auto node = NewNode(PaperOptions(1), &storage);
  ASSERT_TRUE(node->Campaign().ok());
  Ready rd = node->GetReady();
  Persist(rd, &storage);
  node->Advance();
  ASSERT_TRUE(node->ReadIndex("q").ok());
  rd = node->GetReady();
  EXPECT_EQ(rd.read_states, (std::vector<ReadState>{{1, "q"}}));
}

}  // namespace
}  // namespace consulate::raft::core
