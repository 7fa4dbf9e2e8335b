#include "gossip/keymanager.h"

#include <fmt/format.h>

#include "base/base64.h"
#include "gossip/serf_messages.h"

namespace consulate::gossip {

std::string KeyQueryName(KeyOperation op) {
  std::string name(serf::kInternalQueryPrefix);
  switch (op) {
    case KeyOperation::kList:
      return name + "list-keys";
    case KeyOperation::kInstall:
      return name + "install-key";
    case KeyOperation::kUse:
      return name + "use-key";
    case KeyOperation::kRemove:
      return name + "remove-key";
  }
  return name;
}

namespace {

// Go's fmt "%v" of a []byte: "[1 2 3]".
std::string GoBytes(std::string_view b) {
  std::string out = "[";
  for (size_t i = 0; i < b.size(); ++i) {
    if (i) out.push_back(' ');
    out += std::to_string(static_cast<unsigned>(static_cast<uint8_t>(b[i])));
  }
  out.push_back(']');
  return out;
}

// serf's streamKeyResp, for one member's answer.
void Tally(const QueryResponse& r, KeyResponse* resp) {
  ++resp->num_resp;
  if (r.payload.empty() || static_cast<uint8_t>(r.payload[0]) !=
                               static_cast<uint8_t>(serf::SerfMessageType::kKeyResponse)) {
    resp->messages[r.from] = "Invalid key query response type: " + GoBytes(r.payload);
    ++resp->num_err;
    return;
  }
  serf::KeyResponse node;
  if (!serf::DecodeSerfMessage(std::string_view(r.payload).substr(1), &node).ok()) {
    resp->messages[r.from] = "Failed to decode key query response: " + GoBytes(r.payload);
    ++resp->num_err;
    return;
  }
  if (!node.result) {
    resp->messages[r.from] = node.message;
    ++resp->num_err;
  } else if (!node.message.empty()) {
    resp->messages[r.from] = node.message;
  }
  for (const std::string& key : node.keys) ++resp->keys[key];
  ++resp->primary_keys[node.primary_key];
}

}  // namespace

KeyOperationResult RunKeyOperation(Serf* pool, KeyOperation op, std::string_view key_base64,
                                   uint8_t relay_factor) {
  KeyOperationResult out;
  std::string raw_key;
  if (op != KeyOperation::kList) {
    if (Status s = Base64Decode(key_base64, &raw_key); !s.ok()) {
      out.status = s;
      return out;
    }
  }
  serf::KeyRequest req;
  req.key = msgpack::Bytes(raw_key);
  QueryParams params;
  params.relay_factor = relay_factor;
  auto result = pool->Query(
      KeyQueryName(op), serf::EncodeSerfMessage(req), params,
      [](const QueryResult& r) { return static_cast<int>(r.responses.size()) >= r.num_members; });
  if (!result.ok()) {
    out.status = result.status();
    return out;
  }
  KeyResponse& resp = out.response;
  resp.num_nodes = result->num_members;
  for (const QueryResponse& r : result->responses) {
    Tally(r, &resp);
    if (resp.num_resp == resp.num_nodes) break;
  }
  if (resp.num_err != 0) {
    out.status =
        Status::Internal(fmt::format("{}/{} nodes reported failure", resp.num_err, resp.num_nodes));
  } else if (resp.num_resp != resp.num_nodes) {
    out.status = Status::Internal(
        fmt::format("{}/{} nodes reported success", resp.num_resp, resp.num_nodes));
  }
  return out;
}

}  // namespace consulate::gossip
