#include "gossip/memberlist.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace consulate::gossip {

using Clock = std::chrono::steady_clock;

namespace {

std::string AddrBytes(const asio::ip::address& a) {
  if (a.is_v4()) {
    auto b = a.to_v4().to_bytes();
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
  }
  auto b = a.to_v6().to_bytes();
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

bool AddrFromBytes(std::string_view bytes, asio::ip::address* out) {
  if (bytes.size() == 4) {
    asio::ip::address_v4::bytes_type b;
    std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(b.data()));
    *out = asio::ip::address_v4(b);
    return true;
  }
  if (bytes.size() == 16) {
    asio::ip::address_v6::bytes_type b;
    std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(b.data()));
    asio::ip::address_v6 v6(b);
    if (v6.is_v4_mapped()) {
      *out = asio::ip::make_address_v4(asio::ip::v4_mapped, v6);
    } else {
      *out = v6;
    }
    return true;
  }
  return false;
}

std::string IpString(std::string_view bytes) {
  asio::ip::address a;
  if (!AddrFromBytes(bytes, &a)) return "<nil>";
  return a.to_string();
}

const char* StateName(NodeState s) {
  switch (s) {
    case NodeState::kAlive:
      return "alive";
    case NodeState::kSuspect:
      return "suspect";
    case NodeState::kDead:
      return "dead";
    case NodeState::kLeft:
      return "left";
  }
  return "unknown";
}

milliseconds Scale(milliseconds d, double factor) {
  return milliseconds(std::max<int64_t>(1, static_cast<int64_t>(d.count() * factor)));
}

// Runs `fn` at most once, however many copies of the wrapper are called.
std::function<void()> Once(std::function<void()> fn) {
  if (!fn) return nullptr;
  auto shared = std::make_shared<std::function<void()>>(std::move(fn));
  return [shared] {
    if (*shared) {
      auto f = std::move(*shared);
      *shared = nullptr;
      f();
    }
  };
}

}  // namespace

// ----- config -----

MemberlistConfig MemberlistConfig::DefaultLAN() { return MemberlistConfig{}; }

MemberlistConfig MemberlistConfig::DefaultWAN() {
  MemberlistConfig c;
  c.tcp_timeout = milliseconds(30000);
  c.suspicion_mult = 6;
  c.push_pull_interval = milliseconds(60000);
  c.probe_timeout = milliseconds(3000);
  c.probe_interval = milliseconds(5000);
  c.gossip_nodes = 4;
  c.gossip_interval = milliseconds(500);
  c.gossip_to_the_dead_time = milliseconds(60000);
  return c;
}

void MemberlistConfig::ScaleTimes(double factor) {
  tcp_timeout = Scale(tcp_timeout, factor);
  push_pull_interval = Scale(push_pull_interval, factor);
  probe_timeout = Scale(probe_timeout, factor);
  probe_interval = Scale(probe_interval, factor);
  gossip_interval = Scale(gossip_interval, factor);
  gossip_to_the_dead_time = Scale(gossip_to_the_dead_time, factor);
}

// ----- helpers: suspicion, ack handlers, probe runs -----

// A suspicion timer (suspicion.go): fires after `max` (or `min` when no confirmations are
// expected); each new independent confirmation brings the deadline closer to `min`.
class Memberlist::Suspicion : public std::enable_shared_from_this<Suspicion> {
 public:
  Suspicion(GossipRuntime* runtime, const std::string& from, int k, milliseconds min,
            milliseconds max, std::function<void(int)> fn)
      : runtime_(runtime),
        k_(k),
        min_(min),
        max_(max),
        start_(runtime->Now()),
        timer_(runtime->MakeTimer()),
        fn_(std::move(fn)) {
    confirmations_.insert(from);
  }
  void Start() { Arm(k_ < 1 ? min_ : max_); }
  bool Confirm(const std::string& from) {
    if (n_ >= k_) return false;
    if (!confirmations_.insert(from).second) return false;
    ++n_;
    if (fired_) return true;
    const auto elapsed = std::chrono::duration_cast<milliseconds>(runtime_->Now() - start_);
    const auto remaining = RemainingSuspicionTime(n_, k_, elapsed, min_, max_);
    Arm(remaining.count() > 0 ? remaining : milliseconds(0));
    return true;
  }

 private:
  void Arm(milliseconds d) {
    const uint64_t gen = ++generation_;
    std::weak_ptr<Suspicion> weak = shared_from_this();
    timer_->Arm(d, [weak, gen] {
      auto self = weak.lock();
      if (!self || self->generation_ != gen || self->fired_) return;
      self->fired_ = true;
      self->fn_(self->n_);
    });
  }

  GossipRuntime* runtime_;
  int n_ = 0;
  int k_;
  milliseconds min_, max_;
  Clock::time_point start_;
  std::unique_ptr<GossipTimer> timer_;
  std::function<void(int)> fn_;
  std::set<std::string> confirmations_;
  uint64_t generation_ = 0;
  bool fired_ = false;
};

struct Memberlist::AckHandler {
  std::function<void(std::string, Clock::time_point)> ack;
  std::function<void()> nack;
  std::function<void()> on_timeout;
  std::unique_ptr<GossipTimer> timer;
};

struct Memberlist::ProbeRun {
  Node target;
  uint32_t target_incarnation = 0;
  Ping ping;
  Clock::time_point sent;
  Clock::time_point deadline;
  bool done = false;
  bool indirect_started = false;
  int awareness_delta = 0;
  int expected_nacks = 0;
  int nacks = 0;
  bool deadline_passed = false;
  bool fallback_pending = false;
  bool fallback_contacted = false;
  std::unique_ptr<GossipTimer> timeout_timer;
};

// ----- construction -----

Memberlist::Memberlist(asio::io_context& io, MemberlistConfig config, MemberlistDelegate* delegate,
                       Logger logger, std::unique_ptr<PacketTransport> transport, Keyring keyring,
                       GossipRuntime* runtime)
    : io_(io),
      config_(std::move(config)),
      delegate_(delegate),
      logger_(std::move(logger)),
      runtime_(runtime),
      transport_(std::move(transport)),
      keyring_(std::move(keyring)),
      rng_(config_.random_seed != 0 ? config_.random_seed : std::random_device{}()),
      broadcasts_(config_.retransmit_mult, [this] { return EstNumNodes(); }),
      probe_timer_(runtime_->MakeTimer()),
      gossip_timer_(runtime_->MakeTimer()),
      push_pull_timer_(runtime_->MakeTimer()) {}

Memberlist::~Memberlist() { Shutdown(); }

