// The one route table (Consul's agent/http_register.go): path -> handler. Methods are checked by
// each handler so that a wrong method gets Consul's 405 text.
#include "http/endpoints.h"

namespace consulate::http {

namespace {
constexpr Route kRoutes[] = {
    {"/v1/kv/", true, HandleKV},
    {"/v1/txn", false, HandleTxn},
    {"/v1/status/leader", false, HandleStatusLeader},
    {"/v1/status/peers", false, HandleStatusPeers},
    {"/v1/operator/raft/configuration", false, HandleOperatorRaftConfiguration},
    {"/v1/operator/raft/peer", false, HandleOperatorRaftPeer},
    {"/v1/operator/autopilot/configuration", false, HandleOperatorAutopilotConfiguration},
    {"/v1/operator/autopilot/health", false, HandleOperatorAutopilotHealth},
    {"/v1/agent/self", false, HandleAgentSelf},
    {"/v1/agent/leave", false, HandleAgentLeave},
    {"/v1/agent/reload", false, HandleAgentReload},
    {"/v1/catalog/datacenters", false, HandleCatalogDatacenters},
    {"/v1/catalog/services", false, HandleCatalogServices},
    {"/v1/catalog/service/", true, HandleCatalogService},
    {"/v1/catalog/nodes", false, HandleCatalogNodes},
    {"/v1/catalog/node/", true, HandleCatalogNode},
    {"/v1/catalog/node-services/", true, HandleCatalogNode},
    {"/v1/catalog/register", false, HandleCatalogRegister},
    {"/v1/catalog/deregister", false, HandleCatalogDeregister},
    {"/v1/health/service/", true, HandleHealthService},
    {"/v1/health/checks/", true, HandleHealthChecks},
    {"/v1/health/node/", true, HandleHealthNode},
    {"/v1/health/state/", true, HandleHealthState},
    {"/v1/agent/services", false, HandleAgentServices},
    {"/v1/agent/service/register", false, HandleAgentServiceRegister},
    {"/v1/agent/service/deregister/", true, HandleAgentServiceDeregister},
    {"/v1/agent/service/maintenance/", true, HandleAgentServiceMaintenance},
    {"/v1/agent/service/", true, HandleAgentService},
    {"/v1/agent/maintenance", false, HandleAgentMaintenance},
    {"/v1/agent/checks", false, HandleAgentChecks},
    {"/v1/agent/check/register", false, HandleAgentCheckRegister},
    {"/v1/agent/check/deregister/", true, HandleAgentCheckDeregister},
    {"/v1/agent/check/pass/", true, HandleAgentCheckUpdate},
    {"/v1/agent/check/warn/", true, HandleAgentCheckUpdate},
    {"/v1/agent/check/fail/", true, HandleAgentCheckUpdate},
    {"/v1/agent/check/update/", true, HandleAgentCheckUpdate},
    {"/v1/agent/health/service/", true, HandleAgentHealthService},
    {"/v1/agent/members", false, HandleAgentMembers},
    {"/v1/agent/join/", true, HandleAgentJoin},
    {"/v1/agent/force-leave/", true, HandleAgentForceLeave},
    {"/v1/coordinate/datacenters", false, HandleCoordinateDatacenters},
    {"/v1/coordinate/nodes", false, HandleCoordinateNodes},
    {"/v1/coordinate/node/", true, HandleCoordinateNode},
    {"/v1/coordinate/update", false, HandleCoordinateUpdate},
    {"/v1/event/fire/", true, HandleEventFire},
    {"/v1/event/list", false, HandleEventList},
    {"/v1/operator/keyring", false, HandleOperatorKeyring},
};
}  // namespace

Handler FindRoute(std::string_view path) {
  for (const auto& r : kRoutes) {
    if (r.prefix ? path.substr(0, r.path.size()) == r.path : path == r.path) return r.handler;
  }
  // "/v1/kv" without the trailing slash is the KV endpoint with an empty key, as in Consul.
  if (path == "/v1/kv") return HandleKV;
  return nullptr;
}

}  // namespace consulate::http
