#include "api/agent.h"

#include <boost/json/parse.hpp>

namespace consulate::api {

Result<boost::json::object> Agent::Self() const {
  CONSULATE_ASSIGN_OR_RETURN(Response resp, client_->Send("GET", "/v1/agent/self"));
  if (resp.status != 200) return UnexpectedResponseError(resp);
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(resp.body, ec);
  if (ec) return Status::Corruption(ec.message());
  if (!v.is_object()) return Status::Corruption("agent self: response is not a JSON object");
  return std::move(v.as_object());
}

Status Agent::Leave() const {
  CONSULATE_ASSIGN_OR_RETURN(Response resp, client_->Send("PUT", "/v1/agent/leave"));
  if (resp.status != 200) return UnexpectedResponseError(resp);
  return Status::OK();
}

}  // namespace consulate::api