Result<std::unique_ptr<Memberlist>> Memberlist::Create(asio::io_context& io,
                                                       MemberlistConfig config,
                                                       MemberlistDelegate* delegate,
                                                       Logger logger) {
  if (config.name.empty()) return Status::InvalidArgument("memberlist: node name is required");
  CONSULATE_ASSIGN_OR_RETURN(
      auto transport,
      Transport::Create(io, config.bind_addr, config.bind_port, config.tcp_timeout, logger));
  auto runtime = std::make_unique<AsioRuntime>(io);
  CONSULATE_ASSIGN_OR_RETURN(auto m, CreateWith(io, std::move(config), delegate, std::move(logger),
                                                std::move(transport), runtime.get()));
  m->owned_runtime_ = std::move(runtime);
  return m;
}

Result<std::unique_ptr<Memberlist>> Memberlist::CreateWith(
    asio::io_context& io, MemberlistConfig config, MemberlistDelegate* delegate, Logger logger,
    std::unique_ptr<PacketTransport> transport, GossipRuntime* runtime) {
  if (config.name.empty()) return Status::InvalidArgument("memberlist: node name is required");
  Keyring keyring;
  if (!config.keys.empty()) {
    std::vector<std::string> others(config.keys.begin() + 1, config.keys.end());
    CONSULATE_ASSIGN_OR_RETURN(keyring, Keyring::Create(others, config.keys.front()));
  }
  asio::ip::address advertise = transport->address();
  if (!config.advertise_addr.empty()) {
    boost::system::error_code ec;
    advertise = asio::ip::make_address(config.advertise_addr, ec);
    if (ec) {
      return Status::InvalidArgument(
          fmt::format("Failed to parse advertise address \"{}\"", config.advertise_addr));
    }
  }
  if (advertise.is_unspecified()) {
    return Status::InvalidArgument(
        "Failed to get final advertise address: an advertise address is required when binding "
        "to an unspecified address");
  }
  const uint16_t port = config.advertise_port != 0 ? config.advertise_port : transport->port();
  std::unique_ptr<Memberlist> m(new Memberlist(io, std::move(config), delegate, std::move(logger),
                                               std::move(transport), std::move(keyring), runtime));
  m->advertise_addr_ = advertise;
  m->advertise_port_ = port;
  // setAlive
  Alive a;
  a.incarnation = m->NextIncarnation();
  a.node = m->config_.name;
  a.addr = Bytes(AddrBytes(advertise));
  a.port = port;
  std::string meta = delegate->NodeMeta(kMetaMaxSize);
  if (meta.size() > kMetaMaxSize) return Status::InvalidArgument("Node meta data is too long");
  a.meta = meta.empty() ? Bytes() : Bytes(meta);
  a.vsn = Bytes(m->VsnBytes());
  m->AliveNode(a, nullptr, true);
  return m;
}

void Memberlist::Start() {
  transport_->Start(
      [this](std::string_view packet, const udp::endpoint& from) { HandlePacket(packet, from); },
      [this](std::shared_ptr<StreamConn> conn) { HandleStream(std::move(conn)); });
  // Random stagger so that nodes started together do not tick in lockstep (triggerFunc).
  auto stagger = [this](milliseconds interval) {
    return milliseconds(std::uniform_int_distribution<int64_t>(0, interval.count())(rng_));
  };
  if (config_.probe_interval.count() > 0) ScheduleProbe(stagger(config_.probe_interval));
  if (config_.gossip_interval.count() > 0 && config_.gossip_nodes > 0)
    ScheduleGossip(stagger(config_.gossip_interval));
  if (config_.push_pull_interval.count() > 0) SchedulePushPull(stagger(config_.push_pull_interval));
}

void Memberlist::Shutdown() {
  if (shutdown_) return;
  shutdown_ = true;
  transport_->Close();
  probe_timer_->Cancel();
  gossip_timer_->Cancel();
  push_pull_timer_->Cancel();
  node_timers_.clear();
  for (auto& [seq, h] : ack_handlers_) h->timer->Cancel();
  ack_handlers_.clear();
  if (probe_) {
    probe_->done = true;
    probe_.reset();
  }
}

// ----- queries -----

std::vector<Node> Memberlist::Members() const {
  std::vector<Node> out;
  for (const auto& n : nodes_) {
    if (n->node.state != NodeState::kDead && n->node.state != NodeState::kLeft)
      out.push_back(n->node);
  }
  return out;
}

int Memberlist::NumMembers() const {
  int alive = 0;
  for (const auto& n : nodes_) {
    if (n->node.state != NodeState::kDead && n->node.state != NodeState::kLeft) ++alive;
  }
  return alive;
}

Node Memberlist::LocalNode() const {
  auto it = node_map_.find(config_.name);
  return it == node_map_.end() ? Node{} : it->second->node;
}

bool Memberlist::AnyAlive() const {
  for (const auto& n : nodes_) {
    if (n->node.name != config_.name && n->node.state != NodeState::kDead &&
        n->node.state != NodeState::kLeft) {
      return true;
    }
  }
  return false;
}

std::string Memberlist::VsnBytes() const {
  const uint8_t v[6] = {kProtocolVersionMin,           kProtocolVersionMax,
                        config_.protocol_version,      config_.delegate_protocol_min,
                        config_.delegate_protocol_max, config_.delegate_protocol_version};
  return std::string(reinterpret_cast<const char*>(v), 6);
}

Alive Memberlist::MakeAlive(uint32_t incarnation) const {
  Alive a;
  a.incarnation = incarnation;
  a.node = config_.name;
  a.addr = Bytes(AddrBytes(advertise_addr_));
  a.port = advertise_port_;
  auto it = node_map_.find(config_.name);
  if (it != node_map_.end() && !it->second->node.meta.empty())
    a.meta = Bytes(it->second->node.meta);
  a.vsn = Bytes(VsnBytes());
  return a;
}

std::vector<Memberlist::NodeEntry*> Memberlist::RandomNodes(
    size_t k, const std::function<bool(const NodeEntry&)>& exclude) {
  std::vector<NodeEntry*> out;
  const size_t n = nodes_.size();
  if (n == 0) return out;
  std::uniform_int_distribution<size_t> pick(0, n - 1);
  for (size_t i = 0; i < 3 * n && out.size() < k; ++i) {
    NodeEntry* e = nodes_[pick(rng_)].get();
    if (exclude && exclude(*e)) continue;
    if (std::find(out.begin(), out.end(), e) != out.end()) continue;
    out.push_back(e);
  }
  return out;
}

// ----- timers -----

void Memberlist::ScheduleProbe(milliseconds delay) {
  probe_timer_->Arm(delay, [this] {
    if (shutdown_) return;
    if (!probe_) Probe();  // a probe still in flight (awareness-stretched) skips this tick
    ScheduleProbe(config_.probe_interval);
  });
}

