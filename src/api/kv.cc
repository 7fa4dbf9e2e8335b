#include "api/kv.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "base/base64.h"

namespace consulate::api {

namespace {

std::string_view TrimLeadingSlash(std::string_view key) {
  if (!key.empty() && key.front() == '/') key.remove_prefix(1);
  return key;
}

// Reads report a non-200 answer without its body, unlike writes (as the Go client does).
Status UnexpectedReadStatus(const Response& resp) {
  return Status::IOError("Unexpected response code: " + std::to_string(resp.status));
}

Status CheckKey(std::string_view key) {
  if (!key.empty() && key.front() == '/') {
    return Status::InvalidArgument("Invalid key. Key must not begin with a '/': " +
                                   std::string(key));
  }
  return Status::OK();
}

Result<uint64_t> ToUint(const boost::json::value& v) {
  if (v.is_uint64()) return v.as_uint64();
  if (v.is_int64() && v.as_int64() >= 0) return static_cast<uint64_t>(v.as_int64());
  if (v.is_null()) return uint64_t{0};
  return Status::Corruption("expected an unsigned integer");
}

}  // namespace

Result<std::vector<KVPair>> DecodeKVPairs(std::string_view json) {
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(json, ec);
  if (ec) return Status::Corruption(ec.message());
  std::vector<KVPair> pairs;
  if (root.is_null()) return pairs;
  if (!root.is_array()) return Status::Corruption("kv: response is not a JSON array");
  for (const boost::json::value& item : root.as_array()) {
    if (!item.is_object()) return Status::Corruption("kv: entry is not a JSON object");
    const boost::json::object& o = item.as_object();
    KVPair pair;
    for (const auto& [name, v] : o) {
      if (name == "Key" && v.is_string()) {
        pair.key = std::string(v.as_string());
      } else if (name == "Session" && v.is_string()) {
        pair.session = std::string(v.as_string());
      } else if (name == "Value" && v.is_string()) {
        Result<std::string> value = Base64Decode(std::string_view(v.as_string()));
        if (!value.ok()) return value.status();
        pair.value = std::move(value).value();
      } else if (name == "CreateIndex" || name == "ModifyIndex" || name == "LockIndex" ||
                 name == "Flags") {
        CONSULATE_ASSIGN_OR_RETURN(uint64_t n, ToUint(v));
        if (name == "CreateIndex") pair.create_index = n;
        if (name == "ModifyIndex") pair.modify_index = n;
        if (name == "LockIndex") pair.lock_index = n;
        if (name == "Flags") pair.flags = n;
      }
    }
    pairs.push_back(std::move(pair));
  }
  return pairs;
}

Result<Response> KV::Read(std::string_view key, Params params) const {
  std::string path = "/v1/kv/" + std::string(TrimLeadingSlash(key));
  return client_->Send("GET", path, std::move(params));
}

Result<std::optional<KVPair>> KV::Get(std::string_view key) const {
  CONSULATE_ASSIGN_OR_RETURN(Response resp, Read(key, {}));
  if (resp.status == 404) return std::optional<KVPair>();
  if (resp.status != 200) return UnexpectedReadStatus(resp);
  CONSULATE_ASSIGN_OR_RETURN(std::vector<KVPair> pairs, DecodeKVPairs(resp.body));
  if (pairs.empty()) return std::optional<KVPair>();
  return std::optional<KVPair>(std::move(pairs.front()));
}

Result<std::vector<KVPair>> KV::List(std::string_view prefix) const {
  CONSULATE_ASSIGN_OR_RETURN(Response resp, Read(prefix, {{"recurse", ""}}));
  if (resp.status == 404) return std::vector<KVPair>();
  if (resp.status != 200) return UnexpectedReadStatus(resp);
  return DecodeKVPairs(resp.body);
}

Result<std::vector<std::string>> KV::Keys(std::string_view prefix,
                                          std::string_view separator) const {
  Params params = {{"keys", ""}};
  if (!separator.empty()) params.emplace_back("separator", std::string(separator));
  CONSULATE_ASSIGN_OR_RETURN(Response resp, Read(prefix, std::move(params)));
  std::vector<std::string> keys;
  if (resp.status == 404) return keys;
  if (resp.status != 200) return UnexpectedReadStatus(resp);
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(resp.body, ec);
  if (ec) return Status::Corruption(ec.message());
  if (root.is_null()) return keys;
  if (!root.is_array()) return Status::Corruption("kv: response is not a JSON array");
  for (const boost::json::value& k : root.as_array()) {
    if (!k.is_string()) return Status::Corruption("kv: key is not a string");
    keys.emplace_back(k.as_string());
  }
  return keys;
}

Result<bool> KV::Write(const KVPair& pair, Params params) const {
  CONSULATE_RETURN_IF_ERROR(CheckKey(pair.key));
  if (pair.flags != 0) params.emplace_back("flags", std::to_string(pair.flags));
  Headers headers;
  headers.Set("Content-Type", "application/octet-stream");
  CONSULATE_ASSIGN_OR_RETURN(
      Response resp, client_->Send("PUT", "/v1/kv/" + pair.key, std::move(params), pair.value,
                                   std::move(headers)));
  if (resp.status != 200) return UnexpectedResponseError(resp);
  // The Go client looks for "true" anywhere in the answer; so do we.
  return resp.body.find("true") != std::string::npos;
}

Status KV::Put(const KVPair& pair) const { return Write(pair, {}).status(); }

Result<bool> KV::CAS(const KVPair& pair) const {
  return Write(pair, {{"cas", std::to_string(pair.modify_index)}});
}

Result<bool> KV::Acquire(const KVPair& pair) const {
  return Write(pair, {{"acquire", pair.session}});
}

Result<bool> KV::Release(const KVPair& pair) const {
  return Write(pair, {{"release", pair.session}});
}

Result<bool> KV::DeleteInternal(std::string_view key, Params params) const {
  CONSULATE_ASSIGN_OR_RETURN(
      Response resp,
      client_->Send("DELETE", "/v1/kv/" + std::string(TrimLeadingSlash(key)), std::move(params)));
  if (resp.status != 200) return UnexpectedResponseError(resp);
  return resp.body.find("true") != std::string::npos;
}

Status KV::Delete(std::string_view key) const { return DeleteInternal(key, {}).status(); }

Result<bool> KV::DeleteCAS(const KVPair& pair) const {
  return DeleteInternal(pair.key, {{"cas", std::to_string(pair.modify_index)}});
}

Status KV::DeleteTree(std::string_view prefix) const {
  return DeleteInternal(prefix, {{"recurse", ""}}).status();
}

}  // namespace consulate::api
