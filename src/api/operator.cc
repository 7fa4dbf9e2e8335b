#include "api/operator.h"

#include <boost/json/parse.hpp>

namespace consulate::api {

Result<std::vector<RaftServer>> DecodeRaftConfiguration(std::string_view json) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(json, ec);
  if (ec || !v.is_object()) return Status::Corruption("raft configuration: not a JSON object");
  std::vector<RaftServer> out;
  const boost::json::value* servers = v.as_object().if_contains("Servers");
  if (servers == nullptr || servers->is_null()) return out;
  if (!servers->is_array()) return Status::Corruption("raft configuration: Servers not an array");
  auto str = [](const boost::json::object& o, std::string_view k) {
    const boost::json::value* f = o.if_contains(k);
    return f && f->is_string() ? std::string(f->as_string()) : std::string();
  };
  auto boolean = [](const boost::json::object& o, std::string_view k) {
    const boost::json::value* f = o.if_contains(k);
    return f && f->is_bool() && f->as_bool();
  };
  for (const auto& s : servers->as_array()) {
    if (!s.is_object()) continue;
    const auto& o = s.as_object();
    out.push_back(RaftServer{str(o, "ID"), str(o, "Node"), str(o, "Address"),
                             str(o, "ProtocolVersion"), boolean(o, "Leader"), boolean(o, "Voter")});
  }
  return out;
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
