// /v1/operator/keyring: Consul's OperatorKeyringEndpoint (agent/operator_endpoint.go) and the
// server side of Internal.KeyringOperation: the operation runs on the WAN pool (unless
// ?local-only) and then on the LAN pool, each through serf's key queries (gossip/keymanager.h).
#include <boost/json.hpp>
#include <charconv>
#include <memory>

#include "config/internal.h"
#include "gossip/keymanager.h"
#include "http/endpoints.h"

namespace consulate::http {

namespace {

// structs.KeyringResponse.
struct PoolResult {
  bool wan = false;
  gossip::KeyResponse response;
  std::string error;
};

// Go's json.Decoder.Decode error for a body that is not one JSON value (or "" when it is).
std::string GoDecodeError(std::string_view body) {
  std::string err;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    err.assign("EOF");
  } else {
    err = config::internal::GoJSONSyntaxError(body);
    if (err == "unexpected end of JSON input") err.assign("unexpected EOF");
  }
  return err;
}

// Decodes keyringArgs ({"Key": "..."}; the name matched case-insensitively, as Go does).
Status DecodeKeyringArgs(std::string_view body, std::string* key) {
  const std::string err = GoDecodeError(body);
  if (!err.empty()) {
    std::string msg("Request decode failed: ");
    msg.append(err);
    return Status::InvalidArgument(msg);
  }
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec) return Status::InvalidArgument("Request decode failed: " + ec.message());
  if (v.is_null()) return Status::OK();
  if (!v.is_object()) {
    return Status::InvalidArgument(std::string("Request decode failed: json: cannot unmarshal ") +
                                   (v.is_array()    ? "array"
                                    : v.is_string() ? "string"
                                    : v.is_bool()   ? "bool"
                                                    : "number") +
                                   " into Go value of type agent.keyringArgs");
  }
  for (const auto& [k, val] : v.as_object()) {
    std::string lower(k);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower != "key") continue;
    if (val.is_null()) continue;
    if (!val.is_string()) {
      return Status::InvalidArgument(std::string("Request decode failed: json: cannot unmarshal ") +
                                     (val.is_array()    ? "array"
                                      : val.is_object() ? "object"
                                      : val.is_bool()   ? "bool"
                                                        : "number") +
                                     " into Go struct field keyringArgs.Key of type string");
    }
    *key = std::string(val.as_string());
  }
  return Status::OK();
}

void WriteCountMap(JsonWriter& w, const std::map<std::string, int>& m) {
  w.BeginObject();
  for (const auto& [k, n] : m) {
    w.Key(k);
    w.Int(n);
  }
  w.EndObject();
}

std::string RenderResults(const std::vector<PoolResult>& results, const std::string& dc,
                          bool pretty) {
  std::string body;
  JsonWriter w(pretty, &body);
  w.BeginArray();
  for (const PoolResult& r : results) {
    w.BeginObject();
    w.Key("WAN");
    w.Bool(r.wan);
    w.Key("Datacenter");
    w.String(dc);
    w.Key("Segment");
    w.String("");
    if (!r.response.messages.empty()) {
      w.Key("Messages");
      w.BeginObject();
      for (const auto& [node, msg] : r.response.messages) {
        w.Key(node);
        w.String(msg);
      }
      w.EndObject();
    }
    w.Key("Keys");
    WriteCountMap(w, r.response.keys);
    w.Key("PrimaryKeys");
    WriteCountMap(w, r.response.primary_keys);
    w.Key("NumNodes");
    w.Int(r.response.num_nodes);
    if (!r.error.empty()) {
      w.Key("Error");
      w.String(r.error);
    }
    w.EndObject();
  }
  w.EndArray();
  return body;
}

// Consul's keyringErrorsOrNil, worded as go-multierror prints it; "" when no pool failed.
std::string KeyringErrors(const std::vector<PoolResult>& results, const std::string& dc) {
  std::vector<std::string> errs;
  for (const PoolResult& r : results) {
    if (r.error.empty()) continue;
    errs.push_back((r.wan ? std::string("WAN") : dc + " (LAN)") + " error: " + r.error);
    for (const auto& [node, msg] : r.response.messages) errs.push_back(node + ": " + msg);
  }
  if (errs.empty()) return "";
  std::string out = errs.size() == 1 ? "1 error occurred:\n"
                                     : std::to_string(errs.size()) + " errors occurred:\n";
  for (const std::string& e : errs) out += "\t* " + e + "\n";
  out += "\n";
  return out;
}

