#include "http/api.h"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <random>
#include <thread>

#include "agent/agent.h"
#include "base/duration.h"

namespace consulate::http {

namespace {
constexpr auto kDefaultWait = std::chrono::minutes(5);
constexpr auto kMaxWait = std::chrono::minutes(10);
constexpr int kJitterFraction = 16;

// Wakes a parked blocking query: Fire() runs on the writer's thread and posts the wake-up to the
// query's own executor, where the timer lives.
class TimerWaiter : public state::Waiter, public std::enable_shared_from_this<TimerWaiter> {
 public:
  explicit TimerWaiter(const asio::any_io_executor& ex) : timer(ex) {}
  void Fire() override {
    asio::post(timer.get_executor(), [self = shared_from_this()] {
      self->woken = true;
      self->timer.cancel();
    });
  }
  asio::steady_timer timer;
  bool woken = false;  // only touched on the timer's executor
};

// Up to wait/16 of random extra wait, so that many watchers of one key do not return in lockstep.
// A plain function: std::random_device is ~5 KB and must not live in a coroutine frame.
std::chrono::nanoseconds Jitter(std::chrono::nanoseconds wait) {
  std::random_device rd;
  std::uniform_int_distribution<int64_t> dist(
      0, std::max<int64_t>(wait.count() / kJitterFraction, 1) - 1);
  return std::chrono::nanoseconds(dist(rd));
}
}  // namespace

Task<fsm::ApplyResult> Call::Apply(std::string command) {
  server::Server* srv = api.server;
  auto cmd = std::make_shared<std::string>(std::move(command));
  return AwaitCallback<fsm::ApplyResult>(
      ex_, [srv, cmd](auto done) { srv->Propose(std::move(*cmd), std::move(done)); });
}

Task<Result<int>> Call::RunBlocking(std::function<Result<int>()> fn) {
  auto job = std::make_shared<std::function<Result<int>()>>(std::move(fn));
  return AwaitCallback<Result<int>>(ex_, [job](auto done) {
    std::thread([job, done = std::move(done)]() mutable { done((*job)()); }).detach();
  });
}

Task<void> Call::AfterAgentSync() {
  agent::Agent* local = api.agent;
  return asio::async_initiate<decltype(asio::use_awaitable), void()>(
      [local, ex = ex_](auto handler) {
        using H = decltype(handler);
        auto holder = std::make_shared<H>(std::move(handler));
        local->SyncThen([holder, ex] { asio::post(ex, [holder]() mutable { (*holder)(); }); });
      },
      asio::use_awaitable);
}

bool Call::ParseQueryOptions(QueryOptions* q) {
  if (req.Has("stale") && req.Has("consistent")) {
    resp.Error(400, "Cannot specify ?stale with ?consistent, conflicting semantics.");
    return false;
  }
  q->stale = req.Has("stale");
  q->consistent = req.Has("consistent");
  if (req.Has("index")) {
    std::string_view v = req.Query("index");
    uint64_t idx = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), idx);
    if (ec != std::errc() || p != v.data() + v.size()) {
      resp.Error(400, "Invalid index");
      return false;
    }
    q->min_index = idx;
  }
  if (req.Has("wait")) {
    auto d = ParseGoDuration(req.Query("wait"));
    if (!d.ok()) {
      resp.Error(400, "Invalid wait time");
      return false;
    }
    q->wait = *d;
  }
  std::string_view token = req.Header("x-consul-token");
  if (token.empty()) {
    std::string_view auth = req.Header("authorization");
    if (auth.substr(0, 7) == "Bearer ") token = auth.substr(7);
  }
  if (req.Has("token")) token = req.Query("token");
  q->token = std::string(token);
  q->datacenter = std::string(req.Query("dc"));
  if (!q->datacenter.empty() && q->datacenter != api.datacenter) {
    resp.Error(500, "No path to datacenter");
    return false;
  }
  return true;
}

Task<Status> Call::ReadBarrier(const QueryOptions& q) {
  server::Server* srv = api.server;
  const bool consistent = q.consistent;
  return AwaitCallback<Status>(
      ex_, [srv, consistent](auto done) { srv->ReadBarrier(consistent, std::move(done)); });
}

Task<uint64_t> Call::Blocking(const QueryOptions& q, QueryFn query) {
  if (api.server && !q.stale && (q.consistent || !api.server->IsLeader())) {
    Status st = co_await ReadBarrier(q);
    if (!st.ok()) {
      aborted_ = true;
      resp.Error(500, st.message());
      co_return 0;
    }
  }
  if (q.min_index == 0) co_return std::max<uint64_t>(query(nullptr), 1);

  auto wait = q.wait.count() > 0 ? q.wait : std::chrono::nanoseconds(kDefaultWait);
  if (wait > kMaxWait) wait = kMaxWait;
  wait += Jitter(wait);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (true) {
    auto waiter = std::make_shared<TimerWaiter>(ex_);
    state::WatchSet ws;
    ws.set_waiter(waiter);
    uint64_t idx = std::max<uint64_t>(query(&ws), 1);
    // A client index beyond anything this server has applied cannot be waited for: answer at once
    // so the client resets (Consul's documented client rule, applied on the server).
    const bool ahead = api.server && q.min_index > api.server->LastApplied();
    if (idx > q.min_index || ahead || std::chrono::steady_clock::now() >= deadline) co_return idx;
    if (before_park) before_park();
    waiter->timer.expires_at(deadline);
    boost::system::error_code ec;
    co_await waiter->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (!waiter->woken) {
      // Timed out: answer with the current state.
      ws.Clear();
      co_return std::max<uint64_t>(query(nullptr), 1);
    }
  }
}

void Call::SetMeta(uint64_t index) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), std::max<uint64_t>(index, 1));
  resp.headers.emplace_back("X-Consul-Index", std::string(buf, r.ptr));
  bool known = api.server == nullptr || api.server->KnownLeader();
  resp.headers.emplace_back("X-Consul-Knownleader", known ? "true" : "false");
  const uint64_t contact = api.server ? api.server->LastContactMs() : 0;
  resp.headers.emplace_back("X-Consul-Lastcontact", std::to_string(contact));
}

void Call::SetJsonBody(std::string json) {
  if (pretty()) json.push_back('\n');
  resp.body = std::move(json);
  resp.content_type = "application/json";
}

void MethodNotAllowed(Call& call, std::string_view allowed) {
  call.resp.Error(405, "method " + call.req.method + " not allowed");
  call.resp.SetHeader("Allow", std::string(allowed));
}

Task<void> MethodNotAllowedTask(Call& call, std::string_view allowed) {
  MethodNotAllowed(call, allowed);
  co_return;
}

}  // namespace consulate::http
