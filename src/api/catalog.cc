#include "api/catalog.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "api/json_fields.h"

namespace consulate::api {

namespace {

namespace json = boost::json;

std::map<std::string, std::string> StringMapField(const json::object& o, std::string_view key) {
  std::map<std::string, std::string> out;
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_object()) return out;
  for (const auto& kv : v->as_object()) {
    if (kv.value().is_string()) out[std::string(kv.key())] = std::string(kv.value().as_string());
  }
  return out;
}

std::vector<std::string> StringList(const json::value* v) {
  std::vector<std::string> out;
  if (v == nullptr || !v->is_array()) return out;
  for (const json::value& item : v->as_array()) {
    if (item.is_string()) out.emplace_back(item.as_string());
  }
  return out;
}

CatalogNode NodeFrom(const json::object& o) {
  CatalogNode n;
  n.id = StringField(o, "ID");
  n.node = StringField(o, "Node");
  n.address = StringField(o, "Address");
  n.datacenter = StringField(o, "Datacenter");
  n.tagged_addresses = StringMapField(o, "TaggedAddresses");
  n.meta = StringMapField(o, "Meta");
  return n;
}

// A JSON array of objects (null reads as empty), each handed to `each`.
template <typename Fn>
Status ForEachObject(const json::value& v, std::string_view what, Fn each) {
  if (v.is_null()) return Status::OK();
  if (!v.is_array())
    return Status::Corruption(std::string(what) + ": response is not a JSON array");
  for (const json::value& item : v.as_array()) {
    if (item.is_object()) each(item.as_object());
  }
  return Status::OK();
}

}  // namespace

Params CatalogQueryParams(const CatalogQuery& query) {
  Params params;
  if (!query.near.empty()) params.emplace_back("near", query.near);
  for (const auto& [key, value] : query.node_meta)
    params.emplace_back("node-meta", key + ":" + value);
  if (!query.filter.empty()) params.emplace_back("filter", query.filter);
  return params;
}

Result<std::string> Catalog::Get(std::string_view path, Params params) const {
  CONSULATE_ASSIGN_OR_RETURN(Response resp, client_->Send("GET", path, std::move(params)));
  if (resp.status != 200) return UnexpectedResponseError(resp);
  return std::move(resp.body);
}

Result<std::vector<std::string>> Catalog::Datacenters() const {
  CONSULATE_ASSIGN_OR_RETURN(std::string body, Get("/v1/catalog/datacenters", {}));
  CONSULATE_ASSIGN_OR_RETURN(json::value v, ParseBody(body));
  if (!v.is_null() && !v.is_array()) {
    return Status::Corruption("catalog datacenters: response is not a JSON array");
  }
  return StringList(&v);
}

Result<std::vector<CatalogNode>> DecodeCatalogNodes(std::string_view body) {
  CONSULATE_ASSIGN_OR_RETURN(json::value v, ParseBody(body));
  std::vector<CatalogNode> nodes;
  CONSULATE_RETURN_IF_ERROR(ForEachObject(
      v, "catalog nodes", [&](const json::object& o) { nodes.push_back(NodeFrom(o)); }));
  return nodes;
}

Result<std::vector<CatalogNode>> Catalog::Nodes(const CatalogQuery& query) const {
  CONSULATE_ASSIGN_OR_RETURN(std::string body, Get("/v1/catalog/nodes", CatalogQueryParams(query)));
  return DecodeCatalogNodes(body);
}

Result<std::map<std::string, std::vector<std::string>>> DecodeCatalogServices(
    std::string_view body) {
  CONSULATE_ASSIGN_OR_RETURN(json::value v, ParseBody(body));
  std::map<std::string, std::vector<std::string>> services;
  if (v.is_null()) return services;
  if (!v.is_object()) return Status::Corruption("catalog services: response is not a JSON object");
  for (const auto& kv : v.as_object()) services[std::string(kv.key())] = StringList(&kv.value());
  return services;
}

Result<std::map<std::string, std::vector<std::string>>> Catalog::Services(
    const CatalogQuery& query) const {
  CONSULATE_ASSIGN_OR_RETURN(std::string body,
                             Get("/v1/catalog/services", CatalogQueryParams(query)));
  return DecodeCatalogServices(body);
}

Result<std::vector<CatalogService>> DecodeCatalogService(std::string_view body) {
  CONSULATE_ASSIGN_OR_RETURN(json::value v, ParseBody(body));
  std::vector<CatalogService> services;
  CONSULATE_RETURN_IF_ERROR(ForEachObject(v, "catalog service", [&](const json::object& o) {
    CatalogService s;
    s.id = StringField(o, "ID");
    s.node = StringField(o, "Node");
    s.address = StringField(o, "Address");
    s.datacenter = StringField(o, "Datacenter");
    s.tagged_addresses = StringMapField(o, "TaggedAddresses");
    s.node_meta = StringMapField(o, "NodeMeta");
    s.service_id = StringField(o, "ServiceID");
    s.service_name = StringField(o, "ServiceName");
    s.service_tags = StringList(o.if_contains("ServiceTags"));
    services.push_back(std::move(s));
  }));
  return services;
}

Result<std::vector<CatalogService>> Catalog::Service(std::string_view name, std::string_view tag,
                                                     const CatalogQuery& query) const {
  Params params = CatalogQueryParams(query);
  if (!tag.empty()) params.emplace_back("tag", std::string(tag));
  CONSULATE_ASSIGN_OR_RETURN(std::string body,
                             Get("/v1/catalog/service/" + std::string(name), std::move(params)));
  return DecodeCatalogService(body);
}

Result<std::optional<CatalogNodeServices>> DecodeCatalogNode(std::string_view body) {
  CONSULATE_ASSIGN_OR_RETURN(json::value v, ParseBody(body));
  if (v.is_null()) return std::optional<CatalogNodeServices>();
  if (!v.is_object()) return Status::Corruption("catalog node: response is not a JSON object");
  const json::object& o = v.as_object();
  CatalogNodeServices result;
  if (const json::value* node = o.if_contains("Node"); node != nullptr && node->is_object()) {
    result.node = NodeFrom(node->as_object());
  }
  if (const json::value* services = o.if_contains("Services");
      services != nullptr && services->is_object()) {
    std::map<std::string, CatalogNodeService> by_id;
    for (const auto& kv : services->as_object()) {
      if (!kv.value().is_object()) continue;
      const json::object& s = kv.value().as_object();
      CatalogNodeService service;
      service.id = StringField(s, "ID");
      service.service = StringField(s, "Service");
      service.tags = StringList(s.if_contains("Tags"));
      by_id[std::string(kv.key())] = std::move(service);
    }
    for (auto& [id, service] : by_id) result.services.push_back(std::move(service));
  }
  return std::optional<CatalogNodeServices>(std::move(result));
}

Result<std::optional<CatalogNodeServices>> Catalog::Node(std::string_view node,
                                                         const CatalogQuery& query) const {
  CONSULATE_ASSIGN_OR_RETURN(
      std::string body, Get("/v1/catalog/node/" + std::string(node), CatalogQueryParams(query)));
  return DecodeCatalogNode(body);
}

}  // namespace consulate::api
