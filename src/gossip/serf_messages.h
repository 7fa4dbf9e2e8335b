// serf 0.9's messages (serf/messages.go and friends), which travel inside memberlist user
// messages (MessageType::kUser) and in the user state of a push/pull. Each is one serf type byte
// followed by the msgpack of its struct, written with the same Go codec settings as memberlist's
// (msgpack.h). Also: serf's Lamport clocks, its member tags in the alive Meta, the Vivaldi
// coordinate serf carries in ping acks, and the query filter and key-management payloads.
//
// Go maps (tags, StatusLTimes, ...) are written by Go in random order; ours are std::map and are
// written sorted, which any decoder accepts.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "gossip/msgpack.h"

namespace consulate::gossip::serf {

using msgpack::Bytes;

// serf's messageType. Values are the wire bytes; never renumber.
enum class SerfMessageType : uint8_t {
  kLeave = 0,
  kJoin = 1,
  kPushPull = 2,
  kUserEvent = 3,
  kQuery = 4,
  kQueryResponse = 5,
  kConflictResponse = 6,
  kKeyRequest = 7,
  kKeyResponse = 8,
  kRelay = 9,
};

inline constexpr uint8_t kSerfProtocolVersionMin = 2;
inline constexpr uint8_t kSerfProtocolVersionMax = 5;

using LamportTime = uint64_t;

// serf's LamportClock. Not thread-safe (Go's uses atomics); the owner serializes access.
class LamportClock {
 public:
  LamportTime Time() const { return counter_; }
  // Advances the clock and returns the new value.
  LamportTime Increment() { return ++counter_; }
  // After seeing `v` from another process: make sure our clock is past it.
  void Witness(LamportTime v) {
    if (v >= counter_) counter_ = v + 1;
  }

