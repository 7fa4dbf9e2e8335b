// Consul's JSON shapes for catalog values (Node, NodeService, ServiceNode, HealthCheck,
// CheckServiceNode, AgentService), field for field in Go's order.
#pragma once

#include "http/json_writer.h"
#include "state/catalog.h"

namespace consulate::http {

void WriteNode(JsonWriter& w, const state::Node& n);
// structs.NodeService inside health results and catalog/node (with Proxy/Connect and indexes).
void WriteNodeService(JsonWriter& w, const state::NodeService& s);
// api.AgentService for /v1/agent/services (no indexes, no Proxy).
void WriteAgentService(JsonWriter& w, const state::NodeService& s);
// structs.ServiceNode for /v1/catalog/service/<name>.
void WriteServiceNode(JsonWriter& w, const state::Node& n, const state::NodeService& s);
void WriteHealthCheck(JsonWriter& w, const state::HealthCheck& c);
void WriteStringMap(JsonWriter& w, const state::StringMap& m);

}  // namespace consulate::http
