// The catalog endpoints (/v1/catalog), as Consul's Go api.Catalog exposes them. Errors carry the Go
// client's wording (see client.h).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/client.h"
#include "base/result.h"

namespace consulate::api {

// The query options the catalog commands use (a subset of Go's api.QueryOptions).
struct CatalogQuery {
  std::string near;                              // ?near=
  std::map<std::string, std::string> node_meta;  // ?node-meta=key:value, one per pair
  std::string filter;                            // ?filter=
};

// The request parameters for `query`, in Go's order (sorted by key when encoded).
Params CatalogQueryParams(const CatalogQuery& query);

// One entry of GET /v1/catalog/nodes.
struct CatalogNode {
  std::string id;
  std::string node;
  std::string address;
  std::string datacenter;
  std::map<std::string, std::string> tagged_addresses;
  std::map<std::string, std::string> meta;
};

// One entry of GET /v1/catalog/service/<name>: a service instance with its node's fields.
struct CatalogService {
  std::string id;  // the node's ID
  std::string node;
  std::string address;
  std::string datacenter;
  std::map<std::string, std::string> tagged_addresses;
  std::map<std::string, std::string> node_meta;
  std::string service_id;
  std::string service_name;
  std::vector<std::string> service_tags;
};

// A service as listed by GET /v1/catalog/node/<node>.
struct CatalogNodeService {
  std::string id;
  std::string service;
  std::vector<std::string> tags;
};

// GET /v1/catalog/node/<node>: the node and its services (keyed by service ID, sorted).
struct CatalogNodeServices {
  CatalogNode node;
  std::vector<CatalogNodeService> services;
};

class Catalog {
 public:
  // `client` must outlive this object.
  explicit Catalog(const Client* client) : client_(client) {}

  // GET /v1/catalog/datacenters, in the order the servers give (nearest first).
  Result<std::vector<std::string>> Datacenters() const;
  // GET /v1/catalog/nodes.
  Result<std::vector<CatalogNode>> Nodes(const CatalogQuery& query) const;
  // GET /v1/catalog/services: service name -> tags (as the server lists them).
  Result<std::map<std::string, std::vector<std::string>>> Services(const CatalogQuery& query) const;
  // GET /v1/catalog/service/<name>[?tag=<tag>].
  Result<std::vector<CatalogService>> Service(std::string_view name, std::string_view tag,
                                              const CatalogQuery& query) const;
  // GET /v1/catalog/node/<node>; nullopt when the node is unknown (the server answers null).
  Result<std::optional<CatalogNodeServices>> Node(std::string_view node,
                                                  const CatalogQuery& query) const;

 private:
  Result<std::string> Get(std::string_view path, Params params) const;

  const Client* client_;
};

// Decoders for the answers above. Exposed for tests.
Result<std::vector<CatalogNode>> DecodeCatalogNodes(std::string_view json);
Result<std::map<std::string, std::vector<std::string>>> DecodeCatalogServices(
    std::string_view json);
Result<std::vector<CatalogService>> DecodeCatalogService(std::string_view json);
Result<std::optional<CatalogNodeServices>> DecodeCatalogNode(std::string_view json);

}  // namespace consulate::api
