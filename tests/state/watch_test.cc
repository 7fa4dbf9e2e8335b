#include <gtest/gtest.h>

#include "state/store.h"

namespace consulate::state {
namespace {

class CountingWaiter : public Waiter {
 public:
  void Fire() override { ++fired; }
  int fired = 0;
};

DirEntry Entry(std::string key) {
  DirEntry e;
  e.key = std::move(key);
  e.value = "v";
  return e;
}

TEST(WatchTest, WriteWakesOnlyItsKey) {
  StateStore s;
  auto a = std::make_shared<CountingWaiter>(), b = std::make_shared<CountingWaiter>();
  WatchSet wa, wb;
  wa.set_waiter(a);
  wb.set_waiter(b);
  std::optional<DirEntry> e;
  s.KVSGet("a", &e, &wa);
  s.KVSGet("b", &e, &wb);
  s.KVSSet(2, Entry("a"));
  EXPECT_EQ(a->fired, 1);
  EXPECT_EQ(b->fired, 0);
  s.KVSSet(3, Entry("a"));
  EXPECT_EQ(a->fired, 1);  // fired at most once
}

TEST(WatchTest, PrefixWatchCoversNewAndDeletedKeys) {
  StateStore s;
  auto w = std::make_shared<CountingWaiter>(), other = std::make_shared<CountingWaiter>();
  WatchSet ws, wo;
  ws.set_waiter(w);
  wo.set_waiter(other);
  std::vector<DirEntry> list;
  s.KVSList("app/", &list, &ws);
  s.KVSList("zzz/", &list, &wo);
  s.KVSSet(2, Entry("app/x/y"));
  EXPECT_EQ(w->fired, 1);
  EXPECT_EQ(other->fired, 0);
}

TEST(WatchTest, ClearedSetIsNotFired) {
  StateStore s;
  auto w = std::make_shared<CountingWaiter>();
  {
    WatchSet ws;
    ws.set_waiter(w);
    std::optional<DirEntry> e;
    s.KVSGet("a", &e, &ws);
    EXPECT_EQ(s.kv_watches().size(), 1u);
  }
  EXPECT_EQ(s.kv_watches().size(), 0u);
  s.KVSSet(2, Entry("a"));
  EXPECT_EQ(w->fired, 0);
}

TEST(WatchTest, FailedTxnWakesNobody) {
  StateStore s;
  auto w = std::make_shared<CountingWaiter>();
  WatchSet ws;
  ws.set_waiter(w);
  std::optional<DirEntry> e;
  s.KVSGet("a", &e, &ws);
  TxnKVOp set;
  set.entry = Entry("a");
  TxnKVOp get;
  get.verb = KVOp::kGet;
  get.entry.key = "missing";
  EXPECT_FALSE(s.Txn(2, {set, get}).ok());
  EXPECT_EQ(w->fired, 0);
}

}  // namespace
}  // namespace consulate::state