void Memberlist::ScheduleGossip(milliseconds delay) {
  gossip_timer_->Arm(delay, [this] {
    if (shutdown_) return;
    Gossip();
    ScheduleGossip(config_.gossip_interval);
  });
}

void Memberlist::SchedulePushPull(milliseconds delay) {
  push_pull_timer_->Arm(delay, [this] {
    if (shutdown_) return;
    PushPullTick();
    SchedulePushPull(PushPullScale(config_.push_pull_interval, EstNumNodes()));
  });
}

// ----- awareness -----

void Memberlist::ApplyAwarenessDelta(int delta) {
  awareness_ = std::clamp(awareness_ + delta, 0, config_.awareness_max_multiplier - 1);
}

milliseconds Memberlist::ScaleByAwareness(milliseconds timeout) const {
  return timeout * (awareness_ + 1);
}

// ----- probing -----

void Memberlist::Probe() {
  size_t num_check = 0;
  while (true) {
    if (num_check >= nodes_.size()) return;
    if (probe_index_ >= nodes_.size()) {
      ResetNodes();
      probe_index_ = 0;
      ++num_check;
      continue;
    }
    const NodeEntry& e = *nodes_[probe_index_++];
    if (e.node.name == config_.name || e.node.state == NodeState::kDead ||
        e.node.state == NodeState::kLeft) {
      ++num_check;
      continue;
    }
    ProbeNode(e);
    return;
  }
}

void Memberlist::ResetNodes() {
  const auto now = runtime_->Now();
  std::vector<std::shared_ptr<NodeEntry>> keep;
  keep.reserve(nodes_.size());
  for (auto& e : nodes_) {
    if (e->node.state == NodeState::kDead &&
        now - e->state_change > config_.gossip_to_the_dead_time) {
      node_map_.erase(e->node.name);
      continue;
    }
    keep.push_back(std::move(e));
  }
  nodes_ = std::move(keep);
  std::shuffle(nodes_.begin(), nodes_.end(), rng_);
}

void Memberlist::SetAckHandler(uint32_t seq,
                               std::function<void(std::string, Clock::time_point)> ack,
                               std::function<void()> nack, milliseconds timeout,
                               std::function<void()> on_timeout) {
  auto h = std::make_shared<AckHandler>();
  h->ack = std::move(ack);
  h->nack = std::move(nack);
  h->on_timeout = std::move(on_timeout);
  h->timer = runtime_->MakeTimer();
  std::weak_ptr<AckHandler> weak = h;
  h->timer->Arm(timeout, [this, seq, weak] {
    auto h = weak.lock();
    if (!h) return;
    auto it = ack_handlers_.find(seq);
    if (it == ack_handlers_.end() || it->second != h) return;
    ack_handlers_.erase(it);
    if (h->on_timeout) h->on_timeout();
  });
  ack_handlers_[seq] = std::move(h);
}

void Memberlist::InvokeAckHandler(const Ack& ack, Clock::time_point at) {
  auto it = ack_handlers_.find(ack.seq_no);
  if (it == ack_handlers_.end()) return;
  auto h = std::move(it->second);
  ack_handlers_.erase(it);
  h->timer->Cancel();
  if (h->ack) h->ack(ack.payload.str(), at);
}

void Memberlist::InvokeNackHandler(const Nack& nack) {
  auto it = ack_handlers_.find(nack.seq_no);
  if (it == ack_handlers_.end() || !it->second->nack) return;
  it->second->nack();
}

void Memberlist::ProbeNode(const NodeEntry& target) {
  const milliseconds probe_interval = ScaleByAwareness(config_.probe_interval);
  auto run = std::make_shared<ProbeRun>();
  run->target = target.node;
  run->target_incarnation = target.incarnation;
  run->ping.seq_no = NextSeqNo();
  run->ping.node = target.node.name;
  run->ping.source_addr = Bytes(AddrBytes(advertise_addr_));
  run->ping.source_port = advertise_port_;
  run->ping.source_node = config_.name;
  probe_ = run;

  auto finish = [this](const std::shared_ptr<ProbeRun>& r) {
    r->done = true;
    if (r->timeout_timer) r->timeout_timer->Cancel();
    ApplyAwarenessDelta(r->awareness_delta);
    if (probe_ == r) probe_.reset();
  };
  SetAckHandler(
      run->ping.seq_no,
      [this, run, finish](std::string payload, Clock::time_point at) {
        if (run->done) return;
        finish(run);
        if (!run->indirect_started) {
          delegate_->NotifyPingComplete(
              run->target, std::chrono::duration_cast<std::chrono::nanoseconds>(at - run->sent),
              payload);
        }
      },
      [run] { ++run->nacks; }, probe_interval,
      [this, run] {
        run->deadline_passed = true;
        MaybeFinishProbe(run);
      });

  run->sent = runtime_->Now();
  run->deadline = run->sent + probe_interval;
  const udp::endpoint to = UdpEndpoint(target.node);
  Status sent;
  if (target.node.state == NodeState::kAlive) {
    sent = SendMsg(to, EncodeMessage(run->ping));
  } else {
    Suspect s{target.incarnation, target.node.name, config_.name};
    sent = RawSendMsgPacket(to, &target.node,
                            MakeCompound({EncodeMessage(run->ping), EncodeMessage(s)}));
  }
  if (!sent.ok()) {
    logger_.Error("memberlist: Failed to send ping: {}", sent.message());
    finish(run);
    return;
  }
  run->awareness_delta = -1;
  run->timeout_timer = runtime_->MakeTimer();
  // The timer lives in `run`; a weak capture avoids a cycle.
  std::weak_ptr<ProbeRun> weak_run = run;
  run->timeout_timer->Arm(config_.probe_timeout, [this, weak_run] {
    auto r = weak_run.lock();
    if (!r || r->done) return;
    OnProbeTimeout(r);
  });
}

