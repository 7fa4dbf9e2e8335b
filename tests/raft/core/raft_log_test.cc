// RaftLog (storage + unstable view), MemoryStorage, and the configuration history.
#include "raft/core/raft_log.h"

#include <gtest/gtest.h>

#include "raft/core/memory_storage.h"
#include "test_util.h"

namespace consulate::raft::core {
namespace {

using testing::EntriesWithTerms;
using testing::Entry;
using testing::Voters;

std::vector<TermId> Terms(const RaftLog& log) {
  std::vector<LogEntry> entries;
  EXPECT_TRUE(log.Entries(log.FirstIndex(), UINT64_MAX, &entries).ok());
  std::vector<TermId> out;
  for (const LogEntry& e : entries) out.push_back(e.term);
  return out;
}

TEST(RaftLogTest, FindConflict) {
  MemoryStorage storage;
  RaftLog log(&storage, UINT64_MAX);
  log.Append(EntriesWithTerms({1, 2, 3}));
  EXPECT_EQ(log.FindConflict({}), 0u);
  EXPECT_EQ(log.FindConflict({Entry(1, 1), Entry(2, 2), Entry(3, 3)}), 0u);
  EXPECT_EQ(log.FindConflict({Entry(2, 2), Entry(3, 3), Entry(4, 4)}), 4u);  // new
  EXPECT_EQ(log.FindConflict({Entry(2, 2), Entry(3, 4)}), 3u);               // conflict
  EXPECT_EQ(log.FindConflict({Entry(1, 4)}), 1u);
}

TEST(RaftLogTest, MatchTermNeedsTheEntry) {
  MemoryStorage storage;
  RaftLog log(&storage, UINT64_MAX);
  EXPECT_TRUE(log.MatchTerm(0, 0));  // the empty prefix
  log.Append(EntriesWithTerms({1, 2}));
  EXPECT_TRUE(log.MatchTerm(2, 2));
  EXPECT_FALSE(log.MatchTerm(2, 1));
  EXPECT_FALSE(log.MatchTerm(5, 0));  // Term(5) is 0 past the end, but there is no entry
}

TEST(RaftLogTest, FindConflictByTerm) {
  MemoryStorage storage;
  RaftLog log(&storage, UINT64_MAX);
  log.Append(EntriesWithTerms({1, 1, 2, 2, 5, 5}));
  EXPECT_EQ(log.FindConflictByTerm(6, 5), (std::pair<LogIndex, TermId>{6, 5}));
  EXPECT_EQ(log.FindConflictByTerm(6, 4), (std::pair<LogIndex, TermId>{4, 2}));
  EXPECT_EQ(log.FindConflictByTerm(6, 1), (std::pair<LogIndex, TermId>{2, 1}));
  EXPECT_EQ(log.FindConflictByTerm(6, 0), (std::pair<LogIndex, TermId>{0, 0}));
  EXPECT_EQ(log.FindConflictByTerm(9, 7), (std::pair<LogIndex, TermId>{9, 0}));  // past the end
}

TEST(RaftLogTest, MaybeAppend) {
  struct Case {
    LogIndex prev_index;
    TermId prev_term;
    LogIndex commit;
    std::vector<LogEntry> entries;
    std::optional<LogIndex> want_last;
    LogIndex want_commit;
    std::vector<TermId> want_terms;
  };
  const Case cases[] = {
      {3, 2, 3, {}, std::nullopt, 1, {1, 2, 3}},               // term mismatch
      {4, 3, 3, {}, std::nullopt, 1, {1, 2, 3}},               // past the end
      {3, 3, 3, {}, 3, 3, {1, 2, 3}},                          // heartbeat-like
      {3, 3, 4, {}, 3, 3, {1, 2, 3}},                          // commit capped at last new index
      {3, 3, 2, {Entry(4, 4)}, 4, 2, {1, 2, 3, 4}},            // append
      {2, 2, 3, {Entry(3, 4)}, 3, 3, {1, 2, 4}},               // conflict truncates
      {1, 1, 1, {Entry(2, 2), Entry(3, 3)}, 3, 1, {1, 2, 3}},  // already present
  };
  for (const Case& c : cases) {
    MemoryStorage storage;
    RaftLog log(&storage, UINT64_MAX);
    log.Append(EntriesWithTerms({1, 2, 3}));
    log.CommitTo(1);
    auto last = log.MaybeAppend(c.prev_index, c.prev_term, c.commit, c.entries);
    EXPECT_EQ(last, c.want_last) << c.prev_index << "@" << c.prev_term;
    EXPECT_EQ(log.committed(), c.want_commit);
    EXPECT_EQ(Terms(log), c.want_terms);
    EXPECT_TRUE(log.error().ok());
  }
}

TEST(RaftLogTest, OverwritingCommittedEntriesIsAnError) {
  MemoryStorage storage;
  RaftLog log(&storage, UINT64_MAX);
  log.Append(EntriesWithTerms({1, 2, 3}));
  log.CommitTo(2);
  EXPECT_FALSE(log.MaybeAppend(0, 0, 3, {Entry(1, 1), Entry(2, 5)}).has_value());
  EXPECT_EQ(Terms(log), (std::vector<TermId>{1, 2, 3}));
  EXPECT_FALSE(log.error().ok());
}

TEST(RaftLogTest, CommitPastTheEndIsClampedAndReported) {
  MemoryStorage storage;
  RaftLog log(&storage, UINT64_MAX);
  log.Append(EntriesWithTerms({1, 1}));
  log.CommitTo(5);
  EXPECT_EQ(log.committed(), 2u);
  EXPECT_FALSE(log.error().ok());
}

TEST(RaftLogTest, ViewSpansStorageAndUnstable) {
  MemoryStorage storage;
  ASSERT_TRUE(storage.Append(EntriesWithTerms({1, 1, 2})).ok());
  RaftLog log(&storage, UINT64_MAX);
  EXPECT_EQ(log.LastIndex(), 3u);
  log.Append({Entry(4, 3, "abcd"), Entry(5, 3, "efgh")});
  EXPECT_EQ(log.LastIndex(), 5u);
  EXPECT_EQ(*log.Term(2), 1u);
  EXPECT_EQ(*log.Term(5), 3u);
  EXPECT_EQ(*log.Term(6), 0u);
  std::vector<LogEntry> out;
  ASSERT_TRUE(log.Slice(2, 6, UINT64_MAX, &out).ok());
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out.front().index, 2u);
  EXPECT_EQ(out.back().index, 5u);
  // Size limit: "e3" (2 bytes) + "abcd" (4) fits 6 bytes; "efgh" does not.
  ASSERT_TRUE(log.Slice(3, 6, 6, &out).ok());
  EXPECT_EQ(out.size(), 2u);
  // At least one entry even when it alone is too big.
  ASSERT_TRUE(log.Slice(4, 6, 1, &out).ok());
  EXPECT_EQ(out.size(), 1u);
  EXPECT_TRUE(log.Slice(2, 7, UINT64_MAX, &out).IsInvalidArgument());
}

TEST(RaftLogTest, CompactedRangesAreNotFound) {
  MemoryStorage storage;
  ASSERT_TRUE(storage.Append(EntriesWithTerms({1, 1, 2, 2})).ok());
  ASSERT_TRUE(storage.CreateSnapshot(2, Voters({1}), "s").ok());
  ASSERT_TRUE(storage.Compact(2).ok());
  RaftLog log(&storage, UINT64_MAX);
  EXPECT_EQ(log.FirstIndex(), 3u);
  EXPECT_EQ(*log.Term(2), 1u);  // the snapshot's term is still known
  EXPECT_TRUE(log.Term(1).status().IsNotFound());
  std::vector<LogEntry> out;
  EXPECT_TRUE(log.Slice(2, 4, UINT64_MAX, &out).IsNotFound());
}

TEST(RaftLogTest, StableToIgnoresReplacedEntries) {
  MemoryStorage storage;
  RaftLog log(&storage, UINT64_MAX);
  log.Append({Entry(1, 1), Entry(2, 1)});
  log.Append({Entry(2, 2)});  // replaced before the caller persisted the first batch
  log.StableTo(2, 1);         // the old (2, 1) was persisted: nothing of ours is stable
  EXPECT_EQ(log.UnstableEntries().size(), 2u);
  log.StableTo(2, 2);
  EXPECT_TRUE(log.UnstableEntries().empty());
}

TEST(RaftLogTest, IsUpToDate) {
  MemoryStorage storage;
  RaftLog log(&storage, UINT64_MAX);
  log.Append(EntriesWithTerms({1, 2, 3}));
  EXPECT_TRUE(log.IsUpToDate(3, 3));
  EXPECT_TRUE(log.IsUpToDate(4, 3));
  EXPECT_TRUE(log.IsUpToDate(1, 4));
  EXPECT_FALSE(log.IsUpToDate(2, 3));
  EXPECT_FALSE(log.IsUpToDate(9, 2));
}

TEST(RaftLogTest, NextCommittedEntriesRespectAppliedAndSize) {
  MemoryStorage storage;
  RaftLog log(&storage, 4);  // "eN" entries are 2 bytes: two per batch
  log.Append(EntriesWithTerms({1, 1, 1, 1, 1}));
  log.CommitTo(5);
  log.AppliedTo(1);
  auto batch = log.NextCommittedEntries();
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[0].index, 2u);
  log.AppliedTo(3);
  batch = log.NextCommittedEntries();
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[0].index, 4u);
  log.AppliedTo(5);
  EXPECT_FALSE(log.HasNextCommittedEntries());
}

