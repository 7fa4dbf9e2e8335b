#include "api/agent.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/json_fields.h"

namespace consulate::api {

namespace {}  // namespace

Result<boost::json::object> Agent::Self() const {
  CONSULATE_ASSIGN_OR_RETURN(Response resp, client_->Send("GET", "/v1/agent/self"));
  if (resp.status != 200) return UnexpectedResponseError(resp);
  CONSULATE_ASSIGN_OR_RETURN(boost::json::value v, ParseBody(resp.body));
  if (!v.is_object()) return Status::Corruption("agent self: response is not a JSON object");
  return std::move(v.as_object());
}

Result<std::string> Agent::NodeName() const {
  CONSULATE_ASSIGN_OR_RETURN(boost::json::object self, Self());
  const boost::json::value* config = self.if_contains("Config");
  if (config == nullptr || !config->is_object()) {
    return Status::Corruption("agent self: response has no Config object");
  }
  return StringField(config->as_object(), "NodeName");
}

Status Agent::Put(std::string_view path, Params params, std::string body) const {
  CONSULATE_ASSIGN_OR_RETURN(Response resp,
                             client_->Send("PUT", path, std::move(params), std::move(body)));
  if (resp.status != 200) return UnexpectedResponseError(resp);
  return Status::OK();
}

Status Agent::Leave() const { return Put("/v1/agent/leave"); }

Status Agent::Reload() const { return Put("/v1/agent/reload"); }

Result<boost::json::array> Agent::Members(bool wan) const {
  Params params;
  if (wan) params.emplace_back("wan", "1");
  CONSULATE_ASSIGN_OR_RETURN(Response resp,
                             client_->Send("GET", "/v1/agent/members", std::move(params)));
  if (resp.status != 200) return UnexpectedResponseError(resp);
  CONSULATE_ASSIGN_OR_RETURN(boost::json::value v, ParseBody(resp.body));
  if (!v.is_array()) return Status::Corruption("agent members: response is not a JSON array");
  return std::move(v.as_array());
}

Status Agent::Join(std::string_view address, bool wan) const {
  Params params;
  if (wan) params.emplace_back("wan", "1");
  return Put("/v1/agent/join/" + std::string(address), std::move(params));
}

Status Agent::ForceLeave(std::string_view node, bool prune) const {
  Params params;
  if (prune) params.emplace_back("prune", "1");
  return Put("/v1/agent/force-leave/" + std::string(node), std::move(params));
}

Result<std::vector<AgentCheck>> DecodeAgentChecks(std::string_view json) {
  CONSULATE_ASSIGN_OR_RETURN(boost::json::value v, ParseBody(json));
  std::vector<AgentCheck> checks;
  if (v.is_null()) return checks;
  if (!v.is_object()) return Status::Corruption("agent checks: response is not a JSON object");
  for (const auto& entry : v.as_object()) {
    if (!entry.value().is_object()) continue;
    const boost::json::object& o = entry.value().as_object();
    AgentCheck c;
    c.node = StringField(o, "Node");
    c.check_id = StringField(o, "CheckID");
    c.name = StringField(o, "Name");
    c.status = StringField(o, "Status");
    c.notes = StringField(o, "Notes");
    c.output = StringField(o, "Output");
    c.service_id = StringField(o, "ServiceID");
    c.service_name = StringField(o, "ServiceName");
    checks.push_back(std::move(c));
  }
  std::sort(checks.begin(), checks.end(),
            [](const AgentCheck& a, const AgentCheck& b) { return a.check_id < b.check_id; });
  return checks;
}

Result<std::vector<AgentCheck>> Agent::Checks() const {
  CONSULATE_ASSIGN_OR_RETURN(Response resp, client_->Send("GET", "/v1/agent/checks"));
  if (resp.status != 200) return UnexpectedResponseError(resp);
  return DecodeAgentChecks(resp.body);
}

Result<boost::json::object> Agent::Services() const {
  CONSULATE_ASSIGN_OR_RETURN(Response resp, client_->Send("GET", "/v1/agent/services"));
  if (resp.status != 200) return UnexpectedResponseError(resp);
  CONSULATE_ASSIGN_OR_RETURN(boost::json::value v, ParseBody(resp.body));
  if (v.is_null()) return boost::json::object();
  if (!v.is_object()) return Status::Corruption("agent services: response is not a JSON object");
  return std::move(v.as_object());
}

Status Agent::ServiceRegister(const boost::json::object& registration) const {
  // Go's json.Encoder ends the body with a newline; sent alike so the bytes match Consul's.
  return Put("/v1/agent/service/register", {}, boost::json::serialize(registration) + "\n");
}

Status Agent::ServiceDeregister(std::string_view service_id) const {
  return Put("/v1/agent/service/deregister/" + std::string(service_id));
}

Status Agent::EnableNodeMaintenance(std::string_view reason) const {
  return Put("/v1/agent/maintenance", {{"enable", "true"}, {"reason", std::string(reason)}});
}

Status Agent::DisableNodeMaintenance() const {
  return Put("/v1/agent/maintenance", {{"enable", "false"}});
}

Status Agent::EnableServiceMaintenance(std::string_view service_id, std::string_view reason) const {
  return Put("/v1/agent/service/maintenance/" + std::string(service_id),
             {{"enable", "true"}, {"reason", std::string(reason)}});
}

Status Agent::DisableServiceMaintenance(std::string_view service_id) const {
  return Put("/v1/agent/service/maintenance/" + std::string(service_id), {{"enable", "false"}});
}

}  // namespace consulate::api
