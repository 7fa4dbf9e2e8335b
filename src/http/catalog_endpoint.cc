// /v1/catalog/*: Consul's agent/catalog_endpoint.go.
#include <boost/json.hpp>
#include <set>

#include "fsm/command.h"
#include "http/catalog_json.h"
#include "http/endpoints.h"
#include "http/request_decode.h"

namespace consulate::http {

namespace {
constexpr std::string_view kPrefixService = "/v1/catalog/service/";
constexpr std::string_view kPrefixNode = "/v1/catalog/node/";
constexpr std::string_view kPrefixNodeServices = "/v1/catalog/node-services/";

bool RequireGet(Call& call) {
  if (call.req.method == "GET") return true;
  MethodNotAllowed(call, "OPTIONS,GET");
  return false;
}

// Blocking read helpers: the query functions capture one pointer each (no std::function
// allocation).
struct ServicesQuery {
  state::StateStore* store;
  std::map<std::string, std::vector<std::string>> out;
  uint64_t Run(state::WatchSet* ws) {
    out.clear();
    return store->Services(&out, ws);
  }
};

struct NodesQuery {
  state::StateStore* store;
  std::vector<state::Node> out;
  uint64_t Run(state::WatchSet* ws) {
    out.clear();
    return store->Nodes(&out, ws);
  }
};

struct NodeServicesQuery {
  state::StateStore* store;
  std::string node;
  std::optional<state::Node> found;
  std::vector<state::NodeService> services;
  uint64_t Run(state::WatchSet* ws) {
    services.clear();
    return store->NodeServices(node, &found, &services, ws);
  }
};
// ?near= sorting, out of the coroutine frames.
void SortNodesNear(Call& call, std::vector<state::Node>* nodes) {
  SortByDistanceFrom(call.api.server->state(), NearNode(call), nodes,
                     [](const state::Node& n) -> std::string_view { return n.node; });
}
void SortInstancesNear(Call& call, std::vector<state::ServiceInstance>* instances) {
  SortByDistanceFrom(
      call.api.server->state(), NearNode(call), instances,
      [](const state::ServiceInstance& i) -> std::string_view { return i.node.node; });
}
}  // namespace

Task<void> HandleCatalogDatacenters(Call& call) {
  if (!RequireGet(call)) co_return;
  std::string body;
  JsonWriter w(call.pretty(), &body);
  w.BeginArray();
  w.String(call.api.datacenter);
  w.EndArray();
  call.SetJsonBody(std::move(body));
}

Task<void> HandleCatalogServices(Call& call) {
  if (!RequireGet(call)) co_return;
  QueryOptions q;
  if (!call.ParseQueryOptions(&q)) co_return;
  ServicesQuery query{&call.api.server->state(), {}};
  auto* qp = &query;
  uint64_t idx = co_await call.Blocking(q, [qp](state::WatchSet* ws) { return qp->Run(ws); });
  if (call.aborted()) co_return;
  call.SetMeta(idx);
  auto node_meta = ParseNodeMetaFilter(call.req);
  std::string body;
  JsonWriter w(call.pretty(), &body);
  w.BeginObject();
  if (node_meta.empty()) {
    for (const auto& [name, tags] : query.out) {
      w.Key(name);
      w.BeginArray();
      for (const auto& t : tags) w.String(t);
      w.EndArray();
    }
  } else {
    // Only services with an instance on a node matching every node-meta pair.
    state::StateStore& st = call.api.server->state();
    for (const auto& [name, tags] : query.out) {
      std::vector<state::ServiceInstance> inst;
      st.ServiceNodes(name, false, &inst, nullptr);
      std::set<std::string> matched;
      bool any = false;
      for (const auto& i : inst) {
        if (!NodeMetaMatches(i.node, node_meta)) continue;
        any = true;
        matched.insert(i.service.tags.begin(), i.service.tags.end());
      }
      if (!any) continue;
      w.Key(name);
      w.BeginArray();
      for (const auto& t : matched) w.String(t);
      w.EndArray();
    }
  }
  w.EndObject();
  call.SetJsonBody(std::move(body));
}

Task<void> HandleCatalogNodes(Call& call) {
  if (!RequireGet(call)) co_return;
  QueryOptions q;
  if (!call.ParseQueryOptions(&q)) co_return;
  Filter filter;
  if (!ParseFilterParam(call, FilterTarget::kNode, &filter)) co_return;
  NodesQuery query{&call.api.server->state(), {}};
  auto* qp = &query;
  uint64_t idx = co_await call.Blocking(q, [qp](state::WatchSet* ws) { return qp->Run(ws); });
  if (call.aborted()) co_return;
  call.SetMeta(idx);
  SortNodesNear(call, &query.out);
  auto node_meta = ParseNodeMetaFilter(call.req);
  std::string body;
  JsonWriter w(call.pretty(), &body);
  w.BeginArray();
  for (const auto& n : query.out) {
    if (!NodeMetaMatches(n, node_meta)) continue;
    if (!filter.Matches([&](JsonWriter& fw) { WriteNode(fw, n); })) continue;
    WriteNode(w, n);
  }
  w.EndArray();
  if (!filter.error().empty()) {
    call.resp = Response{};
    call.resp.Error(400, filter.error());
    co_return;
  }
  call.SetJsonBody(std::move(body));
}

Task<void> HandleCatalogService(Call& call) {
  if (!RequireGet(call)) co_return;
  QueryOptions q;
  if (!call.ParseQueryOptions(&q)) co_return;
  Filter filter;
  if (!ParseFilterParam(call, FilterTarget::kServiceNode, &filter)) co_return;
  ServiceQuery query{
      &call.api.server->state(), call.req.path.substr(kPrefixService.size()), false, {}};
  auto* qp = &query;
  uint64_t idx = co_await call.Blocking(q, [qp](state::WatchSet* ws) { return qp->Run(ws); });
  if (call.aborted()) co_return;
  call.SetMeta(idx);
  SortInstancesNear(call, &query.out);
  auto tags = call.req.QueryAll("tag");
  auto node_meta = ParseNodeMetaFilter(call.req);
  std::string body;
  JsonWriter w(call.pretty(), &body);
  w.BeginArray();
  for (const auto& i : query.out) {
    if (!TagsMatch(i.service, tags) || !NodeMetaMatches(i.node, node_meta)) continue;
    if (!filter.Matches([&](JsonWriter& fw) { WriteServiceNode(fw, i.node, i.service); })) continue;
    WriteServiceNode(w, i.node, i.service);
  }
  w.EndArray();
  if (!filter.error().empty()) {
    call.resp = Response{};
    call.resp.Error(400, filter.error());
    co_return;
  }
  call.SetJsonBody(std::move(body));
}

Task<void> HandleCatalogNode(Call& call) {
  if (!RequireGet(call)) co_return;
  QueryOptions q;
  if (!call.ParseQueryOptions(&q)) co_return;
  const bool list_form = call.req.path.rfind(kPrefixNodeServices, 0) == 0;
  std::string node =
      call.req.path.substr(list_form ? kPrefixNodeServices.size() : kPrefixNode.size());
  NodeServicesQuery query{&call.api.server->state(), node, {}, {}};
  auto* qp = &query;
  uint64_t idx = co_await call.Blocking(q, [qp](state::WatchSet* ws) { return qp->Run(ws); });
  if (call.aborted()) co_return;
  call.SetMeta(idx);
  std::string body;
  JsonWriter w(call.pretty(), &body);
  if (!query.found) {
    w.Null();
  } else {
    w.BeginObject();
    w.Key("Node");
    WriteNode(w, *query.found);
    w.Key("Services");
    if (list_form) {
      w.BeginArray();
      for (const auto& s : query.services) WriteNodeService(w, s);
      w.EndArray();
    } else {
      w.BeginObject();
      for (const auto& s : query.services) {
        w.Key(s.id);
        WriteNodeService(w, s);
      }
      w.EndObject();
    }
    w.EndObject();
  }
  call.SetJsonBody(std::move(body));
}

Task<void> HandleCatalogRegister(Call& call) {
  if (call.req.method != "PUT") {
    MethodNotAllowed(call, "OPTIONS,PUT");
    co_return;
  }
  auto req = DecodeCatalogRegister(call.req.body);
  if (!req.ok()) {
    call.resp.Error(400, req.status().message());
    co_return;
  }
  if (req->node.datacenter.empty()) req->node.datacenter = call.api.datacenter;
  fsm::ApplyResult r = co_await call.Apply(fsm::EncodeRegister(*req));
  if (!r.status.ok()) {
    call.resp.Error(500, r.status.message());
    co_return;
  }
  call.SetJsonBody("true");
}

Task<void> HandleCatalogDeregister(Call& call) {
  if (call.req.method != "PUT") {
    MethodNotAllowed(call, "OPTIONS,PUT");
    co_return;
  }
  auto req = DecodeCatalogDeregister(call.req.body);
  if (!req.ok()) {
    call.resp.Error(400, req.status().message());
    co_return;
  }
  fsm::ApplyResult r = co_await call.Apply(fsm::EncodeDeregister(*req));
  if (!r.status.ok()) {
    call.resp.Error(500, r.status.message());
    co_return;
  }
  call.SetJsonBody("true");
}

}  // namespace consulate::http
