#include "http/catalog_json.h"

namespace consulate::http {

namespace {
void WriteStrings(JsonWriter& w, const std::vector<std::string>& v) {
  w.BeginArray();
  for (const auto& s : v) w.String(s);
  w.EndArray();
}

void WriteWeights(JsonWriter& w, const state::Weights& weights) {
  w.BeginObject();
  w.Key("Passing");
  w.Int(weights.passing);
  w.Key("Warning");
  w.Int(weights.warning);
  w.EndObject();
}

void WriteServiceTaggedAddresses(JsonWriter& w,
                                 const std::map<std::string, state::ServiceAddress>& m) {
  w.BeginObject();
  for (const auto& [k, a] : m) {
    w.Key(k);
    w.BeginObject();
    w.Key("Address");
    w.String(a.address);
    w.Key("Port");
    w.Int(a.port);
    w.EndObject();
  }
  w.EndObject();
}

void WriteProxyConnect(JsonWriter& w) {
  w.Key("Proxy");
  w.BeginObject();
  w.Key("MeshGateway");
  w.BeginObject();
  w.EndObject();
  w.Key("Expose");
  w.BeginObject();
  w.EndObject();
  w.EndObject();
  w.Key("Connect");
  w.BeginObject();
  w.EndObject();
}
}  // namespace

void WriteStringMap(JsonWriter& w, const state::StringMap& m) {
  w.BeginObject();
  for (const auto& [k, v] : m) {
    w.Key(k);
    w.String(v);
  }
  w.EndObject();
}

void WriteNode(JsonWriter& w, const state::Node& n) {
  w.BeginObject();
  w.Key("ID");
  w.String(n.id);
  w.Key("Node");
  w.String(n.node);
  w.Key("Address");
  w.String(n.address);
  w.Key("Datacenter");
  w.String(n.datacenter);
  w.Key("TaggedAddresses");
  WriteStringMap(w, n.tagged_addresses);
  w.Key("Meta");
  WriteStringMap(w, n.meta);
  w.Key("CreateIndex");
  w.Uint(n.create_index);
  w.Key("ModifyIndex");
  w.Uint(n.modify_index);
  w.EndObject();
}

void WriteNodeService(JsonWriter& w, const state::NodeService& s) {
  w.BeginObject();
  if (!s.kind.empty()) {
    w.Key("Kind");
    w.String(s.kind);
  }
  w.Key("ID");
  w.String(s.id);
  w.Key("Service");
  w.String(s.service);
  w.Key("Tags");
  WriteStrings(w, s.tags);
  w.Key("Address");
  w.String(s.address);
  if (!s.tagged_addresses.empty()) {
    w.Key("TaggedAddresses");
    WriteServiceTaggedAddresses(w, s.tagged_addresses);
  }
  w.Key("Meta");
  WriteStringMap(w, s.meta);
  w.Key("Port");
  w.Int(s.port);
  w.Key("Weights");
  WriteWeights(w, s.weights);
  w.Key("EnableTagOverride");
  w.Bool(s.enable_tag_override);
  WriteProxyConnect(w);
  w.Key("CreateIndex");
  w.Uint(s.create_index);
  w.Key("ModifyIndex");
  w.Uint(s.modify_index);
  w.EndObject();
}

void WriteAgentService(JsonWriter& w, const state::NodeService& s) {
  w.BeginObject();
  if (!s.kind.empty()) {
    w.Key("Kind");
    w.String(s.kind);
  }
  w.Key("ID");
  w.String(s.id);
  w.Key("Service");
  w.String(s.service);
  w.Key("Tags");
  WriteStrings(w, s.tags);
  w.Key("Meta");
  WriteStringMap(w, s.meta);
  w.Key("Port");
  w.Int(s.port);
  w.Key("Address");
  w.String(s.address);
  if (!s.tagged_addresses.empty()) {
    w.Key("TaggedAddresses");
    WriteServiceTaggedAddresses(w, s.tagged_addresses);
  }
  w.Key("Weights");
  WriteWeights(w, s.weights);
  w.Key("EnableTagOverride");
  w.Bool(s.enable_tag_override);
  w.EndObject();
}

void WriteServiceNode(JsonWriter& w, const state::Node& n, const state::NodeService& s) {
  w.BeginObject();
  w.Key("ID");
  w.String(n.id);
  w.Key("Node");
  w.String(n.node);
  w.Key("Address");
  w.String(n.address);
  w.Key("Datacenter");
  w.String(n.datacenter);
  w.Key("TaggedAddresses");
  WriteStringMap(w, n.tagged_addresses);
  w.Key("NodeMeta");
  WriteStringMap(w, n.meta);
  w.Key("ServiceKind");
  w.String(s.kind);
  w.Key("ServiceID");
  w.String(s.id);
  w.Key("ServiceName");
  w.String(s.service);
  w.Key("ServiceTags");
  WriteStrings(w, s.tags);
  w.Key("ServiceAddress");
  w.String(s.address);
  if (!s.tagged_addresses.empty()) {
    w.Key("ServiceTaggedAddresses");
    WriteServiceTaggedAddresses(w, s.tagged_addresses);
  }
  w.Key("ServiceWeights");
  WriteWeights(w, s.weights);
  w.Key("ServiceMeta");
  WriteStringMap(w, s.meta);
  w.Key("ServicePort");
  w.Int(s.port);
  w.Key("ServiceEnableTagOverride");
  w.Bool(s.enable_tag_override);
  w.Key("ServiceProxy");
  w.BeginObject();
  w.Key("MeshGateway");
  w.BeginObject();
  w.EndObject();
  w.Key("Expose");
  w.BeginObject();
  w.EndObject();
  w.EndObject();
  w.Key("ServiceConnect");
  w.BeginObject();
  w.EndObject();
  w.Key("CreateIndex");
  w.Uint(s.create_index);
  w.Key("ModifyIndex");
  w.Uint(s.modify_index);
  w.EndObject();
}

void WriteHealthCheck(JsonWriter& w, const state::HealthCheck& c) {
  w.BeginObject();
  w.Key("Node");
  w.String(c.node);
  w.Key("CheckID");
  w.String(c.check_id);
  w.Key("Name");
  w.String(c.name);
  w.Key("Status");
  w.String(c.status);
  w.Key("Notes");
  w.String(c.notes);
  w.Key("Output");
  w.String(c.output);
  w.Key("ServiceID");
  w.String(c.service_id);
  w.Key("ServiceName");
  w.String(c.service_name);
  w.Key("ServiceTags");
  WriteStrings(w, c.service_tags);
  w.Key("Type");
  w.String(c.type);
  w.Key("Definition");
  w.Raw(c.definition_json.empty() ? "{}" : c.definition_json);
  w.Key("CreateIndex");
  w.Uint(c.create_index);
  w.Key("ModifyIndex");
  w.Uint(c.modify_index);
  w.EndObject();
}

}  // namespace consulate::http
