#include "gossip/packet.h"

#include <fmt/format.h>

#include <cassert>

#include "gossip/crc32.h"
#include "gossip/lzw.h"

namespace consulate::gossip {

namespace {

void PutBE32(std::string* dst, uint32_t v) {
  for (int i = 3; i >= 0; --i) dst->push_back(static_cast<char>(v >> (8 * i)));
}
uint32_t GetBE32(std::string_view p) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(p[0])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(p[1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(p[2])) << 8) | static_cast<uint8_t>(p[3]);
}

bool KeyringEnabled(const Keyring* ring) { return ring != nullptr && ring->enabled(); }

}  // namespace

// ----- Compound -----

std::string MakeCompound(const std::vector<std::string>& parts) {
  assert(parts.size() <= kMaxCompoundParts);
  std::string out;
  out.push_back(static_cast<char>(MessageType::kCompound));
  out.push_back(static_cast<char>(parts.size()));
  for (const auto& p : parts) {
    assert(p.size() <= 0xffff);
    out.push_back(static_cast<char>(p.size() >> 8));
    out.push_back(static_cast<char>(p.size() & 0xff));
  }
  for (const auto& p : parts) out.append(p);
  return out;
}

Status SplitCompound(std::string_view body, std::vector<std::string_view>* parts, int* truncated) {
  parts->clear();
  *truncated = 0;
  if (body.empty()) return Status::Corruption("missing compound length byte");
  const size_t count = static_cast<uint8_t>(body[0]);
  body.remove_prefix(1);
  if (body.size() < count * 2) return Status::Corruption("truncated len slice");
  std::string_view lengths = body.substr(0, count * 2);
  body.remove_prefix(count * 2);
  for (size_t i = 0; i < count; ++i) {
    const size_t len = (static_cast<size_t>(static_cast<uint8_t>(lengths[2 * i])) << 8) |
                       static_cast<uint8_t>(lengths[2 * i + 1]);
    if (body.size() < len) {
      *truncated = static_cast<int>(count - i);
      return Status::OK();
    }
    parts->push_back(body.substr(0, len));
    body.remove_prefix(len);
  }
  return Status::OK();
}

// ----- CRC -----

std::string AddCrc(std::string_view msg) {
  std::string out;
  out.reserve(5 + msg.size());
  out.push_back(static_cast<char>(MessageType::kHasCrc));
  PutBE32(&out, Crc32Ieee(msg));
  out.append(msg);
  return out;
}

// ----- Compression -----

std::string CompressMessage(std::string_view msg) {
  Compress c;
  c.algo = 0;
  c.buf = Bytes(lzw::Compress(msg));
  return EncodeMessage(c);
}

Result<std::string> DecompressMessage(std::string_view body, size_t max_output) {
  Compress c;
  CONSULATE_RETURN_IF_ERROR(DecodeMessage(body, &c));
  if (c.algo != 0)
    return Status::Corruption(fmt::format("Cannot decompress unknown algorithm {}", c.algo));
  return lzw::Decompress(c.buf.view(), max_output);
}

// ----- UDP packets -----

Result<std::string> EncodePacket(std::string_view msg, const PacketWriteOptions& options) {
  std::string out(msg);
  if (options.compress) {
    std::string compressed = CompressMessage(out);
    if (compressed.size() < out.size()) out = std::move(compressed);
  }
  if (options.add_crc) out = AddCrc(out);
  if (KeyringEnabled(options.keyring)) {
    std::string sealed;
    CONSULATE_RETURN_IF_ERROR(EncryptPayload(options.encryption_version, options.keyring->primary(),
                                             out, {}, &sealed, options.nonce));
    out = std::move(sealed);
  }
  return out;
}

namespace {

// handleCommand: dispatch one message, recursing into compound and compress layers.
Status Flatten(std::string_view msg, int depth, UnpackedPacket* out) {
  if (msg.empty()) return Status::Corruption("empty message");
  if (depth > kMaxPacketNesting) return Status::Corruption("compound/compress nesting too deep");
  const auto type = static_cast<MessageType>(msg[0]);
  std::string_view body = msg.substr(1);
  switch (type) {
    case MessageType::kCompound: {
      std::vector<std::string_view> parts;
      int truncated = 0;
      CONSULATE_RETURN_IF_ERROR(SplitCompound(body, &parts, &truncated));
      out->truncated += truncated;
      for (std::string_view part : parts) CONSULATE_RETURN_IF_ERROR(Flatten(part, depth + 1, out));
      return Status::OK();
    }
    case MessageType::kCompress: {
      // A UDP packet is at most 64 KiB; its decompressed form cannot usefully exceed that much.
      CONSULATE_ASSIGN_OR_RETURN(std::string plain, DecompressMessage(body, 64 * 1024));
      return Flatten(plain, depth + 1, out);
    }
    default:
      out->messages.push_back(PacketMessage{type, std::string(body)});
      return Status::OK();
  }
}

}  // namespace

