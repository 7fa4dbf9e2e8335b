// What an endpoint handler works with: the request, the response it fills in, and the agent's
// services (the server's write path and state store, the agent's identity and limits). Handlers
// are coroutines so that a blocking query or a write can wait without holding a thread.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/log.h"
#include "fsm/fsm.h"
#include "gossip/serf.h"
#include "http/request.h"
#include "server/server.h"

namespace consulate::agent {
class Agent;
class UserEventRing;
}  // namespace consulate::agent
#include "state/watch.h"

namespace consulate::http {

namespace asio = boost::asio;
template <typename T>
using Task = asio::awaitable<T>;

// The agent-wide facts and hooks endpoints need; owned by the agent, shared by all connections.
struct AgentApi {
  server::Server* server = nullptr;  // null on a client agent (not yet supported)
  agent::Agent* agent = nullptr;     // the local services and checks
  gossip::Serf* lan = nullptr;       // the LAN gossip pool (null: members lists only us)
  // Client agents: sends an encoded request (http/forwarding.h) to a server and calls `done`
  // with its encoded response (on any thread).
  std::function<void(std::string request, std::chrono::milliseconds timeout,
                     std::function<void(Result<std::string>)> done)>
      forward;
  gossip::Serf* wan = nullptr;  // the WAN pool (servers only)
  // Recent user events (/v1/event/list).
  agent::UserEventRing* events = nullptr;
  Logger logger;
  std::string node_name;
  std::string node_id;
  std::string datacenter = "dc1";
  bool is_server = true;
  bool dev_mode = false;
  std::string advertise_addr = "127.0.0.1";
  int serf_lan_port = 8301;
  std::string version = "1.8.7";
  std::string revision;
  uint64_t kv_max_value_size = 512 * 1024;
  uint64_t txn_max_req_len = 512 * 1024;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  // The whole effective configuration as JSON, for /v1/agent/self's DebugConfig.
  std::string debug_config_json = "{}";
  // Asks the agent to leave and shut down (PUT /v1/agent/leave); called on an I/O thread.
  std::function<void()> leave;
  // Asks the agent to reload its configuration (PUT /v1/agent/reload).
  std::function<Status()> reload;
};

// Blocking-query options parsed from ?index, ?wait, ?stale, ?consistent (Consul's QueryOptions).
struct QueryOptions {
  uint64_t min_index = 0;
  std::chrono::nanoseconds wait{0};
  bool stale = false;
  bool consistent = false;
  std::string token;
  std::string datacenter;
};

// Suspends the calling coroutine until `start(done)` calls `done(value)`, from any thread, and
// resumes it on `ex` with that value. Not a coroutine itself, so that GCC 12 never sees a lambda
// capture moved out of a coroutine parameter (it frees such captures twice).
template <typename T, typename Start>
Task<T> AwaitCallback(asio::any_io_executor ex, Start start) {
  return asio::async_initiate<decltype(asio::use_awaitable), void(T)>(
      [ex, start = std::move(start)](auto handler) mutable {
        auto holder = std::make_shared<decltype(handler)>(std::move(handler));
        start([holder, ex](T value) {
          asio::post(ex,
                     [holder, value = std::move(value)]() mutable { (*holder)(std::move(value)); });
        });
      },
      asio::use_awaitable);
}

class Call {
 public:
  Call(const Request& req, Response& resp, AgentApi& api, asio::any_io_executor ex)
      : req(req), resp(resp), api(api), ex_(std::move(ex)) {}

  const Request& req;
  Response& resp;
  AgentApi& api;

  // ?pretty, or always in -dev (as Consul does).
  bool pretty() const { return api.dev_mode || req.Has("pretty"); }

  // Proposes an encoded command and waits for it to be applied.
  Task<fsm::ApplyResult> Apply(std::string command);

  // Runs a blocking function (e.g. a gossip join) on a thread of its own and resumes with its
  // result, so the I/O threads never block.
  Task<Result<int>> RunBlocking(std::function<Result<int>()> fn);

  // Waits until the agent's anti-entropy has pushed local changes made so far to the catalog.
  Task<void> AfterAgentSync();

  // Parses the query options; on a bad value writes Consul's 400 and returns false.
  bool ParseQueryOptions(QueryOptions* q);

  // Consul's blockingQuery: runs `query` (which reports its index and registers watches in the
  // given set) until the index passes q.min_index, a watch fires or the wait (capped at 10m, plus
  // up to 1/16 jitter) runs out. With min_index 0 it runs once. Returns the index to report (>= 1).
  using QueryFn = std::function<uint64_t(state::WatchSet*)>;
  // Unless ?stale, first waits for the server's read barrier (server::Server::ReadBarrier); when
  // that fails (no leader) it answers 500 "No cluster leader" and sets aborted(): the caller
  // must then return without rendering.
  Task<uint64_t> Blocking(const QueryOptions& q, QueryFn query);
  bool aborted() const { return aborted_; }
  // The read barrier alone (for reads that do not go through Blocking).
  Task<Status> ReadBarrier(const QueryOptions& q);

  // Sets X-Consul-Index, X-Consul-Knownleader and X-Consul-Lastcontact.
  void SetMeta(uint64_t index);
  // Writes `json` as the body (application/json), adding the pretty-mode newline.
  void SetJsonBody(std::string json);
  // Called before the call parks in a blocking wait, so the connection can release its buffers.
  std::function<void()> before_park;
  // The connection's executor (for timers of endpoints that block on their own).
  const asio::any_io_executor& executor() const { return ex_; }

 private:
  asio::any_io_executor ex_;
  bool aborted_ = false;
};

using Handler = Task<void> (*)(Call&);

// 405 with Consul's message and Allow header. Returns false so handlers can `return` it.
void MethodNotAllowed(Call& call, std::string_view allowed);
// The same, as a coroutine for handlers that return another coroutine's Task.
Task<void> MethodNotAllowedTask(Call& call, std::string_view allowed);

}  // namespace consulate::http
