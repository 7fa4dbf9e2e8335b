// /v1/txn: Consul's agent/txn_endpoint.go (KV operations; node, service and check operations
// arrive with the catalog issue).
#include <boost/json.hpp>

#include "base/base64.h"
#include "fsm/command.h"
#include "http/endpoints.h"

namespace consulate::http {

namespace {
constexpr size_t kMaxTxnOps = 64;
constexpr std::string_view kTxnLenDoc =
    "https://www.consul.io/docs/agent/options.html#txn_max_req_len";

// Go's encoding/json matches field names case-insensitively; so do we.
const boost::json::value* Field(const boost::json::object& o, std::string_view name) {
  if (auto it = o.find(name); it != o.end()) return &it->value();
  for (const auto& kv : o) {
    std::string_view k = kv.key();
    if (k.size() != name.size()) continue;
    bool eq = true;
    for (size_t i = 0; i < k.size() && eq; ++i)
      eq = std::tolower(static_cast<unsigned char>(k[i])) ==
           std::tolower(static_cast<unsigned char>(name[i]));
    if (eq) return &kv.value();
  }
  return nullptr;
}

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  JsonWriter::Escape(s, &out);
  out += '"';
  return out;
}

// Reads a JSON number field as uint64 (Go would refuse negative and fractional values).
bool GetUint(const boost::json::object& o, std::string_view name, uint64_t* out, std::string* err) {
  const boost::json::value* v = Field(o, name);
  if (!v || v->is_null()) return true;
  if (v->is_uint64())
    *out = v->as_uint64();
  else if (v->is_int64() && v->as_int64() >= 0)
    *out = static_cast<uint64_t>(v->as_int64());
  else {
    *err = "json: cannot unmarshal " + std::string(v->is_string() ? "string" : "number") +
           " into Go struct field KVTxnOp.KV." + std::string(name) + " of type uint64";
    return false;
  }
  return true;
}

bool GetString(const boost::json::object& o, std::string_view name, std::string* out,
               std::string* err) {
  const boost::json::value* v = Field(o, name);
  if (!v || v->is_null()) return true;
  if (!v->is_string()) {
    *err = "json: cannot unmarshal into Go struct field KVTxnOp.KV." + std::string(name) +
           " of type string";
    return false;
  }
  *out = std::string(v->as_string());
  return true;
}

void WriteTxnResults(JsonWriter& w, const state::TxnResult& r) {
  w.Key("Results");
  if (r.kv.empty() || !r.ok()) {
    w.Null();
  } else {
    w.BeginArray();
    for (const auto& e : r.kv) {
      w.BeginObject();
      w.Key("KV");
      WriteDirEntry(w, e, true);
      w.EndObject();
    }
    w.EndArray();
  }
  w.Key("Errors");
  if (r.errors.empty()) {
    w.Null();
  } else {
    w.BeginArray();
    for (const auto& e : r.errors) {
      w.BeginObject();
      w.Key("OpIndex");
      w.Uint(e.op_index);
      w.Key("What");
      w.String(e.what);
      w.EndObject();
    }
    w.EndArray();
  }
}
}  // namespace

