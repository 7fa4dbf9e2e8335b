// /v1/health/*: Consul's agent/health_endpoint.go.
#include "http/catalog_json.h"
#include "http/endpoints.h"
#include "http/request_decode.h"

namespace consulate::http {

namespace {
constexpr std::string_view kPrefixServiceHealth = "/v1/health/service/";
constexpr std::string_view kPrefixChecks = "/v1/health/checks/";
constexpr std::string_view kPrefixNodeHealth = "/v1/health/node/";
constexpr std::string_view kPrefixState = "/v1/health/state/";

enum class CheckQueryKind { kNode, kService, kState };

struct ChecksQuery {
  state::StateStore* store;
  CheckQueryKind kind;
  std::string arg;
  std::vector<state::HealthCheck> out;
  uint64_t Run(state::WatchSet* ws) {
    out.clear();
    switch (kind) {
      case CheckQueryKind::kNode:
        return store->NodeChecks(arg, &out, ws);
      case CheckQueryKind::kService:
        return store->ServiceChecks(arg, &out, ws);
      case CheckQueryKind::kState:
        return store->ChecksInState(arg, &out, ws);
    }
    return 0;
  }
};

// ?near= sorting (health/service, health/checks/<service>, health/state), out of the coroutine
// frames.
void SortChecksNear(Call& call, std::vector<state::HealthCheck>* checks) {
  SortByDistanceFrom(call.api.server->state(), NearNode(call), checks,
                     [](const state::HealthCheck& c) -> std::string_view { return c.node; });
}
void SortInstancesNear(Call& call, std::vector<state::ServiceInstance>* instances) {
  SortByDistanceFrom(
      call.api.server->state(), NearNode(call), instances,
      [](const state::ServiceInstance& i) -> std::string_view { return i.node.node; });
}

bool AllPassing(const std::vector<state::HealthCheck>& checks) {
  for (const auto& c : checks)
    if (c.status != state::kPassing) return false;
  return true;
}

void WriteCheckServiceNode(JsonWriter& w, const state::ServiceInstance& i) {
  w.BeginObject();
  w.Key("Node");
  WriteNode(w, i.node);
  w.Key("Service");
  WriteNodeService(w, i.service);
  w.Key("Checks");
  w.BeginArray();
  for (const auto& c : i.checks) WriteHealthCheck(w, c);
  w.EndArray();
  w.EndObject();
}

Task<void> Checks(Call& call, CheckQueryKind kind, std::string arg) {
  if (call.req.method != "GET") {
    MethodNotAllowed(call, "OPTIONS,GET");
    co_return;
  }
  QueryOptions q;
  if (!call.ParseQueryOptions(&q)) co_return;
  Filter filter;
  if (!ParseFilterParam(call, FilterTarget::kHealthCheck, &filter)) co_return;
  ChecksQuery query{&call.api.server->state(), kind, std::move(arg), {}};
  auto* qp = &query;
  uint64_t idx = co_await call.Blocking(q, [qp](state::WatchSet* ws) { return qp->Run(ws); });
  if (call.aborted()) co_return;
  call.SetMeta(idx);
  if (kind != CheckQueryKind::kNode) SortChecksNear(call, &query.out);
  auto node_meta = ParseNodeMetaFilter(call.req);
  std::string body;
  JsonWriter w(call.pretty(), &body);
  w.BeginArray();
  for (const auto& c : query.out) {
    if (!filter.Matches([&](JsonWriter& fw) { WriteHealthCheck(fw, c); })) continue;
    WriteHealthCheck(w, c);
  }
  w.EndArray();
  (void)node_meta;
  if (!filter.error().empty()) {
    call.resp = Response{};
    call.resp.Error(400, filter.error());
    co_return;
  }
  call.SetJsonBody(std::move(body));
}
}  // namespace

// Rendering is a plain function: a coroutine keeps every local in its frame while it is parked.
void RenderHealthService(Call& call, const std::vector<state::ServiceInstance>& instances,
                         Filter& filter) {
  const bool passing = call.req.Has("passing") && call.req.Query("passing") != "false" &&
                       call.req.Query("passing") != "0";
  auto tags = call.req.QueryAll("tag");
  auto node_meta = ParseNodeMetaFilter(call.req);
  std::string body;
  body.reserve(1200 * instances.size());
  JsonWriter w(call.pretty(), &body);
  w.BeginArray();
  for (const auto& i : instances) {
    if (passing && !AllPassing(i.checks)) continue;
    if (!TagsMatch(i.service, tags) || !NodeMetaMatches(i.node, node_meta)) continue;
    if (!filter.Matches([&](JsonWriter& fw) { WriteCheckServiceNode(fw, i); })) continue;
    WriteCheckServiceNode(w, i);
  }
  w.EndArray();
  if (!filter.error().empty()) {
    call.resp = Response{};
    call.resp.Error(400, filter.error());
    return;
  }
  call.SetJsonBody(std::move(body));
}

Task<void> HandleHealthService(Call& call) {
  if (call.req.method != "GET") {
    MethodNotAllowed(call, "OPTIONS,GET");
    co_return;
  }
  QueryOptions q;
  if (!call.ParseQueryOptions(&q)) co_return;
  Filter filter;
  if (!ParseFilterParam(call, FilterTarget::kCheckServiceNode, &filter)) co_return;
  ServiceQuery query{
      &call.api.server->state(), call.req.path.substr(kPrefixServiceHealth.size()), true, {}};
  auto* qp = &query;
  uint64_t idx = co_await call.Blocking(q, [qp](state::WatchSet* ws) { return qp->Run(ws); });
  if (call.aborted()) co_return;
  call.SetMeta(idx);
  SortInstancesNear(call, &query.out);
  RenderHealthService(call, query.out, filter);
}

Task<void> HandleHealthChecks(Call& call) {
  return Checks(call, CheckQueryKind::kService, call.req.path.substr(kPrefixChecks.size()));
}

Task<void> HandleHealthNode(Call& call) {
  return Checks(call, CheckQueryKind::kNode, call.req.path.substr(kPrefixNodeHealth.size()));
}

Task<void> HandleHealthState(Call& call) {
  return Checks(call, CheckQueryKind::kState, call.req.path.substr(kPrefixState.size()));
}

}  // namespace consulate::http