void Memberlist::OnProbeTimeout(const std::shared_ptr<ProbeRun>& run) {
  logger_.Debug("memberlist: Failed ping: {} (timeout reached)", run->target.name);
  run->indirect_started = true;
  const std::string target_name = run->target.name;
  auto peers = RandomNodes(config_.indirect_checks, [&](const NodeEntry& e) {
    return e.node.name == config_.name || e.node.name == target_name ||
           e.node.state != NodeState::kAlive;
  });
  IndirectPing ind;
  ind.seq_no = run->ping.seq_no;
  ind.target = Bytes(AddrBytes(run->target.addr));
  ind.port = run->target.port;
  ind.node = target_name;
  ind.source_addr = Bytes(AddrBytes(advertise_addr_));
  ind.source_port = advertise_port_;
  ind.source_node = config_.name;
  for (NodeEntry* peer : peers) {
    ind.nack = peer->node.pmax >= 4;
    if (ind.nack) ++run->expected_nacks;
    Status s = SendMsg(UdpEndpoint(peer->node), EncodeMessage(ind));
    if (!s.ok()) logger_.Error("memberlist: Failed to send indirect ping: {}", s.message());
  }
  if (!config_.disable_tcp_pings && run->target.pmax >= 3) {
    run->fallback_pending = true;
    SendPingAndWaitForAck(tcp::endpoint(run->target.addr, run->target.port), run->ping,
                          run->deadline, [this, run](bool contacted) {
                            run->fallback_pending = false;
                            run->fallback_contacted = contacted;
                            MaybeFinishProbe(run);
                          });
  }
}

void Memberlist::MaybeFinishProbe(const std::shared_ptr<ProbeRun>& run) {
  if (run->done || !run->deadline_passed || run->fallback_pending) return;
  run->done = true;
  if (run->timeout_timer) run->timeout_timer->Cancel();
  if (probe_ == run) probe_.reset();
  if (run->fallback_contacted) {
    logger_.Warn(
        "memberlist: Was able to connect to {} but other probes failed, network may be "
        "misconfigured",
        run->target.name);
    ApplyAwarenessDelta(run->awareness_delta);
    return;
  }
  // Lifeguard: missing nacks mean we, not the target, may be the problem.
  int delta = 1;
  if (run->expected_nacks > 0) delta = std::max(0, run->expected_nacks - run->nacks);
  ApplyAwarenessDelta(delta);
  logger_.Info("memberlist: Suspect {} has failed, no acks received", run->target.name);
  SuspectNode(Suspect{run->target_incarnation, run->target.name, config_.name});
}

void Memberlist::Gossip() {
  const auto now = runtime_->Now();
  auto targets = RandomNodes(config_.gossip_nodes, [&](const NodeEntry& e) {
    if (e.node.name == config_.name) return true;
    switch (e.node.state) {
      case NodeState::kAlive:
      case NodeState::kSuspect:
        return false;
      case NodeState::kDead:
        return now - e.state_change > config_.gossip_to_the_dead_time;
      default:
        return true;
    }
  });
  size_t bytes_avail = kUdpBufferSize - kCompoundHeaderOverhead;
  if (keyring_.enabled()) bytes_avail -= EncryptedLength(1, 0);
  for (NodeEntry* e : targets) {
    auto msgs = GetBroadcasts(kCompoundOverheadPerPart, bytes_avail);
    if (msgs.empty()) return;
    const Node node = e->node;
    Status s = msgs.size() == 1 ? RawSendMsgPacket(UdpEndpoint(node), &node, msgs[0])
                                : RawSendMsgPacket(UdpEndpoint(node), &node, MakeCompound(msgs));
    if (!s.ok())
      logger_.Error("memberlist: Failed to send gossip to {}: {}", node.Address(), s.message());
  }
}

void Memberlist::PushPullTick() {
  auto nodes = RandomNodes(1, [&](const NodeEntry& e) {
    return e.node.name == config_.name || e.node.state != NodeState::kAlive;
  });
  if (nodes.empty()) return;
  const std::string name = nodes[0]->node.name;
  PushPullNode(tcp::endpoint(nodes[0]->node.addr, nodes[0]->node.port), false,
               [this, name](Status s) {
                 if (!s.ok())
                   logger_.Error("memberlist: Push/Pull with {} failed: {}", name, s.message());
               });
}

// ----- state transitions -----

void Memberlist::EncodeAndBroadcast(const std::string& node, std::string msg,
                                    std::function<void()> notify) {
  broadcasts_.Queue(Broadcast{node, std::move(msg), std::move(notify)});
}

void Memberlist::Refute(NodeEntry& me, uint32_t accused_incarnation) {
  uint32_t inc = NextIncarnation();
  if (accused_incarnation >= inc) {
    incarnation_ = accused_incarnation + 1;
    inc = incarnation_;
  }
  me.incarnation = inc;
  // Being accused means others may not hear us well: be more patient (Lifeguard).
  ApplyAwarenessDelta(1);
  EncodeAndBroadcast(me.node.name, EncodeMessage(MakeAlive(inc)));
}

void Memberlist::AliveNode(const Alive& a, std::function<void()> notify, bool bootstrap) {
  if (left_ && a.node == config_.name) return;
  const std::string_view vsn = a.vsn.view();
  if (vsn.size() >= 3) {
    const uint8_t pmin = vsn[0], pmax = vsn[1], pcur = vsn[2];
    if (pmin == 0 || pmax == 0 || pmin > pmax) {
      logger_.Warn(
          "memberlist: Ignoring an alive message for '{}' ({}:{}) because protocol version(s) "
          "are wrong: {} <= {} <= {} should be >0",
          a.node, IpString(a.addr), a.port, pmin, pcur, pmax);
      return;
    }
  }
  asio::ip::address addr;
  if (!AddrFromBytes(a.addr, &addr)) {
    logger_.Warn("memberlist: Ignoring an alive message for '{}' with a bad address", a.node);
    return;
  }
  auto it = node_map_.find(a.node);
  std::shared_ptr<NodeEntry> state;
  bool updates_node = false;
  if (it == node_map_.end()) {
    state = std::make_shared<NodeEntry>();
    state->node.name = a.node;
    state->node.addr = addr;
    state->node.port = a.port;
    state->node.meta = a.meta.str();
    state->node.state = NodeState::kDead;
    if (vsn.size() > 5) {
      state->node.pmin = vsn[0];
      state->node.pmax = vsn[1];
      state->node.pcur = vsn[2];
      state->node.dmin = vsn[3];
      state->node.dmax = vsn[4];
      state->node.dcur = vsn[5];
    }
    node_map_[a.node] = state;
    // Insert at a random position, so that new nodes are not probed in join order.
    nodes_.push_back(state);
    const size_t offset = std::uniform_int_distribution<size_t>(0, nodes_.size() - 1)(rng_);
    std::swap(nodes_[offset], nodes_.back());
  } else {
    state = it->second;
    if (state->node.addr != addr || state->node.port != a.port) {
      if (state->node.state == NodeState::kLeft) {
        logger_.Info("memberlist: Updating address for left or failed node {} from {}:{} to {}:{}",
                     state->node.name, state->node.addr.to_string(), state->node.port,
                     addr.to_string(), a.port);
        updates_node = true;
      } else {
        logger_.Error(
            "memberlist: Conflicting address for {}. Mine: {}:{} Theirs: {}:{} Old state: {}",
            state->node.name, state->node.addr.to_string(), state->node.port, addr.to_string(),
            a.port, StateName(state->node.state));
        return;
      }
    }
  }
  const bool is_local = state->node.name == config_.name;
  if (a.incarnation <= state->incarnation && !is_local && !updates_node) return;
  if (a.incarnation < state->incarnation && is_local) return;

  node_timers_.erase(a.node);
  const NodeState old_state = state->node.state;
  const std::string old_meta = state->node.meta;

  if (!bootstrap && is_local) {
    const std::string versions{
        static_cast<char>(state->node.pmin), static_cast<char>(state->node.pmax),
        static_cast<char>(state->node.pcur), static_cast<char>(state->node.dmin),
        static_cast<char>(state->node.dmax), static_cast<char>(state->node.dcur)};
    if (a.incarnation == state->incarnation && a.meta.view() == state->node.meta &&
        vsn == versions) {
      return;
    }
    Refute(*state, a.incarnation);
    logger_.Warn("memberlist: Refuting an alive message for '{}' ({}:{})", a.node, addr.to_string(),
                 a.port);
  } else {
    EncodeAndBroadcast(a.node, EncodeMessage(a), std::move(notify));
    if (vsn.size() > 5) {
      state->node.pmin = vsn[0];
      state->node.pmax = vsn[1];
      state->node.pcur = vsn[2];
      state->node.dmin = vsn[3];
      state->node.dmax = vsn[4];
      state->node.dcur = vsn[5];
    }
    state->incarnation = a.incarnation;
    state->node.meta = a.meta.str();
    state->node.addr = addr;
    state->node.port = a.port;
    if (state->node.state != NodeState::kAlive) {
      state->node.state = NodeState::kAlive;
      state->state_change = runtime_->Now();
      state->state_change_seq = ++state_change_counter_;
    }
  }
  if (old_state == NodeState::kDead || old_state == NodeState::kLeft) {
    delegate_->NotifyJoin(state->node);
  } else if (old_meta != state->node.meta) {
    delegate_->NotifyUpdate(state->node);
  }
}