TEST(RaftLogTest, RestoreReplacesTheLog) {
  MemoryStorage storage;
  RaftLog log(&storage, UINT64_MAX);
  log.Append(EntriesWithTerms({1, 1}));
  log.Restore(Snapshot{SnapshotMetadata{10, 4, Voters({1, 2})}, "data"});
  EXPECT_EQ(log.FirstIndex(), 11u);
  EXPECT_EQ(log.LastIndex(), 10u);
  EXPECT_EQ(log.committed(), 10u);
  EXPECT_EQ(*log.Term(10), 4u);
  EXPECT_FALSE(log.HasNextCommittedEntries());  // the snapshot comes first
  EXPECT_EQ(log.configurations().Latest(), Voters({1, 2}));
}

// ---------------------------------------------------------------------------------------------
// ConfigurationHistory

LogEntry ConfigEntry(LogIndex index, const Configuration& c) {
  return Entry(index, 1, EncodeConfiguration(c), EntryType::kConfiguration);
}

TEST(ConfigurationHistoryTest, LatestFollowsAppendsAndTruncation) {
  ConfigurationHistory h;
  h.Reset(0, Voters({1}));
  ASSERT_TRUE(h.Append(ConfigEntry(3, Voters({1, 2}))).ok());
  ASSERT_TRUE(h.Append(Entry(4, 1, "command")).ok());
  ASSERT_TRUE(h.Append(ConfigEntry(5, Voters({1, 2, 3}))).ok());
  EXPECT_EQ(h.Latest(), Voters({1, 2, 3}));
  EXPECT_EQ(h.LatestIndex(), 5u);
  ASSERT_NE(h.Previous(), nullptr);
  EXPECT_EQ(*h.Previous(), Voters({1, 2}));
  h.Truncate(5);
  EXPECT_EQ(h.Latest(), Voters({1, 2}));
  h.Compact(4);  // index 3 is committed: the base can go
  EXPECT_EQ(h.Previous(), nullptr);
  h.Truncate(1);  // never below the newest committed configuration
  EXPECT_EQ(h.Latest(), Voters({1, 2}));
}

