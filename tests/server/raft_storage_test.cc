// DiskStorage: what the Raft driver persists, read back after a reopen (the crash-restart path).
#include "raft/raft_storage.h"

#include <gtest/gtest.h>

#include "../raft/temp_dir.h"

namespace consulate::raft {
namespace {

using testutil::TempDir;

LogEntry E(LogIndex i, TermId t, std::string data = "x") {
  return LogEntry{i, t, EntryType::kCommand, std::move(data)};
}

std::unique_ptr<DiskStorage> OpenAt(const std::string& dir) {
  auto s = DiskStorage::Open(dir, DiskStorage::Options{});
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(*s) : nullptr;
}

TEST(DiskStorage, BootstrapEntriesAndHardStateSurviveReopen) {
  TempDir dir;
  {
    auto s = OpenAt(dir.path());
    ASSERT_TRUE(s->IsPristine());
    core::Configuration c;
    c.voters = {core::NodeId(1), core::NodeId(2), core::NodeId(3)};
    ASSERT_TRUE(s->Bootstrap(c).ok());
    EXPECT_FALSE(s->IsPristine());
    EXPECT_TRUE(s->Bootstrap(c).IsConflict());
    ASSERT_TRUE(s->Append({E(2, 2), E(3, 2), E(4, 2)}).ok());
    // A conflicting suffix is replaced.
    ASSERT_TRUE(s->Append({E(3, 3, "y")}).ok());
    ASSERT_TRUE(s->Sync().ok());
    ASSERT_TRUE(s->SetHardState(core::HardState{3, core::NodeId(2), 3}).ok());
  }
  auto s = OpenAt(dir.path());
  EXPECT_FALSE(s->IsPristine());
  EXPECT_EQ(s->FirstIndex(), 1u);
  EXPECT_EQ(s->LastIndex(), 3u);
  EXPECT_EQ(*s->Term(3), 3u);
  std::vector<LogEntry> out;
  ASSERT_TRUE(s->Entries(1, 4, UINT64_MAX, &out).ok());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].type, EntryType::kConfiguration);
  EXPECT_EQ(out[2].data, "y");
  auto init = s->GetInitialState();
  ASSERT_TRUE(init.ok());
  EXPECT_EQ(init->hard_state.term, 3u);
  EXPECT_EQ(init->hard_state.vote, core::NodeId(2));
}

// Entries just appended are served from memory; what they return must match what the log file
// returns after a reopen, through conflicting appends, compaction and the byte limit.
TEST(DiskStorage, RecentEntriesMatchTheLogFile) {
  TempDir dir;
  auto expect_range = [](DiskStorage* s, LogIndex lo, LogIndex hi, uint64_t max_bytes,
                         const std::vector<std::string>& want) {
    std::vector<LogEntry> out;
    ASSERT_TRUE(s->Entries(lo, hi, max_bytes, &out).ok());
    ASSERT_EQ(out.size(), want.size()) << lo << ".." << hi;
    for (size_t i = 0; i < out.size(); ++i) {
      EXPECT_EQ(out[i].index, lo + i);
      EXPECT_EQ(out[i].data, want[i]);
    }
  };
  {
    auto s = OpenAt(dir.path());
    core::Configuration c;
    c.voters = {core::NodeId(1)};
    ASSERT_TRUE(s->Bootstrap(c).ok());
    ASSERT_TRUE(s->Append({E(2, 1, "a"), E(3, 1, "b"), E(4, 1, "c")}).ok());
    expect_range(s.get(), 2, 5, UINT64_MAX, {"a", "b", "c"});
    expect_range(s.get(), 3, 4, UINT64_MAX, {"b"});
    expect_range(s.get(), 2, 5, 1, {"a"});  // at least one entry, however small the limit
    // A new leader replaces 3..4; the old copies must not be served.
    ASSERT_TRUE(s->Append({E(3, 2, "B"), E(4, 2, "C"), E(5, 2, "D")}).ok());
    expect_range(s.get(), 2, 6, UINT64_MAX, {"a", "B", "C", "D"});
    ASSERT_TRUE(s->Sync().ok());
    core::SnapshotMetadata meta;
    meta.index = 3;
    meta.term = 2;
    meta.configuration = c;
    ASSERT_TRUE(s->WriteSnapshot(meta, "snap").ok());
    ASSERT_TRUE(s->SnapshotWritten(meta).ok());
    ASSERT_TRUE(s->Compact(3).ok());
    std::vector<LogEntry> out;
    EXPECT_TRUE(s->Entries(3, 6, UINT64_MAX, &out).IsNotFound());
    expect_range(s.get(), 4, 6, UINT64_MAX, {"C", "D"});
  }
  auto s = OpenAt(dir.path());  // from the file only
  expect_range(s.get(), 4, 6, UINT64_MAX, {"C", "D"});
}

