// Golden packets: traffic captured between two stock serf 0.9.4 agents (memberlist 0.2.2, Go
// codec defaults) on loopback, see testdata/serf094_*.txt. Every packet must decode; every message
// whose Go encoding is deterministic (no Go map inside) must re-encode byte-identically; Go's LZW
// and AES-GCM output must be reproduced exactly from the same input and nonce.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <set>
#include <string>

#include "capture_util.h"
#include "gossip/crypto.h"
#include "gossip/lzw.h"
#include "gossip/messages.h"
#include "gossip/packet.h"
#include "gossip/serf_messages.h"

namespace consulate::gossip {
namespace {

using testing::CapturedPacket;
using testing::FromHex;
using testing::LoadCapture;
using testing::ToHex;

const std::string kKey16 = FromHex("000102030405060708090a0b0c0d0e0f");
std::string Key32() {
  std::string k;
  for (int i = 100; i < 132; ++i) k.push_back(static_cast<char>(i));
  return k;
}

// What a capture contained, for assertions after walking it.
struct Seen {
  std::map<std::string, int> kinds;
  std::vector<serf::UserEventMessage> events;
  std::vector<serf::QueryMessage> queries;
  std::vector<serf::QueryResponseMessage> responses;
  std::vector<serf::KeyResponse> key_responses;
  std::vector<serf::LeaveIntent> leaves;
  std::vector<Dead> deads;
  std::vector<Alive> alives;
  std::vector<serf::Coordinate> coordinates;
  std::vector<serf::Filter> filters;
  std::vector<PushPull> push_pulls;
  std::vector<serf::SerfPushPull> serf_push_pulls;
};

// Decodes `body` as M, re-encodes it and expects Go's exact bytes back.
template <typename M>
M ExpectIdentical(MessageType type, std::string_view body) {
  M m;
  EXPECT_TRUE(DecodeMessage(body, &m).ok()) << ToHex(body);
  std::string want(1, static_cast<char>(type));
  want.append(body);
  EXPECT_EQ(ToHex(EncodeMessage(m)), ToHex(want));
  return m;
}

template <typename M>
M ExpectSerfIdentical(std::string_view msg) {
  M m;
  EXPECT_TRUE(serf::DecodeSerfMessage(msg.substr(1), &m).ok()) << ToHex(msg);
  EXPECT_EQ(ToHex(serf::EncodeSerfMessage(m)), ToHex(msg));
  return m;
}

void CheckSerfMessage(std::string_view msg, Seen* seen) {
  ASSERT_FALSE(msg.empty());
  const auto type = static_cast<serf::SerfMessageType>(msg[0]);
  switch (type) {
    case serf::SerfMessageType::kJoin:
      ExpectSerfIdentical<serf::JoinIntent>(msg);
      seen->kinds["serf.join"]++;
      return;
    case serf::SerfMessageType::kLeave:
      seen->leaves.push_back(ExpectSerfIdentical<serf::LeaveIntent>(msg));
      seen->kinds["serf.leave"]++;
      return;
    case serf::SerfMessageType::kUserEvent:
      seen->events.push_back(ExpectSerfIdentical<serf::UserEventMessage>(msg));
      seen->kinds["serf.event"]++;
      return;
    case serf::SerfMessageType::kQuery: {
      auto q = ExpectSerfIdentical<serf::QueryMessage>(msg);
      for (const auto& f : q.filters) {
        serf::Filter filter;
        ASSERT_TRUE(serf::DecodeFilter(f, &filter).ok()) << ToHex(f);
        EXPECT_EQ(serf::EncodeFilter(filter), f);  // one node or one tag: deterministic
        seen->filters.push_back(filter);
      }
      seen->queries.push_back(std::move(q));
      seen->kinds["serf.query"]++;
      return;
    }
    case serf::SerfMessageType::kQueryResponse: {
      auto r = ExpectSerfIdentical<serf::QueryResponseMessage>(msg);
      if (!r.payload.empty() && static_cast<serf::SerfMessageType>(r.payload.view()[0]) ==
                                    serf::SerfMessageType::kKeyResponse) {
        seen->key_responses.push_back(ExpectSerfIdentical<serf::KeyResponse>(r.payload.view()));
      }
      seen->responses.push_back(std::move(r));
      seen->kinds["serf.query_response"]++;
      return;
    }
    case serf::SerfMessageType::kRelay: {
      serf::RelayHeader header;
      std::string_view inner;
      ASSERT_TRUE(serf::DecodeRelay(msg.substr(1), &header, &inner).ok());
      EXPECT_EQ(serf::EncodeRelay(header, inner), msg);
      seen->kinds["serf.relay"]++;
      return CheckSerfMessage(inner, seen);
    }
    default:
      ADD_FAILURE() << "unexpected serf message type " << static_cast<int>(type) << " "
                    << ToHex(msg);
  }
}

void CheckMessage(const PacketMessage& m, Seen* seen) {
  switch (m.type) {
    case MessageType::kPing: {
      auto p = ExpectIdentical<Ping>(m.type, m.body);
      EXPECT_TRUE(p.node == "a" || p.node == "b") << p.node;
      seen->kinds["ping"]++;
      return;
    }
    case MessageType::kIndirectPing:
      ExpectIdentical<IndirectPing>(m.type, m.body);
      seen->kinds["indirect_ping"]++;
      return;
    case MessageType::kAck: {
      auto ack = ExpectIdentical<Ack>(m.type, m.body);
      serf::Coordinate c;
      ASSERT_TRUE(serf::DecodeAckPayload(ack.payload, &c).ok());
      EXPECT_EQ(serf::EncodeAckPayload(c), ack.payload.str());
      seen->coordinates.push_back(c);
      seen->kinds["ack"]++;
      return;
    }
    case MessageType::kNack:
      ExpectIdentical<Nack>(m.type, m.body);
      seen->kinds["nack"]++;
      return;
    case MessageType::kSuspect:
      ExpectIdentical<Suspect>(m.type, m.body);
      seen->kinds["suspect"]++;
      return;
    case MessageType::kAlive:
      seen->alives.push_back(ExpectIdentical<Alive>(m.type, m.body));
      seen->kinds["alive"]++;
      return;
    case MessageType::kDead:
      seen->deads.push_back(ExpectIdentical<Dead>(m.type, m.body));
      seen->kinds["dead"]++;
      return;
    case MessageType::kUser:
      seen->kinds["user"]++;
      return CheckSerfMessage(m.body, seen);
    default:
      ADD_FAILURE() << "unexpected message type " << static_cast<int>(m.type);
  }
}

void CheckPushPull(const StreamMessage& msg, Seen* seen) {
  ASSERT_EQ(msg.type, MessageType::kPushPull);
  PushPull pp;
  ASSERT_TRUE(DecodePushPull(msg.body, &pp).ok());
  // pushNodeState is map-free: the whole memberlist part re-encodes byte-identically.
  std::string reencoded = EncodePushPull(pp);
  EXPECT_EQ(ToHex(reencoded), ToHex(std::string(1, '\x06') + msg.body));
  serf::SerfPushPull spp;
  ASSERT_FALSE(pp.user_state.empty());
  ASSERT_EQ(static_cast<serf::SerfMessageType>(pp.user_state[0]), serf::SerfMessageType::kPushPull);
  ASSERT_TRUE(serf::DecodeSerfMessage(std::string_view(pp.user_state).substr(1), &spp).ok());
  // StatusLTimes is a Go map (random order), so compare decoded values after our re-encoding.
  serf::SerfPushPull again;
  ASSERT_TRUE(
      serf::DecodeSerfMessage(std::string_view(serf::EncodeSerfMessage(spp)).substr(1), &again)
          .ok());
  EXPECT_EQ(again, spp);
  seen->push_pulls.push_back(std::move(pp));
  seen->serf_push_pulls.push_back(std::move(spp));
  seen->kinds["push_pull"]++;
}

Seen WalkCapture(const std::string& file, const Keyring* keyring) {
  Seen seen;
  auto packets = LoadCapture(file);
  EXPECT_GT(packets.size(), 60u);
  for (const auto& p : packets) {
    if (p.tcp) {
      StreamReadOptions options;
      options.keyring = keyring;
      StreamMessage msg;
      size_t consumed = 0;
      Status s = ReadStreamMessage(p.data, options, &msg, &consumed);
      EXPECT_TRUE(s.ok()) << s.ToString();
      EXPECT_EQ(consumed, p.data.size()) << "each captured segment holds one whole message";
      if (s.ok() && consumed > 0) CheckPushPull(msg, &seen);
      continue;
    }
    PacketReadOptions options;
    options.keyring = keyring;
    auto unpacked = UnpackPacket(p.data, options);
    EXPECT_TRUE(unpacked.ok()) << unpacked.status().ToString() << " " << ToHex(p.data);
    if (!unpacked.ok()) continue;
    EXPECT_EQ(unpacked->truncated, 0);
    const std::string_view plain = p.data;
    if (keyring == nullptr) {
      // Record the wrappers stock serf used.
      if (plain[0] == static_cast<char>(MessageType::kHasCrc)) seen.kinds["crc"]++;
      const char inner = plain[0] == static_cast<char>(MessageType::kHasCrc) ? plain[5] : plain[0];
      if (inner == static_cast<char>(MessageType::kCompound)) seen.kinds["compound"]++;
      if (inner == static_cast<char>(MessageType::kCompress)) seen.kinds["compress"]++;
    }
    for (const auto& m : unpacked->messages) CheckMessage(m, &seen);
  }
  return seen;
}

void ExpectScenario(const Seen& seen) {
  for (const char* kind : {"ping", "ack", "alive", "dead", "user", "serf.event", "serf.query",
                           "serf.query_response", "serf.leave", "push_pull"}) {
    EXPECT_GT(seen.kinds.count(kind), 0u) << "no " << kind << " in the capture";
  }
  // The join: b pushes its state to a (join=true) and a answers with the cluster's.
  ASSERT_GE(seen.push_pulls.size(), 2u);
  const PushPull& from_b = seen.push_pulls[0];
  EXPECT_TRUE(from_b.join);
  ASSERT_EQ(from_b.nodes.size(), 1u);
  EXPECT_EQ(from_b.nodes[0].name, "b");
  EXPECT_EQ(from_b.nodes[0].port, 7947);
  EXPECT_EQ(from_b.nodes[0].addr.str(), std::string("\x7f\x00\x00\x01", 4));
  EXPECT_EQ(from_b.nodes[0].state, NodeState::kAlive);
  // Vsn: pmin 1, pmax 5, pcur 2 (serf asks memberlist for protocol 2); serf protocol 2..5, 5.
  EXPECT_EQ(from_b.nodes[0].vsn.str(), std::string("\x01\x05\x02\x02\x05\x05", 6));
  std::map<std::string, std::string> tags;
  ASSERT_TRUE(serf::DecodeTags(from_b.nodes[0].meta, &tags).ok());
  EXPECT_EQ(tags, (std::map<std::string, std::string>{{"role", "db"}}));
  EXPECT_EQ(serf::EncodeTags(tags), from_b.nodes[0].meta.str());  // one tag: deterministic
  EXPECT_EQ(seen.serf_push_pulls[0].status_ltimes.count("b"), 1u);
  EXPECT_EQ(seen.serf_push_pulls[0].events.size(), 512u) << "serf sends its whole event buffer";

  const PushPull& from_a = seen.push_pulls[1];
  EXPECT_TRUE(from_a.join) << "the answer echoes the initiator's join flag (handleConn)";
  bool found_a = false;
  for (const auto& n : from_a.nodes) {
    if (n.name != "a") continue;
    found_a = true;
    ASSERT_TRUE(serf::DecodeTags(n.meta, &tags).ok());
    EXPECT_EQ(tags, (std::map<std::string, std::string>{{"role", "web"}, {"dc", "dc1"}}));
  }
  EXPECT_TRUE(found_a);

  // User events: one with a payload, one without.
  bool deploy = false, empty = false;
  for (const auto& e : seen.events) {
    if (e.name == "deploy") {
      deploy = true;
      EXPECT_EQ(e.payload.str(), "v1.2.3");
      EXPECT_TRUE(e.cc);
    }
    if (e.name == "empty") {
      empty = true;
      // serf's RPC layer hands an empty payload over as a nil slice: msgpack nil on the wire,
      // which must come back out as nil for the re-encoding above to match.
      EXPECT_TRUE(e.payload.is_nil());
      EXPECT_FALSE(e.cc);
    }
  }
  EXPECT_TRUE(deploy);
  EXPECT_TRUE(empty);

  // The query and a's answer; acks carry a nil payload.
  bool uptime = false, tagged = false;
  for (const auto& q : seen.queries) {
    if (q.name == "uptime") {
      uptime = true;
      EXPECT_EQ(q.payload.str(), "hello");
      EXPECT_EQ(q.source_node, "a");
      EXPECT_EQ(q.port, 7946);
      EXPECT_EQ(q.timeout_ns, 2'000'000'000);
      EXPECT_TRUE(q.filters.empty());
    }
    if (q.name == "tagged") {
      tagged = true;
      EXPECT_EQ(q.filters.size(), 2u);
    }
  }
  EXPECT_TRUE(uptime);
  EXPECT_TRUE(tagged);
  bool saw_node_filter = false, saw_tag_filter = false;
  for (const auto& f : seen.filters) {
    if (const auto* n = std::get_if<serf::NodeFilter>(&f)) {
      saw_node_filter = n->nodes == std::vector<std::string>{"b"};
    } else {
      const auto& t = std::get<serf::TagFilter>(f);
      saw_tag_filter = t.tag == "role" && t.expr == "db";
    }
  }
  EXPECT_TRUE(saw_node_filter);
  EXPECT_TRUE(saw_tag_filter);
  bool ack = false, answer = false;
  for (const auto& r : seen.responses) {
    if (r.flags & serf::kQueryFlagAck) {
      ack = true;
      EXPECT_TRUE(r.payload.is_nil());
    } else if (r.from == "a" && r.payload.view().starts_with("up")) {
      answer = true;
    }
  }
  EXPECT_TRUE(ack);
  EXPECT_TRUE(answer) << "a's event handler answered 'up'";

  // b leaves: its leave intent, then memberlist's dead message about itself.
  bool leave_b = false, dead_b = false;
  for (const auto& l : seen.leaves) leave_b |= l.node == "b" && !l.prune;
  for (const auto& d : seen.deads) dead_b |= d.node == "b" && d.from == "b";
  EXPECT_TRUE(leave_b);
  EXPECT_TRUE(dead_b);

  // Serf's Vivaldi coordinates: 8 dimensions.
  ASSERT_FALSE(seen.coordinates.empty());
  for (const auto& c : seen.coordinates) EXPECT_EQ(c.vec.size(), 8u);
}

TEST(SerfCaptureTest, PlainPacketsDecodeAndReencodeIdentically) {
  Seen seen = WalkCapture("serf094_plain.txt", nullptr);
  ExpectScenario(seen);
  // Stock serf wraps gossip in CRC packets (peer pmax 5), batches into compounds and compresses.
  EXPECT_GT(seen.kinds["crc"], 0);
  EXPECT_GT(seen.kinds["compound"], 0);
  EXPECT_GT(seen.kinds["compress"], 0);
}

TEST(SerfCaptureTest, EncryptedAes128PacketsDecrypt) {
  auto ring = Keyring::Create({}, kKey16);
  ASSERT_TRUE(ring.ok());
  Seen seen = WalkCapture("serf094_enc16.txt", &*ring);
  ExpectScenario(seen);
  // 'serf keys -list': every member answers with the installed keys, base64.
  ASSERT_FALSE(seen.key_responses.empty());
  for (const auto& kr : seen.key_responses) {
    EXPECT_TRUE(kr.result);
    EXPECT_EQ(kr.keys, std::vector<std::string>{"AAECAwQFBgcICQoLDA0ODw=="});
  }
  bool list_query = false;
  for (const auto& q : seen.queries) list_query |= q.name == "_serf_list-keys";
  EXPECT_TRUE(list_query);
}

TEST(SerfCaptureTest, EncryptedAes256PacketsDecrypt) {
  auto ring = Keyring::Create({}, Key32());
  ASSERT_TRUE(ring.ok());
  ExpectScenario(WalkCapture("serf094_enc32.txt", &*ring));
}

TEST(SerfCaptureTest, SecondaryKeyDecryptsAndWrongKeyIsRefused) {
  auto packets = LoadCapture("serf094_enc16.txt");
  const std::string other(16, 'x');
  auto rotating = Keyring::Create({kKey16}, other);  // the capture's key is not primary
  auto wrong = Keyring::Create({}, other);
  ASSERT_TRUE(rotating.ok() && wrong.ok());
  int udp = 0;
  for (const auto& p : packets) {
    if (p.tcp) {
      StreamMessage msg;
      size_t consumed = 0;
      StreamReadOptions ok_options{&*rotating};
      EXPECT_TRUE(ReadStreamMessage(p.data, ok_options, &msg, &consumed).ok());
      StreamReadOptions bad_options{&*wrong};
      EXPECT_TRUE(ReadStreamMessage(p.data, bad_options, &msg, &consumed).IsCorruption());
      StreamReadOptions none;
      EXPECT_FALSE(ReadStreamMessage(p.data, none, &msg, &consumed).ok())
          << "encrypted but no keyring";
      continue;
    }
    ++udp;
    EXPECT_TRUE(UnpackPacket(p.data, PacketReadOptions{&*rotating}).ok());
    auto refused = UnpackPacket(p.data, PacketReadOptions{&*wrong});
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.status().message().find("No installed keys could decrypt the message"),
              std::string::npos);
  }
  EXPECT_GT(udp, 50);
}

// Go's AES-GCM (version 1, no padding) reproduced from the same key, plaintext and nonce: UDP
// packets have no additional data, TCP frames authenticate their 5-byte header.
TEST(SerfCaptureTest, ReEncryptionWithSameNonceIsByteIdentical) {
  for (const auto& [file, key] : {std::pair<std::string, std::string>{"serf094_enc16.txt", kKey16},
                                  {"serf094_enc32.txt", Key32()}}) {
    int checked = 0;
    for (const auto& p : LoadCapture(file)) {
      const std::string_view frame = p.data;
      const std::string_view aad = p.tcp ? frame.substr(0, 5) : std::string_view();
      const std::string_view payload = p.tcp ? frame.substr(5) : frame;
      ASSERT_EQ(payload[0], 1) << "encryption version 1";
      auto plain = DecryptPayload({key}, payload, aad);
      ASSERT_TRUE(plain.ok()) << plain.status().ToString();
      const std::string nonce(payload.substr(1, kEncryptNonceSize));
      std::string sealed;
      ASSERT_TRUE(EncryptPayload(1, key, *plain, aad, &sealed, [&](uint8_t* out, size_t n) {
                    memcpy(out, nonce.data(), n);
                  }).ok());
      EXPECT_EQ(ToHex(sealed), ToHex(payload));
      EXPECT_EQ(sealed.size(), EncryptedLength(1, plain->size()));
      ++checked;
    }
    EXPECT_GT(checked, 60) << file;
  }
}

// Go's compress/lzw output reproduced: decompress each compressMsg and compress it again.
TEST(SerfCaptureTest, LzwRecompressionIsByteIdentical) {
  int checked = 0;
  for (const auto& p : LoadCapture("serf094_plain.txt")) {
    std::string_view msg = p.data;
    if (msg[0] == static_cast<char>(MessageType::kHasCrc)) msg.remove_prefix(5);
    if (msg[0] != static_cast<char>(MessageType::kCompress)) continue;
    Compress c;
    ASSERT_TRUE(DecodeMessage(msg.substr(1), &c).ok());
    EXPECT_EQ(c.algo, 0);
    auto plain = lzw::Decompress(c.buf, kMaxPushStateBytes);
    ASSERT_TRUE(plain.ok()) << plain.status().ToString();
    EXPECT_EQ(ToHex(lzw::Compress(*plain)), ToHex(c.buf));
    EXPECT_EQ(ToHex(CompressMessage(*plain)), ToHex(msg)) << "whole compressMsg, msgpack included";
    ++checked;
  }
  EXPECT_GE(checked, 4);
}

// Our stream framing of the captured push/pull, with the capture's nonce, equals serf's frame.
TEST(SerfCaptureTest, EncryptedStreamFramingMatches) {
  auto ring = Keyring::Create({}, kKey16);
  ASSERT_TRUE(ring.ok());
  int checked = 0;
  for (const auto& p : LoadCapture("serf094_enc16.txt")) {
    if (!p.tcp) continue;
    auto plain = DecryptPayload(ring->keys(), std::string_view(p.data).substr(5),
                                std::string_view(p.data).substr(0, 5));
    ASSERT_TRUE(plain.ok());
    ASSERT_EQ((*plain)[0], static_cast<char>(MessageType::kCompress))
        << "serf compresses every stream";
    auto inflated = DecompressMessage(std::string_view(*plain).substr(1));
    ASSERT_TRUE(inflated.ok());
    const std::string nonce = p.data.substr(6, kEncryptNonceSize);
    StreamWriteOptions options;
    options.compress = true;
    options.keyring = &*ring;
    options.nonce = [&](uint8_t* out, size_t n) { memcpy(out, nonce.data(), n); };
    auto framed = EncodeStream(*inflated, options);
    ASSERT_TRUE(framed.ok());
    EXPECT_EQ(ToHex(*framed), ToHex(p.data));
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

}  // namespace
}  // namespace consulate::gossip