TEST(ConfigurationHistoryTest, BadPayloadIsCorruption) {
  ConfigurationHistory h;
  const uint64_t version = h.version();
  EXPECT_TRUE(h.Append(Entry(1, 1, "\xff", EntryType::kConfiguration)).IsCorruption());
  EXPECT_EQ(h.version(), version);
}

// ---------------------------------------------------------------------------------------------
// MemoryStorage

TEST(MemoryStorageTest, AppendTruncatesConflictsAndRejectsGaps) {
  MemoryStorage s;
  ASSERT_TRUE(s.Append(EntriesWithTerms({1, 1, 1})).ok());
  ASSERT_TRUE(s.Append({Entry(2, 2)}).ok());
  EXPECT_EQ(s.LastIndex(), 2u);
  EXPECT_EQ(*s.Term(2), 2u);
  EXPECT_TRUE(s.Append({Entry(4, 2)}).IsInvalidArgument());
  EXPECT_TRUE(s.Append({Entry(3, 2), Entry(5, 2)}).IsInvalidArgument());
}

TEST(MemoryStorageTest, SnapshotCompactAndBounds) {
  MemoryStorage s(Voters({1}));
  ASSERT_TRUE(s.Append(EntriesWithTerms({1, 1, 2, 2, 3})).ok());
  EXPECT_TRUE(s.Compact(2).IsInvalidArgument());  // no snapshot covers it yet
  EXPECT_TRUE(s.CreateSnapshot(6, Voters({1}), "x").IsInvalidArgument());
  ASSERT_TRUE(s.CreateSnapshot(3, Voters({1, 2}), "state").ok());
  ASSERT_TRUE(s.Compact(3).ok());
  EXPECT_EQ(s.FirstIndex(), 4u);
  EXPECT_EQ(s.LastIndex(), 5u);
  EXPECT_EQ(*s.Term(3), 2u);
  EXPECT_TRUE(s.Term(2).status().IsNotFound());
  EXPECT_EQ(s.Term(6).status().code(), Status::Code::kUnavailable);
  std::vector<LogEntry> out;
  EXPECT_TRUE(s.Entries(3, 5, UINT64_MAX, &out).IsNotFound());
  ASSERT_TRUE(s.Entries(4, 6, UINT64_MAX, &out).ok());
  EXPECT_EQ(out.size(), 2u);
  auto snap = s.GetSnapshot();
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->metadata, (SnapshotMetadata{3, 2, Voters({1, 2})}));
  auto initial = s.GetInitialState();
  ASSERT_TRUE(initial.ok());
  EXPECT_EQ(initial->configuration, Voters({1, 2}));
}

TEST(MemoryStorageTest, ApplySnapshotReplacesEverything) {
  MemoryStorage s;
  ASSERT_TRUE(s.Append(EntriesWithTerms({1, 1})).ok());
  ASSERT_TRUE(s.ApplySnapshot(Snapshot{SnapshotMetadata{7, 3, Voters({1})}, "d"}).ok());
  EXPECT_EQ(s.FirstIndex(), 8u);
  EXPECT_EQ(s.LastIndex(), 7u);
  EXPECT_EQ(*s.Term(7), 3u);
  EXPECT_EQ(s.ApplySnapshot(Snapshot{SnapshotMetadata{5, 3, Voters({1})}, "old"}).code(),
            Status::Code::kConflict);
  // Entries overlapping the snapshot are skipped, the rest appended.
  ASSERT_TRUE(s.Append({Entry(7, 3), Entry(8, 3)}).ok());
  EXPECT_EQ(s.LastIndex(), 8u);
}

}  // namespace
}  // namespace consulate::raft::core
