// The wire encoding (message_codec.h) and the configuration encoding.
#include "raft/core/message_codec.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "base/coding.h"
#include "test_util.h"

namespace consulate::raft::core {
namespace {

using testing::Entry;
using testing::Msg;
using testing::Voters;

// One message of every type, with non-trivial field values.
std::vector<Message> Samples() {
  const SnapshotMetadata meta{1000, 7, Voters({1, 2, 3}, {9})};
  return {
      Msg(1, 2, 5, VoteRequest{300, 4, true}),
      Msg(2, 1, 5, VoteResponse{true}),
      Msg(3, 2, 6, PreVoteRequest{12, 3}),
      Msg(2, 3, 5, PreVoteResponse{false}),
      Msg(1, 2, 9,
          AppendEntriesRequest{
              41,
              8,
              {Entry(42, 9, "cmd"), Entry(43, 9, "", EntryType::kNoop),
               Entry(44, 9, EncodeConfiguration(Voters({1, 2})), EntryType::kConfiguration)},
              40}),
      Msg(1, 2, 9, AppendEntriesRequest{0, 0, {}, 0}),
      Msg(2, 1, 9, AppendEntriesResponse{41, true, 30, 6}),
      Msg(1, 3, 9, HeartbeatRequest{40, "read-1"}),
      Msg(3, 1, 9, HeartbeatResponse{"read-1"}),
      Msg(1, 4, 9, InstallSnapshotRequest{meta, 1 << 20, std::string(3000, 'z'), true}),
      Msg(4, 1, 9, InstallSnapshotResponse{1000, 4096, false, 0}),
      Msg(1, 2, 9, TimeoutNowRequest{}),
      Msg(2, 1, 9, ReadIndexRequest{"ctx"}),
      Msg(1, 2, 9, ReadIndexResponse{44, "ctx"}),
      Msg(UINT64_MAX, 1, UINT64_MAX, VoteRequest{UINT64_MAX, UINT64_MAX, false}),
  };
}

TEST(MessageCodecTest, EveryTypeRoundTrips) {
  for (const Message& m : Samples()) {
    const std::string bytes = EncodeMessage(m);
    Message decoded;
    ASSERT_TRUE(DecodeMessage(bytes, &decoded).ok()) << DescribeMessage(m);
    EXPECT_EQ(decoded, m) << DescribeMessage(m);
  }
}

TEST(MessageCodecTest, EveryTypeIsCovered) {
  std::set<size_t> types;
  for (const Message& m : Samples()) types.insert(m.body.index());
  EXPECT_EQ(types.size(), std::variant_size_v<MessageBody>);
}

TEST(MessageCodecTest, EncodingIsCompact) {
  // Heartbeats dominate idle traffic: a handful of bytes each.
  EXPECT_LE(EncodeMessage(Msg(1, 2, 3, HeartbeatRequest{100, ""})).size(), 6u);
  // Entry indices are implied by prev_log_index, not sent.
  const std::string one = EncodeMessage(Msg(1, 2, 3, AppendEntriesRequest{5, 3, {Entry(6, 3)}, 5}));
  EXPECT_LE(one.size(), 11u);
}

TEST(MessageCodecTest, EveryTruncationIsCorruption) {
  for (const Message& m : Samples()) {
    const std::string bytes = EncodeMessage(m);
    for (size_t n = 0; n < bytes.size(); ++n) {
      Message out = Msg(7, 7, 7, TimeoutNowRequest{});
      Status s = DecodeMessage(std::string_view(bytes).substr(0, n), &out);
      ASSERT_TRUE(s.IsCorruption()) << DescribeMessage(m) << " cut at " << n;
      EXPECT_EQ(out, Msg(7, 7, 7, TimeoutNowRequest{}));  // untouched on error
    }
  }
}

TEST(MessageCodecTest, TrailingBytesAreCorruption) {
  for (const Message& m : Samples()) {
    std::string bytes = EncodeMessage(m) + "x";
    Message out;
    EXPECT_TRUE(DecodeMessage(bytes, &out).IsCorruption()) << DescribeMessage(m);
  }
}

TEST(MessageCodecTest, InvalidFieldsAreCorruption) {
  Message out;
  // Unknown type byte.
  std::string bytes = EncodeMessage(Msg(1, 2, 3, TimeoutNowRequest{}));
  bytes[0] = static_cast<char>(std::variant_size_v<MessageBody>);
  EXPECT_TRUE(DecodeMessage(bytes, &out).IsCorruption());
  // A bool that is neither 0 nor 1.
  bytes = EncodeMessage(Msg(1, 2, 3, VoteResponse{true}));
  bytes.back() = 2;
  EXPECT_TRUE(DecodeMessage(bytes, &out).IsCorruption());
  // An unknown entry type.
  bytes = EncodeMessage(Msg(1, 2, 3, AppendEntriesRequest{0, 0, {Entry(1, 3, "")}, 0}));
  bytes[bytes.size() - 2] = static_cast<char>(kMaxEntryType + 1);
  EXPECT_TRUE(DecodeMessage(bytes, &out).IsCorruption());
  // An entry count far beyond what the bytes could hold must not allocate.
  bytes.clear();
  bytes.push_back(static_cast<char>(MessageBody(AppendEntriesRequest{}).index()));
  for (int i = 0; i < 6; ++i) PutVarint64(&bytes, 1);
  PutVarint64(&bytes, uint64_t{1} << 60);
  EXPECT_TRUE(DecodeMessage(bytes, &out).IsCorruption());
  // Entry indices that would wrap around.
  bytes = EncodeMessage(Msg(1, 2, 3, AppendEntriesRequest{UINT64_MAX, 1, {Entry(0, 3)}, 0}));
  EXPECT_TRUE(DecodeMessage(bytes, &out).IsCorruption());
}

TEST(MessageCodecTest, RandomBytesNeverCrash) {
  Prng prng(1234);
  int decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string bytes(prng.Uniform(40), '\0');
    for (char& c : bytes) c = static_cast<char>(prng.Next());
    if (!bytes.empty()) bytes[0] = static_cast<char>(prng.Uniform(14));
    Message out;
    Status s = DecodeMessage(bytes, &out);
    if (s.ok()) {
      ++decoded;
      Message again;  // whatever decodes, re-encodes to the same message
      ASSERT_TRUE(DecodeMessage(EncodeMessage(out), &again).ok());
      EXPECT_EQ(again, out);
    } else {
      EXPECT_TRUE(s.IsCorruption());
    }
  }
  EXPECT_GT(decoded, 0);
}

TEST(ConfigurationCodecTest, RoundTripAndValidation) {
  const Configuration c = Voters({1, 5, 300}, {2, 7});
  Configuration out;
  ASSERT_TRUE(DecodeConfiguration(EncodeConfiguration(c), &out).ok());
  EXPECT_EQ(out, c);
  ASSERT_TRUE(DecodeConfiguration(EncodeConfiguration(Configuration{}), &out).ok());
  EXPECT_TRUE(out.IsEmpty());
  auto encode = [](std::vector<uint64_t> voters, std::vector<uint64_t> learners) {
    std::string s;
    PutVarint64(&s, voters.size());
    for (uint64_t v : voters) PutVarint64(&s, v);
    PutVarint64(&s, learners.size());
    for (uint64_t v : learners) PutVarint64(&s, v);
    return s;
  };
  EXPECT_TRUE(DecodeConfiguration(encode({2, 1}, {}), &out).IsCorruption());  // unsorted
  EXPECT_TRUE(DecodeConfiguration(encode({1, 1}, {}), &out).IsCorruption());  // duplicate
  EXPECT_TRUE(DecodeConfiguration(encode({0}, {}), &out).IsCorruption());     // node 0
  EXPECT_TRUE(DecodeConfiguration(encode({1}, {1}), &out).IsCorruption());    // both
  EXPECT_TRUE(DecodeConfiguration(encode({1}, {}) + "x", &out).IsCorruption());
}

TEST(ConfigurationTest, ApplyConfChange) {
  using K = ConfChange::Kind;
  const Configuration c = Voters({1, 2}, {3});
  auto apply = [&](K kind, uint64_t id) {
    return ApplyConfChange(c, ConfChange{kind, NodeId(id)});
  };
  EXPECT_EQ(*apply(K::kAddVoter, 4), Voters({1, 2, 4}, {3}));
  EXPECT_EQ(*apply(K::kAddVoter, 3), Voters({1, 2, 3}));      // promote
  EXPECT_EQ(*apply(K::kAddLearner, 2), Voters({1}, {2, 3}));  // demote
  EXPECT_EQ(*apply(K::kRemoveNode, 3), Voters({1, 2}));
  EXPECT_EQ(*apply(K::kRemoveNode, 1), Voters({2}, {3}));
  EXPECT_TRUE(apply(K::kAddVoter, 1).status().IsInvalidArgument());
  EXPECT_TRUE(apply(K::kAddLearner, 3).status().IsInvalidArgument());
  EXPECT_TRUE(apply(K::kRemoveNode, 9).status().IsInvalidArgument());
  EXPECT_TRUE(ApplyConfChange(Voters({1}), ConfChange{K::kRemoveNode, NodeId(1)})
                  .status()
                  .IsInvalidArgument());
  Configuration bad{{NodeId(2), NodeId(1), NodeId(2)}, {NodeId(1)}};
  EXPECT_TRUE(bad.Normalize().IsInvalidArgument());
}

}  // namespace
}  // namespace consulate::raft::core
