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

// api.AutopilotConfiguration; durations as Go duration strings.
struct AutopilotConfiguration {
  bool cleanup_dead_servers = false;
  std::string last_contact_threshold = "0s";
  uint64_t max_trailing_logs = 0;
  uint64_t min_quorum = 0;
  std::string server_stabilization_time = "0s";
  std::string redundancy_zone_tag;
  bool disable_upgrade_migration = false;
  std::string upgrade_version_tag;
  uint64_t create_index = 0;
  uint64_t modify_index = 0;
};

class Operator {
 public:
  // GET /v1/operator/autopilot/configuration.
  Result<AutopilotConfiguration> AutopilotGetConfiguration() const;
  // PUT /v1/operator/autopilot/configuration?cas=<ModifyIndex>: false when the CAS failed.
  Result<bool> AutopilotCASConfiguration(const AutopilotConfiguration& conf) const;
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
