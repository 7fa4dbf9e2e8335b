// Schemas of the Consul 1.8 types that HTTP endpoints filter, with the selectors bexpr derives
// from their Go structs (agent/structs and api; fields tagged `bexpr:"-"`, such as RaftIndex,
// EnterpriseMeta, Definition and the proxy Config maps, are not selectable).
#pragma once

#include "filter/schema.h"

namespace consulate::filter {

// structs.Node: /v1/catalog/nodes. ID, Node, Address, Datacenter, TaggedAddresses, Meta.
SchemaPtr NodeSchema();

// structs.ServiceNode: /v1/catalog/service/:service and /v1/catalog/connect/:service.
SchemaPtr ServiceNodeSchema();

// structs.NodeService: the Service of a CheckServiceNode and /v1/catalog/node/:node's services.
SchemaPtr NodeServiceSchema();

// api.AgentService: the values of /v1/agent/services. Same selectors as NodeService (Consul's
// own tests assert the two stay equal).
SchemaPtr AgentServiceSchema();

// structs.HealthCheck: /v1/health/node/:node, /v1/health/checks/:service, /v1/health/state/:state.
SchemaPtr HealthCheckSchema();

// The values of /v1/agent/checks (structs.HealthCheck in Consul 1.8's agent endpoint).
SchemaPtr AgentCheckSchema();

// structs.CheckServiceNode: /v1/health/service/:service and /v1/health/connect/:service.
// Node (a Node), Service (a NodeService), Checks (a list of HealthCheck).
SchemaPtr CheckServiceNodeSchema();

}  // namespace consulate::filter
