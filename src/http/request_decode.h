// Shared request helpers for the catalog, health and agent endpoints: decoding registration
// bodies, the tag and node-meta filters, the `?filter=` expression adapter, and the blocking query
// over one service.
#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "http/api.h"
#include "http/json_writer.h"
#include "state/store.h"

namespace consulate::http {

// ?node-meta=key:value (repeatable): every pair must match.
std::vector<std::pair<std::string, std::string>> ParseNodeMetaFilter(const Request& req);
bool NodeMetaMatches(const state::Node& n,
                     const std::vector<std::pair<std::string, std::string>>& want);
// ?tag=x (repeatable): the service must carry every tag.
bool TagsMatch(const state::NodeService& s, const std::vector<std::string_view>& tags);

// /v1/catalog/register and /v1/catalog/deregister bodies (structs.RegisterRequest and
// structs.DeregisterRequest; field names matched case-insensitively like Go's decoder).
Result<state::RegisterRequest> DecodeCatalogRegister(std::string_view body);
Result<state::DeregisterRequest> DecodeCatalogDeregister(std::string_view body);

// ?near=<node> (Consul's QuerySource): the node to sort results by estimated round trip time
// from; "_agent" means this agent. Empty when absent, or when ?dc names another datacenter
// (coordinates do not compare across datacenters).
std::string NearNode(const Call& call);

// The estimated RTT from `near` to each of `nodes` in seconds (lib.ComputeDistance over
// CoordinateSet.Intersect; +inf for a node without a compatible coordinate). Empty when `near` is
// empty or has no coordinate: then there is nothing to sort by.
std::vector<double> DistancesFrom(const state::StateStore& store, std::string_view near,
                                  const std::vector<std::string_view>& nodes);

// Consul's sortNodesByDistanceFrom: stable-sorts `items` (whose node name `node_of` gives) nearest
// first; nodes without coordinates keep their order at the end.
template <typename T, typename NodeOf>
void SortByDistanceFrom(const state::StateStore& store, std::string_view near,
                        std::vector<T>* items, NodeOf node_of) {
  if (near.empty() || items->size() < 2) return;
  std::vector<std::string_view> nodes;
  nodes.reserve(items->size());
  for (const T& item : *items) nodes.push_back(node_of(item));
  std::vector<double> dist = DistancesFrom(store, near, nodes);
  if (dist.empty()) return;
  std::vector<size_t> order(items->size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&dist](size_t a, size_t b) { return dist[a] < dist[b]; });
  std::vector<T> sorted;
  sorted.reserve(items->size());
  for (size_t i : order) sorted.push_back(std::move((*items)[i]));
  *items = std::move(sorted);
}

// catalog/service and health/service: the blocking query over one service.
struct ServiceQuery {
  state::StateStore* store;
  std::string service;
  bool with_checks;
  std::vector<state::ServiceInstance> out;
  uint64_t Run(state::WatchSet* ws) {
    out.clear();
    return store->ServiceNodes(service, with_checks, &out, ws);
  }
};

// Which Consul type a `?filter=` expression is evaluated against (selectors are checked against
// it).
enum class FilterTarget {
  kNode,
  kServiceNode,
  kCheckServiceNode,
  kHealthCheck,
  kAgentService,
  kAgentCheck
};

// The compiled `?filter=` of one request; matches everything when the request has none.
class Filter {
 public:
  Filter();
  ~Filter();
  Filter(Filter&&) noexcept;
  Filter& operator=(Filter&&) noexcept;
  // `write` renders the candidate as Consul's JSON; the expression is evaluated against that.
  bool Matches(const std::function<void(JsonWriter&)>& write);
  // Set when evaluation failed (then Matches returned false).
  const std::string& error() const { return error_; }

 private:
  friend bool ParseFilterParam(Call& call, FilterTarget target, Filter* out);
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string error_;
};

// Compiles ?filter= when present; on a bad expression answers 400 with the parse error and returns
// false (Consul 1.8.7 answers 500; see docs/compatibility.md).
bool ParseFilterParam(Call& call, FilterTarget target, Filter* out);

}  // namespace consulate::http