Task<void> HandleTxn(Call& call) {
  if (call.req.method != "PUT") {
    MethodNotAllowed(call, "OPTIONS,PUT");
    co_return;
  }
  const uint64_t max_len = call.api.txn_max_req_len;
  if (call.req.body.size() > max_len) {
    call.resp.Error(413, "Request body(" + std::to_string(call.req.body.size()) +
                             " bytes) too large, max size: " + std::to_string(max_len) +
                             " bytes. See " + std::string(kTxnLenDoc) + ".");
    co_return;
  }
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(call.req.body, ec);
  if (ec) {
    call.resp.Error(400, "Failed to parse body: " + ec.message());
    co_return;
  }
  if (!doc.is_array()) {
    call.resp.Error(400, "Failed to parse body: json: cannot unmarshal " +
                             std::string(doc.is_object() ? "object" : "value") +
                             " into Go value of type api.TxnOps");
    co_return;
  }
  const auto& arr = doc.as_array();
  if (arr.size() > kMaxTxnOps) {
    call.resp.Error(413, "Transaction contains too many operations (" + std::to_string(arr.size()) +
                             " > " + std::to_string(kMaxTxnOps) + ")");
    co_return;
  }
  fsm::TxnCommand cmd;
  size_t writes = 0, net_size = 0;
  state::TxnResult bad_verbs;
  for (size_t i = 0; i < arr.size(); ++i) {
    if (!arr[i].is_object()) {
      call.resp.Error(
          400,
          "Failed to parse body: json: cannot unmarshal value into Go value of type api.TxnOp");
      co_return;
    }
    const auto& op = arr[i].as_object();
    const boost::json::value* kv = Field(op, "KV");
    if (!kv || kv->is_null()) {
      // Node, Service and Check operations come with the catalog.
      call.resp.Error(400,
                      "Failed to parse body: only KV operations are supported in this version");
      co_return;
    }
    if (!kv->is_object()) {
      call.resp.Error(
          400, "Failed to parse body: json: cannot unmarshal value into Go struct field TxnOp.KV");
      co_return;
    }
    const auto& o = kv->as_object();
    std::string verb, b64, err;
    state::TxnKVOp t;
    if (!GetString(o, "Verb", &verb, &err) || !GetString(o, "Key", &t.entry.key, &err) ||
        !GetString(o, "Value", &b64, &err) || !GetString(o, "Session", &t.entry.session, &err) ||
        !GetUint(o, "Flags", &t.entry.flags, &err) ||
        !GetUint(o, "Index", &t.entry.modify_index, &err)) {
      call.resp.Error(400, "Failed to parse body: " + err);
      co_return;
    }
    if (!b64.empty() && !Base64Decode(b64, &t.entry.value).ok()) {
      call.resp.Error(400, "Failed to parse body: illegal base64 data in Value of operation " +
                               std::to_string(i));
      co_return;
    }
    if (t.entry.value.size() > call.api.kv_max_value_size) {
      call.resp.Error(413, "Value for key " + GoQuote(t.entry.key) + " is too large (" +
                               std::to_string(t.entry.value.size()) + " > " +
                               std::to_string(call.api.kv_max_value_size) + " bytes)");
      co_return;
    }
    net_size += t.entry.value.size();
    if (!state::ParseKVOp(verb, &t.verb)) {
      bad_verbs.errors.push_back({static_cast<uint32_t>(i), "unknown KV verb " + GoQuote(verb)});
      continue;
    }
    if (!state::IsReadOnlyKVOp(t.verb)) ++writes;
    cmd.ops.push_back(std::move(t));
  }
  if (net_size > call.api.kv_max_value_size) {
    call.resp.Error(413, "Cumulative size of key data is too large (" + std::to_string(net_size) +
                             " > " + std::to_string(call.api.kv_max_value_size) + " bytes)");
    co_return;
  }
  std::string body;
  JsonWriter w(call.pretty(), &body);
  if (!bad_verbs.ok()) {
    w.BeginObject();
    WriteTxnResults(w, bad_verbs);
    w.EndObject();
    call.SetJsonBody(std::move(body));
    call.resp.status = 409;
    co_return;
  }
  state::TxnResult result;
  if (writes == 0) {
    QueryOptions q;
    if (!call.ParseQueryOptions(&q)) co_return;
    call.api.server->state().ReadTxn(cmd.ops, &result);
    call.resp.SetHeader("X-Consul-Knownleader", "true");
    call.resp.SetHeader("X-Consul-Lastcontact", "0");
    w.BeginObject();
    WriteTxnResults(w, result);
    w.Key("Index");
    w.Uint(0);
    w.Key("LastContact");
    w.Uint(0);
    w.Key("KnownLeader");
    w.Bool(true);
    w.Key("ConsistencyLevel");
    w.String("");
    w.EndObject();
  } else {
    fsm::ApplyResult r = co_await call.Apply(fsm::EncodeTxn(cmd));
    if (!r.status.ok()) {
      call.resp.Error(500, r.status.message());
      co_return;
    }
    result = std::move(r.txn);
    w.BeginObject();
    WriteTxnResults(w, result);
    w.EndObject();
  }
  call.SetJsonBody(std::move(body));
  if (!result.ok()) call.resp.status = 409;
}

}  // namespace consulate::http
