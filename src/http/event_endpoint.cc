// /v1/event/fire/<name> and /v1/event/list: Consul's agent/event_endpoint.go. Events travel over
// the LAN gossip pool (agent/user_event.h); the list is this agent's own ring of recent events.
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>

#include "agent/user_event.h"
#include "base/duration.h"
#include "http/endpoints.h"

namespace consulate::http {

namespace {

constexpr auto kMaxQueryTime = std::chrono::minutes(10);

void WriteUserEvent(JsonWriter& w, const agent::UserEventRecord& e) {
  w.BeginObject();
  w.Key("ID");
  w.String(e.id);
  w.Key("Name");
  w.String(e.name);
  w.Key("Payload");
  if (e.payload) {
    w.Base64(*e.payload);
  } else {
    w.Null();
  }
  w.Key("NodeFilter");
  w.String(e.node_filter);
  w.Key("ServiceFilter");
  w.String(e.service_filter);
  w.Key("TagFilter");
  w.String(e.tag_filter);
  w.Key("Version");
  w.Int(e.version);
  w.Key("LTime");
  w.Uint(e.ltime);
  w.EndObject();
}

// Wakes a parked list when the ring gets a new event (Fire runs on the serf thread).
class EventWaiter : public state::Waiter, public std::enable_shared_from_this<EventWaiter> {
 public:
  explicit EventWaiter(const asio::any_io_executor& ex) : timer(ex) {}
  void Fire() override {
    asio::post(timer.get_executor(), [self = shared_from_this()] {
      self->woken = true;
      self->timer.cancel();
    });
  }
  asio::steady_timer timer;
  bool woken = false;  // only touched on the timer's executor
};

// Renders the events named `name` (all when empty) and returns the index Consul reports for them:
// 1 for none, else the last one's ID folded to 64 bits. Registers `ws` (when given) first, so an
// event arriving meanwhile either shows or wakes the waiter.
uint64_t RenderEventList(agent::UserEventRing* ring, const std::string& name, bool pretty,
                         state::WatchSet* ws, std::string* body) {
  if (ws) ws->AddKey(ring->hub(), agent::UserEventRing::kWatchKey);
  std::vector<agent::UserEventRecord> events = ring->Events();
  body->clear();
  JsonWriter w(pretty, body);
  w.BeginArray();
  const agent::UserEventRecord* last = nullptr;
  for (const auto& e : events) {
    if (!name.empty() && e.name != name) continue;
    WriteUserEvent(w, e);
    last = &e;
  }
  w.EndArray();
  return last ? agent::UuidToUint64(last->id) : 1;
}

}  // namespace

// PUT /v1/event/fire/<name>?node=&service=&tag=, body: the payload.
Task<void> HandleEventFire(Call& call) {
  if (call.req.method != "PUT") {
    MethodNotAllowed(call, "OPTIONS,PUT");
    co_return;
  }
  const std::string_view dc = call.req.Query("dc");
  if (!dc.empty() && dc != call.api.datacenter) {
    call.resp.Error(500, "No path to datacenter");
    co_return;
  }
  auto event = std::make_unique<agent::UserEventRecord>();
  event->name = std::string(call.req.path.substr(std::string_view("/v1/event/fire/").size()));
  if (event->name.empty()) {
    call.resp.Error(400, "Missing name");
    co_return;
  }
  event->node_filter = std::string(call.req.Query("node"));
  event->service_filter = std::string(call.req.Query("service"));
  event->tag_filter = std::string(call.req.Query("tag"));
  if (!call.req.body.empty()) event->payload = call.req.body;
  if (Status st = agent::ValidateUserEvent(*event); !st.ok()) {
    call.resp.Error(500, st.message());
    co_return;
  }
  if (call.api.lan == nullptr) {
    call.resp.Error(500, "No known Consul servers");
    co_return;
  }
  event->id = agent::GenerateUUID();
  event->version = agent::kUserEventMaxVersion;
  Status st = call.api.lan->FireUserEvent(std::string(agent::kUserEventPrefix) + event->name,
                                          agent::EncodeUserEvent(*event), false);
  if (!st.ok()) {
    call.resp.Error(500, st.message());
    co_return;
  }
  std::string body;
  JsonWriter w(call.pretty(), &body);
  WriteUserEvent(w, *event);
  call.SetJsonBody(std::move(body));
}

// GET /v1/event/list?name=&index=&wait=. The index is not monotonic: a blocking list returns
// as soon as the index differs from the one given (or the wait runs out).
Task<void> HandleEventList(Call& call) {
  if (call.req.method != "GET") {
    MethodNotAllowed(call, "OPTIONS,GET");
    co_return;
  }
  std::chrono::nanoseconds wait{0};
  uint64_t min_index = 0;
  if (call.req.Has("wait")) {
    auto d = ParseGoDuration(call.req.Query("wait"));
    if (!d.ok()) {
      call.resp.Error(400, "Invalid wait time");
      co_return;
    }
    wait = *d;
  }
  if (call.req.Has("index")) {
    std::string_view v = call.req.Query("index");
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), min_index);
    if (ec != std::errc() || p != v.data() + v.size()) {
      call.resp.Error(400, "Invalid index");
      co_return;
    }
  }
  agent::UserEventRing* ring = call.api.events;
  if (ring == nullptr) {
    call.resp.Error(500, "user events are not available on this agent");
    co_return;
  }
  const std::string name(call.req.Query("name"));
  const bool pretty = call.pretty();
  auto body = std::make_unique<std::string>();
  uint64_t index = 0;
  if (min_index == 0) {
    index = RenderEventList(ring, name, pretty, nullptr, body.get());
  } else {
    if (wait.count() <= 0 || wait > kMaxQueryTime) wait = kMaxQueryTime;
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (true) {
      auto waiter = std::make_shared<EventWaiter>(call.executor());
      auto ws = std::make_unique<state::WatchSet>();
      ws->set_waiter(waiter);
      index = RenderEventList(ring, name, pretty, ws.get(), body.get());
      if (index != min_index || std::chrono::steady_clock::now() >= deadline) break;
      if (call.before_park) call.before_park();
      waiter->timer.expires_at(deadline);
      boost::system::error_code ec;
      co_await waiter->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (!waiter->woken) break;  // timed out: answer with what we have
    }
  }
  call.resp.headers.emplace_back("X-Consul-Index", std::to_string(index));
  if (pretty) body->push_back('\n');
  call.resp.body = std::move(*body);
  call.resp.content_type = "application/json";
}

}  // namespace consulate::http