void Memberlist::SuspectNode(const Suspect& s) {
  auto it = node_map_.find(s.node);
  if (it == node_map_.end()) return;
  std::shared_ptr<NodeEntry> state = it->second;
  if (s.incarnation < state->incarnation) return;
  if (auto t = node_timers_.find(s.node); t != node_timers_.end()) {
    // Lifeguard: an independent confirmation shortens the suspicion, and is re-gossiped.
    if (t->second->Confirm(s.from)) EncodeAndBroadcast(s.node, EncodeMessage(s));
    return;
  }
  if (state->node.state != NodeState::kAlive) return;
  if (state->node.name == config_.name) {
    Refute(*state, s.incarnation);
    logger_.Warn("memberlist: Refuting a suspect message (from: {})", s.from);
    return;
  }
  EncodeAndBroadcast(s.node, EncodeMessage(s));
  state->incarnation = s.incarnation;
  state->node.state = NodeState::kSuspect;
  state->state_change = runtime_->Now();
  const uint64_t change = state->state_change_seq = ++state_change_counter_;

  // Expect SuspicionMult - 2 independent confirmations, fewer in a tiny cluster.
  int k = config_.suspicion_mult - 2;
  const int n = EstNumNodes();
  if (n - 2 < k) k = 0;
  const milliseconds min = SuspicionTimeout(config_.suspicion_mult, n, config_.probe_interval);
  const milliseconds max = min * config_.suspicion_max_timeout_mult;
  const std::string name = s.node;
  auto suspicion = std::make_shared<Suspicion>(
      runtime_, s.from, k, min, max, [this, name, change](int confirmations) {
        auto it = node_map_.find(name);
        if (it == node_map_.end()) return;
        NodeEntry& st = *it->second;
        if (st.node.state != NodeState::kSuspect || st.state_change_seq != change) return;
        logger_.Info(
            "memberlist: Marking {} as failed, suspect timeout reached ({} peer confirmations)",
            name, confirmations);
        DeadNode(Dead{st.incarnation, name, config_.name});
      });
  node_timers_[s.node] = suspicion;
  suspicion->Start();
}

void Memberlist::DeadNode(const Dead& d) {
  auto it = node_map_.find(d.node);
  if (it == node_map_.end()) return;
  std::shared_ptr<NodeEntry> state = it->second;
  if (d.incarnation < state->incarnation) return;
  node_timers_.erase(d.node);
  if (state->node.state == NodeState::kDead || state->node.state == NodeState::kLeft) return;
  if (state->node.name == config_.name) {
    if (!left_) {
      Refute(*state, d.incarnation);
      logger_.Warn("memberlist: Refuting a dead message (from: {})", d.from);
      return;
    }
    EncodeAndBroadcast(d.node, EncodeMessage(d), leave_notify_);
  } else {
    EncodeAndBroadcast(d.node, EncodeMessage(d));
  }
  state->incarnation = d.incarnation;
  state->node.state = d.node == d.from ? NodeState::kLeft : NodeState::kDead;
  state->state_change = runtime_->Now();
  state->state_change_seq = ++state_change_counter_;
  delegate_->NotifyLeave(state->node);
}

void Memberlist::MergeState(const std::vector<PushNodeState>& remote) {
  for (const auto& r : remote) {
    switch (r.state) {
      case NodeState::kAlive: {
        Alive a;
        a.incarnation = r.incarnation;
        a.node = r.name;
        a.addr = r.addr;
        a.port = r.port;
        a.meta = r.meta;
        a.vsn = r.vsn;
        AliveNode(a, nullptr, false);
        break;
      }
      case NodeState::kLeft:
        DeadNode(Dead{r.incarnation, r.name, r.name});
        break;
      case NodeState::kDead:
      case NodeState::kSuspect:
        // A dead report from a push/pull only makes us suspect, so the node gets a chance.
        SuspectNode(Suspect{r.incarnation, r.name, config_.name});
        break;
    }
  }
}

// ----- public operations -----

void Memberlist::UpdateNode(std::function<void()> done) {
  auto once = Once(std::move(done));
  std::string meta = delegate_->NodeMeta(kMetaMaxSize);
  Alive a = MakeAlive(NextIncarnation());
  a.meta = meta.empty() ? Bytes() : Bytes(meta);
  AliveNode(a, once, true);
  if (!AnyAlive() && once) once();
}

void Memberlist::Leave(std::function<void()> done) {
  auto once = Once(std::move(done));
  if (left_) {
    if (once) once();
    return;
  }
  left_ = true;
  auto it = node_map_.find(config_.name);
  if (it == node_map_.end()) {
    logger_.Warn("memberlist: Leave but we're not in the node map.");
    if (once) once();
    return;
  }
  leave_notify_ = once;
  DeadNode(Dead{it->second->incarnation, config_.name, config_.name});
  if (!AnyAlive() && once) once();
}

