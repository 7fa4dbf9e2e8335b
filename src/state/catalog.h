// The catalog tables (Consul's state/catalog.go): nodes, the service instances registered on them
// and health checks, with the indexes Consul reports for each kind of query.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace consulate::state {

using StringMap = std::map<std::string, std::string>;

struct Node {
  std::string id;
  std::string node;
  std::string address;
  std::string datacenter;
  StringMap tagged_addresses;
  StringMap meta;
  uint64_t create_index = 0;
  uint64_t modify_index = 0;
};

struct ServiceAddress {
  std::string address;
  int port = 0;
  bool operator==(const ServiceAddress&) const = default;
};

struct Weights {
  int passing = 1;
  int warning = 1;
  bool operator==(const Weights&) const = default;
};

// A service instance on a node (structs.NodeService).
struct NodeService {
  std::string kind;
  std::string id;
  std::string service;
  std::vector<std::string> tags;
  std::string address;
  std::map<std::string, ServiceAddress> tagged_addresses;
  StringMap meta;
  int port = 0;
  Weights weights;
  bool enable_tag_override = false;
  uint64_t create_index = 0;
  uint64_t modify_index = 0;

  // Equal ignoring the raft indexes: used to skip no-op re-registrations.
  bool SameAs(const NodeService& o) const {
    return kind == o.kind && id == o.id && service == o.service && tags == o.tags &&
           address == o.address && tagged_addresses == o.tagged_addresses && meta == o.meta &&
           port == o.port && weights == o.weights && enable_tag_override == o.enable_tag_override;
  }
};

inline constexpr std::string_view kPassing = "passing";
inline constexpr std::string_view kWarning = "warning";
inline constexpr std::string_view kCritical = "critical";
inline constexpr std::string_view kMaintenance = "maintenance";

struct HealthCheck {
  std::string node;
  std::string check_id;
  std::string name;
  std::string status = std::string(kCritical);
  std::string notes;
  std::string output;
  std::string service_id;
  std::string service_name;
  std::vector<std::string> service_tags;
  std::string type;
  std::string definition_json = "{}";  // the check's definition as Consul reports it
  uint64_t create_index = 0;
  uint64_t modify_index = 0;

  bool SameAs(const HealthCheck& o) const {
    return node == o.node && check_id == o.check_id && name == o.name && status == o.status &&
           notes == o.notes && output == o.output && service_id == o.service_id &&
           service_name == o.service_name && service_tags == o.service_tags && type == o.type &&
           definition_json == o.definition_json;
  }
};

// Consul's structs.RegisterRequest: a node, optionally a service and checks.
struct RegisterRequest {
  Node node;  // node.node and node.address are required
  std::optional<NodeService> service;
  std::vector<HealthCheck> checks;
  bool skip_node_update = false;
};

// Consul's structs.DeregisterRequest: the node, or one of its services, or one of its checks.
struct DeregisterRequest {
  std::string node;
  std::string service_id;
  std::string check_id;
};

// A service instance joined with its node (catalog/service) or with node and checks (health).
struct ServiceInstance {
  Node node;
  NodeService service;
  std::vector<HealthCheck> checks;  // only for health queries
};

}  // namespace consulate::state

namespace consulate::state {
// Binary encodings shared by snapshots and the FSM's register command (state/snapshot.cc).
void EncodeNode(std::string* out, const Node& n);
bool DecodeNode(std::string_view* in, Node* n);
void EncodeNodeService(std::string* out, const NodeService& s);
bool DecodeNodeService(std::string_view* in, NodeService* s);
void EncodeHealthCheck(std::string* out, const HealthCheck& c);
bool DecodeHealthCheck(std::string_view* in, HealthCheck* c);
}  // namespace consulate::state
