// The key/value endpoints (/v1/kv), as Consul's Go api.KV exposes them. Errors carry the Go
// client's wording (see client.h), which the kv commands print after their own prefixes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/client.h"
#include "base/result.h"

namespace consulate::api {

struct KVPair {
  std::string key;
  uint64_t create_index = 0;
  uint64_t modify_index = 0;  // also the CAS index for CAS()/DeleteCAS()
  uint64_t lock_index = 0;
  uint64_t flags = 0;
  std::string value;    // raw bytes (base64 on the wire)
  std::string session;  // the lock holder; the session for Acquire()/Release()
};

class KV {
 public:
  // `client` must outlive this object.
  explicit KV(const Client* client) : client_(client) {}

  // The pair at `key`, or nullopt when there is none. A leading '/' of a key or prefix is dropped.
  Result<std::optional<KVPair>> Get(std::string_view key) const;
  // Every pair whose key starts with `prefix`, sorted by key.
  Result<std::vector<KVPair>> List(std::string_view prefix) const;
  // Keys under `prefix`, rolled up at the first `separator` after the prefix ("" for no roll-up).
  Result<std::vector<std::string>> Keys(std::string_view prefix, std::string_view separator) const;

  // Writes. Keys must not start with '/': "Invalid key. Key must not begin with a '/': /x".
  Status Put(const KVPair& pair) const;
  // false when the check failed and nothing was written.
  Result<bool> CAS(const KVPair& pair) const;
  Result<bool> Acquire(const KVPair& pair) const;
  Result<bool> Release(const KVPair& pair) const;

  Status Delete(std::string_view key) const;
  Result<bool> DeleteCAS(const KVPair& pair) const;
  Status DeleteTree(std::string_view prefix) const;

 private:
  Result<Response> Read(std::string_view key, Params params) const;
  Result<bool> Write(const KVPair& pair, Params params) const;
  Result<bool> DeleteInternal(std::string_view key, Params params) const;

  const Client* client_;
};

// Decodes a /v1/kv JSON answer (an array of entries with base64 values).
Result<std::vector<KVPair>> DecodeKVPairs(std::string_view json);

}  // namespace consulate::api