 private:
  LamportTime counter_ = 0;
};

// Query flags.
inline constexpr uint32_t kQueryFlagAck = 1;          // ask each responder to ack first
inline constexpr uint32_t kQueryFlagNoBroadcast = 2;  // do not re-gossip

// Prefix of serf's internal queries (_serf_ping, _serf_conflict, _serf_install-key, ...).
inline constexpr std::string_view kInternalQueryPrefix = "_serf_";

// messageJoin: broadcast after joining, to attach a Lamport time to our "alive" status.
struct JoinIntent {
  static constexpr SerfMessageType kType = SerfMessageType::kJoin;
  LamportTime ltime = 0;
  std::string node;
  bool operator==(const JoinIntent&) const = default;
};

// messageLeave: a member announces it is leaving (or force-leave with prune).
struct LeaveIntent {
  static constexpr SerfMessageType kType = SerfMessageType::kLeave;
  LamportTime ltime = 0;
  std::string node;
  bool prune = false;
  bool operator==(const LeaveIntent&) const = default;
};

// messageUserEvent.
struct UserEventMessage {
  static constexpr SerfMessageType kType = SerfMessageType::kUserEvent;
  LamportTime ltime = 0;
  std::string name;
  Bytes payload;
  bool cc = false;  // "can coalesce"
  bool operator==(const UserEventMessage&) const = default;
};

// userEvent / userEvents: the recent-event buffer carried in a push/pull.
struct UserEvent {
  std::string name;
  Bytes payload;
  bool operator==(const UserEvent&) const = default;
};
struct UserEvents {
  LamportTime ltime = 0;
  std::vector<UserEvent> events;
  bool operator==(const UserEvents&) const = default;
};

// messagePushPull: serf's part of a memberlist push/pull (the user state).
struct SerfPushPull {
  static constexpr SerfMessageType kType = SerfMessageType::kPushPull;
  LamportTime ltime = 0;
  std::map<std::string, LamportTime> status_ltimes;
  std::vector<std::string> left_members;  // written as an array even when empty, as serf does
  LamportTime event_ltime = 0;
  // serf sends its whole event ring buffer (512 slots by default); empty slots are nil.
  std::vector<std::optional<UserEvents>> events;
  LamportTime query_ltime = 0;
  bool operator==(const SerfPushPull&) const = default;
};

// messageQuery.
struct QueryMessage {
  static constexpr SerfMessageType kType = SerfMessageType::kQuery;
  LamportTime ltime = 0;
  uint32_t id = 0;
  Bytes addr;  // where responses go (IP bytes)
  uint16_t port = 0;
  std::string source_node;
  std::vector<std::string> filters;  // each EncodeNodeFilter/EncodeTagFilter; none is nil
  uint32_t flags = 0;
  uint8_t relay_factor = 0;
  int64_t timeout_ns = 0;  // a Go time.Duration
  std::string name;
  Bytes payload;
  bool operator==(const QueryMessage&) const = default;
};

// messageQueryResponse.
struct QueryResponseMessage {
  static constexpr SerfMessageType kType = SerfMessageType::kQueryResponse;
  LamportTime ltime = 0;
  uint32_t id = 0;
  std::string from;
  uint32_t flags = 0;
  Bytes payload;  // nil for an ack
  bool operator==(const QueryResponseMessage&) const = default;
};

// keyRequest: a key-management query's payload (after the kKeyRequest type byte).
struct KeyRequest {
  static constexpr SerfMessageType kType = SerfMessageType::kKeyRequest;
  Bytes key;
  bool operator==(const KeyRequest&) const = default;
};

// nodeKeyResponse: a member's answer (after the kKeyResponse type byte).
struct KeyResponse {
  static constexpr SerfMessageType kType = SerfMessageType::kKeyResponse;
  bool result = false;
  std::string message;
  std::vector<std::string> keys;  // base64 keys, for list queries; none is nil
  std::string primary_key;
  bool operator==(const KeyResponse&) const = default;
};

// Member: the conflict-resolution answer's body (after kConflictResponse); nil when unknown.
struct Member {
  static constexpr SerfMessageType kType = SerfMessageType::kConflictResponse;
  std::string name;
  Bytes addr;
  uint16_t port = 0;
  std::map<std::string, std::string> tags;
  int64_t status = 0;  // MemberStatus: 0 none, 1 alive, 2 leaving, 3 left, 4 failed
  uint8_t protocol_min = 0, protocol_max = 0, protocol_cur = 0;
  uint8_t delegate_min = 0, delegate_max = 0, delegate_cur = 0;
  bool operator==(const Member&) const = default;
};

// relayHeader: kRelay type byte, this header, then the relayed message (type byte + body).
struct RelayHeader {
  Bytes dest_ip;  // net.UDPAddr.IP
  int64_t dest_port = 0;
  std::string dest_zone;
  std::string dest_name;
  bool operator==(const RelayHeader&) const = default;
};

// coordinate.Coordinate (Vivaldi), which serf sends in every ping ack.
struct Coordinate {
  std::vector<double> vec;
  double error = 0;
  double adjustment = 0;
  double height = 0;
  bool operator==(const Coordinate&) const = default;
};

// ----- Encoding and decoding -----

void EncodeBody(const JoinIntent& m, msgpack::Writer* w);
void EncodeBody(const LeaveIntent& m, msgpack::Writer* w);
void EncodeBody(const UserEventMessage& m, msgpack::Writer* w);
void EncodeBody(const SerfPushPull& m, msgpack::Writer* w);
void EncodeBody(const QueryMessage& m, msgpack::Writer* w);
void EncodeBody(const QueryResponseMessage& m, msgpack::Writer* w);
void EncodeBody(const KeyRequest& m, msgpack::Writer* w);
void EncodeBody(const KeyResponse& m, msgpack::Writer* w);
void EncodeBody(const Member& m, msgpack::Writer* w);
void EncodeBody(const Coordinate& m, msgpack::Writer* w);

Status DecodeBody(const msgpack::Value& v, JoinIntent* m);
Status DecodeBody(const msgpack::Value& v, LeaveIntent* m);
Status DecodeBody(const msgpack::Value& v, UserEventMessage* m);
Status DecodeBody(const msgpack::Value& v, SerfPushPull* m);
Status DecodeBody(const msgpack::Value& v, QueryMessage* m);
Status DecodeBody(const msgpack::Value& v, QueryResponseMessage* m);
Status DecodeBody(const msgpack::Value& v, KeyRequest* m);
Status DecodeBody(const msgpack::Value& v, KeyResponse* m);
Status DecodeBody(const msgpack::Value& v, Member* m);
Status DecodeBody(const msgpack::Value& v, Coordinate* m);

// Serf type byte + body, as serf's encodeMessage.
template <typename M>
std::string EncodeSerfMessage(const M& m) {
  std::string out(1, static_cast<char>(M::kType));
  msgpack::Writer w(&out);
  EncodeBody(m, &w);
  return out;
}

// Decodes the bytes after the serf type byte (trailing bytes ignored, as Go does).
template <typename M>
Status DecodeSerfMessage(std::string_view body, M* m) {
  msgpack::Value v;
  CONSULATE_RETURN_IF_ERROR(msgpack::Decode(&body, &v));
  return DecodeBody(v, m);
}

// kRelay + header + inner message (inner: serf type byte + body).
std::string EncodeRelay(const RelayHeader& header, std::string_view inner);
// `body` follows the kRelay byte. *inner points into body.
Status DecodeRelay(std::string_view body, RelayHeader* header, std::string_view* inner);

// ----- Tags (alive Meta) -----

// serf's tagMagicByte: Meta starting with it is a msgpack map[string]string of tags.
inline constexpr uint8_t kTagMagicByte = 255;
// 0xff + msgpack map (protocol >= 3; serf 0.9 always).
std::string EncodeTags(const std::map<std::string, std::string>& tags);
// Meta without the magic byte (protocol-2 peers) is a bare role: {"role": meta}, as serf does.
Status DecodeTags(std::string_view meta, std::map<std::string, std::string>* tags);

// ----- Ping ack payload -----

// serf's PingVersion: the ack payload is this byte then the msgpack coordinate.
inline constexpr uint8_t kPingVersion = 1;
std::string EncodeAckPayload(const Coordinate& coord);
// Corruption for an empty payload or an unknown version.
Status DecodeAckPayload(std::string_view payload, Coordinate* coord);

// ----- Query filters -----

enum class FilterType : uint8_t { kNode = 0, kTag = 1 };
struct NodeFilter {
  std::vector<std::string> nodes;
  bool operator==(const NodeFilter&) const = default;
};
struct TagFilter {
  std::string tag;
  std::string expr;  // a Go regular expression, matched against the tag's value
  bool operator==(const TagFilter&) const = default;
};
using Filter = std::variant<NodeFilter, TagFilter>;

std::string EncodeFilter(const Filter& filter);
// Corruption for an unknown filter type or a malformed body.
Status DecodeFilter(std::string_view encoded, Filter* filter);

}  // namespace consulate::gossip::serf
