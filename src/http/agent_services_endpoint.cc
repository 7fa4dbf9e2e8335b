// /v1/agent/service*, /v1/agent/check*, /v1/agent/maintenance, /v1/agent/health/*: the local
// services and checks of this agent (Consul's agent/agent_endpoint.go).
#include <boost/json.hpp>

#include "agent/agent.h"
#include "http/catalog_json.h"
#include "http/endpoints.h"
#include "http/request_decode.h"

namespace consulate::http {

namespace {
bool RequirePut(Call& call) {
  if (call.req.method == "PUT") return true;
  MethodNotAllowed(call, "OPTIONS,PUT");
  return false;
}

bool RequireGet(Call& call) {
  if (call.req.method == "GET") return true;
  MethodNotAllowed(call, "OPTIONS,GET");
  return false;
}

// The path's last part, e.g. the id of /v1/agent/service/deregister/<id> (already %-decoded).
std::string Suffix(const Call& call, std::string_view prefix) {
  return call.req.path.size() > prefix.size() ? call.req.path.substr(prefix.size()) : std::string();
}

Result<boost::json::object> ParseBody(std::string_view body) {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec) return Status::InvalidArgument("Request decode failed: " + ec.message());
  if (!v.is_object())
    return Status::InvalidArgument("Request decode failed: body must be a JSON object");
  return std::move(v.as_object());
}

std::string ContentHash(const std::string& json) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a 64
  for (unsigned char c : json) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// ?enable=true|false (required) and ?reason=.
bool ParseEnable(Call& call, bool* enable) {
  if (!call.req.Has("enable")) {
    call.resp.Error(400, "Missing value for enable");
    return false;
  }
  std::string_view v = call.req.Query("enable");
  if (v == "true" || v == "1" || v == "t" || v == "T" || v == "TRUE" || v == "True")
    *enable = true;
  else if (v == "false" || v == "0" || v == "f" || v == "F" || v == "FALSE" || v == "False")
    *enable = false;
  else {
    call.resp.Error(400, "Invalid value for enable: \"" + std::string(v) + "\"");
    return false;
  }
  return true;
}

std::string_view Aggregate(const std::vector<state::HealthCheck>& checks) {
  std::string_view worst = state::kPassing;
  for (const auto& c : checks) {
    if (c.status == state::kMaintenance) return state::kMaintenance;
    if (c.status == state::kCritical)
      worst = state::kCritical;
    else if (c.status == state::kWarning && worst == state::kPassing)
      worst = state::kWarning;
  }
  return worst;
}

int AggregateCode(std::string_view status) {
  if (status == state::kPassing) return 200;
  if (status == state::kWarning) return 429;
  return 503;
}
}  // namespace

Task<void> HandleAgentServices(Call& call) {
  if (!RequireGet(call)) co_return;
  Filter filter;
  if (!ParseFilterParam(call, FilterTarget::kAgentService, &filter)) co_return;
  std::string body;
  JsonWriter w(call.pretty(), &body);
  w.BeginObject();
  for (const auto& s : call.api.agent->Services()) {
    if (!filter.Matches([&](JsonWriter& fw) { WriteAgentService(fw, s); })) continue;
    w.Key(s.id);
    WriteAgentService(w, s);
  }
  w.EndObject();
  if (!filter.error().empty()) {
    call.resp.Error(400, filter.error());
    co_return;
  }
  call.SetJsonBody(std::move(body));
}

Task<void> HandleAgentService(Call& call) {
  if (!RequireGet(call)) co_return;
  std::string id = Suffix(call, "/v1/agent/service/");
  auto svc = call.api.agent->Service(id);
  if (!svc) {
    call.resp.Error(404, "unknown service ID: " + id);
    co_return;
  }
  std::string plain;
  JsonWriter pw(false, &plain);
  WriteAgentService(pw, *svc);
  std::string hash = ContentHash(plain);
  // The AgentService object with ContentHash appended (Consul's blocking-by-hash field).
  std::string obj;
  JsonWriter ow(call.pretty(), &obj);
  WriteAgentService(ow, *svc);
  obj.pop_back();  // the closing brace
  if (call.pretty()) {
    obj += ",\n    \"ContentHash\": \"" + hash + "\"\n}";
  } else {
    obj += ",\"ContentHash\":\"" + hash + "\"}";
  }
  call.resp.SetHeader("X-Consul-ContentHash", hash);
  call.SetJsonBody(std::move(obj));
}