Status Memberlist::SendToAddress(const udp::endpoint& to, std::string_view msg) {
  if (shutdown_) return Status::Unavailable("memberlist is shut down");
  return RawSendMsgPacket(to, nullptr, EncodeUserMessage(msg));
}

namespace {
struct JoinState {
  int pending = 0;
  int contacted = 0;
  std::vector<std::string> errors;
  Memberlist::JoinCallback done;
};
}  // namespace

void Memberlist::Join(const std::vector<std::string>& addrs, JoinCallback done) {
  auto state = std::make_shared<JoinState>();
  state->done = std::move(done);
  std::vector<tcp::endpoint> targets;
  for (const std::string& addr : addrs) {
    auto resolved =
        ResolveJoinAddress(io_, addr, config_.bind_port != 0 ? config_.bind_port : advertise_port_);
    if (!resolved.ok()) {
      std::string err = fmt::format("Failed to resolve {}: {}", addr, resolved.status().message());
      logger_.Warn("memberlist: {}", err);
      state->errors.push_back(std::move(err));
      continue;
    }
    targets.insert(targets.end(), resolved->begin(), resolved->end());
  }
  auto finish = [state] {
    if (state->contacted > 0) {
      state->done(state->contacted, Status::OK());
    } else {
      std::string msg = fmt::format("{} error(s) occurred:", state->errors.size());
      for (const auto& e : state->errors) msg += "\n\n* " + e;
      state->done(0, Status::Unavailable(msg));
    }
  };
  if (targets.empty()) {
    finish();
    return;
  }
  state->pending = static_cast<int>(targets.size());
  for (const auto& ep : targets) {
    PushPullNode(ep, true, [this, state, ep, finish](Status s) {
      if (s.ok()) {
        ++state->contacted;
      } else {
        std::string err =
            fmt::format("Failed to join {}: {}", ep.address().to_string(), s.message());
        logger_.Debug("memberlist: {}", err);
        state->errors.push_back(std::move(err));
      }
      if (--state->pending == 0) finish();
    });
  }
}

// ----- packets -----

PacketReadOptions Memberlist::PacketOptions() const {
  PacketReadOptions o;
  o.keyring = keyring_.enabled() ? &keyring_ : nullptr;
  o.verify_incoming = config_.gossip_verify_incoming;
  return o;
}

StreamReadOptions Memberlist::ReadOptions() const {
  StreamReadOptions o;
  o.keyring = keyring_.enabled() ? &keyring_ : nullptr;
  o.verify_incoming = config_.gossip_verify_incoming;
  return o;
}

void Memberlist::HandlePacket(std::string_view packet, const udp::endpoint& from) {
  if (shutdown_) return;
  const auto at = runtime_->Now();
  auto unpacked = UnpackPacket(packet, PacketOptions());
  if (!unpacked.ok()) {
    const std::string& msg = unpacked.status().message();
    if (keyring_.enabled() && (msg.find("decrypt") != std::string::npos ||
                               msg.find("Payload is too small") != std::string::npos ||
                               msg.find("encryption version") != std::string::npos)) {
      logger_.Error("memberlist: Decrypt packet failed: {} from={}", msg,
                    JoinHostPort(from.address(), from.port()));
    } else {
      logger_.Error("memberlist: Failed to handle UDP packet: {} from={}", msg,
                    JoinHostPort(from.address(), from.port()));
    }
    return;
  }
  if (unpacked->truncated > 0) {
    logger_.Warn("memberlist: Compound request had {} truncated messages from={}",
                 unpacked->truncated, JoinHostPort(from.address(), from.port()));
  }
  for (const auto& m : unpacked->messages) {
    if (shutdown_) return;
    HandleMessage(m, from, at);
  }
}

void Memberlist::HandleMessage(const PacketMessage& msg, const udp::endpoint& from,
                               Clock::time_point at) {
  const std::string from_str = JoinHostPort(from.address(), from.port());
  // Decodes the body; a bad one is logged (memberlist's wording) and dropped.
  auto decode = [&](auto* m, std::string_view what) {
    Status s = DecodeMessage(msg.body, m);
    if (!s.ok())
      logger_.Error("memberlist: Failed to decode {}: {} from={}", what, s.message(), from_str);
    return s.ok();
  };
  switch (msg.type) {
    case MessageType::kPing:
      HandlePing(msg.body, from);
      return;
    case MessageType::kIndirectPing:
      HandleIndirectPing(msg.body, from);
      return;
    case MessageType::kAck: {
      Ack ack;
      if (!decode(&ack, "ack response")) return;
      InvokeAckHandler(ack, at);
      return;
    }
    case MessageType::kNack: {
      Nack nack;
      if (!decode(&nack, "nack response")) return;
      InvokeNackHandler(nack);
      return;
    }
    case MessageType::kSuspect: {
      Suspect s;
      if (!decode(&s, "suspect message")) return;
      SuspectNode(s);
      return;
    }
    case MessageType::kAlive: {
      Alive a;
      if (!decode(&a, "alive message")) return;
      if (a.port == 0) a.port = config_.bind_port;
      AliveNode(a, nullptr, false);
      return;
    }
    case MessageType::kDead: {
      Dead d;
      if (!decode(&d, "dead message")) return;
      DeadNode(d);
      return;
    }
    case MessageType::kUser:
      delegate_->NotifyMsg(msg.body);
      return;
    default:
      logger_.Error("memberlist: msg type ({}) not supported from={}", static_cast<int>(msg.type),
                    from_str);
  }
}

void Memberlist::HandlePing(std::string_view body, const udp::endpoint& from) {
  Ping p;
  if (Status s = DecodeMessage(body, &p); !s.ok()) {
    logger_.Error("memberlist: Failed to decode ping request: {} from={}", s.message(),
                  JoinHostPort(from.address(), from.port()));
    return;
  }
  if (!p.node.empty() && p.node != config_.name) {
    logger_.Warn("memberlist: Got ping for unexpected node '{}' from={}", p.node,
                 JoinHostPort(from.address(), from.port()));
    return;
  }
  Ack ack;
  ack.seq_no = p.seq_no;
  std::string payload = delegate_->AckPayload();
  if (!payload.empty()) ack.payload = Bytes(std::move(payload));
  udp::endpoint to = from;
  asio::ip::address source;
  if (p.source_port > 0 && AddrFromBytes(p.source_addr, &source))
    to = udp::endpoint(source, p.source_port);
  if (Status s = SendMsg(to, EncodeMessage(ack)); !s.ok()) {
    logger_.Error("memberlist: Failed to send ack: {} from={}", s.message(),
                  JoinHostPort(from.address(), from.port()));
  }
}

