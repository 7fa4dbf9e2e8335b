#include "fsm/command.h"

#include "base/coding.h"

namespace consulate::fsm {

namespace {
void EncodeEntry(std::string* out, const state::DirEntry& e) {
  PutLengthPrefixedString(out, e.key);
  PutLengthPrefixedString(out, e.value);
  PutLengthPrefixedString(out, e.session);
  PutVarint64(out, e.flags);
  PutVarint64(out, e.modify_index);
}

bool DecodeEntry(std::string_view* in, state::DirEntry* e) {
  std::string_view key, value, session;
  if (!GetLengthPrefixedString(in, &key) || !GetLengthPrefixedString(in, &value) ||
      !GetLengthPrefixedString(in, &session) || !GetVarint64(in, &e->flags) ||
      !GetVarint64(in, &e->modify_index))
    return false;
  e->key = std::string(key);
  e->value = std::string(value);
  e->session = std::string(session);
  return true;
}
}  // namespace

std::string EncodeKVS(const KVSCommand& cmd) {
  std::string out;
  out.reserve(16 + cmd.entry.key.size() + cmd.entry.value.size());
  out.push_back(static_cast<char>(MessageType::kKVS));
  out.push_back(static_cast<char>(cmd.op));
  EncodeEntry(&out, cmd.entry);
  return out;
}

std::string EncodeTxn(const TxnCommand& cmd) {
  std::string out;
  out.push_back(static_cast<char>(MessageType::kTxn));
  PutVarint64(&out, cmd.ops.size());
  for (const auto& op : cmd.ops) {
    out.push_back(static_cast<char>(op.verb));
    EncodeEntry(&out, op.entry);
  }
  return out;
}

Result<KVSCommand> DecodeKVS(std::string_view data) {
  if (data.size() < 2 || TypeOf(data) != MessageType::kKVS)
    return Status::Corruption("not a KVS command");
  KVSCommand cmd;
  cmd.op = static_cast<state::KVOp>(data[1]);
  data.remove_prefix(2);
  if (!DecodeEntry(&data, &cmd.entry) || !data.empty())
    return Status::Corruption("bad KVS command");
  return cmd;
}

Result<TxnCommand> DecodeTxn(std::string_view data) {
  if (data.empty() || TypeOf(data) != MessageType::kTxn)
    return Status::Corruption("not a Txn command");
  data.remove_prefix(1);
  uint64_t n;
  if (!GetVarint64(&data, &n) || n > data.size()) return Status::Corruption("bad Txn command");
  TxnCommand cmd;
  cmd.ops.resize(n);
  for (auto& op : cmd.ops) {
    if (data.empty()) return Status::Corruption("truncated Txn command");
    op.verb = static_cast<state::KVOp>(data[0]);
    data.remove_prefix(1);
    if (!DecodeEntry(&data, &op.entry)) return Status::Corruption("bad Txn operation");
  }
  if (!data.empty()) return Status::Corruption("trailing bytes in Txn command");
  return cmd;
}

std::string EncodeRegister(const state::RegisterRequest& req) {
  std::string out;
  out.push_back(static_cast<char>(MessageType::kRegister));
  state::EncodeNode(&out, req.node);
  out.push_back(req.skip_node_update ? 1 : 0);
  out.push_back(req.service ? 1 : 0);
  if (req.service) state::EncodeNodeService(&out, *req.service);
  PutVarint64(&out, req.checks.size());
  for (const auto& c : req.checks) state::EncodeHealthCheck(&out, c);
  return out;
}

Result<state::RegisterRequest> DecodeRegister(std::string_view data) {
  auto bad = [] { return Status::Corruption("bad Register command"); };
  if (data.empty() || TypeOf(data) != MessageType::kRegister) return bad();
  data.remove_prefix(1);
  state::RegisterRequest req;
  if (!state::DecodeNode(&data, &req.node) || data.size() < 2) return bad();
  req.skip_node_update = data[0] != 0;
  const bool has_service = data[1] != 0;
  data.remove_prefix(2);
  if (has_service) {
    state::NodeService svc;
    if (!state::DecodeNodeService(&data, &svc)) return bad();
    req.service = std::move(svc);
  }
  uint64_t n;
  if (!GetVarint64(&data, &n) || n > data.size()) return bad();
  req.checks.resize(n);
  for (auto& c : req.checks)
    if (!state::DecodeHealthCheck(&data, &c)) return bad();
  if (!data.empty()) return bad();
  return req;
}

std::string EncodeDeregister(const state::DeregisterRequest& req) {
  std::string out;
  out.push_back(static_cast<char>(MessageType::kDeregister));
  PutLengthPrefixedString(&out, req.node);
  PutLengthPrefixedString(&out, req.service_id);
  PutLengthPrefixedString(&out, req.check_id);
  return out;
}

Result<state::DeregisterRequest> DecodeDeregister(std::string_view data) {
  if (data.empty() || TypeOf(data) != MessageType::kDeregister)
    return Status::Corruption("bad Deregister command");
  data.remove_prefix(1);
  std::string_view node, service, check;
  if (!GetLengthPrefixedString(&data, &node) || !GetLengthPrefixedString(&data, &service) ||
      !GetLengthPrefixedString(&data, &check) || !data.empty())
    return Status::Corruption("bad Deregister command");
  return state::DeregisterRequest{std::string(node), std::string(service), std::string(check)};
}

std::string EncodeCoordinateBatchUpdate(const std::vector<state::CoordinateEntry>& updates) {
  std::string out;
  out.push_back(static_cast<char>(MessageType::kCoordinateBatchUpdate));
  PutVarint64(&out, updates.size());
  for (const auto& u : updates) state::EncodeCoordinateEntry(&out, u);
  return out;
}

Result<std::vector<state::CoordinateEntry>> DecodeCoordinateBatchUpdate(std::string_view data) {
  auto bad = [] { return Status::Corruption("bad CoordinateBatchUpdate command"); };
  if (data.empty() || TypeOf(data) != MessageType::kCoordinateBatchUpdate) return bad();
  data.remove_prefix(1);
  uint64_t n;
  if (!GetVarint64(&data, &n) || n > data.size()) return bad();
  std::vector<state::CoordinateEntry> updates(n);
  for (auto& u : updates)
    if (!state::DecodeCoordinateEntry(&data, &u)) return bad();
  if (!data.empty()) return bad();
  return updates;
}

}  // namespace consulate::fsm
