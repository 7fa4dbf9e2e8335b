#include "raft/snapshot_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "temp_dir.h"

namespace consulate::raft {
namespace {

using testutil::ReadFileOrDie;
using testutil::TempDir;
using testutil::WriteFileOrDie;

SnapshotStore::Options NoSync() {
  SnapshotStore::Options o;
  o.sync = false;
  return o;
}

std::unique_ptr<SnapshotStore> OpenOrDie(const std::string& dir,
                                         const SnapshotStore::Options& o = NoSync()) {
  auto r = SnapshotStore::Open(dir, o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

SnapshotMeta Meta(uint64_t index, uint64_t term) {
  return SnapshotMeta{index, term, "config@" + std::to_string(index)};
}

std::string Data(uint64_t index) { return std::string(1000 + index, static_cast<char>(index)); }

std::vector<std::string> FileNames(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string SnapPath(const TempDir& dir, uint64_t index, uint64_t term) {
  char name[64];
  snprintf(name, sizeof(name), "%020llu-%020llu.snap", static_cast<unsigned long long>(index),
           static_cast<unsigned long long>(term));
  return dir.File(name);
}

TEST(SnapshotStoreTest, EmptyStoreHasNoSnapshot) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  auto latest = store->LoadLatest();
  ASSERT_TRUE(latest.ok());
  EXPECT_FALSE(latest->has_value());
}

TEST(SnapshotStoreTest, SaveAndLoad) {
  TempDir dir;
  auto store = OpenOrDie(dir.path(), SnapshotStore::Options{});  // with fsync
  ASSERT_TRUE(store->Save(Meta(10, 2), Data(10)).ok());
  store.reset();
  store = OpenOrDie(dir.path());
  auto latest = store->LoadLatest();
  ASSERT_TRUE(latest.ok());
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->meta, Meta(10, 2));
  EXPECT_EQ((*latest)->data, Data(10));
  EXPECT_EQ(FileNames(dir.path()),
            std::vector<std::string>{"00000000000000000010-00000000000000000002.snap"});
}

TEST(SnapshotStoreTest, EmptyDataAndConfiguration) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  ASSERT_TRUE(store->Save(SnapshotMeta{1, 1, ""}, "").ok());
  auto latest = store->LoadLatest();
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->meta, (SnapshotMeta{1, 1, ""}));
  EXPECT_EQ((*latest)->data, "");
}

TEST(SnapshotStoreTest, KeepsTheNewestTwo) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  for (uint64_t i : {10, 20, 30, 40}) ASSERT_TRUE(store->Save(Meta(i, i / 10), Data(i)).ok());
  auto list = store->List();
  ASSERT_TRUE(list.ok());
  const std::vector<std::pair<LogIndex, TermId>> want = {{40, 4}, {30, 3}};
  EXPECT_EQ(*list, want);
  EXPECT_EQ(FileNames(dir.path()).size(), 2u);
  auto latest = store->LoadLatest();
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->meta.index, 40u);
}

TEST(SnapshotStoreTest, RejectsIndexZero) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  EXPECT_TRUE(store->Save(Meta(0, 1), "x").IsInvalidArgument());
}

TEST(SnapshotStoreTest, StreamingWriter) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  auto writer = store->Create(Meta(77, 5));
  ASSERT_TRUE(writer.ok());
  std::string want;
  for (int i = 0; i < 2000; ++i) {
    const std::string chunk(static_cast<size_t>(i % 97), static_cast<char>('a' + i % 26));
    ASSERT_TRUE((*writer)->Append(chunk).ok());
    want += chunk;
  }
  const std::string big(3 << 20, 'Z');  // larger than the writer's buffer
  ASSERT_TRUE((*writer)->Append(big).ok());
  want += big;
  ASSERT_TRUE((*writer)->Append("end").ok());
  want += "end";
  EXPECT_EQ((*writer)->data_bytes(), want.size());
  // Not visible before Commit.
  auto before = store->LoadLatest();
  ASSERT_TRUE(before.ok());
  EXPECT_FALSE(before->has_value());
  ASSERT_TRUE((*writer)->Commit().ok());
  EXPECT_FALSE((*writer)->Commit().ok());
  auto latest = store->LoadLatest();
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->meta, Meta(77, 5));
  EXPECT_EQ((*latest)->data, want);
}

TEST(SnapshotStoreTest, AbandonedWriterLeavesNothing) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  {
    auto writer = store->Create(Meta(5, 1));
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Append("partial").ok());
  }
  EXPECT_TRUE(FileNames(dir.path()).empty());
  auto writer = store->Create(Meta(6, 1));
  ASSERT_TRUE(writer.ok());
  (*writer)->Abort();
  EXPECT_TRUE((*writer)->Append("x").IsInvalidArgument());
  EXPECT_TRUE(FileNames(dir.path()).empty());
}

