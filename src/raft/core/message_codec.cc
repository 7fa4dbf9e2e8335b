#include "raft/core/message_codec.h"

#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

#include "base/coding.h"

namespace consulate::raft::core {

namespace {

void PutBool(std::string* dst, bool v) { dst->push_back(v ? 1 : 0); }

bool GetBool(std::string_view* in, bool* v) {
  if (in->empty()) return false;
  const auto byte = static_cast<unsigned char>(in->front());
  if (byte > 1) return false;
  *v = byte == 1;
  in->remove_prefix(1);
  return true;
}

bool GetString(std::string_view* in, std::string* v) {
  std::string_view s;
  if (!GetLengthPrefixedString(in, &s)) return false;
  v->assign(s.data(), s.size());
  return true;
}

// --- Encoders, one per body type ---

void Put(std::string* d, const VoteRequest& b) {
  PutVarint64(d, b.last_log_index);
  PutVarint64(d, b.last_log_term);
  PutBool(d, b.leadership_transfer);
}
void Put(std::string* d, const VoteResponse& b) { PutBool(d, b.granted); }
void Put(std::string* d, const PreVoteRequest& b) {
  PutVarint64(d, b.last_log_index);
  PutVarint64(d, b.last_log_term);
}
void Put(std::string* d, const PreVoteResponse& b) { PutBool(d, b.granted); }
void Put(std::string* d, const AppendEntriesRequest& b) {
  PutVarint64(d, b.prev_log_index);
  PutVarint64(d, b.prev_log_term);
  PutVarint64(d, b.commit_index);
  PutVarint64(d, b.entries.size());
  for (const LogEntry& e : b.entries) {
    PutVarint64(d, e.term);
    d->push_back(static_cast<char>(e.type));
    PutLengthPrefixedString(d, e.data);
  }
}
void Put(std::string* d, const AppendEntriesResponse& b) {
  PutVarint64(d, b.index);
  PutBool(d, b.rejected);
  PutVarint64(d, b.hint_index);
  PutVarint64(d, b.hint_term);
}
void Put(std::string* d, const HeartbeatRequest& b) {
  PutVarint64(d, b.commit_index);
  PutLengthPrefixedString(d, b.context);
}
void Put(std::string* d, const HeartbeatResponse& b) { PutLengthPrefixedString(d, b.context); }
void Put(std::string* d, const InstallSnapshotRequest& b) {
  PutVarint64(d, b.metadata.index);
  PutVarint64(d, b.metadata.term);
  PutConfiguration(d, b.metadata.configuration);
  PutVarint64(d, b.offset);
  PutLengthPrefixedString(d, b.data);
  PutBool(d, b.done);
}
void Put(std::string* d, const InstallSnapshotResponse& b) {
  PutVarint64(d, b.snapshot_index);
  PutVarint64(d, b.next_offset);
  PutBool(d, b.done);
  PutVarint64(d, b.last_index);
}
void Put(std::string*, const TimeoutNowRequest&) {}
void Put(std::string* d, const ReadIndexRequest& b) { PutLengthPrefixedString(d, b.context); }
void Put(std::string* d, const ReadIndexResponse& b) {
  PutVarint64(d, b.index);
  PutLengthPrefixedString(d, b.context);
}

// --- Decoders: false on any malformation ---

bool Get(std::string_view* in, VoteRequest* b) {
  return GetVarint64(in, &b->last_log_index) && GetVarint64(in, &b->last_log_term) &&
         GetBool(in, &b->leadership_transfer);
}
bool Get(std::string_view* in, VoteResponse* b) { return GetBool(in, &b->granted); }
bool Get(std::string_view* in, PreVoteRequest* b) {
  return GetVarint64(in, &b->last_log_index) && GetVarint64(in, &b->last_log_term);
}
bool Get(std::string_view* in, PreVoteResponse* b) { return GetBool(in, &b->granted); }
bool Get(std::string_view* in, AppendEntriesRequest* b) {
  uint64_t count = 0;
  if (!GetVarint64(in, &b->prev_log_index) || !GetVarint64(in, &b->prev_log_term) ||
      !GetVarint64(in, &b->commit_index) || !GetVarint64(in, &count)) {
    return false;
  }
  // Each entry takes at least 3 bytes; this bounds the allocation by the input size.
  if (count > in->size() / 3) return false;
  if (b->prev_log_index > std::numeric_limits<uint64_t>::max() - count) return false;
  b->entries.resize(count);
  for (uint64_t i = 0; i < count; ++i) {
    LogEntry& e = b->entries[i];
    e.index = b->prev_log_index + 1 + i;
    if (!GetVarint64(in, &e.term) || in->empty()) return false;
    const auto type = static_cast<uint8_t>(in->front());
    if (type > kMaxEntryType) return false;
    e.type = static_cast<EntryType>(type);
    in->remove_prefix(1);
    if (!GetString(in, &e.data)) return false;
  }
  return true;
}
bool Get(std::string_view* in, AppendEntriesResponse* b) {
  return GetVarint64(in, &b->index) && GetBool(in, &b->rejected) &&
         GetVarint64(in, &b->hint_index) && GetVarint64(in, &b->hint_term);
}
bool Get(std::string_view* in, HeartbeatRequest* b) {
  return GetVarint64(in, &b->commit_index) && GetString(in, &b->context);
}
bool Get(std::string_view* in, HeartbeatResponse* b) { return GetString(in, &b->context); }
bool Get(std::string_view* in, InstallSnapshotRequest* b) {
  return GetVarint64(in, &b->metadata.index) && GetVarint64(in, &b->metadata.term) &&
         GetConfiguration(in, &b->metadata.configuration) && GetVarint64(in, &b->offset) &&
         GetString(in, &b->data) && GetBool(in, &b->done);
}
bool Get(std::string_view* in, InstallSnapshotResponse* b) {
  return GetVarint64(in, &b->snapshot_index) && GetVarint64(in, &b->next_offset) &&
         GetBool(in, &b->done) && GetVarint64(in, &b->last_index);
}
bool Get(std::string_view*, TimeoutNowRequest*) { return true; }
bool Get(std::string_view* in, ReadIndexRequest* b) { return GetString(in, &b->context); }
bool Get(std::string_view* in, ReadIndexResponse* b) {
  return GetVarint64(in, &b->index) && GetString(in, &b->context);
}

// Decodes alternative I of MessageBody if `type` == I, else tries the next one.
template <size_t I = 0>
bool GetBody(uint8_t type, std::string_view* in, MessageBody* body) {
  if constexpr (I == std::variant_size_v<MessageBody>) {
    return false;  // unknown type
  } else {
    if (type != I) return GetBody<I + 1>(type, in, body);
    std::variant_alternative_t<I, MessageBody> value;
    if (!Get(in, &value)) return false;
    *body = std::move(value);
    return true;
  }
}

}  // namespace

void EncodeMessageTo(const Message& message, std::string* dst) {
  dst->push_back(static_cast<char>(message.body.index()));
  PutVarint64(dst, message.from.value());
  PutVarint64(dst, message.to.value());
  PutVarint64(dst, message.term);
  std::visit([dst](const auto& body) { Put(dst, body); }, message.body);
}

std::string EncodeMessage(const Message& message) {
  std::string out;
  EncodeMessageTo(message, &out);
  return out;
}

Status DecodeMessage(std::string_view input, Message* out) {
  if (input.empty()) return Status::Corruption("empty raft message");
  const auto type = static_cast<uint8_t>(input.front());
  input.remove_prefix(1);
  uint64_t from = 0;
  uint64_t to = 0;
  Message message;
  if (!GetVarint64(&input, &from) || !GetVarint64(&input, &to) ||
      !GetVarint64(&input, &message.term)) {
    return Status::Corruption("truncated raft message header");
  }
  message.from = NodeId(from);
  message.to = NodeId(to);
  if (!GetBody(type, &input, &message.body)) {
    return Status::Corruption("bad raft message body (type " + std::to_string(type) + ")");
  }
  if (!input.empty()) return Status::Corruption("trailing bytes after raft message");
  *out = std::move(message);
  return Status::OK();
}

}  // namespace consulate::raft::core
