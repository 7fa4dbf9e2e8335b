// Service and check definitions as Consul accepts them: over the agent API
// (/v1/agent/service/register, /v1/agent/check/register) and in `service`/`check` blocks of config
// files. Keys are matched like Consul's decoder: any case, underscores optional (config's
// DefinitionField).
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "base/result.h"
#include "state/catalog.h"

namespace consulate::agent {

// One check as defined, before it runs. `raw` keeps the definition for the check runner and for
// Consul's "Definition" field.
struct CheckDefinition {
  std::string id;
  std::string name;
  std::string notes;
  std::string status;      // initial status; empty: the type's default
  std::string service_id;  // set for a service's checks
  std::string type;        // ttl, http, tcp, script, alias, docker, grpc, or "" (none)
  std::chrono::nanoseconds ttl{0};
  std::chrono::nanoseconds interval{0};
  std::chrono::nanoseconds deregister_critical_service_after{0};
  boost::json::object raw;
};

struct ServiceDefinition {
  state::NodeService service;
  std::vector<CheckDefinition> checks;
};

// Parses a service definition (the body of /v1/agent/service/register, or one element of a config
// file's services). Errors carry Consul's message text.
Result<ServiceDefinition> ParseServiceDefinition(const boost::json::object& def);

// Parses a check definition (/v1/agent/check/register or a config file's check block).
Result<CheckDefinition> ParseCheckDefinition(const boost::json::object& def);

}  // namespace consulate::agent
