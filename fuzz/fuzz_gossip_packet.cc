// Arbitrary bytes as a UDP packet: UnpackPacket (plaintext, then with a keyring in relaxed mode so
// bad ciphertext falls through to plaintext parsing), then every message body through its decoder,
// serf's messages inside user messages included. Anything that decodes must re-encode and decode
// to an equal value.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gossip/messages.h"
#include "gossip/packet.h"
#include "gossip/serf_messages.h"

using namespace consulate::gossip;

namespace {

template <typename M>
void RoundTrip(std::string_view body) {
  M m;
  if (!DecodeMessage(body, &m).ok()) return;
  const std::string encoded = EncodeMessage(m);
  M again;
  if (!DecodeMessage(std::string_view(encoded).substr(1), &again).ok() || !(again == m)) abort();
}

template <typename M>
void SerfRoundTrip(std::string_view body) {
  M m;
  if (!serf::DecodeSerfMessage(body, &m).ok()) return;
  const std::string encoded = serf::EncodeSerfMessage(m);
  M again;
  if (!serf::DecodeSerfMessage(std::string_view(encoded).substr(1), &again).ok() || !(again == m))
    abort();
}

void Serf(std::string_view msg) {
  if (msg.empty()) return;
  const std::string_view body = msg.substr(1);
  switch (static_cast<serf::SerfMessageType>(msg[0])) {
    case serf::SerfMessageType::kLeave:
      return SerfRoundTrip<serf::LeaveIntent>(body);
    case serf::SerfMessageType::kJoin:
      return SerfRoundTrip<serf::JoinIntent>(body);
    case serf::SerfMessageType::kPushPull:
      return SerfRoundTrip<serf::SerfPushPull>(body);
    case serf::SerfMessageType::kUserEvent:
      return SerfRoundTrip<serf::UserEventMessage>(body);
    case serf::SerfMessageType::kQuery: {
      serf::QueryMessage q;
      if (serf::DecodeSerfMessage(body, &q).ok()) {
        for (const auto& f : q.filters) {
          serf::Filter filter;
          (void)serf::DecodeFilter(f, &filter);
        }
      }
      return SerfRoundTrip<serf::QueryMessage>(body);
    }
    case serf::SerfMessageType::kQueryResponse:
      return SerfRoundTrip<serf::QueryResponseMessage>(body);
    case serf::SerfMessageType::kConflictResponse:
      return SerfRoundTrip<serf::Member>(body);
    case serf::SerfMessageType::kKeyRequest:
      return SerfRoundTrip<serf::KeyRequest>(body);
    case serf::SerfMessageType::kKeyResponse:
      return SerfRoundTrip<serf::KeyResponse>(body);
    case serf::SerfMessageType::kRelay: {
      serf::RelayHeader h;
      std::string_view inner;
      if (serf::DecodeRelay(body, &h, &inner).ok()) Serf(inner);
      return;
    }
    default: {
      std::map<std::string, std::string> tags;
      (void)serf::DecodeTags(msg, &tags);
      serf::Coordinate c;
      (void)serf::DecodeAckPayload(msg, &c);
    }
  }
}

void Dispatch(const PacketMessage& m) {
  switch (m.type) {
    case MessageType::kPing:
      return RoundTrip<Ping>(m.body);
    case MessageType::kIndirectPing:
      return RoundTrip<IndirectPing>(m.body);
    case MessageType::kAck:
      return RoundTrip<Ack>(m.body);
    case MessageType::kNack:
      return RoundTrip<Nack>(m.body);
    case MessageType::kSuspect:
      return RoundTrip<Suspect>(m.body);
    case MessageType::kAlive:
      return RoundTrip<Alive>(m.body);
    case MessageType::kDead:
      return RoundTrip<Dead>(m.body);
    case MessageType::kErr:
      return RoundTrip<ErrResp>(m.body);
    case MessageType::kUser:
      return Serf(m.body);
    default:
      return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view packet(reinterpret_cast<const char*>(data), size);
  static const Keyring ring = *Keyring::Create({}, std::string(16, '\x01'));
  auto plain = UnpackPacket(packet, {});
  if (plain.ok()) {
    for (const auto& m : plain->messages) Dispatch(m);
  }
  auto relaxed = UnpackPacket(packet, PacketReadOptions{&ring, /*verify_incoming=*/false});
  if (plain.ok() != relaxed.ok()) abort();  // undecryptable input must read as plaintext
  return 0;
}
