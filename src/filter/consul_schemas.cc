#include "filter/consul_schemas.h"

namespace consulate::filter {
namespace {

using F = FieldSchema;

SchemaPtr StringMap() { return F::Map(F::String()); }

// structs.Weights / api.AgentWeights.
SchemaPtr WeightsSchema() {
  return F::Struct({{"Passing", "", F::Int()}, {"Warning", "", F::Int()}});
}

// structs.ServiceAddress: the values of a service's TaggedAddresses.
SchemaPtr ServiceAddressSchema() {
  return F::Struct({{"Address", "", F::String()}, {"Port", "", F::Int()}});
}

SchemaPtr MeshGatewaySchema() { return F::Struct({{"Mode", "", F::String()}}); }

SchemaPtr ExposeSchema() {
  SchemaPtr path = F::Struct({
      {"ListenerPort", "", F::Int()},
      {"Path", "", F::String()},
      {"LocalPathPort", "", F::Int()},
      {"Protocol", "", F::String()},
      {"ParsedFromCheck", "", F::Bool()},
  });
  return F::Struct({{"Checks", "", F::Bool()}, {"Paths", "", F::List(path)}});
}

SchemaPtr UpstreamSchema() {
  return F::Struct({
      {"DestinationType", "", F::String()},
      {"DestinationNamespace", "", F::String()},
      {"DestinationName", "", F::String()},
      {"Datacenter", "", F::String()},
      {"LocalBindAddress", "", F::String()},
      {"LocalBindPort", "", F::Int()},
      {"MeshGateway", "", MeshGatewaySchema()},
  });
}

// structs.ConnectProxyConfig (api.AgentServiceConnectProxyConfig has the same selectors).
SchemaPtr ConnectProxyConfigSchema() {
  return F::Struct({
      {"DestinationServiceName", "", F::String()},
      {"DestinationServiceID", "", F::String()},
      {"LocalServiceAddress", "", F::String()},
      {"LocalServicePort", "", F::Int()},
      {"Upstreams", "", F::List(UpstreamSchema())},
      {"MeshGateway", "", MeshGatewaySchema()},
      {"Expose", "", ExposeSchema()},
  });
}

SchemaPtr ServiceConnectSchema() { return F::Struct({{"Native", "", F::Bool()}}); }

SchemaPtr BuildNode() {
  return F::Struct({
      {"ID", "", F::String()},
      {"Node", "", F::String()},
      {"Address", "", F::String()},
      {"Datacenter", "", F::String()},
      {"TaggedAddresses", "", StringMap()},
      {"Meta", "", StringMap()},
  });
}

SchemaPtr BuildNodeService() {
  return F::Struct({
      {"Kind", "", F::String()},
      {"ID", "", F::String()},
      {"Service", "", F::String()},
      {"Tags", "", F::List(F::String())},
      {"Address", "", F::String()},
      {"TaggedAddresses", "", F::Map(ServiceAddressSchema())},
      {"Meta", "", StringMap()},
      {"Port", "", F::Int()},
      {"Weights", "", WeightsSchema()},
      {"EnableTagOverride", "", F::Bool()},
      {"Proxy", "", ConnectProxyConfigSchema()},
      {"Connect", "", ServiceConnectSchema()},
  });
}

SchemaPtr BuildServiceNode() {
  return F::Struct({
      {"ID", "", F::String()},
      {"Node", "", F::String()},
      {"Address", "", F::String()},
      {"Datacenter", "", F::String()},
      {"TaggedAddresses", "", StringMap()},
      {"NodeMeta", "", StringMap()},
      {"ServiceKind", "", F::String()},
      {"ServiceID", "", F::String()},
      {"ServiceName", "", F::String()},
      {"ServiceTags", "", F::List(F::String())},
      {"ServiceAddress", "", F::String()},
      {"ServiceTaggedAddresses", "", F::Map(ServiceAddressSchema())},
      {"ServiceWeights", "", WeightsSchema()},
      {"ServiceMeta", "", StringMap()},
      {"ServicePort", "", F::Int()},
      {"ServiceEnableTagOverride", "", F::Bool()},
      {"ServiceProxy", "", ConnectProxyConfigSchema()},
      {"ServiceConnect", "", ServiceConnectSchema()},
  });
}

SchemaPtr BuildHealthCheck() {
  return F::Struct({
      {"Node", "", F::String()},
      {"CheckID", "", F::String()},
      {"Name", "", F::String()},
      {"Status", "", F::String()},
      {"Notes", "", F::String()},
      {"Output", "", F::String()},
      {"ServiceID", "", F::String()},
      {"ServiceName", "", F::String()},
      {"ServiceTags", "", F::List(F::String())},
      {"Type", "", F::String()},
  });
}

}  // namespace

SchemaPtr NodeSchema() {
  static const SchemaPtr kSchema = BuildNode();
  return kSchema;
}

SchemaPtr NodeServiceSchema() {
  static const SchemaPtr kSchema = BuildNodeService();
  return kSchema;
}

SchemaPtr AgentServiceSchema() { return NodeServiceSchema(); }

SchemaPtr ServiceNodeSchema() {
  static const SchemaPtr kSchema = BuildServiceNode();
  return kSchema;
}

SchemaPtr HealthCheckSchema() {
  static const SchemaPtr kSchema = BuildHealthCheck();
  return kSchema;
}

SchemaPtr AgentCheckSchema() { return HealthCheckSchema(); }

SchemaPtr CheckServiceNodeSchema() {
  static const SchemaPtr kSchema = F::Struct({
      {"Node", "", NodeSchema()},
      {"Service", "", NodeServiceSchema()},
      {"Checks", "", F::List(HealthCheckSchema())},
  });
  return kSchema;
}

}  // namespace consulate::filter