TEST(SnapshotStoreTest, OpenDeletesTempFilesFromACrash) {
  TempDir dir;
  {
    auto store = OpenOrDie(dir.path());
    ASSERT_TRUE(store->Save(Meta(3, 1), Data(3)).ok());
  }
  WriteFileOrDie(dir.File("1234-0.snaptmp"), "half a snapshot");
  auto store = OpenOrDie(dir.path());
  EXPECT_EQ(FileNames(dir.path()),
            std::vector<std::string>{"00000000000000000003-00000000000000000001.snap"});
}

TEST(SnapshotStoreTest, CorruptNewestFallsBackToOlder) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  ASSERT_TRUE(store->Save(Meta(10, 1), Data(10)).ok());
  ASSERT_TRUE(store->Save(Meta(20, 2), Data(20)).ok());
  const std::string newest = SnapPath(dir, 20, 2);
  std::string contents = ReadFileOrDie(newest);
  contents[contents.size() / 2] ^= 0x01;
  WriteFileOrDie(newest, contents);

  std::vector<SkippedSnapshot> skipped;
  auto latest = store->LoadLatest(&skipped);
  ASSERT_TRUE(latest.ok());
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->meta, Meta(10, 1));
  EXPECT_EQ((*latest)->data, Data(10));
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_EQ(skipped[0].path, newest);
  EXPECT_TRUE(skipped[0].reason.IsCorruption());
  // Set aside, out of rotation.
  EXPECT_TRUE(std::filesystem::exists(newest + ".corrupt"));
  EXPECT_FALSE(std::filesystem::exists(newest));
  skipped.clear();
  ASSERT_TRUE(store->LoadLatest(&skipped).ok());
  EXPECT_TRUE(skipped.empty());
}

TEST(SnapshotStoreTest, TruncatedNewestFallsBack) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  ASSERT_TRUE(store->Save(Meta(10, 1), Data(10)).ok());
  ASSERT_TRUE(store->Save(Meta(20, 2), Data(20)).ok());
  const std::string newest = SnapPath(dir, 20, 2);
  WriteFileOrDie(newest, ReadFileOrDie(newest).substr(0, 100));
  auto latest = store->LoadLatest();
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->meta.index, 10u);
}

TEST(SnapshotStoreTest, RenamedFileIsNotTrusted) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  ASSERT_TRUE(store->Save(Meta(10, 1), Data(10)).ok());
  std::filesystem::rename(SnapPath(dir, 10, 1), SnapPath(dir, 11, 1));
  auto latest = store->LoadLatest();
  EXPECT_TRUE(latest.status().IsCorruption());
}

TEST(SnapshotStoreTest, AllCorruptIsAnError) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  ASSERT_TRUE(store->Save(Meta(10, 1), Data(10)).ok());
  WriteFileOrDie(SnapPath(dir, 10, 1), "nonsense");
  std::vector<SkippedSnapshot> skipped;
  EXPECT_TRUE(store->LoadLatest(&skipped).status().IsCorruption());
  EXPECT_EQ(skipped.size(), 1u);
}

TEST(SnapshotStoreTest, DecodeRejectsEveryTruncation) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  ASSERT_TRUE(store->Save(Meta(9, 3), "some state").ok());
  const std::string contents = ReadFileOrDie(SnapPath(dir, 9, 3));
  Snapshot snap;
  ASSERT_TRUE(DecodeSnapshotFile(contents, &snap).ok());
  for (size_t len = 0; len < contents.size(); ++len) {
    EXPECT_TRUE(DecodeSnapshotFile(contents.substr(0, len), &snap).IsCorruption()) << len;
  }
}

TEST(SnapshotStoreTest, WriterOnABackgroundThread) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  ASSERT_TRUE(store->Save(Meta(1, 1), Data(1)).ok());
  auto writer = store->Create(Meta(100, 2));
  ASSERT_TRUE(writer.ok());
  std::thread background([w = writer->get()] {
    for (int i = 0; i < 1000; ++i) EXPECT_TRUE(w->Append(std::string(1000, 'x')).ok());
    EXPECT_TRUE(w->Commit().ok());
  });
  for (int i = 0; i < 20; ++i) {
    auto latest = store->LoadLatest();
    ASSERT_TRUE(latest.ok() && latest->has_value());
    EXPECT_TRUE((*latest)->meta.index == 1 || (*latest)->meta.index == 100);
  }
  background.join();
  auto latest = store->LoadLatest();
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->meta.index, 100u);
  EXPECT_EQ((*latest)->data.size(), 1000u * 1000u);
}

}  // namespace
}  // namespace consulate::raft
