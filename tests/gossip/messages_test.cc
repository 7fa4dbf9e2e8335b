// memberlist messages against Go-codec goldens (testdata/gen_golden.go), and the packet and stream
// framing around them.
#include "gossip/messages.h"

#include <gtest/gtest.h>

#include <cstring>

#include "capture_util.h"
#include "gossip/crc32.h"
#include "gossip/packet.h"

// Designated initializers below name only the fields a case sets; the rest keep their defaults
// on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace consulate::gossip {
namespace {

using testing::ToHex;

const std::string kLocalhost("\x7f\x00\x00\x01", 4);
const std::string kVsn("\x01\x05\x02\x02\x05\x04", 6);

class GoldenTest : public ::testing::Test {
 protected:
  // Encodes m and expects Go's bytes; decodes Go's bytes and expects m back.
  template <typename M>
  void Check(const std::string& name, const M& m) {
    ASSERT_EQ(golden_.count(name), 1u) << name;
    const std::string& want = golden_[name];
    EXPECT_EQ(ToHex(EncodeMessage(m)), ToHex(want)) << name;
    ASSERT_EQ(static_cast<uint8_t>(want[0]), static_cast<uint8_t>(M::kType));
    M decoded;
    Status s = DecodeMessage(std::string_view(want).substr(1), &decoded);
    ASSERT_TRUE(s.ok()) << name << ": " << s.ToString();
    EXPECT_EQ(decoded, m) << name;
  }
  std::map<std::string, std::string> golden_ = testing::LoadGolden();
};

TEST_F(GoldenTest, Ping) {
  Check("ping", Ping{.seq_no = 7, .node = "node-b"});
  Check("ping_source", Ping{.seq_no = 70000,
                            .node = "node-b",
                            .source_addr = kLocalhost,
                            .source_port = 8301,
                            .source_node = "node-a"});
}

TEST_F(GoldenTest, IndirectPing) {
  Check("indirect_ping", IndirectPing{.seq_no = 300,
                                      .target = kLocalhost,
                                      .port = 8301,
                                      .node = "node-c",
                                      .nack = true,
                                      .source_addr = kLocalhost,
                                      .source_port = 8302,
                                      .source_node = "node-a"});
}

TEST_F(GoldenTest, AckNackErr) {
  Check("ack_nil", Ack{.seq_no = 9});
  Check("ack_payload", Ack{.seq_no = 9, .payload = "pong"});
  Check("nack", Nack{.seq_no = 4294967295u});
  Check("err", ErrResp{.error = "boom"});
}

TEST_F(GoldenTest, SuspectAliveDead) {
  Check("suspect", Suspect{.incarnation = 3, .node = "node-c", .from = "node-a"});
  Check("alive", Alive{.incarnation = 1,
                       .node = "node-a",
                       .addr = kLocalhost,
                       .port = 8301,
                       .meta = std::string("\xff\x81\xa4role\xa6"
                                           "consul"),
                       .vsn = kVsn});
  // A memberlist without a delegate sends nil Meta.
  Check("alive_nil_meta",
        Alive{.incarnation = 2, .node = "x", .addr = kLocalhost, .port = 7946, .vsn = kVsn});
  Check("dead", Dead{.incarnation = 5, .node = "node-c", .from = "node-c"});
}

TEST_F(GoldenTest, StreamHeaders) {
  Check("push_pull_header", PushPullHeader{.nodes = 2, .user_state_len = 1234, .join = true});
  Check("user_msg_header", UserMsgHeader{.user_msg_len = 70000});
  // pushNodeState has no type byte of its own.
  const PushNodeState n{.name = "node-a",
                        .addr = kLocalhost,
                        .port = 8301,
                        .meta = "m",
                        .incarnation = 1,
                        .state = NodeState::kLeft,
                        .vsn = kVsn};
  std::string out;
  msgpack::Writer w(&out);
  EncodeBody(n, &w);
  EXPECT_EQ(ToHex(out), ToHex(golden_["push_node_state"]));
  PushNodeState decoded;
  ASSERT_TRUE(DecodeMessage(golden_["push_node_state"], &decoded).ok());
  EXPECT_EQ(decoded, n);
}

TEST(MessagesTest, DecodeIgnoresUnknownFieldsAndKeepsMissingAtZero) {
  std::string body;
  msgpack::Writer w(&body);
  msgpack::StructWriter s(&w);
  s.Field("SeqNo").Uint(5);
  s.Field("FutureField").ArrayHeader(0);
  s.Finish();
  Ping p;
  p.node = "stale";
  ASSERT_TRUE(DecodeMessage(body, &p).ok());
  EXPECT_EQ(p.seq_no, 5u);
  EXPECT_EQ(p.node, "");  // reset, then missing
}

TEST(MessagesTest, DecodeRejectsWrongTypes) {
  std::string body;
  msgpack::Writer w(&body);
  msgpack::StructWriter s(&w);
  s.Field("SeqNo").Str("five");
  s.Finish();
  Ack a;
  EXPECT_TRUE(DecodeMessage(body, &a).IsCorruption());
  EXPECT_TRUE(DecodeMessage(std::string_view("\x93", 1), &a).IsCorruption());
  EXPECT_TRUE(DecodeMessage(std::string_view(), &a).IsCorruption());
}

// ----- Packets -----

TEST(PacketTest, CompoundLayoutAndSplit) {
  const std::vector<std::string> parts = {"abc", "", std::string(300, 'x')};
  std::string c = MakeCompound(parts);
  EXPECT_EQ(ToHex(c.substr(0, 8)),
            "0703"
            "0003"
            "0000"
            "012c");
  std::vector<std::string_view> split;
  int truncated = -1;
  ASSERT_TRUE(SplitCompound(std::string_view(c).substr(1), &split, &truncated).ok());
  EXPECT_EQ(truncated, 0);
  ASSERT_EQ(split.size(), 3u);
  EXPECT_EQ(split[0], "abc");
  EXPECT_EQ(split[1], "");
  EXPECT_EQ(split[2], parts[2]);
  // Cut the last part short: memberlist drops it and counts it.
  ASSERT_TRUE(SplitCompound(std::string_view(c).substr(1, c.size() - 2), &split, &truncated).ok());
  EXPECT_EQ(split.size(), 2u);
  EXPECT_EQ(truncated, 1);
  EXPECT_TRUE(SplitCompound("", &split, &truncated).IsCorruption());
  EXPECT_TRUE(SplitCompound(std::string_view("\x02\x00", 2), &split, &truncated).IsCorruption());
}

TEST(PacketTest, CrcWrapping) {
  const std::string msg = EncodeMessage(Ping{.seq_no = 1, .node = "n"});
  std::string wrapped = AddCrc(msg);
  ASSERT_EQ(wrapped.size(), msg.size() + 5);
  EXPECT_EQ(wrapped[0], static_cast<char>(MessageType::kHasCrc));
  const uint32_t crc = Crc32Ieee(msg);
  EXPECT_EQ(static_cast<uint8_t>(wrapped[1]), crc >> 24);  // big-endian
  EXPECT_EQ(static_cast<uint8_t>(wrapped[4]), crc & 0xff);
  auto ok = UnpackPacket(wrapped, {});
  ASSERT_TRUE(ok.ok());
  ASSERT_EQ(ok->messages.size(), 1u);
  EXPECT_EQ(ok->messages[0].type, MessageType::kPing);
  wrapped.back() ^= 0x40;
  EXPECT_TRUE(UnpackPacket(wrapped, {}).status().IsCorruption());
}

TEST(PacketTest, FullPipelineRoundTripsEveryLayer) {
  auto ring = Keyring::Create({}, std::string(16, 'k'));
  ASSERT_TRUE(ring.ok());
  std::vector<std::string> parts;
  parts.push_back(EncodeMessage(Ping{.seq_no = 1, .node = "b"}));
  parts.push_back(EncodeMessage(Suspect{.incarnation = 2, .node = "b", .from = "a"}));
  parts.push_back(EncodeUserMessage(std::string(200, 'u')));  // compressible
  const std::string compound = MakeCompound(parts);
  for (bool compress : {false, true}) {
    for (bool crc : {false, true}) {
      for (const Keyring* keyring :
           {static_cast<const Keyring*>(nullptr), static_cast<const Keyring*>(&*ring)}) {
        PacketWriteOptions w{.compress = compress, .add_crc = crc, .keyring = keyring};
        auto packet = EncodePacket(compound, w);
        ASSERT_TRUE(packet.ok());
        if (compress && !keyring && !crc) {
          EXPECT_EQ((*packet)[0], static_cast<char>(MessageType::kCompress));
        }
        auto unpacked = UnpackPacket(*packet, PacketReadOptions{.keyring = keyring});
        ASSERT_TRUE(unpacked.ok()) << unpacked.status().ToString();
        ASSERT_EQ(unpacked->messages.size(), 3u);
        EXPECT_EQ(unpacked->messages[0].type, MessageType::kPing);
        EXPECT_EQ(unpacked->messages[1].type, MessageType::kSuspect);
        EXPECT_EQ(unpacked->messages[2].type, MessageType::kUser);
        EXPECT_EQ(unpacked->messages[2].body, std::string(200, 'u'));
        Suspect s;
        ASSERT_TRUE(DecodeMessage(unpacked->messages[1].body, &s).ok());
        EXPECT_EQ(s.from, "a");
      }
    }
  }
}

TEST(PacketTest, CompressionIsKeptOnlyWhenSmaller) {
  const std::string small = EncodeMessage(Nack{.seq_no = 1});
  auto packet = EncodePacket(small, PacketWriteOptions{.compress = true});
  ASSERT_TRUE(packet.ok());
  EXPECT_EQ(*packet, small);
}

TEST(PacketTest, EncryptionVerifyIncoming) {
  auto ring = Keyring::Create({}, std::string(16, 'k'));
  ASSERT_TRUE(ring.ok());
  const std::string plain = EncodeMessage(Ping{.seq_no = 3, .node = "b"});
  // verify_incoming: plaintext is refused. Without it (rolling upgrade) it is read as plaintext.
  EXPECT_TRUE(UnpackPacket(plain, PacketReadOptions{.keyring = &*ring}).status().IsCorruption());
  auto relaxed =
      UnpackPacket(plain, PacketReadOptions{.keyring = &*ring, .verify_incoming = false});
  ASSERT_TRUE(relaxed.ok());
  EXPECT_EQ(relaxed->messages[0].type, MessageType::kPing);
  // Encryption version 0 (PKCS7) is still accepted.
  auto v0 = EncodePacket(plain, PacketWriteOptions{.keyring = &*ring, .encryption_version = 0});
  ASSERT_TRUE(v0.ok());
  EXPECT_EQ((*v0)[0], 0);
  auto unpacked = UnpackPacket(*v0, PacketReadOptions{.keyring = &*ring});
  ASSERT_TRUE(unpacked.ok());
  EXPECT_EQ(unpacked->messages[0].type, MessageType::kPing);
}

TEST(PacketTest, NestingAndEmptyAreRejected) {
  std::string msg = EncodeMessage(Nack{.seq_no = 1});
  for (int i = 0; i < kMaxPacketNesting + 2; ++i) msg = MakeCompound({msg});
  EXPECT_TRUE(UnpackPacket(msg, {}).status().IsCorruption());
  EXPECT_TRUE(UnpackPacket("", {}).status().IsCorruption());
  // A compound holding an empty part.
  EXPECT_TRUE(UnpackPacket(MakeCompound({""}), {}).status().IsCorruption());
}

// ----- Streams -----

PushPull SamplePushPull() {
  PushPull pp;
  pp.join = true;
  pp.nodes.push_back(PushNodeState{.name = "a",
                                   .addr = kLocalhost,
                                   .port = 7946,
                                   .meta = "\xff\x80",
                                   .incarnation = 1,
                                   .state = NodeState::kAlive,
                                   .vsn = kVsn});
  pp.nodes.push_back(PushNodeState{.name = "b",
                                   .addr = kLocalhost,
                                   .port = 7947,
                                   .incarnation = 4,
                                   .state = NodeState::kDead,
                                   .vsn = kVsn});
  pp.user_state = "\x02serf state";
  return pp;
}

TEST(StreamTest, PlainPushPullArrivesInPieces) {
  const PushPull pp = SamplePushPull();
  const std::string msg = EncodePushPull(pp);
  auto framed = EncodeStream(msg, {});
  ASSERT_TRUE(framed.ok());
  EXPECT_EQ(*framed, msg);
  const std::string buffer = *framed + "next";
  // Every proper prefix asks for more; the whole message is consumed exactly.
  for (size_t n = 0; n < msg.size(); ++n) {
    StreamMessage out;
    size_t consumed = 99;
    ASSERT_TRUE(ReadStreamMessage(std::string_view(buffer).substr(0, n), {}, &out, &consumed).ok())
        << n;
    EXPECT_EQ(consumed, 0u) << n;
  }
  StreamMessage out;
  size_t consumed = 0;
  ASSERT_TRUE(ReadStreamMessage(buffer, {}, &out, &consumed).ok());
  EXPECT_EQ(consumed, msg.size());
  EXPECT_EQ(out.type, MessageType::kPushPull);
  PushPull decoded;
  ASSERT_TRUE(DecodePushPull(out.body, &decoded).ok());
  EXPECT_EQ(decoded, pp);
}

TEST(StreamTest, CompressedAndEncryptedStreams) {
  auto ring = Keyring::Create({}, std::string(32, 'K'));
  ASSERT_TRUE(ring.ok());
  const PushPull pp = SamplePushPull();
  for (bool compress : {false, true}) {
    for (int version : {0, 1}) {
      StreamWriteOptions w{.compress = compress, .keyring = &*ring, .encryption_version = version};
      auto framed = EncodeStream(EncodePushPull(pp), w);
      ASSERT_TRUE(framed.ok());
      EXPECT_EQ((*framed)[0], static_cast<char>(MessageType::kEncrypt));
      StreamMessage out;
      size_t consumed = 0;
      // The 5-byte header alone, then all but one byte: need more.
      ASSERT_TRUE(ReadStreamMessage(std::string_view(*framed).substr(0, 5), {.keyring = &*ring},
                                    &out, &consumed)
                      .ok());
      EXPECT_EQ(consumed, 0u);
      ASSERT_TRUE(ReadStreamMessage(std::string_view(*framed).substr(0, framed->size() - 1),
                                    {.keyring = &*ring}, &out, &consumed)
                      .ok());
      EXPECT_EQ(consumed, 0u);
      ASSERT_TRUE(ReadStreamMessage(*framed, {.keyring = &*ring}, &out, &consumed).ok());
      EXPECT_EQ(consumed, framed->size());
      PushPull decoded;
      ASSERT_TRUE(DecodePushPull(out.body, &decoded).ok());
      EXPECT_EQ(decoded, pp);
      // A flipped nonce bit fails authentication.
      std::string tampered = *framed;
      tampered[10] ^= 1;
      EXPECT_TRUE(ReadStreamMessage(tampered, {.keyring = &*ring}, &out, &consumed).IsCorruption());
    }
  }
}

TEST(StreamTest, StreamPolicyErrors) {
  auto ring = Keyring::Create({}, std::string(16, 'k'));
  ASSERT_TRUE(ring.ok());
  const std::string plain = EncodeMessage(Ping{.seq_no = 1, .node = "a"});
  StreamMessage out;
  size_t consumed = 0;
  EXPECT_TRUE(ReadStreamMessage(plain, {.keyring = &*ring}, &out, &consumed).IsCorruption());
  ASSERT_TRUE(
      ReadStreamMessage(plain, {.keyring = &*ring, .verify_incoming = false}, &out, &consumed)
          .ok());
  EXPECT_EQ(out.type, MessageType::kPing);
  // Frame length over the limit.
  const std::string huge("\x0a\x7f\xff\xff\xff", 5);
  EXPECT_TRUE(ReadStreamMessage(huge, {.keyring = &*ring}, &out, &consumed).IsTooLarge());
  // Types that never travel alone on a stream.
  EXPECT_TRUE(ReadStreamMessage(EncodeMessage(Suspect{}), {}, &out, &consumed).IsCorruption());
  // Negative counts.
  std::string bad(1, '\x06');
  msgpack::Writer w(&bad);
  EncodeBody(PushPullHeader{.nodes = -1}, &w);
  EXPECT_TRUE(ReadStreamMessage(bad, {}, &out, &consumed).IsCorruption());
}

TEST(StreamTest, UserMessageStream) {
  const std::string payload = std::string("\x03serf event", 11);
  const std::string msg = EncodeUserStream(payload);
  StreamMessage out;
  size_t consumed = 0;
  ASSERT_TRUE(ReadStreamMessage(msg, {}, &out, &consumed).ok());
  EXPECT_EQ(consumed, msg.size());
  EXPECT_EQ(out.type, MessageType::kUser);
  std::string got;
  ASSERT_TRUE(DecodeUserStream(out.body, &got).ok());
  EXPECT_EQ(got, payload);
  EXPECT_TRUE(DecodeUserStream(std::string_view(out.body).substr(0, out.body.size() - 1), &got)
                  .IsCorruption());
}

TEST(StreamTest, DecodePushPullChecksCounts) {
  std::string msg = EncodePushPull(SamplePushPull());
  PushPull pp;
  // Drop part of the user state.
  EXPECT_TRUE(DecodePushPull(std::string_view(msg).substr(1, msg.size() - 3), &pp).IsCorruption());
  // A header claiming a billion nodes.
  std::string liar;
  msgpack::Writer w(&liar);
  EncodeBody(PushPullHeader{.nodes = 1'000'000'000}, &w);
  EXPECT_TRUE(DecodePushPull(liar, &pp).IsCorruption());
}

}  // namespace
}  // namespace consulate::gossip