Task<void> HandleAgentServiceRegister(Call& call) {
  if (!RequirePut(call)) co_return;
  auto body = ParseBody(call.req.body);
  if (!body.ok()) {
    call.resp.Error(400, body.status().message());
    co_return;
  }
  auto def = agent::ParseServiceDefinition(*body);
  if (!def.ok()) {
    call.resp.Error(400, def.status().message());
    co_return;
  }
  Status st = call.api.agent->AddService(*def, true);
  if (!st.ok()) {
    call.resp.Error(st.IsInvalidArgument() ? 400 : 500, st.message());
    co_return;
  }
  co_await call.AfterAgentSync();
  call.resp.content_type = {};
}

Task<void> HandleAgentServiceDeregister(Call& call) {
  if (!RequirePut(call)) co_return;
  // Unknown IDs are not an error, as in Consul.
  call.api.agent->RemoveService(Suffix(call, "/v1/agent/service/deregister/"));
  co_await call.AfterAgentSync();
  call.resp.content_type = {};
}

Task<void> HandleAgentServiceMaintenance(Call& call) {
  if (!RequirePut(call)) co_return;
  bool enable = false;
  if (!ParseEnable(call, &enable)) co_return;
  std::string id = Suffix(call, "/v1/agent/service/maintenance/");
  if (id.empty()) {
    call.resp.Error(400, "Missing service ID");
    co_return;
  }
  Status st =
      enable ? call.api.agent->EnableServiceMaintenance(id, std::string(call.req.Query("reason")))
             : call.api.agent->DisableServiceMaintenance(id);
  if (!st.ok()) {
    call.resp.Error(404, st.message());
    co_return;
  }
  call.resp.content_type = {};
}

Task<void> HandleAgentMaintenance(Call& call) {
  if (!RequirePut(call)) co_return;
  bool enable = false;
  if (!ParseEnable(call, &enable)) co_return;
  if (enable)
    call.api.agent->EnableNodeMaintenance(std::string(call.req.Query("reason")));
  else
    call.api.agent->DisableNodeMaintenance();
  call.resp.content_type = {};
}

Task<void> HandleAgentChecks(Call& call) {
  if (!RequireGet(call)) co_return;
  Filter filter;
  if (!ParseFilterParam(call, FilterTarget::kAgentCheck, &filter)) co_return;
  std::string body;
  JsonWriter w(call.pretty(), &body);
  w.BeginObject();
  for (const auto& c : call.api.agent->Checks()) {
    if (!filter.Matches([&](JsonWriter& fw) { WriteHealthCheck(fw, c); })) continue;
    w.Key(c.check_id);
    WriteHealthCheck(w, c);
  }
  w.EndObject();
  if (!filter.error().empty()) {
    call.resp.Error(400, filter.error());
    co_return;
  }
  call.SetJsonBody(std::move(body));
}

Task<void> HandleAgentCheckRegister(Call& call) {
  if (!RequirePut(call)) co_return;
  auto body = ParseBody(call.req.body);
  if (!body.ok()) {
    call.resp.Error(400, body.status().message());
    co_return;
  }
  auto def = agent::ParseCheckDefinition(*body);
  if (!def.ok()) {
    call.resp.Error(400, def.status().message());
    co_return;
  }
  if (def->id.empty()) def->id = def->name;
  if (def->name.empty()) {
    call.resp.Error(400, "Missing check name");
    co_return;
  }
  Status st = call.api.agent->AddCheck(*def, true);
  if (!st.ok()) {
    call.resp.Error(st.IsInvalidArgument() ? 400 : 500, st.message());
    co_return;
  }
  co_await call.AfterAgentSync();
  call.resp.content_type = {};
}

