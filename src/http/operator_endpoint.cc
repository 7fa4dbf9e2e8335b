// /v1/operator/raft/*: Consul's agent/operator_endpoint.go (the Raft part).
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <ctime>

#include "base/duration.h"
#include "http/endpoints.h"
#include "http/forwarding.h"
#include "server/forward_codec.h"

namespace consulate::http {

namespace {

Task<Status> RemovePeer(server::Server* srv, asio::any_io_executor ex, std::string target) {
  return AwaitCallback<Status>(
      ex, [srv, target](auto done) { srv->RemovePeer(target, std::move(done)); });
}

}  // namespace

// GET: {"Servers":[{"ID","Node","Address","Leader","ProtocolVersion","Voter"}],"Index":N}.
Task<void> HandleOperatorRaftConfiguration(Call& call) {
  if (call.req.method != "GET") {
    MethodNotAllowed(call, "OPTIONS,GET");
    co_return;
  }
  QueryOptions q;
  if (!call.ParseQueryOptions(&q)) co_return;
  if (!call.api.server) {
    call.resp.Error(500, "No known Consul servers");
    co_return;
  }
  uint64_t idx = co_await call.Blocking(q, [](state::WatchSet*) { return uint64_t{1}; });
  if (call.aborted()) co_return;
  (void)idx;
  const server::RaftConfigurationView view = call.api.server->RaftConfiguration();
  std::string body;
  JsonWriter w(call.pretty(), &body);
  w.BeginObject();
  w.Key("Servers");
  w.BeginArray();
  for (const auto& s : view.servers) {
    w.BeginObject();
    w.Key("ID");
    w.String(s.id);
    w.Key("Node");
    w.String(s.node);
    w.Key("Address");
    w.String(s.address);
    w.Key("Leader");
    w.Bool(s.leader);
    w.Key("ProtocolVersion");
    w.String("3");
    w.Key("Voter");
    w.Bool(s.voter);
    w.EndObject();
  }
  w.EndArray();
  w.Key("Index");
  w.Uint(view.index);
  w.EndObject();
  call.SetJsonBody(std::move(body));
}

// DELETE ?id=<server ID> or ?address=<ip:port>.
Task<void> HandleOperatorRaftPeer(Call& call) {
  if (call.req.method != "DELETE") {
    MethodNotAllowed(call, "OPTIONS,DELETE");
    co_return;
  }
  QueryOptions q;
  if (!call.ParseQueryOptions(&q)) co_return;
  std::string kind, target;
  if (call.req.Has("id")) {
    kind = "id";
    target = std::string(call.req.Query("id"));
  } else if (call.req.Has("address")) {
    kind = "address";
    target = std::string(call.req.Query("address"));
  } else {
    call.resp.Error(400,
                    "Must specify either ?id with the server's ID or ?address with IP:port of peer "
                    "to remove");
    co_return;
  }
  if (!call.api.server) {
    call.resp.Error(500, "No known Consul servers");
    co_return;
  }
  Status st = co_await RemovePeer(call.api.server, co_await asio::this_coro::executor, target);
  if (st.IsNotFound()) {
    call.resp.Error(500, kind + " \"" + target + "\" was not found in the Raft configuration");
    co_return;
  }
  if (!st.ok()) {
    call.resp.Error(500, st.message());
    co_return;
  }
}

}  // namespace consulate::http

// ---- /v1/operator/autopilot/* (Consul's agent/operator_endpoint.go, autopilot part).