Result<UnpackedPacket> UnpackPacket(std::string_view packet, const PacketReadOptions& options) {
  std::string plain;
  std::string_view buf = packet;
  if (KeyringEnabled(options.keyring)) {
    auto decrypted = DecryptPayload(options.keyring->keys(), packet, {});
    if (decrypted.ok()) {
      plain = std::move(decrypted).value();
      buf = plain;
    } else if (options.verify_incoming) {
      return Status::Corruption(
          fmt::format("Decrypt packet failed: {}", decrypted.status().message()));
    }
  }
  if (buf.size() >= 5 && static_cast<MessageType>(buf[0]) == MessageType::kHasCrc) {
    const uint32_t expected = GetBE32(buf.substr(1, 4));
    const uint32_t crc = Crc32Ieee(buf.substr(5));
    if (crc != expected) {
      return Status::Corruption(
          fmt::format("Got invalid checksum for UDP packet: {:x}, {:x}", crc, expected));
    }
    buf.remove_prefix(5);
  }
  UnpackedPacket out;
  CONSULATE_RETURN_IF_ERROR(Flatten(buf, 0, &out));
  return out;
}

// ----- TCP streams -----

Result<std::string> EncodeStream(std::string_view msg, const StreamWriteOptions& options) {
  std::string out = options.compress ? CompressMessage(msg) : std::string(msg);
  if (KeyringEnabled(options.keyring)) {
    std::string framed;
    framed.push_back(static_cast<char>(MessageType::kEncrypt));
    PutBE32(&framed,
            static_cast<uint32_t>(EncryptedLength(options.encryption_version, out.size())));
    const std::string header = framed;
    CONSULATE_RETURN_IF_ERROR(EncryptPayload(options.encryption_version, options.keyring->primary(),
                                             out, header, &framed, options.nonce));
    out = std::move(framed);
  }
  return out;
}

namespace {

// Length of one msgpack value at the front of `in`. *need_more when it is cut short.
Status ValueExtent(std::string_view in, size_t* length, bool* need_more) {
  std::string_view rest = in;
  bool truncated = false;
  Status s = msgpack::Decode(&rest, nullptr, {}, &truncated);
  if (!s.ok()) {
    *need_more = truncated;
    return truncated ? Status::OK() : s;
  }
  *length = in.size() - rest.size();
  return Status::OK();
}

// For a plaintext, uncompressed stream: how many bytes after the type byte the message spans.
// *need_more when the buffer ends first.
Status MessageExtent(MessageType type, std::string_view in, size_t* length, bool* need_more) {
  *need_more = false;
  size_t len = 0;
  CONSULATE_RETURN_IF_ERROR(ValueExtent(in, &len, need_more));
  if (*need_more) return Status::OK();
  switch (type) {
    case MessageType::kPing:
    case MessageType::kAck:
    case MessageType::kErr:
    case MessageType::kCompress:
      *length = len;
      return Status::OK();
    case MessageType::kPushPull: {
      PushPullHeader header;
      CONSULATE_RETURN_IF_ERROR(DecodeMessage(in.substr(0, len), &header));
      if (header.nodes < 0 || header.user_state_len < 0)
        return Status::Corruption("negative push/pull counts");
      size_t pos = len;
      for (int64_t i = 0; i < header.nodes; ++i) {
        size_t node_len = 0;
        CONSULATE_RETURN_IF_ERROR(ValueExtent(in.substr(pos), &node_len, need_more));
        if (*need_more) return Status::OK();
        pos += node_len;
      }
      if (in.size() - pos < static_cast<uint64_t>(header.user_state_len)) {
        *need_more = true;
        return Status::OK();
      }
      *length = pos + static_cast<size_t>(header.user_state_len);
      return Status::OK();
    }
    case MessageType::kUser: {
      UserMsgHeader header;
      CONSULATE_RETURN_IF_ERROR(DecodeMessage(in.substr(0, len), &header));
      if (header.user_msg_len < 0) return Status::Corruption("negative user message length");
      if (in.size() - len < static_cast<uint64_t>(header.user_msg_len)) {
        *need_more = true;
        return Status::OK();
      }
      *length = len + static_cast<size_t>(header.user_msg_len);
      return Status::OK();
    }
    default:
      return Status::Corruption(
          fmt::format("received invalid msgType ({}) on stream", static_cast<int>(type)));
  }
}

}  // namespace

