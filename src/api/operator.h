// The Raft part of Consul's api.Operator: /v1/operator/raft/configuration and /peer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/client.h"
#include "base/result.h"

namespace consulate::api {

// One server of api.RaftConfiguration.
struct RaftServer {
  std::string id, node, address, protocol_version;
  bool leader = false;
  bool voter = false;
};

class Operator {
 public:
  explicit Operator(const Client* client) : client_(client) {}

  // GET /v1/operator/raft/configuration (with ?stale when the client config says so).
  Result<std::vector<RaftServer>> RaftGetConfiguration() const;
  // DELETE /v1/operator/raft/peer?address=<address> / ?id=<id>.
  Status RaftRemovePeerByAddress(std::string_view address) const;
  Status RaftRemovePeerByID(std::string_view id) const;

 private:
  const Client* client_;
};

// Decodes the body of GET /v1/operator/raft/configuration. Exposed for tests.
Result<std::vector<RaftServer>> DecodeRaftConfiguration(std::string_view json);

}  // namespace consulate::api
