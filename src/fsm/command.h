// Commands: every change to the state store is one of these, encoded into a log entry and applied
// by the FSM at its log index. The type numbers are Consul's structs.MessageType values; they are
// stable on disk and never reused (house rule 7).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "state/store.h"

namespace consulate::fsm {

enum class MessageType : uint8_t {
  kRegister = 0,
  kDeregister = 1,
  kKVS = 2,
  kSession = 3,
  kACL = 4,
  kTombstone = 5,
  kCoordinateBatchUpdate = 6,
  kPreparedQuery = 7,
  kTxn = 8,
  kAutopilot = 9,
};

// A KV write (Consul's structs.KVSRequest): one verb on one entry.
struct KVSCommand {
  state::KVOp op = state::KVOp::kSet;
  state::DirEntry entry;  // for CAS verbs, entry.modify_index is the expected index
};

// An atomic list of KV operations (Consul's structs.TxnRequest, KV part).
struct TxnCommand {
  std::vector<state::TxnKVOp> ops;
};

std::string EncodeKVS(const KVSCommand& cmd);
std::string EncodeRegister(const state::RegisterRequest& req);
std::string EncodeDeregister(const state::DeregisterRequest& req);
Result<state::RegisterRequest> DecodeRegister(std::string_view data);
Result<state::DeregisterRequest> DecodeDeregister(std::string_view data);
std::string EncodeTxn(const TxnCommand& cmd);

// Peeks at the type byte. REQUIRES: !data.empty()
inline MessageType TypeOf(std::string_view data) { return static_cast<MessageType>(data[0]); }
Result<KVSCommand> DecodeKVS(std::string_view data);
Result<TxnCommand> DecodeTxn(std::string_view data);
// A batch of coordinate updates (Consul's CoordinateBatchUpdateType, structs.Coordinates).
std::string EncodeCoordinateBatchUpdate(const std::vector<state::CoordinateEntry>& updates);
Result<std::vector<state::CoordinateEntry>> DecodeCoordinateBatchUpdate(std::string_view data);

}  // namespace consulate::fsm
