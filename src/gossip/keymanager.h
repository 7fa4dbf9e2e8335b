// serf's KeyManager: keyring operations across a whole pool, carried by serf's internal queries
// (_serf_list-keys, _serf_install-key, _serf_use-key, _serf_remove-key). Every member answers
// from its own keyring (Serf::Impl::HandleInternalQuery, or a stock serf agent started with a
// keyring); the answers are tallied into one KeyResponse.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "base/status.h"
#include "gossip/serf.h"

namespace consulate::gossip {

enum class KeyOperation { kList, kInstall, kUse, kRemove };

// serf's KeyResponse.
struct KeyResponse {
  std::map<std::string, std::string> messages;  // member name -> its error or warning
  int num_nodes = 0;                            // live members when the query went out
  int num_resp = 0;
  int num_err = 0;
  std::map<std::string, int> keys;          // base64 key -> how many members hold it
  std::map<std::string, int> primary_keys;  // base64 key -> how many members use it as primary
};

struct KeyOperationResult {
  KeyResponse response;
  // serf's error: "illegal base64 data at input byte N", "3/4 nodes reported failure",
  // "2/3 nodes reported success" (someone did not answer in time), or a query error.
  Status status;
};

// Runs `op` on every member of `pool` and waits for the answers (serf's default query timeout, or
// less once every live member answered). `key_base64` is ignored for kList.
// REQUIRES: not called from a serf handler (it blocks).
KeyOperationResult RunKeyOperation(Serf* pool, KeyOperation op, std::string_view key_base64,
                                   uint8_t relay_factor);

// The internal query's name for `op`: "_serf_list-keys", ...
std::string KeyQueryName(KeyOperation op);

}  // namespace consulate::gossip