namespace consulate::http {

namespace {

void WriteAutopilotConfig(JsonWriter& w, const server::AutopilotConfig& c) {
  w.BeginObject();
  w.Key("CleanupDeadServers");
  w.Bool(c.cleanup_dead_servers);
  w.Key("LastContactThreshold");
  w.String(FormatGoDuration(c.last_contact_threshold));
  w.Key("MaxTrailingLogs");
  w.Uint(c.max_trailing_logs);
  w.Key("MinQuorum");
  w.Uint(c.min_quorum);
  w.Key("ServerStabilizationTime");
  w.String(FormatGoDuration(c.server_stabilization_time));
  w.Key("RedundancyZoneTag");
  w.String(c.redundancy_zone_tag);
  w.Key("DisableUpgradeMigration");
  w.Bool(c.disable_upgrade_migration);
  w.Key("UpgradeVersionTag");
  w.String(c.upgrade_version_tag);
  w.Key("CreateIndex");
  w.Uint(c.create_index);
  w.Key("ModifyIndex");
  w.Uint(c.modify_index);
  w.EndObject();
}

// Consul decodes the body into a fresh AutopilotConfiguration: absent fields are zero. Keys are
// matched case-insensitively like Go's encoding/json. Durations are Go duration strings (or
// numbers of nanoseconds).
Status DecodeAutopilotConfig(std::string_view body, server::AutopilotConfig* out) {
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(body, ec);
  if (ec || !doc.is_object())
    return Status::InvalidArgument("Error parsing autopilot config: " +
                                   std::string(ec ? ec.message() : "not an object"));
  server::AutopilotConfig c;
  c.cleanup_dead_servers = false;
  c.last_contact_threshold = {};
  c.max_trailing_logs = 0;
  c.server_stabilization_time = {};
  auto lower = [](std::string_view s) {
    std::string o(s);
    for (auto& ch : o) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return o;
  };
  for (const auto& kv : doc.as_object()) {
    const std::string k = lower(kv.key());
    const boost::json::value& v = kv.value();
    auto dur = [&](std::chrono::nanoseconds* d) -> Status {
      if (v.is_string()) {
        auto p = ParseGoDuration(v.as_string());
        if (!p.ok())
          return Status::InvalidArgument("Error parsing autopilot config: " + p.status().message());
        *d = *p;
      } else if (v.is_int64() || v.is_uint64()) {
        *d = std::chrono::nanoseconds(v.to_number<int64_t>());
      }
      return Status::OK();
    };
    if (k == "cleanupdeadservers" && v.is_bool())
      c.cleanup_dead_servers = v.as_bool();
    else if (k == "lastcontactthreshold")
      CONSULATE_RETURN_IF_ERROR(dur(&c.last_contact_threshold));
    else if (k == "maxtrailinglogs" && v.is_number())
      c.max_trailing_logs = v.to_number<uint64_t>();
    else if (k == "minquorum" && v.is_number())
      c.min_quorum = v.to_number<uint64_t>();
    else if (k == "serverstabilizationtime")
      CONSULATE_RETURN_IF_ERROR(dur(&c.server_stabilization_time));
    else if (k == "redundancyzonetag" && v.is_string())
      c.redundancy_zone_tag = v.as_string();
    else if (k == "disableupgrademigration" && v.is_bool())
      c.disable_upgrade_migration = v.as_bool();
    else if (k == "upgradeversiontag" && v.is_string())
      c.upgrade_version_tag = v.as_string();
  }
  *out = c;
  return Status::OK();
}

// Go's time.Time in JSON for a whole-second UTC time: "2006-01-02T15:04:05Z".
std::string Rfc3339Seconds(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Task<fsm::ApplyResult> SetAutopilot(server::Server* srv, asio::any_io_executor ex,
                                    server::AutopilotConfig c, bool cas, uint64_t idx) {
  return AwaitCallback<fsm::ApplyResult>(
      ex, [srv, c, cas, idx](auto done) { srv->SetAutopilotConfig(c, cas, idx, std::move(done)); });
}

Task<Result<std::string>> AskLeader(server::Server* srv, asio::any_io_executor ex,
                                    std::string request) {
  return AwaitCallback<Result<std::string>>(ex, [srv, request](auto done) {
    srv->CallLeader(static_cast<uint8_t>(server::RpcMethod::kHttp), request,
                    std::chrono::seconds(30), std::move(done));
  });
}

}  // namespace

Task<void> HandleOperatorAutopilotConfiguration(Call& call) {
  QueryOptions q;
  if (!call.ParseQueryOptions(&q)) co_return;
  if (!call.api.server) {
    call.resp.Error(500, "No known Consul servers");
    co_return;
  }
  if (call.req.method == "GET") {
    uint64_t idx = co_await call.Blocking(q, [](state::WatchSet*) { return uint64_t{1}; });
    if (call.aborted()) co_return;
    (void)idx;
    std::string body;
    JsonWriter w(call.pretty(), &body);
    WriteAutopilotConfig(w, call.api.server->GetAutopilotConfig());
    call.SetJsonBody(std::move(body));
    co_return;
  }
  if (call.req.method != "PUT") {
    MethodNotAllowed(call, "OPTIONS,GET,PUT");
    co_return;
  }
  server::AutopilotConfig c;
  Status st = DecodeAutopilotConfig(call.req.body, &c);
  if (!st.ok()) {
    call.resp.Error(400, st.message());
    co_return;
  }
  bool cas = false;
  uint64_t cas_index = 0;
  if (call.req.Has("cas")) {
    std::string_view v = call.req.Query("cas");
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), cas_index);
    if (ec != std::errc() || p != v.data() + v.size()) {
      call.resp.Error(400, "Bad request: Error parsing cas value: strconv.ParseUint: parsing \"" +
                               std::string(v) + "\": invalid syntax");
      co_return;
    }
    cas = true;
  }
  fsm::ApplyResult r =
      co_await SetAutopilot(call.api.server, co_await asio::this_coro::executor, c, cas, cas_index);
  if (!r.status.ok()) {
    call.resp.Error(500, r.status.message());
    co_return;
  }
  call.SetJsonBody(r.ok ? "true" : "false");
}

