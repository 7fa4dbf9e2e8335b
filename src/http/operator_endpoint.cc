// /v1/operator/raft/*: Consul's agent/operator_endpoint.go (the Raft part).
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "http/endpoints.h"

namespace consulate::http {

namespace {

Task<Status> RemovePeer(server::Server* srv, asio::any_io_executor ex, std::string target) {
  return asio::async_initiate<decltype(asio::use_awaitable), void(Status)>(
      [srv, ex, target](auto handler) {
        using H = decltype(handler);
        auto holder = std::make_shared<H>(std::move(handler));
        srv->RemovePeer(target, [holder, ex](Status st) {
          asio::post(ex, [holder, st = std::move(st)]() mutable { (*holder)(std::move(st)); });
        });
      },
      asio::use_awaitable);
}

}  // namespace

// GET: {"Servers":[{"ID","Node","Address","Leader","ProtocolVersion","Voter"}],"Index":N}.
Task<void> HandleOperatorRaftConfiguration(Call& call) {
  if (call.req.method != "GET") {
    MethodNotAllowed(call, "OPTIONS,GET");
    co_return;
  }
  QueryOptions q;
  if (!call.ParseQueryOptions(&q)) co_return;
  if (!call.api.server) {
    call.resp.Error(500, "No known Consul servers");
    co_return;
  }
  uint64_t idx = co_await call.Blocking(q, [](state::WatchSet*) { return uint64_t{1}; });
  if (call.aborted()) co_return;
  (void)idx;
  const server::RaftConfigurationView view = call.api.server->RaftConfiguration();
  std::string body;
  JsonWriter w(call.pretty(), &body);
  w.BeginObject();
  w.Key("Servers");
  w.BeginArray();
  for (const auto& s : view.servers) {
    w.BeginObject();
    w.Key("ID");
    w.String(s.id);
    w.Key("Node");
    w.String(s.node);
    w.Key("Address");
    w.String(s.address);
    w.Key("Leader");
    w.Bool(s.leader);
    w.Key("ProtocolVersion");
    w.String("3");
    w.Key("Voter");
    w.Bool(s.voter);
    w.EndObject();
  }
  w.EndArray();
  w.Key("Index");
  w.Uint(view.index);
  w.EndObject();
  call.SetJsonBody(std::move(body));
}

// DELETE ?id=<server ID> or ?address=<ip:port>.
Task<void> HandleOperatorRaftPeer(Call& call) {
  if (call.req.method != "DELETE") {
    MethodNotAllowed(call, "OPTIONS,DELETE");
    co_return;
  }
  QueryOptions q;
  if (!call.ParseQueryOptions(&q)) co_return;
  std::string kind, target;
  if (call.req.Has("id")) {
    kind = "id";
    target = std::string(call.req.Query("id"));
  } else if (call.req.Has("address")) {
    kind = "address";
    target = std::string(call.req.Query("address"));
  } else {
    call.resp.Error(400,
                    "Must specify either ?id with the server's ID or ?address with IP:port of peer "
                    "to remove");
    co_return;
  }
  if (!call.api.server) {
    call.resp.Error(500, "No known Consul servers");
    co_return;
  }
  Status st = co_await RemovePeer(call.api.server, co_await asio::this_coro::executor, target);
  if (st.IsNotFound()) {
    call.resp.Error(500, kind + " \"" + target + "\" was not found in the Raft configuration");
    co_return;
  }
  if (!st.ok()) {
    call.resp.Error(500, st.message());
    co_return;
  }
}

}  // namespace consulate::http
