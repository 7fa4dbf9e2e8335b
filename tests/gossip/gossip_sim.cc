#include "gossip_sim.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <random>
#include <string>
#include <utility>

#include "gossip/broadcast_queue.h"
#include "gossip/memberlist.h"
#include "gossip/runtime.h"
#include "gossip/transport.h"

namespace consulate::gossip::sim {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::microseconds;
using std::chrono::milliseconds;

constexpr uint16_t kBasePort = 10000;

// The virtual clock and the one event queue (timers and packet deliveries), ordered by time and
// then by insertion, so runs are deterministic.
class World final : public GossipRuntime {
 public:
  Clock::time_point Now() const override { return now_; }
  std::unique_ptr<GossipTimer> MakeTimer() override;

  void At(Clock::time_point at, std::function<void()> fn) {
    queue_.push(Event{at, next_seq_++, std::move(fn)});
  }
  // Runs events until `done()` holds (checked after each event) or virtual time passes
  // `deadline`. Returns whether `done()` held.
  bool RunUntil(Clock::time_point deadline, const std::function<bool()>& done) {
    while (!queue_.empty()) {
      if (done && done()) return true;
      if (queue_.top().at > deadline) break;
      Event e = std::move(const_cast<Event&>(queue_.top()));
      queue_.pop();
      now_ = e.at;
      ++events_;
      e.fn();
    }
    if (now_ < deadline) now_ = deadline;
    return done && done();
  }
  uint64_t events() const { return events_; }

 private:
  struct Event {
    Clock::time_point at;
    uint64_t seq;
    std::function<void()> fn;
    bool operator>(const Event& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };
  Clock::time_point now_{};
  uint64_t next_seq_ = 0;
  uint64_t events_ = 0;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> queue_;
};

class SimTimer final : public GossipTimer {
 public:
  explicit SimTimer(World* world) : world_(world) {}
  void Arm(milliseconds after, std::function<void()> fn) override {
    const uint64_t gen = ++*generation_;
    std::weak_ptr<uint64_t> weak = generation_;
    world_->At(world_->Now() + after, [weak, gen, fn = std::move(fn)] {
      auto g = weak.lock();
      if (!g || *g != gen) return;  // re-armed, cancelled or destroyed
      fn();
    });
  }
  void Cancel() override { ++*generation_; }

 private:
  World* world_;
  std::shared_ptr<uint64_t> generation_ = std::make_shared<uint64_t>(0);
};

std::unique_ptr<GossipTimer> World::MakeTimer() { return std::make_unique<SimTimer>(this); }

class SimTransport;

// Members are 127.0.0.1:(kBasePort + index); nothing is bound, addresses only name members.
class Network {
 public:
  Network(World* world, const SimOptions& options)
      : world_(world), options_(options), rng_(options.seed * 7919 + 17) {}
  void Register(int index, SimTransport* t) {
    if (static_cast<int>(members_.size()) <= index) members_.resize(index + 1);
    members_[index] = t;
  }
  // A killed member neither sends nor receives.
  void Kill(int index) { members_[index] = nullptr; }
  void Send(int from, const udp::endpoint& to, std::string_view packet);
  uint64_t sent() const { return sent_; }
  uint64_t dropped() const { return dropped_; }

 private:
  World* world_;
  SimOptions options_;
  std::mt19937_64 rng_;
  std::vector<SimTransport*> members_;
  uint64_t sent_ = 0, dropped_ = 0;
};

class SimTransport final : public PacketTransport {
 public:
  SimTransport(Network* net, int index) : net_(net), index_(index) { net->Register(index, this); }
  uint16_t port() const override { return static_cast<uint16_t>(kBasePort + index_); }
  asio::ip::address address() const override { return asio::ip::make_address("127.0.0.1"); }
  void Start(PacketHandler on_packet, StreamHandler /*on_stream*/) override {
    on_packet_ = std::move(on_packet);
  }
  Status SendPacket(const udp::endpoint& to, std::string_view packet) override {
    if (closed_) return Status::IOError("closed");
    net_->Send(index_, to, packet);
    return Status::OK();
  }
  void Close() override { closed_ = true; }
  void Deliver(std::string_view packet, const udp::endpoint& from) {
    if (!closed_ && on_packet_) on_packet_(packet, from);
  }

