// /v1/status/*: Consul's agent/status_endpoint.go.
#include "http/endpoints.h"

namespace consulate::http {

Task<void> HandleStatusLeader(Call& call) {
  if (call.req.method != "GET") {
    MethodNotAllowed(call, "OPTIONS,GET");
    co_return;
  }
  QueryOptions q;
  if (!call.ParseQueryOptions(&q)) co_return;
  std::string body;
  JsonWriter w(call.pretty(), &body);
  w.String(call.api.server ? call.api.server->LeaderAddress() : "");
  call.SetJsonBody(std::move(body));
}

Task<void> HandleStatusPeers(Call& call) {
  if (call.req.method != "GET") {
    MethodNotAllowed(call, "OPTIONS,GET");
    co_return;
  }
  QueryOptions q;
  if (!call.ParseQueryOptions(&q)) co_return;
  std::string body;
  JsonWriter w(call.pretty(), &body);
  w.BeginArray();
  if (call.api.server)
    for (const auto& addr : call.api.server->PeerAddresses()) w.String(addr);
  w.EndArray();
  call.SetJsonBody(std::move(body));
}

}  // namespace consulate::http
