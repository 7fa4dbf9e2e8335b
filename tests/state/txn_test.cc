#include <gtest/gtest.h>

#include "state/store.h"

namespace consulate::state {
namespace {

TxnKVOp Op(KVOp verb, std::string key, std::string value = "", uint64_t index = 0) {
  TxnKVOp op;
  op.verb = verb;
  op.entry.key = std::move(key);
  op.entry.value = std::move(value);
  op.entry.modify_index = index;
  return op;
}

TEST(TxnTest, AllOrNothing) {
  StateStore s;
  auto r = s.Txn(2, {Op(KVOp::kSet, "t/a", "1"), Op(KVOp::kSet, "t/b", "2")});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.kv.size(), 2u);
  EXPECT_EQ(r.kv[0].value, "");  // writes return the entry without its value
  EXPECT_EQ(r.kv[0].modify_index, 2u);

  r = s.Txn(3, {Op(KVOp::kSet, "t/c", "3"), Op(KVOp::kDelete, "t/b"), Op(KVOp::kCAS, "t/a", "9", 1),
                Op(KVOp::kGet, "zz")});
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].op_index, 2u);
  EXPECT_EQ(r.errors[0].what, "failed to set key \"t/a\", index is stale");
  EXPECT_EQ(r.errors[1].what, "key \"zz\" doesn't exist");
  EXPECT_TRUE(r.kv.empty());
  std::optional<DirEntry> e;
  EXPECT_EQ(s.KVSGet("t/c", &e, nullptr), 2u);  // index not moved by the failed txn
  EXPECT_FALSE(e);
  s.KVSGet("t/b", &e, nullptr);
  EXPECT_TRUE(e);  // the delete was rolled back
}

TEST(TxnTest, ReadsSeeEarlierWrites) {
  StateStore s;
  auto r =
      s.Txn(2, {Op(KVOp::kSet, "k", "v"), Op(KVOp::kGet, "k"), Op(KVOp::kCheckIndex, "k", "", 2)});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.kv.size(), 3u);
  EXPECT_EQ(r.kv[1].value, "v");
}

TEST(TxnTest, ReadOnly) {
  StateStore s;
  s.KVSSet(2, [] {
    DirEntry e;
    e.key = "a/1";
    e.value = "x";
    return e;
  }());
  TxnResult r;
  s.ReadTxn({Op(KVOp::kGetTree, "a/"), Op(KVOp::kCheckNotExists, "b")}, &r);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.kv.size(), 1u);
  TxnResult bad;
  s.ReadTxn({Op(KVOp::kCheckIndex, "a/1", "", 5)}, &bad);
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0].what, "failed index check for key \"a/1\", current modify index 2 != 5");
}

}  // namespace
}  // namespace consulate::state
