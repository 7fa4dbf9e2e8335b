// The keyring part of Consul's Go api.Operator: /v1/operator/keyring.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/client.h"
#include "base/result.h"

namespace consulate::api {

// api.KeyringResponse.
struct KeyringResponse {
  bool wan = false;
  std::string datacenter;
  std::string segment;
  std::map<std::string, std::string> messages;
  std::map<std::string, int64_t> keys;
  std::map<std::string, int64_t> primary_keys;
  int64_t num_nodes = 0;
};

struct KeyringOptions {
  int relay_factor = 0;     // sent as ?relay-factor when non-zero
  bool local_only = false;  // sent as ?local-only=true (list only)
};

class OperatorKeyring {
 public:
  explicit OperatorKeyring(const Client* client) : client_(client) {}

  Result<std::vector<KeyringResponse>> List(const KeyringOptions& options) const;  // GET
  Status Install(std::string_view key, const KeyringOptions& options) const;       // POST
  Status Use(std::string_view key, const KeyringOptions& options) const;           // PUT
  Status Remove(std::string_view key, const KeyringOptions& options) const;        // DELETE

 private:
  Status Write(std::string_view method, std::string_view key, const KeyringOptions& options) const;
  const Client* client_;
};

// Decodes the body of GET /v1/operator/keyring. Exposed for tests.
Result<std::vector<KeyringResponse>> DecodeKeyringResponses(std::string_view json);

}  // namespace consulate::api