void Memberlist::HandleIndirectPing(std::string_view body, const udp::endpoint& from) {
  IndirectPing ind;
  if (Status s = DecodeMessage(body, &ind); !s.ok()) {
    logger_.Error("memberlist: Failed to decode indirect ping request: {} from={}", s.message(),
                  JoinHostPort(from.address(), from.port()));
    return;
  }
  if (ind.port == 0) ind.port = config_.bind_port;
  asio::ip::address target;
  if (!AddrFromBytes(ind.target, &target)) return;
  udp::endpoint requester = from;
  asio::ip::address source;
  if (ind.source_port > 0 && AddrFromBytes(ind.source_addr, &source))
    requester = udp::endpoint(source, ind.source_port);

  Ping ping;
  ping.seq_no = NextSeqNo();
  ping.node = ind.node;
  ping.source_addr = Bytes(AddrBytes(advertise_addr_));
  ping.source_port = advertise_port_;
  ping.source_node = config_.name;
  const uint32_t their_seq = ind.seq_no;
  const bool want_nack = ind.nack;
  SetAckHandler(
      ping.seq_no,
      [this, requester, their_seq](std::string, Clock::time_point) {
        Ack ack;
        ack.seq_no = their_seq;
        if (Status s = SendMsg(requester, EncodeMessage(ack)); !s.ok())
          logger_.Error("memberlist: Failed to forward ack: {}", s.message());
      },
      nullptr, config_.probe_timeout,
      [this, requester, their_seq, want_nack] {
        if (!want_nack) return;
        Nack nack;
        nack.seq_no = their_seq;
        if (Status s = SendMsg(requester, EncodeMessage(nack)); !s.ok())
          logger_.Error("memberlist: Failed to send nack: {}", s.message());
      });
  if (Status s = SendMsg(udp::endpoint(target, ind.port), EncodeMessage(ping)); !s.ok())
    logger_.Error("memberlist: Failed to send indirect ping: {}", s.message());
}

std::vector<std::string> Memberlist::GetBroadcasts(size_t overhead, size_t limit) {
  auto msgs = broadcasts_.GetBroadcasts(overhead, limit);
  size_t used = 0;
  for (const auto& m : msgs) used += overhead + m.size();
  if (used < limit) {
    // The delegate's messages travel as user messages: one more byte each for the type.
    auto user = delegate_->GetBroadcasts(overhead + 1, limit - used);
    for (auto& m : user) msgs.push_back(EncodeUserMessage(m));
  }
  return msgs;
}

Status Memberlist::SendMsg(const udp::endpoint& to, std::string msg) {
  int64_t avail = static_cast<int64_t>(kUdpBufferSize) - static_cast<int64_t>(msg.size()) -
                  static_cast<int64_t>(kCompoundHeaderOverhead);
  if (EncryptOutgoing()) avail -= static_cast<int64_t>(EncryptedLength(1, 0));
  std::vector<std::string> extra;
  if (avail > 0) extra = GetBroadcasts(kCompoundOverheadPerPart, static_cast<size_t>(avail));
  if (extra.empty()) return RawSendMsgPacket(to, nullptr, msg);
  std::vector<std::string> parts;
  parts.reserve(extra.size() + 1);
  parts.push_back(std::move(msg));
  for (auto& e : extra) {
    if (parts.size() >= kMaxCompoundParts) break;
    parts.push_back(std::move(e));
  }
  return RawSendMsgPacket(to, nullptr, MakeCompound(parts));
}

Status Memberlist::RawSendMsgPacket(const udp::endpoint& to, const Node* node,
                                    std::string_view msg) {
  if (shutdown_) return Status::Unavailable("memberlist is shut down");
  PacketWriteOptions o;
  o.compress = config_.enable_compression;
  o.add_crc = node != nullptr && node->pmax >= 5;
  o.keyring = EncryptOutgoing() ? &keyring_ : nullptr;
  CONSULATE_ASSIGN_OR_RETURN(std::string packet, EncodePacket(msg, o));
  return transport_->SendPacket(to, packet);
}

// ----- streams -----

void Memberlist::SendStream(const std::shared_ptr<StreamConn>& conn, std::string msg,
                            StreamConn::WriteCallback done) {
  StreamWriteOptions o;
  o.compress = config_.enable_compression;
  o.keyring = EncryptOutgoing() ? &keyring_ : nullptr;
  auto framed = EncodeStream(msg, o);
  if (!framed.ok()) {
    done(framed.status());
    return;
  }
  conn->Write(std::move(framed).value(), std::move(done));
}

std::string Memberlist::LocalStateMessage(bool join) {
  PushPull pp;
  pp.join = join;
  pp.nodes.reserve(nodes_.size());
  for (const auto& e : nodes_) {
    PushNodeState s;
    s.name = e->node.name;
    s.addr = Bytes(AddrBytes(e->node.addr));
    s.port = e->node.port;
    if (!e->node.meta.empty()) s.meta = Bytes(e->node.meta);
    s.incarnation = e->incarnation;
    s.state = e->node.state;
    const uint8_t v[6] = {e->node.pmin, e->node.pmax, e->node.pcur,
                          e->node.dmin, e->node.dmax, e->node.dcur};
    s.vsn = Bytes(std::string(reinterpret_cast<const char*>(v), 6));
    pp.nodes.push_back(std::move(s));
  }
  pp.user_state = delegate_->LocalState(join);
  return EncodePushPull(pp);
}

void Memberlist::MergeRemoteState(bool join, const PushPull& remote) {
  MergeState(remote.nodes);
  if (!remote.user_state.empty()) delegate_->MergeRemoteState(remote.user_state, join);
}

