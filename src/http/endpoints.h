// The endpoint handlers, one group per file (kv_endpoint.cc, txn_endpoint.cc, ...), and the one
// route table that maps paths to them (routes.cc).
#pragma once

#include <string_view>

#include "http/api.h"
#include "http/json_writer.h"
#include "state/kvs.h"

namespace consulate::http {

Task<void> HandleKV(Call& call);
Task<void> HandleTxn(Call& call);
Task<void> HandleStatusLeader(Call& call);
Task<void> HandleStatusPeers(Call& call);
Task<void> HandleOperatorRaftConfiguration(Call& call);
Task<void> HandleOperatorRaftPeer(Call& call);
Task<void> HandleOperatorAutopilotConfiguration(Call& call);
Task<void> HandleOperatorAutopilotHealth(Call& call);
Task<void> HandleAgentSelf(Call& call);
Task<void> HandleAgentLeave(Call& call);
Task<void> HandleAgentReload(Call& call);
Task<void> HandleCatalogDatacenters(Call& call);
Task<void> HandleCatalogServices(Call& call);
Task<void> HandleCatalogService(Call& call);
Task<void> HandleCatalogNodes(Call& call);
Task<void> HandleCatalogNode(Call& call);  // node/<n> and node-services/<n>
Task<void> HandleCatalogRegister(Call& call);
Task<void> HandleCatalogDeregister(Call& call);
Task<void> HandleHealthService(Call& call);
Task<void> HandleHealthChecks(Call& call);
Task<void> HandleHealthNode(Call& call);
Task<void> HandleHealthState(Call& call);
Task<void> HandleAgentServices(Call& call);
Task<void> HandleAgentService(Call& call);
Task<void> HandleAgentServiceRegister(Call& call);
Task<void> HandleAgentServiceDeregister(Call& call);
Task<void> HandleAgentServiceMaintenance(Call& call);
Task<void> HandleAgentMaintenance(Call& call);
Task<void> HandleAgentChecks(Call& call);
Task<void> HandleAgentCheckRegister(Call& call);
Task<void> HandleAgentCheckDeregister(Call& call);
Task<void> HandleAgentCheckUpdate(Call& call);
Task<void> HandleAgentHealthService(Call& call);
Task<void> HandleAgentMembers(Call& call);
Task<void> HandleAgentJoin(Call& call);
Task<void> HandleAgentForceLeave(Call& call);
Task<void> HandleCoordinateDatacenters(Call& call);
Task<void> HandleCoordinateNodes(Call& call);
Task<void> HandleCoordinateNode(Call& call);
Task<void> HandleCoordinateUpdate(Call& call);
Task<void> HandleEventFire(Call& call);
Task<void> HandleEventList(Call& call);
Task<void> HandleOperatorKeyring(Call& call);

// Consul's DirEntry JSON shape; the value as base64, or null when empty or !with_value.
void WriteDirEntry(JsonWriter& w, const state::DirEntry& e, bool with_value);

struct Route {
  std::string_view path;
  bool prefix;  // match every path starting with `path`
  Handler handler;
};

// The handler for `path`, or null (404).
Handler FindRoute(std::string_view path);

}  // namespace consulate::http