Status ReadStreamMessage(std::string_view buffer, const StreamReadOptions& options,
                         StreamMessage* out, size_t* consumed) {
  *consumed = 0;
  if (buffer.empty()) return Status::OK();
  auto type = static_cast<MessageType>(buffer[0]);
  std::string plain;  // holds decrypted or decompressed bytes, type byte first
  size_t used = 0;
  if (type == MessageType::kEncrypt) {
    if (!KeyringEnabled(options.keyring)) {
      return Status::Corruption("Remote state is encrypted and encryption is not configured");
    }
    if (buffer.size() < 5) return Status::OK();
    const uint32_t more = GetBE32(buffer.substr(1, 4));
    if (more > options.max_bytes) {
      return Status::TooLarge(fmt::format("Remote node state is larger than limit ({})", more));
    }
    if (buffer.size() - 5 < more) return Status::OK();
    CONSULATE_ASSIGN_OR_RETURN(plain, DecryptPayload(options.keyring->keys(),
                                                     buffer.substr(5, more), buffer.substr(0, 5)));
    if (plain.empty()) return Status::Corruption("empty decrypted stream message");
    used = 5 + more;
    type = static_cast<MessageType>(plain[0]);
  } else if (KeyringEnabled(options.keyring) && options.verify_incoming) {
    return Status::Corruption("Encryption is configured but remote state is not encrypted");
  }

  if (used == 0) {
    // Plaintext: find where the message ends.
    size_t length = 0;
    bool need_more = false;
    CONSULATE_RETURN_IF_ERROR(MessageExtent(type, buffer.substr(1), &length, &need_more));
    if (need_more) {
      if (buffer.size() >= options.max_bytes)
        return Status::TooLarge("stream message over the limit");
      return Status::OK();
    }
    used = 1 + length;
    plain.assign(buffer.substr(0, used));
  }

  if (type == MessageType::kCompress) {
    CONSULATE_ASSIGN_OR_RETURN(
        std::string inflated,
        DecompressMessage(std::string_view(plain).substr(1), options.max_bytes));
    if (inflated.empty()) return Status::Corruption("empty decompressed stream message");
    plain = std::move(inflated);
    type = static_cast<MessageType>(plain[0]);
  }
  out->type = type;
  out->body = plain.substr(1);
  *consumed = used;
  return Status::OK();
}

std::string EncodePushPull(const PushPull& state) {
  std::string out(1, static_cast<char>(MessageType::kPushPull));
  msgpack::Writer w(&out);
  PushPullHeader header;
  header.nodes = static_cast<int64_t>(state.nodes.size());
  header.user_state_len = static_cast<int64_t>(state.user_state.size());
  header.join = state.join;
  EncodeBody(header, &w);
  for (const auto& n : state.nodes) EncodeBody(n, &w);
  out.append(state.user_state);
  return out;
}

Status DecodePushPull(std::string_view body, PushPull* out) {
  *out = PushPull();
  PushPullHeader header;
  CONSULATE_RETURN_IF_ERROR(DecodeMessage(&body, &header));
  if (header.nodes < 0 || header.user_state_len < 0)
    return Status::Corruption("negative push/pull counts");
  // Each node state takes at least one byte: a larger count is a lie, rejected before reserving.
  if (static_cast<uint64_t>(header.nodes) > body.size())
    return Status::Corruption("push/pull node count past the end");
  out->join = header.join;
  out->nodes.resize(static_cast<size_t>(header.nodes));
  for (auto& node : out->nodes) CONSULATE_RETURN_IF_ERROR(DecodeMessage(&body, &node));
  if (body.size() < static_cast<uint64_t>(header.user_state_len)) {
    return Status::Corruption(fmt::format("Failed to read full user state ({} / {})", body.size(),
                                          header.user_state_len));
  }
  out->user_state.assign(body.substr(0, static_cast<size_t>(header.user_state_len)));
  return Status::OK();
}

std::string EncodeUserStream(std::string_view payload) {
  std::string out(1, static_cast<char>(MessageType::kUser));
  msgpack::Writer w(&out);
  EncodeBody(UserMsgHeader{static_cast<int64_t>(payload.size())}, &w);
  out.append(payload);
  return out;
}

Status DecodeUserStream(std::string_view body, std::string* payload) {
  UserMsgHeader header;
  CONSULATE_RETURN_IF_ERROR(DecodeMessage(&body, &header));
  if (header.user_msg_len < 0 || body.size() < static_cast<uint64_t>(header.user_msg_len)) {
    return Status::Corruption("Failed to read full user message");
  }
  payload->assign(body.substr(0, static_cast<size_t>(header.user_msg_len)));
  return Status::OK();
}

}  // namespace consulate::gossip
