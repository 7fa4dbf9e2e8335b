#include "server/forward_codec.h"

#include <gtest/gtest.h>

namespace consulate::server {
namespace {

TEST(ForwardCodec, ApplyResultRoundTrips) {
  fsm::ApplyResult r;
  r.status = Status::Conflict("cas failed");
  r.ok = false;
  state::DirEntry e;
  e.key = "a/b";
  e.value = std::string("\0x", 2);
  e.flags = 42;
  e.session = "s";
  e.create_index = 3;
  e.modify_index = 9;
  e.lock_index = 1;
  r.txn.kv.push_back(e);
  r.txn.errors.push_back(state::TxnError{2, "key \"x\" does not exist"});
  fsm::ApplyResult out;
  ASSERT_TRUE(DecodeApplyResult(EncodeApplyResult(r), &out).ok());
  EXPECT_EQ(out.status.code(), Status::Code::kConflict);
  EXPECT_EQ(out.status.message(), "cas failed");
  EXPECT_FALSE(out.ok);
  ASSERT_EQ(out.txn.kv.size(), 1u);
  EXPECT_EQ(out.txn.kv[0], e);
  ASSERT_EQ(out.txn.errors.size(), 1u);
  EXPECT_EQ(out.txn.errors[0].op_index, 2u);
  EXPECT_EQ(out.txn.errors[0].what, "key \"x\" does not exist");
}

TEST(ForwardCodec, GarbageIsCorruptionNeverACrash) {
  const std::string good = EncodeApplyResult(fsm::ApplyResult{});
  for (size_t n = 0; n < good.size(); ++n) {
    fsm::ApplyResult out;
    EXPECT_TRUE(DecodeApplyResult(good.substr(0, n), &out).IsCorruption()) << n;
  }
  fsm::ApplyResult out;
  EXPECT_TRUE(DecodeApplyResult(good + "x", &out).IsCorruption());
  EXPECT_TRUE(DecodeApplyResult(std::string("\x63\x00\x01\x00\x00", 5), &out).IsCorruption());
  EXPECT_TRUE(DecodeStatus(EncodeStatus(Status::NotFound("gone"))).IsNotFound());
  EXPECT_TRUE(DecodeStatus("").IsCorruption());
}

}  // namespace
}  // namespace consulate::server
