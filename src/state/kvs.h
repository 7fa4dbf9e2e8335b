// The KV table: entries keyed by full key, tombstones of deleted keys (so the index of a prefix
// never moves backwards after a delete), and the table indexes. Mirrors Consul's state/kvs.go.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace consulate::state {

struct DirEntry {
  uint64_t lock_index = 0;
  std::string key;
  uint64_t flags = 0;
  std::string value;
  std::string session;
  uint64_t create_index = 0;
  uint64_t modify_index = 0;

  bool operator==(const DirEntry&) const = default;
};

// The verbs a KV command or transaction operation can carry (Consul's api.KVOp values).
enum class KVOp : uint8_t {
  kSet = 0,
  kDelete = 1,
  kDeleteCAS = 2,
  kDeleteTree = 3,
  kCAS = 4,
  kLock = 5,
  kUnlock = 6,
  kGet = 7,
  kGetTree = 8,
  kCheckSession = 9,
  kCheckIndex = 10,
  kCheckNotExists = 11,
};

// Parses "set", "delete-cas", ... (Consul's verb names). Returns false for an unknown verb.
bool ParseKVOp(std::string_view verb, KVOp* out);
std::string_view KVOpName(KVOp op);
// True for the verbs that only read.
bool IsReadOnlyKVOp(KVOp op);

using KVMap = std::map<std::string, DirEntry, std::less<>>;

}  // namespace consulate::state