TEST(DiskStorage, SnapshotCompactionAndReopen) {
  TempDir dir;
  core::SnapshotMetadata meta;
  {
    auto s = OpenAt(dir.path());
    std::vector<LogEntry> es;
    for (LogIndex i = 1; i <= 100; ++i) es.push_back(E(i, 1 + i / 50));
    ASSERT_TRUE(s->Append(es).ok());
    ASSERT_TRUE(s->Sync().ok());
    meta.index = 80;
    meta.term = 2;
    meta.configuration.voters = {core::NodeId(7)};
    ASSERT_TRUE(s->WriteSnapshot(meta, "state-at-80").ok());
    ASSERT_TRUE(s->SnapshotWritten(meta).ok());
    EXPECT_TRUE(s->Compact(90).IsInvalidArgument());  // beyond the snapshot
    ASSERT_TRUE(s->Compact(70).ok());
    EXPECT_EQ(s->FirstIndex(), 71u);
    EXPECT_EQ(*s->Term(70), 2u);
    std::vector<LogEntry> out;
    EXPECT_TRUE(s->Entries(70, 72, UINT64_MAX, &out).IsNotFound());
    auto snap = s->GetSnapshot();
    ASSERT_TRUE(snap.ok());
    EXPECT_EQ(snap->data, "state-at-80");
  }
  auto s = OpenAt(dir.path());
  auto rec = s->TakeRecoveredSnapshot();
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->metadata, meta);
  EXPECT_EQ(rec->data, "state-at-80");
  EXPECT_EQ(s->LastIndex(), 100u);
  EXPECT_EQ(s->SnapshotIndex(), 80u);
  EXPECT_EQ(*s->Term(100), 3u);
  auto init = s->GetInitialState();
  EXPECT_EQ(init->configuration, meta.configuration);
}

TEST(DiskStorage, InstallSnapshotReplacesTheLog) {
  TempDir dir;
  {
    auto s = OpenAt(dir.path());
    ASSERT_TRUE(s->Append({E(1, 1), E(2, 1), E(3, 1)}).ok());
    core::Snapshot snap;
    snap.metadata.index = 10;
    snap.metadata.term = 4;
    snap.metadata.configuration.voters = {core::NodeId(1)};
    snap.data = "leader-state";
    ASSERT_TRUE(s->InstallSnapshot(snap).ok());
    EXPECT_EQ(s->FirstIndex(), 11u);
    EXPECT_EQ(s->LastIndex(), 10u);
    EXPECT_EQ(*s->Term(10), 4u);
    ASSERT_TRUE(s->Append({E(11, 4)}).ok());
    ASSERT_TRUE(s->Sync().ok());
  }
  auto s = OpenAt(dir.path());
  EXPECT_EQ(s->FirstIndex(), 11u);
  EXPECT_EQ(s->LastIndex(), 11u);
  EXPECT_EQ(s->TakeRecoveredSnapshot()->data, "leader-state");
}

TEST(MemoryRaftStorage, BootstrapAndSnapshot) {
  MemoryRaftStorage s;
  ASSERT_TRUE(s.IsPristine());
  core::Configuration c;
  c.voters = {core::NodeId(5)};
  ASSERT_TRUE(s.Bootstrap(c).ok());
  ASSERT_TRUE(s.Append({E(2, 2), E(3, 2)}).ok());
  core::SnapshotMetadata meta{3, 2, c};
  ASSERT_TRUE(s.WriteSnapshot(meta, "d").ok());
  ASSERT_TRUE(s.SnapshotWritten(meta).ok());
  ASSERT_TRUE(s.Compact(2).ok());
  EXPECT_EQ(s.SnapshotIndex(), 3u);
  EXPECT_EQ(s.GetSnapshot()->data, "d");
}

}  // namespace
}  // namespace consulate::raft