 private:
  Network* net_;
  int index_;
  bool closed_ = false;
  PacketHandler on_packet_;
};

void Network::Send(int from, const udp::endpoint& to, std::string_view packet) {
  ++sent_;
  const int target = static_cast<int>(to.port()) - kBasePort;
  if (members_[from] == nullptr || target < 0 || target >= static_cast<int>(members_.size())) {
    ++dropped_;
    return;
  }
  if (std::uniform_real_distribution<double>(0, 1)(rng_) < options_.packet_loss) {
    ++dropped_;
    return;
  }
  const int64_t delay =
      std::uniform_int_distribution<int64_t>(options_.min_delay_us, options_.max_delay_us)(rng_);
  const udp::endpoint source(asio::ip::make_address("127.0.0.1"),
                             static_cast<uint16_t>(kBasePort + from));
  world_->At(world_->Now() + microseconds(delay),
             [this, target, source, bytes = std::string(packet)] {
               // Looked up at delivery: a member killed meanwhile receives nothing.
               if (SimTransport* t = members_[target]) t->Deliver(bytes, source);
             });
}

// What each member's delegate reports: leave (failed) and update notifications, with the time.
struct Observer {
  std::function<void(int who, const Node& about, bool failed)> on_event;
};

class SimDelegate final : public MemberlistDelegate {
 public:
  SimDelegate(int index, Observer* observer) : index_(index), observer_(observer) {}
  void set_meta(std::string meta) { meta_ = std::move(meta); }
  std::string NodeMeta(size_t) override { return meta_; }
  void NotifyMsg(std::string_view) override {}
  std::vector<std::string> GetBroadcasts(size_t, size_t) override { return {}; }
  std::string LocalState(bool) override { return {}; }
  void MergeRemoteState(std::string_view, bool) override {}
  void NotifyJoin(const Node&) override {}
  void NotifyLeave(const Node& node) override { observer_->on_event(index_, node, true); }
  void NotifyUpdate(const Node& node) override { observer_->on_event(index_, node, false); }

 private:
  int index_;
  Observer* observer_;
  std::string meta_;
};

std::string NodeName(int i) { return fmt::format("node-{:04d}", i); }

// Seconds for the member at `fraction` of the sorted `times` (of `population` members; missing
// ones never arrived).
double Quantile(std::vector<double> times, size_t population, double fraction) {
  std::sort(times.begin(), times.end());
  const size_t need =
      static_cast<size_t>(std::ceil(fraction * static_cast<double>(population) - 1e-9));
  if (need == 0) return 0;
  if (times.size() < need) return -1;
  return times[need - 1];
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

double SerfModelRounds(int nodes, int fanout, double loss, double fraction) {
  // fraction = 1 / (1 + (n+1) e^(-c x)), c = fanout (1 - loss)  =>  x = ln((n+1) f / (1-f)) / c
  const double c = fanout * (1 - loss);
  return std::log((nodes + 1) * fraction / (1 - fraction)) / c;
}

SimResult RunSimulation(const SimOptions& options) {
  SimResult result;
  World world;
  Network net(&world, options);
  asio::io_context unused_io;  // streams are disabled; never run

  const int n = options.nodes;
  MemberlistConfig base = MemberlistConfig::DefaultLAN();
  base.push_pull_interval = milliseconds(0);
  base.disable_tcp_pings = true;
  base.enable_compression = options.compression;

  // Event bookkeeping, filled by the delegates.
  const int broadcaster = 0;
  const int victim = n / 2;
  bool measuring_broadcast = false, measuring_failure = false;
  Clock::time_point start{};
  std::vector<double> broadcast_times, failure_times;
  std::vector<bool> falsely_failed(n, false);
  Observer observer;
  observer.on_event = [&](int /*who*/, const Node& about, bool failed) {
    if (failed) {
      if (measuring_failure && about.name == NodeName(victim)) {
        failure_times.push_back(Seconds(world.Now() - start));
      } else {
        const int idx = about.port - kBasePort;
        if (idx >= 0 && idx < n) falsely_failed[idx] = true;
      }
    } else if (measuring_broadcast && about.name == NodeName(broadcaster) && about.meta == "v2") {
      broadcast_times.push_back(Seconds(world.Now() - start));
    }
  };

  std::vector<std::unique_ptr<SimDelegate>> delegates;
  std::vector<std::unique_ptr<Memberlist>> members;
  delegates.reserve(n);
  members.reserve(n);
  for (int i = 0; i < n; ++i) {
    delegates.push_back(std::make_unique<SimDelegate>(i, &observer));
    delegates.back()->set_meta("v1");
    MemberlistConfig c = base;
    c.name = NodeName(i);
    c.bind_addr = "127.0.0.1";
    c.bind_port = static_cast<uint16_t>(kBasePort + i);
    c.random_seed = options.seed * 1000003 + static_cast<uint64_t>(i) + 1;
    auto m = Memberlist::CreateWith(unused_io, std::move(c), delegates.back().get(), Logger(),
                                    std::make_unique<SimTransport>(&net, i), &world);
    if (!m.ok()) {
      fmt::print(stderr, "gossip_sim: {}\n", m.status().ToString());
      return result;
    }
    members.push_back(std::move(*m));
  }
  // A cluster formed long ago: everyone knows everyone, no broadcast is pending.
  std::vector<Alive> alives;
  alives.reserve(n);
  for (int i = 0; i < n; ++i) {
    const Node self = members[i]->LocalNode();
    Alive a;
    a.incarnation = 1;
    a.node = self.name;
    const auto b = self.addr.to_v4().to_bytes();
    a.addr = Bytes(std::string(reinterpret_cast<const char*>(b.data()), b.size()));
    a.port = self.port;
    a.meta = Bytes(self.meta);
    const char vsn[6] = {static_cast<char>(self.pmin), static_cast<char>(self.pmax),
                         static_cast<char>(self.pcur), static_cast<char>(self.dmin),
                         static_cast<char>(self.dmax), static_cast<char>(self.dcur)};
    a.vsn = Bytes(std::string(vsn, 6));
    alives.push_back(std::move(a));
  }
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      if (i == j) continue;
      members[i]->TEST_AddMember(alives[j]);
      members[i]->TEST_ResetBroadcasts();  // keeps the queue at one item: seeding stays O(n^2)
    }
    members[i]->TEST_ResetBroadcasts();
  }
  for (auto& m : members) m->Start();

