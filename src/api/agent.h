// The local agent's endpoints (/v1/agent), as Consul's Go api.Agent exposes them.
#pragma once

#include <boost/json/object.hpp>

#include "api/client.h"
#include "base/result.h"

namespace consulate::api {

class Agent {
 public:
  // `client` must outlive this object.
  explicit Agent(const Client* client) : client_(client) {}

  // GET /v1/agent/self: the agent's configuration, member record and "Stats".
  Result<boost::json::object> Self() const;
  // PUT /v1/agent/leave: graceful leave, then the agent shuts down.
  Status Leave() const;

 private:
  const Client* client_;
};

}  // namespace consulate::api