Task<void> HandleAgentCheckDeregister(Call& call) {
  if (!RequirePut(call)) co_return;
  call.api.agent->RemoveCheck(Suffix(call, "/v1/agent/check/deregister/"));
  co_await call.AfterAgentSync();
  call.resp.content_type = {};
}

// /v1/agent/check/pass|warn|fail/<id>?note= and /v1/agent/check/update/<id> {Status, Output}.
Task<void> HandleAgentCheckUpdate(Call& call) {
  if (!RequirePut(call)) co_return;
  std::string_view rest =
      std::string_view(call.req.path).substr(std::string_view("/v1/agent/check/").size());
  auto slash = rest.find('/');
  std::string_view verb = rest.substr(0, slash);
  std::string id(slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1));
  std::string status, output;
  if (verb == "update") {
    auto body = ParseBody(call.req.body);
    if (!body.ok()) {
      call.resp.Error(400, body.status().message());
      co_return;
    }
    if (auto it = body->find("Status"); it != body->end() && it->value().is_string())
      status = it->value().as_string();
    if (auto it = body->find("Output"); it != body->end() && it->value().is_string())
      output = it->value().as_string();
    if (status != state::kPassing && status != state::kWarning && status != state::kCritical) {
      call.resp.Error(400, "Invalid check status: '" + status + "'");
      co_return;
    }
  } else {
    status = verb == "pass" ? state::kPassing : verb == "warn" ? state::kWarning : state::kCritical;
    output = std::string(call.req.Query("note"));
  }
  Status st = call.api.agent->UpdateTTL(id, status, std::move(output));
  if (!st.ok()) {
    call.resp.Error(500, "CheckID \"" + id + "\" does not have associated TTL");
    co_return;
  }
  call.resp.content_type = {};
}

// /v1/agent/health/service/name/<name> and /id/<id>: the aggregated local health, with the status
// code telling it (200 passing, 429 warning, 503 critical, 404 unknown).
Task<void> HandleAgentHealthService(Call& call) {
  if (!RequireGet(call)) co_return;
  std::string_view rest =
      std::string_view(call.req.path).substr(std::string_view("/v1/agent/health/service/").size());
  const bool by_name = rest.rfind("name/", 0) == 0;
  if (!by_name && rest.rfind("id/", 0) != 0) {
    call.resp.Error(404, "404 page not found\n");
    co_return;
  }
  std::string key(rest.substr(by_name ? 5 : 3));
  auto checks = call.api.agent->Checks();
  std::vector<std::pair<state::NodeService, std::vector<state::HealthCheck>>> found;
  for (const auto& s : call.api.agent->Services()) {
    if (by_name ? s.service != key : s.id != key) continue;
    std::vector<state::HealthCheck> mine;
    for (const auto& c : checks)
      if (c.service_id == s.id || c.check_id == "_node_maintenance") mine.push_back(c);
    found.emplace_back(s, std::move(mine));
  }
  if (found.empty()) {
    call.resp.Error(
        404, by_name ? "ServiceName " + key + " Not Found" : "ServiceId " + key + " not found");
    co_return;
  }
  std::string body;
  JsonWriter w(call.pretty(), &body);
  std::string_view worst = state::kPassing;
  auto write_one = [&](const state::NodeService& s, const std::vector<state::HealthCheck>& cs) {
    std::string_view agg = Aggregate(cs);
    if (AggregateCode(agg) > AggregateCode(worst)) worst = agg;
    w.BeginObject();
    w.Key("AggregatedStatus");
    w.String(agg);
    w.Key("Service");
    WriteAgentService(w, s);
    w.Key("Checks");
    w.BeginArray();
    for (const auto& c : cs) WriteHealthCheck(w, c);
    w.EndArray();
    w.EndObject();
  };
  if (by_name) {
    w.BeginArray();
    for (const auto& [s, cs] : found) write_one(s, cs);
    w.EndArray();
  } else {
    write_one(found[0].first, found[0].second);
  }
  call.SetJsonBody(std::move(body));
  call.resp.status = AggregateCode(worst);
}

}  // namespace consulate::http
