// The bodies of the requests servers forward to each other over the server port (rpc/transport):
// an applied command's result, and small helpers. Encoding: base/coding.h primitives.
//
//   ApplyResult = code byte | message string | ok byte | kv count v32 | kv entries | errors
//   DirEntry    = lock_index v64 | key string | flags v64 | value string | session string |
//                 create_index v64 | modify_index v64
//   errors      = count v32 | (op_index v32 | what string) x count
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "fsm/fsm.h"

namespace consulate::server {

// Methods of rpc::Transport requests between servers.
enum class RpcMethod : uint8_t {
  kApply = 1,       // body: fsm command; answer: ApplyResult
  kPeers = 2,       // body: empty; answer: "1" if this server has Raft state, "0" if pristine
  kRemovePeer = 3,  // body: ID or address; answer: code byte | message string
};

std::string EncodeApplyResult(const fsm::ApplyResult& r);
Status DecodeApplyResult(std::string_view in, fsm::ApplyResult* out);

std::string EncodeStatus(const Status& s);
Status DecodeStatus(std::string_view in);  // the decoded status itself (Corruption if garbled)

}  // namespace consulate::server