// One keyring operation over the pools, run on a thread of its own (serf queries wait for
// answers). Everything it needs lives on the heap.
struct KeyringJob {
  gossip::Serf* lan = nullptr;
  gossip::Serf* wan = nullptr;
  gossip::KeyOperation op = gossip::KeyOperation::kList;
  std::string key;
  uint8_t relay = 0;
  std::vector<PoolResult> results;  // WAN first, as Consul answers
};

// Not a coroutine: GCC 12 mis-handles lambdas that capture a coroutine's locals inside a co_await
// expression (the captured copies are destroyed twice), so the lambda is built here.
Task<Result<int>> RunKeyringJob(Call& call, std::shared_ptr<KeyringJob> job) {
  return call.RunBlocking([job]() -> Result<int> {
    for (gossip::Serf* pool : {job->wan, job->lan}) {
      if (pool == nullptr) continue;
      gossip::KeyOperationResult r = gossip::RunKeyOperation(pool, job->op, job->key, job->relay);
      PoolResult pr;
      pr.wan = pool == job->wan;
      pr.response = std::move(r.response);
      if (!r.status.ok()) pr.error = r.status.message();
      job->results.push_back(std::move(pr));
    }
    return 0;
  });
}

}  // namespace

// GET (list), POST (install), PUT (use), DELETE (remove) /v1/operator/keyring.
Task<void> HandleOperatorKeyring(Call& call) {
  const std::string method = call.req.method;
  if (method != "GET" && method != "POST" && method != "PUT" && method != "DELETE") {
    MethodNotAllowed(call, "OPTIONS,GET,POST,PUT,DELETE");
    co_return;
  }
  std::string key;
  if (method != "GET") {
    if (Status st = DecodeKeyringArgs(call.req.body, &key); !st.ok()) {
      call.resp.Error(400, "Bad request: " + st.message());
      co_return;
    }
  }
  int relay_factor = 0;
  if (call.req.Has("relay-factor")) {
    const std::string_view v = call.req.Query("relay-factor");
    int64_t n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc() || p != v.data() + v.size()) {
      const char* why =
          ec == std::errc::result_out_of_range ? "value out of range" : "invalid syntax";
      call.resp.Error(400, "Bad request: Error parsing relay factor: strconv.Atoi: parsing \"" +
                               std::string(v) + "\": " + why);
      co_return;
    }
    if (n < 0 || n > 5) {
      call.resp.Error(400,
                      "Bad request: Invalid relay-factor: Relay factor must be in range: [0, 5]");
      co_return;
    }
    relay_factor = static_cast<int>(n);
  }
  bool local_only = false;
  if (const std::string_view v = call.req.Query("local-only"); !v.empty()) {
    if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") {
      local_only = true;
    } else if (!(v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" ||
                 v == "False")) {
      call.resp.Error(400, "Bad request: Error parsing local-only: strconv.ParseBool: parsing \"" +
                               std::string(v) + "\": invalid syntax");
      co_return;
    }
  }
  if (local_only && method != "GET") {
    call.resp.Error(400,
                    "Bad request: Invalid use of local-only: local-only can only be set for list "
                    "requests");
    co_return;
  }
  if (!call.api.is_server || call.api.lan == nullptr) {
    call.resp.Error(500, "keyring operations must run against a server node");
    co_return;
  }
  const gossip::KeyOperation op = method == "GET"    ? gossip::KeyOperation::kList
                                  : method == "POST" ? gossip::KeyOperation::kInstall
                                  : method == "PUT"  ? gossip::KeyOperation::kUse
                                                     : gossip::KeyOperation::kRemove;
  auto job = std::make_shared<KeyringJob>();
  job->lan = call.api.lan;
  job->wan = local_only ? nullptr : call.api.wan;
  job->op = op;
  job->key = std::move(key);
  job->relay = static_cast<uint8_t>(relay_factor);
  auto ran = co_await RunKeyringJob(call, job);
  (void)ran;
  const std::vector<PoolResult>* results = &job->results;
  if (std::string errs = KeyringErrors(*results, call.api.datacenter); !errs.empty()) {
    call.resp.Error(500, std::move(errs));
    co_return;
  }
  if (op != gossip::KeyOperation::kList) {
    call.resp.content_type = {};
    co_return;
  }
  call.SetJsonBody(RenderResults(*results, call.api.datacenter, call.pretty()));
}

}  // namespace consulate::http
