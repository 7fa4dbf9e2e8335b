#include "api/operator.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/json_fields.h"

namespace consulate::api {

Result<std::vector<RaftServer>> DecodeRaftConfiguration(std::string_view json) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(json, ec);
  if (ec || !v.is_object()) return Status::Corruption("raft configuration: not a JSON object");
  std::vector<RaftServer> out;
  const boost::json::value* servers = v.as_object().if_contains("Servers");
  if (servers == nullptr || servers->is_null()) return out;
  if (!servers->is_array()) return Status::Corruption("raft configuration: Servers not an array");
  const auto str = StringField;
  const auto boolean = BoolField;
  for (const auto& s : servers->as_array()) {
    if (!s.is_object()) continue;
    const auto& o = s.as_object();
    out.push_back(RaftServer{str(o, "ID"), str(o, "Node"), str(o, "Address"),
                             str(o, "ProtocolVersion"), boolean(o, "Leader"), boolean(o, "Voter")});
  }
  return out;
}

Result<AutopilotConfiguration> Operator::AutopilotGetConfiguration() const {
  CONSULATE_ASSIGN_OR_RETURN(Response resp,
                             client_->Send("GET", "/v1/operator/autopilot/configuration"));
  if (resp.status != 200) return UnexpectedResponseError(resp);
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(resp.body, ec);
  if (ec || !v.is_object()) return Status::Corruption("autopilot configuration: not an object");
  const auto& o = v.as_object();
  AutopilotConfiguration c;
  auto str = [&](std::string_view k) { return StringField(o, k); };
  auto num = [&](std::string_view k) { return UintField(o, k); };
  auto boolean = [&](std::string_view k) { return BoolField(o, k); };
  c.cleanup_dead_servers = boolean("CleanupDeadServers");
  c.last_contact_threshold = str("LastContactThreshold");
  c.max_trailing_logs = num("MaxTrailingLogs");
  c.min_quorum = num("MinQuorum");
  c.server_stabilization_time = str("ServerStabilizationTime");
  c.redundancy_zone_tag = str("RedundancyZoneTag");
  c.disable_upgrade_migration = boolean("DisableUpgradeMigration");
  c.upgrade_version_tag = str("UpgradeVersionTag");
  c.create_index = num("CreateIndex");
  c.modify_index = num("ModifyIndex");
  return c;
}

Result<bool> Operator::AutopilotCASConfiguration(const AutopilotConfiguration& c) const {
  boost::json::object o;
  o["CleanupDeadServers"] = c.cleanup_dead_servers;
  o["LastContactThreshold"] = c.last_contact_threshold;
  o["MaxTrailingLogs"] = c.max_trailing_logs;
  o["MinQuorum"] = c.min_quorum;
  o["ServerStabilizationTime"] = c.server_stabilization_time;
  o["RedundancyZoneTag"] = c.redundancy_zone_tag;
  o["DisableUpgradeMigration"] = c.disable_upgrade_migration;
  o["UpgradeVersionTag"] = c.upgrade_version_tag;
  o["CreateIndex"] = c.create_index;
  o["ModifyIndex"] = c.modify_index;
  CONSULATE_ASSIGN_OR_RETURN(
      Response resp,
      client_->Send("PUT", "/v1/operator/autopilot/configuration",
                    {{"cas", std::to_string(c.modify_index)}}, boost::json::serialize(o)));
  if (resp.status != 200) return UnexpectedResponseError(resp);
  return resp.body.find("true") != std::string::npos;
}

Result<std::vector<RaftServer>> Operator::RaftGetConfiguration() const {
  CONSULATE_ASSIGN_OR_RETURN(Response resp,
                             client_->Send("GET", "/v1/operator/raft/configuration"));
  if (resp.status != 200) return UnexpectedResponseError(resp);
  return DecodeRaftConfiguration(resp.body);
}

Status Operator::RaftRemovePeerByAddress(std::string_view address) const {
  CONSULATE_ASSIGN_OR_RETURN(Response resp, client_->Send("DELETE", "/v1/operator/raft/peer",
                                                          {{"address", std::string(address)}}));
  if (resp.status != 200) return UnexpectedResponseError(resp);
  return Status::OK();
}

Status Operator::RaftRemovePeerByID(std::string_view id) const {
  CONSULATE_ASSIGN_OR_RETURN(
      Response resp, client_->Send("DELETE", "/v1/operator/raft/peer", {{"id", std::string(id)}}));
  if (resp.status != 200) return UnexpectedResponseError(resp);
  return Status::OK();
}

}  // namespace consulate::api
