// memberlist's framing around messages: UDP packets (compound, compress, CRC, encryption) and
// TCP streams (push/pull, user messages, pings), as net.go and util.go build and parse them.
//
// Outgoing UDP packet, in the order rawSendMsgPacket applies the layers:
//   msg                      one message (type byte + body) or a compound of several
//   -> compress (optional)   compressMsg + msgpack{Algo:0, Buf:lzw(msg)}, kept only if smaller
//   -> CRC (peer pmax >= 5)  hasCrcMsg, CRC-32 IEEE of the rest (big-endian), rest
//   -> encrypt (keyring)     EncryptPayload(primary key, no additional data)
// Incoming packets are peeled in the reverse order (ingestPacket / handleCommand).
//
// Outgoing TCP stream message (rawSendMsgStream):
//   msg                      type byte + msgpack values (+ raw user state / user message)
//   -> compress (optional)   always applied when enabled (not only when smaller)
//   -> encrypt (keyring)     encryptMsg, uint32 big-endian length N, then N bytes of
//                            EncryptPayload(primary, msg, additional data = those 5 header bytes)
//
// All functions are pure: no sockets, no clocks. Errors are values (Status), never exceptions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "gossip/crypto.h"
#include "gossip/messages.h"

namespace consulate::gossip {

// Largest push/pull state (or encrypted stream frame) we accept, as memberlist's maxPushStateBytes.
inline constexpr size_t kMaxPushStateBytes = 20 * 1024 * 1024;
// memberlist's default UDPBufferSize: the budget for an outgoing packet.
inline constexpr size_t kUdpBufferSize = 1400;
// Compound framing overheads (compoundHeaderOverhead, compoundOverhead).
inline constexpr size_t kCompoundHeaderOverhead = 2;
inline constexpr size_t kCompoundOverheadPerPart = 2;
inline constexpr size_t kMaxCompoundParts = 255;
// Compound and compress messages nest; memberlist recurses without limit, we stop here.
inline constexpr int kMaxPacketNesting = 4;

// ----- Compound messages -----

// compoundMsg, part count (uint8), each length (uint16 big-endian), then the parts.
// REQUIRES: parts.size() <= kMaxCompoundParts and every part is at most 65535 bytes.
std::string MakeCompound(const std::vector<std::string>& parts);

// `body` is what follows the compoundMsg type byte. Parts point into `body`. As memberlist does,
// parts cut short by the end of the packet are dropped and counted in *truncated (not an error);
// Corruption only when the header itself is short.
Status SplitCompound(std::string_view body, std::vector<std::string_view>* parts, int* truncated);

// ----- CRC -----

// hasCrcMsg + big-endian CRC-32 IEEE of msg + msg.
std::string AddCrc(std::string_view msg);

// ----- Compression -----

// compressMsg + msgpack compress{Algo: 0 (LZW), Buf: lzw(msg)}.
std::string CompressMessage(std::string_view msg);
// `body` is what follows the compressMsg type byte (one msgpack compress value; later bytes are
// ignored). Returns the decompressed message, type byte first.
Result<std::string> DecompressMessage(std::string_view body,
                                      size_t max_output = kMaxPushStateBytes);

// ----- UDP packets -----

struct PacketWriteOptions {
  bool compress = false;             // memberlist EnableCompression (stock serf: on)
  bool add_crc = false;              // the receiver's pmax >= 5
  const Keyring* keyring = nullptr;  // encrypt with its primary key when non-null and enabled
  int encryption_version = 1;        // 1 for protocol >= 2; 0 only for protocol-1 peers
  NonceSource nonce = RandomNonce;
};

// Wraps one message (or a compound) into a packet ready for sendto().
Result<std::string> EncodePacket(std::string_view msg, const PacketWriteOptions& options);

struct PacketReadOptions {
  const Keyring* keyring = nullptr;  // decrypt when non-null and enabled
  // memberlist GossipVerifyIncoming: when false, a packet that no key opens is read as plaintext
  // (the rolling-upgrade mode for turning encryption on).
  bool verify_incoming = true;
};

// One message from a packet: its type and the bytes after the type byte.
struct PacketMessage {
  MessageType type;
  std::string body;
};

struct UnpackedPacket {
  std::vector<PacketMessage> messages;  // compound and compress layers flattened, in order
  int truncated = 0;                    // compound parts lost to a short packet
};

// Decrypts, verifies the CRC, and flattens compound and compressed messages. Corruption when the
// packet is empty, fails decryption (with verify_incoming), has a bad CRC, or a compound/compress
// layer is malformed or nested past kMaxPacketNesting. Message bodies are not decoded here; the
// caller dispatches on type and uses DecodeMessage().
Result<UnpackedPacket> UnpackPacket(std::string_view packet, const PacketReadOptions& options);

// ----- TCP streams -----

struct StreamWriteOptions {
  bool compress = false;
  const Keyring* keyring = nullptr;  // encrypt when non-null and enabled (GossipVerifyOutgoing)
  int encryption_version = 1;
  NonceSource nonce = RandomNonce;
};

// Frames a stream message (type byte first) for writing to the connection.
Result<std::string> EncodeStream(std::string_view msg, const StreamWriteOptions& options);

struct StreamReadOptions {
  const Keyring* keyring = nullptr;
  bool verify_incoming = true;  // reject plaintext when a keyring is set
  size_t max_bytes = kMaxPushStateBytes;
};

// One message read from a stream, after decryption and decompression.
struct StreamMessage {
  MessageType type;
  // Everything after the type byte that belongs to this message: for pushPull the header, node
  // states and user state; for userMsg the header and the user bytes; else one msgpack value.
  std::string body;
};

// Reads the message at the front of `buffer`, the bytes received so far on a connection.
//   OK and *consumed > 0: *out holds the message, which took *consumed bytes of the buffer.
//   OK and *consumed == 0: the message is not complete yet; read more and call again.
//   an error: the stream is bad (close it; memberlist sends an errResp first).
Status ReadStreamMessage(std::string_view buffer, const StreamReadOptions& options,
                         StreamMessage* out, size_t* consumed);

// A push/pull exchange's content (sendLocalState / readRemoteState).
struct PushPull {
  bool join = false;
  std::vector<PushNodeState> nodes;
  std::string user_state;  // serf's messagePushPull, type byte first (serf_messages.h)
  bool operator==(const PushPull&) const = default;
};

// pushPullMsg type byte + header + node states + user state: the plaintext sendLocalState builds.
std::string EncodePushPull(const PushPull& state);
// `body` is StreamMessage::body for a kPushPull message. Corruption when the counts disagree with
// the bytes present; bytes after the user state are ignored.
Status DecodePushPull(std::string_view body, PushPull* out);

// userMsg type byte + userMsgHeader + payload: the plaintext sendUserMsg builds.
std::string EncodeUserStream(std::string_view payload);
// `body` is StreamMessage::body for a kUser message.
Status DecodeUserStream(std::string_view body, std::string* payload);

}  // namespace consulate::gossip