void Memberlist::HandleStream(std::shared_ptr<StreamConn> conn) {
  if (shutdown_) {
    conn->Close();
    return;
  }
  logger_.Debug("memberlist: Stream connection from={}", conn->RemoteAddress());
  conn->ReadMessage(ReadOptions(), [this, conn](Status s, StreamMessage msg) {
    if (shutdown_) return conn->Close();
    if (!s.ok()) {
      if (s.IsNotFound()) return conn->Close();  // EOF: the peer just went away
      logger_.Error("memberlist: failed to receive: {} from={}", s.message(),
                    conn->RemoteAddress());
      ErrResp resp;
      resp.error = s.message();
      SendStream(conn, EncodeMessage(resp), [conn](Status) { conn->Close(); });
      return;
    }
    switch (msg.type) {
      case MessageType::kUser: {
        std::string payload;
        if (Status st = DecodeUserStream(msg.body, &payload); !st.ok()) {
          logger_.Error("memberlist: Failed to receive user message: {} from={}", st.message(),
                        conn->RemoteAddress());
        } else {
          delegate_->NotifyMsg(payload);
        }
        conn->Close();
        return;
      }
      case MessageType::kPushPull: {
        auto remote = std::make_shared<PushPull>();
        if (Status st = DecodePushPull(msg.body, remote.get()); !st.ok()) {
          logger_.Error("memberlist: Failed to read remote state: {} from={}", st.message(),
                        conn->RemoteAddress());
          conn->Close();
          return;
        }
        SendStream(conn, LocalStateMessage(remote->join), [this, conn, remote](Status st) {
          conn->Close();
          if (shutdown_) return;
          if (!st.ok()) {
            logger_.Error("memberlist: Failed to push local state: {} from={}", st.message(),
                          conn->RemoteAddress());
            return;
          }
          MergeRemoteState(remote->join, *remote);
        });
        return;
      }
      case MessageType::kPing: {
        Ping p;
        if (Status st = DecodeMessage(msg.body, &p); !st.ok()) {
          logger_.Error("memberlist: Failed to decode ping: {} from={}", st.message(),
                        conn->RemoteAddress());
          conn->Close();
          return;
        }
        if (!p.node.empty() && p.node != config_.name) {
          logger_.Warn("memberlist: Got ping for unexpected node {} from={}", p.node,
                       conn->RemoteAddress());
          conn->Close();
          return;
        }
        Ack ack;
        ack.seq_no = p.seq_no;
        SendStream(conn, EncodeMessage(ack), [conn](Status) { conn->Close(); });
        return;
      }
      default:
        logger_.Error("memberlist: Received invalid msgType ({}) from={}",
                      static_cast<int>(msg.type), conn->RemoteAddress());
        conn->Close();
    }
  });
}

void Memberlist::PushPullNode(const tcp::endpoint& to, bool join,
                              std::function<void(Status)> done) {
  logger_.Debug("memberlist: Initiating push/pull sync with: {}",
                JoinHostPort(to.address(), to.port()));
  StreamConn::Connect(
      io_, to, config_.tcp_timeout,
      [this, join, done = std::move(done)](Status s, std::shared_ptr<StreamConn> conn) mutable {
        if (shutdown_) return done(Status::Unavailable("memberlist is shut down"));
        if (!s.ok()) return done(std::move(s));
        SendStream(conn, LocalStateMessage(join), [this, conn, join, done](Status st) mutable {
          if (!st.ok() || shutdown_) {
            conn->Close();
            return done(st.ok() ? Status::Unavailable("memberlist is shut down") : st);
          }
          conn->ReadMessage(
              ReadOptions(), [this, conn, join, done](Status rs, StreamMessage msg) mutable {
                conn->Close();
                if (shutdown_) return done(Status::Unavailable("memberlist is shut down"));
                if (!rs.ok()) return done(rs.IsNotFound() ? Status::IOError("EOF") : rs);
                if (msg.type == MessageType::kErr) {
                  ErrResp err;
                  (void)DecodeMessage(msg.body, &err);
                  return done(Status::IOError("Remote error: " + err.error));
                }
                if (msg.type != MessageType::kPushPull) {
                  return done(Status::Corruption(
                      fmt::format("Bad response type: {}", static_cast<int>(msg.type))));
                }
                PushPull remote;
                if (Status ds = DecodePushPull(msg.body, &remote); !ds.ok()) return done(ds);
                MergeRemoteState(join, remote);
                done(Status::OK());
              });
        });
      });
}

void Memberlist::SendPingAndWaitForAck(const tcp::endpoint& to, const Ping& ping,
                                       Clock::time_point deadline, std::function<void(bool)> done) {
  const auto timeout = std::chrono::duration_cast<milliseconds>(deadline - runtime_->Now());
  if (timeout.count() <= 0) return done(false);
  const uint32_t seq = ping.seq_no;
  const std::string msg = EncodeMessage(ping);
  StreamConn::Connect(
      io_, to, timeout,
      [this, seq, msg, done = std::move(done)](Status s, std::shared_ptr<StreamConn> conn) {
        if (!s.ok() || shutdown_) return done(false);  // could not connect: not contacted
        SendStream(conn, msg, [this, conn, seq, done](Status ws) {
          if (!ws.ok() || shutdown_) {
            conn->Close();
            return done(false);
          }
          conn->ReadMessage(ReadOptions(), [this, conn, seq, done](Status rs, StreamMessage m) {
            conn->Close();
            if (!rs.ok()) return done(false);
            if (m.type != MessageType::kAck) {
              logger_.Error("memberlist: Failed fallback ping: Unexpected msgType ({}) from ping",
                            static_cast<int>(m.type));
              return done(false);
            }
            Ack ack;
            if (!DecodeMessage(m.body, &ack).ok() || ack.seq_no != seq) return done(false);
            done(true);
          });
        });
      });
}

// ----- addresses -----

Result<std::vector<tcp::endpoint>> ResolveJoinAddress(asio::io_context& io, const std::string& addr,
                                                      uint16_t default_port) {
  std::string host = addr;
  uint16_t port = default_port;
  if (const auto slash = host.find('/'); slash != std::string::npos) host = host.substr(slash + 1);
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string::npos) return Status::InvalidArgument("missing ']' in address");
    std::string rest = host.substr(close + 1);
    host = host.substr(1, close - 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Status::InvalidArgument("bad address " + addr);
      rest = rest.substr(1);
      char* end = nullptr;
      const unsigned long p = std::strtoul(rest.c_str(), &end, 10);
      if (rest.empty() || *end != '\0' || p > 65535) return Status::InvalidArgument("bad port");
      port = static_cast<uint16_t>(p);
    }
  } else if (std::count(host.begin(), host.end(), ':') == 1) {
    const auto colon = host.find(':');
    std::string rest = host.substr(colon + 1);
    host = host.substr(0, colon);
    char* end = nullptr;
    const unsigned long p = std::strtoul(rest.c_str(), &end, 10);
    if (rest.empty() || *end != '\0' || p > 65535) return Status::InvalidArgument("bad port");
    port = static_cast<uint16_t>(p);
  }
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(host, ec);
  if (!ec) return std::vector<tcp::endpoint>{tcp::endpoint(ip, port)};
  tcp::resolver resolver(io);
  auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec) return Status::NotFound(ec.message());
  std::vector<tcp::endpoint> out;
  for (const auto& r : results) out.push_back(r.endpoint());
  if (out.empty()) return Status::NotFound("no addresses for " + host);
  return out;
}

}  // namespace consulate::gossip
