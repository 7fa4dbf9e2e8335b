// /v1/kv/<key>: Consul's agent/kvs_endpoint.go.
#include <charconv>

#include "fsm/command.h"
#include "http/endpoints.h"
#include "http/json_writer.h"

namespace consulate::http {

namespace {
constexpr std::string_view kKVPrefix = "/v1/kv/";
constexpr std::string_view kKVSizeDoc =
    "https://www.consul.io/docs/agent/options.html#kv_max_value_size";

// Go's strconv.ParseUint error text, which Consul passes through as a 500.
bool ParseUintParam(Call& call, std::string_view name, uint64_t* out) {
  std::string_view v = call.req.Query(name);
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), *out);
  if (ec == std::errc() && p == v.data() + v.size() && !v.empty()) return true;
  std::string why = ec == std::errc::result_out_of_range ? "value out of range" : "invalid syntax";
  call.resp.Error(500, "strconv.ParseUint: parsing \"" + std::string(v) + "\": " + why);
  return false;
}

bool MissingKey(Call& call, const std::string& key) {
  if (!key.empty()) return false;
  call.resp.Error(400, "Missing key name");
  return true;
}

// Rendering lives in plain functions, not in the coroutine: GCC keeps every local of a coroutine in
// its heap frame for the whole blocking wait, and a parked query should cost as little as possible.
void RenderKeys(Call& call, const std::vector<std::string>& keys) {
  if (keys.empty()) {
    call.resp.status = 404;
    call.resp.content_type = {};
    return;
  }
  std::string body;
  JsonWriter w(call.pretty(), &body);
  w.BeginArray();
  for (const auto& k : keys) w.String(k);
  w.EndArray();
  call.SetJsonBody(std::move(body));
}

void RenderEntries(Call& call, std::vector<state::DirEntry>& entries, bool recurse) {
  if (entries.empty()) {
    call.resp.status = 404;
    call.resp.content_type = {};
    return;
  }
  if (!recurse && call.req.Has("raw")) {
    call.resp.body = std::move(entries[0].value);
    call.resp.content_type = "text/plain";
    call.resp.SetHeader("Content-Security-Policy", "sandbox");
    call.resp.SetHeader("X-Content-Type-Options", "nosniff");
    return;
  }
  std::string body;
  body.reserve(160 * entries.size());
  JsonWriter w(call.pretty(), &body);
  w.BeginArray();
  for (const auto& e : entries) WriteDirEntry(w, e, true);
  w.EndArray();
  call.SetJsonBody(std::move(body));
}

// What a GET collects; the query function captures only a pointer to it, so the std::function
// needs no allocation of its own.
struct KVGetQuery {
  state::StateStore* store;
  std::string key;
  std::string_view separator;
  bool keys;
  bool recurse;
  std::vector<state::DirEntry> entries;
  std::vector<std::string> key_list;

  uint64_t Run(state::WatchSet* ws) {
    if (keys) {
      key_list.clear();
      return store->KVSListKeys(key, separator, &key_list, ws);
    }
    entries.clear();
    if (recurse) return store->KVSList(key, &entries, ws);
    std::optional<state::DirEntry> e;
    uint64_t i = store->KVSGet(key, &e, ws);
    if (e) entries.push_back(std::move(*e));
    return i;
  }
};

Task<void> KVGet(Call& call, std::string key) {
  QueryOptions q;
  if (!call.ParseQueryOptions(&q)) co_return;
  KVGetQuery query{&call.api.server->state(),
                   std::move(key),
                   call.req.Query("separator"),
                   call.req.Has("keys"),
                   call.req.Has("recurse"),
                   {},
                   {}};
  if (!query.keys && !query.recurse && MissingKey(call, query.key)) co_return;
  KVGetQuery* qp = &query;
  uint64_t idx = co_await call.Blocking(q, [qp](state::WatchSet* ws) { return qp->Run(ws); });
  if (call.aborted()) co_return;
  call.SetMeta(idx);
  if (query.keys)
    RenderKeys(call, query.key_list);
  else
    RenderEntries(call, query.entries, query.recurse);
}

