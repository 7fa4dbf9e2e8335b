#include "raft/stable_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "temp_dir.h"

namespace consulate::raft {
namespace {

using testutil::ReadFileOrDie;
using testutil::TempDir;
using testutil::WriteFileOrDie;

std::unique_ptr<StableStore> OpenOrDie(const std::string& dir) {
  auto r = StableStore::Open(dir, StableStore::Options{});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

TEST(StableStoreTest, FreshStoreIsZero) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  EXPECT_EQ(store->state(), HardState{});
}

TEST(StableStoreTest, SaveAndReopen) {
  TempDir dir;
  const HardState hs{7, "server-b1c2", 42};
  {
    auto store = OpenOrDie(dir.path());
    ASSERT_TRUE(store->Save(HardState{6, "a", 40}).ok());
    ASSERT_TRUE(store->Save(hs).ok());
    EXPECT_EQ(store->state(), hs);
  }
  auto store = OpenOrDie(dir.path());
  EXPECT_EQ(store->state(), hs);
  EXPECT_FALSE(std::filesystem::exists(dir.File("raft-state.tmp")));
}

TEST(StableStoreTest, TornTempFileIsIgnoredAndRemoved) {
  TempDir dir;
  const HardState hs{3, "node-1", 9};
  {
    auto store = OpenOrDie(dir.path());
    ASSERT_TRUE(store->Save(hs).ok());
  }
  // A crash while writing the next state: the temp file is half written.
  const std::string next = EncodeHardState(HardState{4, "node-2", 10});
  WriteFileOrDie(dir.File("raft-state.tmp"), next.substr(0, next.size() / 2));
  auto store = OpenOrDie(dir.path());
  EXPECT_EQ(store->state(), hs);
  EXPECT_FALSE(std::filesystem::exists(dir.File("raft-state.tmp")));
}

TEST(StableStoreTest, CorruptFileIsAnError) {
  TempDir dir;
  {
    auto store = OpenOrDie(dir.path());
    ASSERT_TRUE(store->Save(HardState{3, "node-1", 9}).ok());
  }
  std::string contents = ReadFileOrDie(dir.File("raft-state"));
  contents[10] ^= 0x04;
  WriteFileOrDie(dir.File("raft-state"), contents);
  EXPECT_TRUE(StableStore::Open(dir.path(), {}).status().IsCorruption());
}

TEST(StableStoreTest, DecodeRejectsEveryTruncationAndBitFlip) {
  const std::string good = EncodeHardState(HardState{123456789, "voter", 987654321});
  HardState hs;
  ASSERT_TRUE(DecodeHardState(good, &hs).ok());
  EXPECT_EQ(hs, (HardState{123456789, "voter", 987654321}));
  for (size_t len = 0; len < good.size(); ++len) {
    EXPECT_TRUE(DecodeHardState(good.substr(0, len), &hs).IsCorruption()) << len;
  }
  for (size_t bit = 0; bit < good.size() * 8; ++bit) {
    std::string bad = good;
    bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
    EXPECT_TRUE(DecodeHardState(bad, &hs).IsCorruption()) << bit;
  }
}

}  // namespace
}  // namespace consulate::raft
