#include "api/operator_keyring.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace consulate::api {

namespace {

Params OptionParams(const KeyringOptions& o) {
  Params p;
  if (o.relay_factor != 0) p.push_back({"relay-factor", std::to_string(o.relay_factor)});
  if (o.local_only) p.push_back({"local-only", "true"});
  return p;
}

template <typename T>
void CountMap(const boost::json::object& o, std::string_view k, std::map<std::string, T>* out) {
  const boost::json::value* m = o.if_contains(k);
  if (m == nullptr || !m->is_object()) return;
  for (const auto& [key, v] : m->as_object()) {
    if constexpr (std::is_same_v<T, std::string>) {
      if (v.is_string()) (*out)[std::string(key)] = std::string(v.as_string());
    } else {
      if (v.is_int64()) (*out)[std::string(key)] = v.as_int64();
    }
  }
}

}  // namespace

Result<std::vector<KeyringResponse>> DecodeKeyringResponses(std::string_view json) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(json, ec);
  std::vector<KeyringResponse> out;
  if (ec) return Status::Corruption("keyring: response is not JSON");
  if (v.is_null()) return out;
  if (!v.is_array()) return Status::Corruption("keyring: response is not a JSON array");
  for (const auto& item : v.as_array()) {
    if (!item.is_object()) continue;
    const auto& o = item.as_object();
    KeyringResponse r;
    if (const auto* f = o.if_contains("WAN"); f && f->is_bool()) r.wan = f->as_bool();
    if (const auto* f = o.if_contains("Datacenter"); f && f->is_string())
      r.datacenter = std::string(f->as_string());
    if (const auto* f = o.if_contains("Segment"); f && f->is_string())
      r.segment = std::string(f->as_string());
    if (const auto* f = o.if_contains("NumNodes"); f && f->is_int64()) r.num_nodes = f->as_int64();
    CountMap(o, "Messages", &r.messages);
    CountMap(o, "Keys", &r.keys);
    CountMap(o, "PrimaryKeys", &r.primary_keys);
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<KeyringResponse>> OperatorKeyring::List(const KeyringOptions& options) const {
  CONSULATE_ASSIGN_OR_RETURN(Response resp,
                             client_->Send("GET", "/v1/operator/keyring", OptionParams(options)));
  if (resp.status != 200) return UnexpectedResponseError(resp);
  return DecodeKeyringResponses(resp.body);
}

Status OperatorKeyring::Write(std::string_view method, std::string_view key,
                              const KeyringOptions& options) const {
  boost::json::object body;
  body["Key"] = key;
  CONSULATE_ASSIGN_OR_RETURN(Response resp,
                             client_->Send(method, "/v1/operator/keyring", OptionParams(options),
                                           boost::json::serialize(body)));
  if (resp.status != 200) return UnexpectedResponseError(resp);
  return Status::OK();
}

Status OperatorKeyring::Install(std::string_view key, const KeyringOptions& options) const {
  return Write("POST", key, options);
}
Status OperatorKeyring::Use(std::string_view key, const KeyringOptions& options) const {
  return Write("PUT", key, options);
}
Status OperatorKeyring::Remove(std::string_view key, const KeyringOptions& options) const {
  return Write("DELETE", key, options);
}

}  // namespace consulate::api
