#include <gtest/gtest.h>

#include "state/store.h"

namespace consulate::state {
namespace {

DirEntry Entry(std::string key, std::string value, uint64_t flags = 0) {
  DirEntry e;
  e.key = std::move(key);
  e.value = std::move(value);
  e.flags = flags;
  return e;
}

TEST(KVSTest, SetThenGetKeepsCreateIndex) {
  StateStore s;
  s.KVSSet(2, Entry("a", "1", 7));
  s.KVSSet(5, Entry("a", "2"));
  std::optional<DirEntry> e;
  EXPECT_EQ(s.KVSGet("a", &e, nullptr), 5u);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->value, "2");
  EXPECT_EQ(e->create_index, 2u);
  EXPECT_EQ(e->modify_index, 5u);
  EXPECT_EQ(e->flags, 0u);
}

TEST(KVSTest, MissingKeyReportsTableIndex) {
  StateStore s;
  s.KVSSet(3, Entry("a", "1"));
  std::optional<DirEntry> e;
  EXPECT_EQ(s.KVSGet("zz", &e, nullptr), 3u);
  EXPECT_FALSE(e);
}

TEST(KVSTest, CheckAndSet) {
  StateStore s;
  EXPECT_FALSE(s.KVSSetCAS(2, [] {
    auto e = Entry("k", "v");
    e.modify_index = 9;
    return e;
  }()));
  EXPECT_TRUE(s.KVSSetCAS(3, Entry("k", "v")));   // cas=0 creates
  EXPECT_FALSE(s.KVSSetCAS(4, Entry("k", "w")));  // cas=0 on an existing key fails
  auto e = Entry("k", "w");
  e.modify_index = 3;
  EXPECT_TRUE(s.KVSSetCAS(5, e));
  std::optional<DirEntry> got;
  s.KVSGet("k", &got, nullptr);
  EXPECT_EQ(got->value, "w");
  EXPECT_EQ(got->modify_index, 5u);
}

TEST(KVSTest, DeleteRaisesIndexAndLeavesTombstone) {
  StateStore s;
  s.KVSSet(2, Entry("p/a", "1"));
  s.KVSSet(3, Entry("p/b", "1"));
  std::vector<DirEntry> list;
  EXPECT_EQ(s.KVSList("p/", &list, nullptr), 3u);
  s.KVSDelete(7, "p/b");
  list.clear();
  // The prefix index comes from the tombstone: it does not go back to 2.
  EXPECT_EQ(s.KVSList("p/", &list, nullptr), 7u);
  EXPECT_EQ(list.size(), 1u);
  std::optional<DirEntry> e;
  EXPECT_EQ(s.KVSGet("p/b", &e, nullptr), 7u);
}

TEST(KVSTest, DeleteCasAndTree) {
  StateStore s;
  s.KVSSet(2, Entry("t/a", "1"));
  s.KVSSet(3, Entry("t/b/c", "1"));
  s.KVSSet(4, Entry("u", "1"));
  EXPECT_FALSE(s.KVSDeleteCAS(5, 99, "t/a"));
  EXPECT_TRUE(s.KVSDeleteCAS(6, 2, "t/a"));
  EXPECT_TRUE(s.KVSDeleteCAS(7, 2, "t/a"));  // already gone: Consul answers true
  s.KVSDeleteTree(8, "t/");
  EXPECT_EQ(s.KVSCount(), 1u);
}

TEST(KVSTest, ListKeysWithSeparator) {
  StateStore s;
  uint64_t i = 1;
  for (auto k : {"ts/other/x", "ts/test/age", "ts/test/sex", "ts/top", "tz"})
    s.KVSSet(++i, Entry(k, "v"));
  std::vector<std::string> keys;
  s.KVSListKeys("ts/", "/", &keys, nullptr);
  EXPECT_EQ(keys, (std::vector<std::string>{"ts/other/", "ts/test/", "ts/top"}));
  keys.clear();
  s.KVSListKeys("", "", &keys, nullptr);
  EXPECT_EQ(keys.size(), 5u);
}

TEST(KVSTest, SnapshotRoundTrip) {
  StateStore s;
  s.KVSSet(2, Entry("a", std::string("\0bin", 4), 3));
  s.KVSSet(3, Entry("b", ""));
  s.KVSDelete(4, "b");
  std::string snap = s.EncodeSnapshot();
  StateStore r;
  ASSERT_TRUE(r.RestoreSnapshot(snap).ok());
  std::optional<DirEntry> e;
  EXPECT_EQ(r.KVSGet("a", &e, nullptr), 4u);
  EXPECT_EQ(e->value, std::string("\0bin", 4));
  EXPECT_EQ(e->flags, 3u);
  EXPECT_EQ(r.LastIndex(), 4u);
  std::vector<DirEntry> list;
  EXPECT_EQ(r.KVSList("b", &list, nullptr), 4u);  // the tombstone survived
  // Any truncation is reported, never half-applied.
  for (size_t n = 0; n < snap.size(); ++n) {
    StateStore t;
    EXPECT_FALSE(t.RestoreSnapshot(snap.substr(0, n)).ok()) << n;
    EXPECT_EQ(t.KVSCount(), 0u);
  }
}

}  // namespace
}  // namespace consulate::state
