// The bodies of the requests servers forward to each other over the server port (rpc/transport):
// an applied command's result, and small helpers. Encoding: base/coding.h primitives.
//
//   ApplyResult = code byte | message string | ok byte | kv count v32 | kv entries | errors
//   DirEntry    = lock_index v64 | key string | flags v64 | value string | session string |
//                 create_index v64 | modify_index v64
//   errors      = count v32 | (op_index v32 | what string) x count
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "fsm/command.h"
#include "fsm/fsm.h"

namespace consulate::server {

// Methods of rpc::Transport requests between servers.
enum class RpcMethod : uint8_t {
  kApply = 1,       // body: fsm command; answer: ApplyResult
  kPeers = 2,       // body: empty; answer: "1" if this server has Raft state, "0" if pristine
  kRemovePeer = 3,  // body: ID or address; answer: code byte | message string
  kReadNode = 4,    // body: node name; answer: EncodeNodeRead (a client agent's anti-entropy)
  kHttp = 5,        // body/answer: a forwarded HTTP request/response (http/forwarding.h)
};

// A node's catalog entry, services and checks (what anti-entropy compares), as a count and that
// many fsm Register commands: the node alone, one per service, then one with every check.
// An unknown node is an empty list.
std::string EncodeNodeRead(const std::optional<state::Node>& node,
                           const std::vector<state::NodeService>& services,
                           const std::vector<state::HealthCheck>& checks);
Status DecodeNodeRead(std::string_view in, std::optional<state::Node>* node,
                      std::vector<state::NodeService>* services,
                      std::vector<state::HealthCheck>* checks);

std::string EncodeApplyResult(const fsm::ApplyResult& r);
Status DecodeApplyResult(std::string_view in, fsm::ApplyResult* out);

// fsm message type 9 (Consul's AutopilotRequestType): set the autopilot configuration.
//   9 | cas byte | cas_index v64 | config (fields in struct order; durations as ns v64)
inline constexpr uint8_t kAutopilotMessageType = 9;
struct AutopilotConfig;
std::string EncodeAutopilotSet(const AutopilotConfig& c, bool cas, uint64_t cas_index);
Status DecodeAutopilotSet(std::string_view in, AutopilotConfig* c, bool* cas, uint64_t* cas_index);
void PutAutopilotConfig(std::string* dst, const AutopilotConfig& c);
bool GetAutopilotConfig(std::string_view* in, AutopilotConfig* c);

std::string EncodeStatus(const Status& s);
Status DecodeStatus(std::string_view in);  // the decoded status itself (Corruption if garbled)

}  // namespace consulate::server
