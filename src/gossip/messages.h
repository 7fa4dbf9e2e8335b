// memberlist's messages (net.go), protocol versions 2..5 as memberlist 0.2.2 (Debian's, the one
// in stock serf 0.9.4 and Consul 1.8) defines them. That version has no packet labels
// (hasLabelMsg arrived in memberlist 0.3); a label-speaking peer must be configured without one.
//
// A message on the wire is one type byte followed by the msgpack encoding of its struct, written
// as Go's codec writes it (see msgpack.h: a map with fields sorted by name). EncodeMessage()
// produces that; DecodeMessage() takes the bytes after the type byte, as a caller that has
// dispatched on the type has them. Like Go's decoder, decoding ignores bytes after the struct
// and fields it does not know, and leaves missing fields at zero.
//
// Field names and types mirror the Go structs; Go []byte fields are msgpack::Bytes so that nil
// and empty survive a round trip.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "gossip/msgpack.h"

namespace consulate::gossip {

using msgpack::Bytes;

// memberlist's messageType. Values are the wire bytes; never renumber.
enum class MessageType : uint8_t {
  kPing = 0,
  kIndirectPing = 1,
  kAck = 2,
  kSuspect = 3,
  kAlive = 4,
  kDead = 5,
  kPushPull = 6,
  kCompound = 7,
  kUser = 8,  // payload is the delegate's (serf's) message, not msgpack of ours
  kCompress = 9,
  kEncrypt = 10,
  kNack = 11,
  kHasCrc = 12,
  kErr = 13,
};

inline constexpr uint8_t kProtocolVersionMin = 1;
inline constexpr uint8_t kProtocolVersionMax = 5;
// What serf 0.9 asks memberlist to speak (serf's ProtocolVersionMap maps serf 2..5 to 2).
inline constexpr uint8_t kProtocolVersionSpoken = 2;
// Node metadata limit (MetaMaxSize).
inline constexpr size_t kMetaMaxSize = 512;

// NodeStateType (an int in Go).
enum class NodeState : int32_t { kAlive = 0, kSuspect = 1, kDead = 2, kLeft = 3 };

// Direct probe. Node names the intended target so a restarted agent with a new name ignores it.
struct Ping {
  static constexpr MessageType kType = MessageType::kPing;
  uint32_t seq_no = 0;
  std::string node;
  // omitempty: where to send the ack when it is not the packet's source (indirect probes).
  Bytes source_addr;
  uint16_t source_port = 0;
  std::string source_node;
  bool operator==(const Ping&) const = default;
};

// Ask a peer to probe `target:port` for us; with nack=true it answers Nack on timeout (proto >= 4).
struct IndirectPing {
  static constexpr MessageType kType = MessageType::kIndirectPing;
  uint32_t seq_no = 0;
  Bytes target;  // IP address bytes, 4 or 16
  uint16_t port = 0;
  std::string node;
  bool nack = false;
  Bytes source_addr;         // omitempty
  uint16_t source_port = 0;  // omitempty
  std::string source_node;   // omitempty
  bool operator==(const IndirectPing&) const = default;
};

// Reply to a ping. Serf puts its Vivaldi coordinate in the payload (see serf_messages.h).
struct Ack {
  static constexpr MessageType kType = MessageType::kAck;
  uint32_t seq_no = 0;
  Bytes payload;
  bool operator==(const Ack&) const = default;
};

struct Nack {
  static constexpr MessageType kType = MessageType::kNack;
  uint32_t seq_no = 0;
  bool operator==(const Nack&) const = default;
};

// Relays a stream-handling error to the peer (errResp).
struct ErrResp {
  static constexpr MessageType kType = MessageType::kErr;
  std::string error;
  bool operator==(const ErrResp&) const = default;
};

struct Suspect {
  static constexpr MessageType kType = MessageType::kSuspect;
  uint32_t incarnation = 0;
  std::string node;
  std::string from;
  bool operator==(const Suspect&) const = default;
};

struct Alive {
  static constexpr MessageType kType = MessageType::kAlive;
  uint32_t incarnation = 0;
  std::string node;
  Bytes addr;  // IP address bytes
  uint16_t port = 0;
  Bytes meta;  // delegate metadata; serf's tags (EncodeTags)
  // pmin, pmax, pcur, dmin, dmax, dcur. A Go []uint8, so it travels as a raw string; memberlist
  // always sends 6 bytes but accepts fewer, so any length round-trips.
  Bytes vsn;
  bool operator==(const Alive&) const = default;
};

// Also sent for a graceful leave: a dead message about oneself (node == from).
struct Dead {
  static constexpr MessageType kType = MessageType::kDead;
  uint32_t incarnation = 0;
  std::string node;
  std::string from;
  bool operator==(const Dead&) const = default;
};

// Starts a TCP push/pull: `nodes` PushNodeState values and `user_state_len` raw bytes follow.
struct PushPullHeader {
  static constexpr MessageType kType = MessageType::kPushPull;
  int64_t nodes = 0;           // a Go int
  int64_t user_state_len = 0;  // a Go int
  bool join = false;
  bool operator==(const PushPullHeader&) const = default;
};

struct PushNodeState {
  std::string name;
  Bytes addr;
  uint16_t port = 0;
  Bytes meta;
  uint32_t incarnation = 0;
  NodeState state = NodeState::kAlive;
  Bytes vsn;
  bool operator==(const PushNodeState&) const = default;
};

// Starts a user message over TCP (SendReliable): user_msg_len raw bytes follow.
struct UserMsgHeader {
  static constexpr MessageType kType = MessageType::kUser;
  int64_t user_msg_len = 0;
  bool operator==(const UserMsgHeader&) const = default;
};

// A compressed payload (compress): algo 0 is LZW (lzw.h); buf decompresses to a full message,
// type byte included.
struct Compress {
  static constexpr MessageType kType = MessageType::kCompress;
  uint8_t algo = 0;
  Bytes buf;
  bool operator==(const Compress&) const = default;
};

// ----- Encoding -----
// Each Encode* appends the struct's msgpack (no type byte) to *w.
void EncodeBody(const Ping& m, msgpack::Writer* w);
void EncodeBody(const IndirectPing& m, msgpack::Writer* w);
void EncodeBody(const Ack& m, msgpack::Writer* w);
void EncodeBody(const Nack& m, msgpack::Writer* w);
void EncodeBody(const ErrResp& m, msgpack::Writer* w);
void EncodeBody(const Suspect& m, msgpack::Writer* w);
void EncodeBody(const Alive& m, msgpack::Writer* w);
void EncodeBody(const Dead& m, msgpack::Writer* w);
void EncodeBody(const PushPullHeader& m, msgpack::Writer* w);
void EncodeBody(const PushNodeState& m, msgpack::Writer* w);
void EncodeBody(const UserMsgHeader& m, msgpack::Writer* w);
void EncodeBody(const Compress& m, msgpack::Writer* w);

// Each Decode* fills *m from one decoded msgpack value (all fields reset first).
Status DecodeBody(const msgpack::Value& v, Ping* m);
Status DecodeBody(const msgpack::Value& v, IndirectPing* m);
Status DecodeBody(const msgpack::Value& v, Ack* m);
Status DecodeBody(const msgpack::Value& v, Nack* m);
Status DecodeBody(const msgpack::Value& v, ErrResp* m);
Status DecodeBody(const msgpack::Value& v, Suspect* m);
Status DecodeBody(const msgpack::Value& v, Alive* m);
Status DecodeBody(const msgpack::Value& v, Dead* m);
Status DecodeBody(const msgpack::Value& v, PushPullHeader* m);
Status DecodeBody(const msgpack::Value& v, PushNodeState* m);
Status DecodeBody(const msgpack::Value& v, UserMsgHeader* m);
Status DecodeBody(const msgpack::Value& v, Compress* m);

// Type byte + body, as memberlist's encode(msgType, msg).
template <typename M>
std::string EncodeMessage(const M& m) {
  std::string out(1, static_cast<char>(M::kType));
  msgpack::Writer w(&out);
  EncodeBody(m, &w);
  return out;
}

// Decodes one struct from the front of *body (the bytes after the type byte) and advances *body
// past it; what follows is left for the caller.
template <typename M>
Status DecodeMessage(std::string_view* body, M* m) {
  msgpack::Value v;
  CONSULATE_RETURN_IF_ERROR(msgpack::Decode(body, &v));
  return DecodeBody(v, m);
}
template <typename M>
Status DecodeMessage(std::string_view body, M* m) {
  return DecodeMessage(&body, m);
}

// A user message for UDP: the userMsg type byte followed by the delegate's bytes, unchanged.
std::string EncodeUserMessage(std::string_view payload);

}  // namespace consulate::gossip
