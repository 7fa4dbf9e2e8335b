// /v1/agent/*: Consul's agent/agent_endpoint.go (self, leave and reload so far).
#include <algorithm>
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
  const std::string rpc = a.server ? a.server->RpcAddress() : "";
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
                {"last_contact", srv ? std::to_string(a.server->LastContactMs()) + "ms" : "never"},
                {"last_log_index", applied},
                {"last_log_term", term},
                {"num_peers", srv ? std::to_string(a.server->PeerAddresses().size() - 1) : "0"},
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

namespace {
void WriteMember(JsonWriter& w, const gossip::Member& m) {
  w.BeginObject();
  w.Key("Name");
  w.String(m.name);
  w.Key("Addr");
  w.String(m.addr);
  w.Key("Port");
  w.Uint(m.port);
  w.Key("Tags");
  w.BeginObject();
  for (const auto& [k, v] : m.tags) {
    w.Key(k);
    w.String(v);
  }
  w.EndObject();
  w.Key("Status");
  w.Int(static_cast<int>(m.status));
  for (auto [k, v] : {std::pair{"ProtocolMin", m.protocol_min},
                      {"ProtocolMax", m.protocol_max},
                      {"ProtocolCur", m.protocol_cur},
                      {"DelegateMin", m.delegate_min},
                      {"DelegateMax", m.delegate_max},
                      {"DelegateCur", m.delegate_cur}}) {
    w.Key(k);
    w.Int(v);
  }
  w.EndObject();
}
}  // namespace

// GET /v1/agent/members[?wan=1][&segment=]: the members of the agent's LAN (or WAN) pool.
Task<void> HandleAgentMembers(Call& call) {
  if (call.req.method != "GET") {
    MethodNotAllowed(call, "OPTIONS,GET");
    co_return;
  }
  const bool wan = call.req.Has("wan") && call.req.Query("wan") != "0";
  gossip::Serf* pool = wan ? call.api.wan : call.api.lan;
  if (wan && pool == nullptr) {
    call.resp.Error(500, "Cannot list WAN members on a client agent");
    co_return;
  }
  std::string body;
  JsonWriter w(call.pretty(), &body);
  w.BeginArray();
  if (pool == nullptr) {
    WriteSelfMember(w, call.api);
  } else {
    std::vector<gossip::Member> members = pool->Members();
    std::sort(members.begin(), members.end(),
              [](const gossip::Member& a, const gossip::Member& b) { return a.name < b.name; });
    for (const auto& m : members) WriteMember(w, m);
  }
  w.EndArray();
  call.SetJsonBody(std::move(body));
}

// PUT /v1/agent/join/<address>[?wan=1].
Task<void> HandleAgentJoin(Call& call) {
  if (call.req.method != "PUT") {
    MethodNotAllowed(call, "OPTIONS,PUT");
    co_return;
  }
  const std::string addr(call.req.path.substr(std::string_view("/v1/agent/join/").size()));
  const bool wan = call.req.Has("wan") && call.req.Query("wan") != "0";
  gossip::Serf* pool = wan ? call.api.wan : call.api.lan;
  if (pool == nullptr) {
    call.resp.Error(500, wan ? "Must be a server to join WAN cluster" : "gossip is disabled");
    co_return;
  }
  // Serf's Join blocks on network I/O: keep it off the I/O threads.
  auto res = co_await call.RunBlocking([pool, addr] { return pool->Join({addr}, true); });
  if (!res.ok()) {
    call.resp.Error(500, res.status().message());
    co_return;
  }
  call.resp.content_type = {};
}

// PUT /v1/agent/force-leave/<node>[?prune].
Task<void> HandleAgentForceLeave(Call& call) {
  if (call.req.method != "PUT") {
    MethodNotAllowed(call, "OPTIONS,PUT");
    co_return;
  }
  const std::string node(call.req.path.substr(std::string_view("/v1/agent/force-leave/").size()));
  const bool prune = call.req.Has("prune");
  gossip::Serf* lan = call.api.lan;
  gossip::Serf* wan = call.api.wan;
  if (lan == nullptr) {
    call.resp.Error(500, "gossip is disabled");
    co_return;
  }
  auto res = co_await call.RunBlocking([lan, wan, node, prune]() -> Result<int> {
    Status st = lan->ForceLeave(node, prune);
    if (wan) (void)wan->ForceLeave(node, prune);
    if (!st.ok()) return st;
    return 1;
  });
  if (!res.ok()) {
    call.resp.Error(500, res.status().message());
    co_return;
  }
  call.resp.content_type = {};
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
