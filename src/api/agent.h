// The local agent's endpoints (/v1/agent), as Consul's Go api.Agent exposes them. Errors carry the
// Go client's wording (see client.h): "Unexpected response code: 404 (...)" for a non-200 answer.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/client.h"
#include "base/result.h"

namespace consulate::api {

// One entry of GET /v1/agent/checks (the fields the CLI reads).
struct AgentCheck {
  std::string node;
  std::string check_id;
  std::string name;
  std::string status;
  std::string notes;
  std::string output;
  std::string service_id;
  std::string service_name;
};

class Agent {
 public:
  // `client` must outlive this object.
  explicit Agent(const Client* client) : client_(client) {}

  // GET /v1/agent/self: the agent's configuration, member record and "Stats".
  Result<boost::json::object> Self() const;
  // The agent's node name (Self()'s Config.NodeName).
  Result<std::string> NodeName() const;
  // PUT /v1/agent/leave: graceful leave, then the agent shuts down.
  Status Leave() const;
  // PUT /v1/agent/reload: the agent re-reads its configuration files.
  Status Reload() const;

  // GET /v1/agent/checks: the checks of the local agent, sorted by check ID (the answer is a JSON
  // object keyed by ID, which Go hands over as an unordered map).
  Result<std::vector<AgentCheck>> Checks() const;
  // GET /v1/agent/services: the local services as the agent returns them (keyed by service ID).
  Result<boost::json::object> Services() const;

  // PUT /v1/agent/service/register with `registration` (an api.AgentServiceRegistration in JSON:
  // "Name", "ID", "Tags", ...) as the body.
  Status ServiceRegister(const boost::json::object& registration) const;
  // PUT /v1/agent/service/deregister/<service_id>. The ID is path-escaped like Go's url.URL does
  // ("a b/c" -> "a%20b/c"; '/' is kept, as Consul 1.8's client sends it).
  Status ServiceDeregister(std::string_view service_id) const;

  // PUT /v1/agent/maintenance?enable=true&reason=<reason> (reason sent even when empty).
  Status EnableNodeMaintenance(std::string_view reason) const;
  // PUT /v1/agent/maintenance?enable=false.
  Status DisableNodeMaintenance() const;
  // PUT /v1/agent/service/maintenance/<service_id>?enable=true&reason=<reason>.
  Status EnableServiceMaintenance(std::string_view service_id, std::string_view reason) const;
  // PUT /v1/agent/service/maintenance/<service_id>?enable=false.
  Status DisableServiceMaintenance(std::string_view service_id) const;

  // GET /v1/agent/members[?wan=1]: the gossip pool's members as JSON objects (Name, Addr, Port,
  // Tags, Status, Protocol*/Delegate*).
  Result<boost::json::array> Members(bool wan) const;
  // PUT /v1/agent/join/<address>[?wan=1].
  Status Join(std::string_view address, bool wan) const;
  // PUT /v1/agent/force-leave/<node>[?prune].
  Status ForceLeave(std::string_view node, bool prune) const;

 private:
  // Sends a request whose answer only matters by its status (200 is success).
  Status Put(std::string_view path, Params params = {}, std::string body = {}) const;

  const Client* client_;
};

// Decodes the body of GET /v1/agent/checks. Exposed for tests.
Result<std::vector<AgentCheck>> DecodeAgentChecks(std::string_view json);

}  // namespace consulate::api