  // Settle, then (b): one alive update from `broadcaster`.
  world.RunUntil(world.Now() + options.settle, nullptr);
  start = world.Now();
  measuring_broadcast = true;
  delegates[broadcaster]->set_meta("v2");
  members[broadcaster]->UpdateNode([] {});
  world.RunUntil(start + options.limit,
                 [&] { return static_cast<int>(broadcast_times.size()) >= n - 1; });
  measuring_broadcast = false;
  result.broadcast_reached = static_cast<int>(broadcast_times.size());
  // Fractions of all n members; the sender has it at 0.
  std::vector<double> with_sender = broadcast_times;
  with_sender.push_back(0);
  result.broadcast_p50 = Quantile(with_sender, n, 0.5);
  result.broadcast_p99 = Quantile(with_sender, n, 0.99);
  result.broadcast_p999 = Quantile(with_sender, n, 0.999);
  result.broadcast_all = Quantile(with_sender, n, 1.0);

  // Let that broadcast run out, then (a): kill `victim`.
  world.RunUntil(world.Now() + options.settle, nullptr);
  start = world.Now();
  measuring_failure = true;
  net.Kill(victim);
  members[victim]->Shutdown();
  world.RunUntil(start + options.limit,
                 [&] { return static_cast<int>(failure_times.size()) >= n - 1; });
  measuring_failure = false;
  result.failure_marked = static_cast<int>(failure_times.size());
  if (!failure_times.empty())
    result.failure_first = *std::min_element(failure_times.begin(), failure_times.end());
  result.failure_p50 = Quantile(failure_times, n - 1, 0.5);
  result.failure_p99 = Quantile(failure_times, n - 1, 0.99);
  result.failure_all = Quantile(failure_times, n - 1, 1.0);
  result.false_failures =
      static_cast<int>(std::count(falsely_failed.begin(), falsely_failed.end(), true));

  result.packets_sent = net.sent();
  result.packets_dropped = net.dropped();
  result.events = world.events();
  result.virtual_seconds = Seconds(world.Now() - Clock::time_point{});
  const milliseconds min = SuspicionTimeout(base.suspicion_mult, n, base.probe_interval);
  result.suspicion_min_s = Seconds(min);
  result.suspicion_max_s = Seconds(min * base.suspicion_max_timeout_mult);
  result.expected_confirmations = n - 2 < base.suspicion_mult - 2 ? 0 : base.suspicion_mult - 2;
  result.retransmit_limit = RetransmitLimit(base.retransmit_mult, n);
  result.model_rounds_9999 = SerfModelRounds(n, base.gossip_nodes, options.packet_loss, 0.9999);
  result.model_rounds_999 = SerfModelRounds(n, base.gossip_nodes, options.packet_loss, 0.999);
  for (auto& m : members) m->Shutdown();
  return result;
}

}  // namespace consulate::gossip::sim
