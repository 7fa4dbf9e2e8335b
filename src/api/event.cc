#include "api/event.h"

#include <boost/json/parse.hpp>

namespace consulate::api {

Result<std::string> Event::Fire(const UserEventParams& params) const {
  Request req;
  req.method = "PUT";
  req.path = "/v1/event/fire/" + params.name;
  if (!params.node_filter.empty()) req.params.push_back({"node", params.node_filter});
  if (!params.service_filter.empty()) req.params.push_back({"service", params.service_filter});
  if (!params.tag_filter.empty()) req.params.push_back({"tag", params.tag_filter});
  if (params.payload) req.body = *params.payload;
  CONSULATE_ASSIGN_OR_RETURN(Response resp, client_->Do(req));
  if (resp.status != 200) return UnexpectedResponseError(resp);
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(resp.body, ec);
  if (ec || !v.is_object()) return Status::Corruption("event fire: response is not a JSON object");
  const boost::json::value* id = v.as_object().if_contains("ID");
  return id && id->is_string() ? std::string(id->as_string()) : std::string();
}

}  // namespace consulate::api
