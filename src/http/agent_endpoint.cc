// /v1/agent/*: Consul's agent/agent_endpoint.go (self, leave and reload so far).
#include <thread>

#include "http/endpoints.h"

namespace consulate::http {

namespace {
void StringMap(JsonWriter& w, std::initializer_list<std::pair<std::string_view, std::string>> kvs) {
  w.BeginObject();
  for (const auto& [k, v] : kvs) {
    w.Key(k);
    w.String(v);
  }
  w.EndObject();
}
// This agent as a serf member (until gossip lands, the only member it knows).
void WriteSelfMember(JsonWriter& w, const AgentApi& a) {
  const std::string rpc = a.server ? a.server->LeaderAddress() : "";
  const std::string rpc_port = rpc.substr(rpc.rfind(':') + 1);
  w.BeginObject();
  w.Key("Name");
  w.String(a.node_name);
  w.Key("Addr");
  w.String(a.advertise_addr);
  w.Key("Port");
  w.Int(a.serf_lan_port);
  w.Key("Tags");
  StringMap(w, {{"acls", "0"},
                {"build", a.version + ":" + a.revision},
                {"dc", a.datacenter},
                {"ft_fs", "1"},
                {"id", a.node_id},
                {"port", rpc_port},
                {"raft_vsn", "3"},
                {"role", a.is_server ? "consul" : "node"},
                {"segment", ""},
                {"vsn", "2"},
                {"vsn_max", "3"},
                {"vsn_min", "2"}});
  w.Key("Status");
  w.Int(1);
  for (auto [k, v] : {std::pair{"ProtocolMin", 1},
                      {"ProtocolMax", 5},
                      {"ProtocolCur", 2},
                      {"DelegateMin", 2},
                      {"DelegateMax", 5},
                      {"DelegateCur", 4}}) {
    w.Key(k);
    w.Int(v);
  }
  w.EndObject();
}
}  // namespace

Task<void> HandleAgentSelf(Call& call) {
  if (call.req.method != "GET") {
    MethodNotAllowed(call, "OPTIONS,GET");
    co_return;
  }
  const AgentApi& a = call.api;
  const bool srv = a.server != nullptr;
  const std::string rpc = srv ? a.server->LeaderAddress() : "";
  const std::string rpc_port = rpc.substr(rpc.rfind(':') + 1);
  const std::string applied = srv ? std::to_string(a.server->LastApplied()) : "0";
  const std::string term = srv ? std::to_string(a.server->CurrentTerm()) : "0";
  std::string body;
  JsonWriter w(call.pretty(), &body);
  w.BeginObject();
  w.Key("Config");
  w.BeginObject();
  w.Key("Datacenter");
  w.String(a.datacenter);
  w.Key("NodeName");
  w.String(a.node_name);
  w.Key("NodeID");
  w.String(a.node_id);
  w.Key("Revision");
  w.String(a.revision);
  w.Key("Server");
  w.Bool(a.is_server);
  w.Key("Version");
  w.String(a.version);
  w.EndObject();
  w.Key("DebugConfig");
  w.Raw(a.debug_config_json);
  w.Key("Coord");
  w.Null();
  w.Key("Member");
  WriteSelfMember(w, a);
  w.Key("Stats");
  w.BeginObject();
  w.Key("agent");
  StringMap(w, {{"check_monitors", "0"}, {"check_ttls", "0"}, {"checks", "0"}, {"services", "0"}});
  w.Key("build");
  StringMap(w, {{"prerelease", ""}, {"revision", a.revision}, {"version", a.version}});
  w.Key("consul");
  StringMap(w, {{"acl", "disabled"},
                {"bootstrap", "false"},
                {"known_datacenters", "1"},
                {"leader", srv && a.server->IsLeader() ? "true" : "false"},
                {"leader_addr", rpc},
                {"server", a.is_server ? "true" : "false"}});
  w.Key("raft");
  StringMap(w, {{"applied_index", applied},
                {"commit_index", applied},
                {"fsm_pending", "0"},
                {"last_contact", "0"},
                {"last_log_index", applied},
                {"last_log_term", term},
                {"num_peers", "0"},
                {"protocol_version", "3"},
                {"state", srv && a.server->IsLeader() ? "Leader" : "Follower"},
                {"term", term}});
  w.Key("runtime");
  StringMap(w, {{"arch", "amd64"},
                {"cpu_count", std::to_string(std::thread::hardware_concurrency())},
                {"os", "linux"},
                {"version", "consulate"}});
  w.EndObject();
  w.Key("Meta");
  StringMap(w, {{"consul-network-segment", ""}});
  w.EndObject();
  call.SetJsonBody(std::move(body));
}

Task<void> HandleAgentMembers(Call& call) {
  if (call.req.method != "GET") {
    MethodNotAllowed(call, "OPTIONS,GET");
    co_return;
  }
  std::string body;
  JsonWriter w(call.pretty(), &body);
  w.BeginArray();
  WriteSelfMember(w, call.api);
  w.EndArray();
  call.SetJsonBody(std::move(body));
}

Task<void> HandleAgentLeave(Call& call) {
  if (call.req.method != "PUT") {
    MethodNotAllowed(call, "OPTIONS,PUT");
    co_return;
  }
  if (call.api.leave) call.api.leave();
  call.resp.content_type = {};
}

Task<void> HandleAgentReload(Call& call) {
  if (call.req.method != "PUT") {
    MethodNotAllowed(call, "OPTIONS,PUT");
    co_return;
  }
  if (call.api.reload) {
    Status st = call.api.reload();
    if (!st.ok()) {
      call.resp.Error(500, st.message());
      co_return;
    }
  }
  call.resp.content_type = {};
}

}  // namespace consulate::http