Task<void> KVPut(Call& call, std::string key) {
  if (MissingKey(call, key)) co_return;
  QueryOptions q;
  if (!call.ParseQueryOptions(&q)) co_return;
  fsm::KVSCommand cmd;
  cmd.op = state::KVOp::kSet;
  cmd.entry.key = key;
  if (call.req.Has("flags") && !ParseUintParam(call, "flags", &cmd.entry.flags)) co_return;
  if (call.req.Has("cas")) {
    if (!ParseUintParam(call, "cas", &cmd.entry.modify_index)) co_return;
    cmd.op = state::KVOp::kCAS;
  }
  if (call.req.Has("acquire") || call.req.Has("release")) {
    // Sessions arrive with the sessions issue; until then no session id can be valid.
    std::string_view s =
        call.req.Has("acquire") ? call.req.Query("acquire") : call.req.Query("release");
    call.resp.Error(500, "invalid session \"" + std::string(s) + "\"");
    co_return;
  }
  if (call.req.body.size() > call.api.kv_max_value_size) {
    call.resp.Error(
        413, "Request body(" + std::to_string(call.req.body.size()) +
                 " bytes) too large, max size: " + std::to_string(call.api.kv_max_value_size) +
                 " bytes. See " + std::string(kKVSizeDoc) + ".");
    co_return;
  }
  cmd.entry.value = call.req.body;
  fsm::ApplyResult r = co_await call.Apply(fsm::EncodeKVS(cmd));
  if (!r.status.ok()) {
    call.resp.Error(500, r.status.message());
    co_return;
  }
  call.SetJsonBody(r.ok ? "true" : "false");
}

Task<void> KVDelete(Call& call, std::string key) {
  QueryOptions q;
  if (!call.ParseQueryOptions(&q)) co_return;
  fsm::KVSCommand cmd;
  cmd.entry.key = key;
  if (call.req.Has("recurse")) {
    cmd.op = state::KVOp::kDeleteTree;
  } else {
    if (MissingKey(call, key)) co_return;
    cmd.op = state::KVOp::kDelete;
    if (call.req.Has("cas")) {
      if (!ParseUintParam(call, "cas", &cmd.entry.modify_index)) co_return;
      cmd.op = state::KVOp::kDeleteCAS;
    }
  }
  fsm::ApplyResult r = co_await call.Apply(fsm::EncodeKVS(cmd));
  if (!r.status.ok()) {
    call.resp.Error(500, r.status.message());
    co_return;
  }
  call.SetJsonBody(cmd.op == state::KVOp::kDeleteCAS && !r.ok ? "false" : "true");
}
}  // namespace

void WriteDirEntry(JsonWriter& w, const state::DirEntry& e, bool with_value) {
  w.BeginObject();
  w.Key("LockIndex");
  w.Uint(e.lock_index);
  w.Key("Key");
  w.String(e.key);
  w.Key("Flags");
  w.Uint(e.flags);
  w.Key("Value");
  if (with_value && !e.value.empty())
    w.Base64(e.value);
  else
    w.Null();
  if (!e.session.empty()) {
    w.Key("Session");
    w.String(e.session);
  }
  w.Key("CreateIndex");
  w.Uint(e.create_index);
  w.Key("ModifyIndex");
  w.Uint(e.modify_index);
  w.EndObject();
}

// Not a coroutine: it hands back the verb's own coroutine, so a parked GET has one frame less.
Task<void> HandleKV(Call& call) {
  std::string key = call.req.path.substr(std::min(call.req.path.size(), kKVPrefix.size()));
  const std::string& m = call.req.method;
  if (m == "GET") return KVGet(call, std::move(key));
  if (m == "PUT") return KVPut(call, std::move(key));
  if (m == "DELETE") return KVDelete(call, std::move(key));
  return MethodNotAllowedTask(call, "OPTIONS,GET,PUT,DELETE");
}

}  // namespace consulate::http
