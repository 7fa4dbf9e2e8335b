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
    {"/v1/agent/self", false, HandleAgentSelf},
    {"/v1/agent/leave", false, HandleAgentLeave},
    {"/v1/agent/reload", false, HandleAgentReload},
    {"/v1/catalog/datacenters", false, HandleCatalogDatacenters},
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
