// /v1/catalog/*: Consul's agent/catalog_endpoint.go (datacenters so far; the rest arrives with the
// service-discovery issue).
#include "http/endpoints.h"

namespace consulate::http {

Task<void> HandleCatalogDatacenters(Call& call) {
  if (call.req.method != "GET") {
    MethodNotAllowed(call, "OPTIONS,GET");
    co_return;
  }
  std::string body;
  JsonWriter w(call.pretty(), &body);
  w.BeginArray();
  w.String(call.api.datacenter);
  w.EndArray();
  call.SetJsonBody(std::move(body));
}

}  // namespace consulate::http
