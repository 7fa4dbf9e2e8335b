// Shared request helpers for the catalog, health and agent endpoints: decoding registration
// bodies, the tag and node-meta filters, the `?filter=` expression adapter, and the blocking query
// over one service.
#pragma once

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