// GET: the leader's view; a follower asks the leader. 429 when the cluster is not healthy.
Task<void> HandleOperatorAutopilotHealth(Call& call) {
  if (call.req.method != "GET") {
    MethodNotAllowed(call, "OPTIONS,GET");
    co_return;
  }
  QueryOptions q;
  if (!call.ParseQueryOptions(&q)) co_return;
  server::Server* srv = call.api.server;
  if (!srv) {
    call.resp.Error(500, "No known Consul servers");
    co_return;
  }
  if (!srv->IsLeader()) {
    auto r = co_await AskLeader(srv, co_await asio::this_coro::executor,
                                EncodeForwardedRequest(call.req));
    if (!r.ok()) {
      call.resp.Error(500, r.status().message());
      co_return;
    }
    Status st = DecodeForwardedResponse(*r, &call.resp);
    if (!st.ok()) call.resp.Error(500, st.message());
    co_return;
  }
  const server::AutopilotHealth h = srv->GetAutopilotHealth();
  std::string body;
  JsonWriter w(call.pretty(), &body);
  w.BeginObject();
  w.Key("Healthy");
  w.Bool(h.healthy);
  w.Key("FailureTolerance");
  w.Int(h.failure_tolerance);
  w.Key("Servers");
  w.BeginArray();
  for (const auto& s : h.servers) {
    w.BeginObject();
    w.Key("ID");
    w.String(s.id);
    w.Key("Name");
    w.String(s.name);
    w.Key("Address");
    w.String(s.address);
    w.Key("SerfStatus");
    w.String(s.serf_status);
    w.Key("Version");
    w.String(s.version);
    w.Key("Leader");
    w.Bool(s.leader);
    w.Key("LastContact");
    w.String(s.last_contact_ms > 1000000000ull
                 ? std::string("0s")
                 : FormatGoDuration(std::chrono::milliseconds(s.last_contact_ms)));
    w.Key("LastTerm");
    w.Uint(s.last_term);
    w.Key("LastIndex");
    w.Uint(s.last_index);
    w.Key("Healthy");
    w.Bool(s.healthy);
    w.Key("Voter");
    w.Bool(s.voter);
    w.Key("StableSince");
    w.String(s.healthy ? Rfc3339Seconds(s.stable_since) : "0001-01-01T00:00:00Z");
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  call.SetJsonBody(std::move(body));
  if (!h.healthy) call.resp.status = 429;
}

}  // namespace consulate::http
