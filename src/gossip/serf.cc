#include "gossip/serf.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <cmath>
#include <future>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <shared_mutex>
#include <thread>
#include <utility>

#include "base/base64.h"
#include "base/thread_name.h"
#include "gossip/keyring_file.h"
#include "gossip/memberlist.h"
#include "gossip/serf_messages.h"
#include "gossip/vivaldi.h"

namespace consulate::gossip {

using Clock = std::chrono::steady_clock;
using serf::LamportTime;
using serf::SerfMessageType;

const char* MemberStatusName(MemberStatus status) {
  switch (status) {
    case MemberStatus::kNone:
      return "none";
    case MemberStatus::kAlive:
      return "alive";
    case MemberStatus::kLeaving:
      return "leaving";
    case MemberStatus::kLeft:
      return "left";
    case MemberStatus::kFailed:
      return "failed";
  }
  return "unknown";
}

const char* MemberEventName(MemberEvent::Kind kind) {
  switch (kind) {
    case MemberEvent::kJoin:
      return "member-join";
    case MemberEvent::kLeave:
      return "member-leave";
    case MemberEvent::kFailed:
      return "member-failed";
    case MemberEvent::kUpdate:
      return "member-update";
    case MemberEvent::kReap:
      return "member-reap";
  }
  return "unknown";
}

namespace {

constexpr uint8_t kSerfProtocolVersion = 5;
constexpr size_t kEventBufferSize = 512;
constexpr size_t kQueryBufferSize = 512;
constexpr size_t kUserEventSizeLimit = 512;       // serf's default UserEventSizeLimit
constexpr size_t kUserEventHardLimit = 9 * 1024;  // serf's UserEventSizeLimit constant
constexpr size_t kQueryResponseSizeLimit = 1024;
constexpr size_t kQuerySizeLimit = 1024;
constexpr int kQueryTimeoutMult = 16;
constexpr int kQueueDepthWarning = 128;
constexpr size_t kMaxQueueDepth = 4096;

milliseconds Scaled(milliseconds d, double factor) {
  return milliseconds(std::max<int64_t>(1, static_cast<int64_t>(d.count() * factor)));
}

std::function<void()> Once(std::function<void()> fn) {
  auto shared = std::make_shared<std::function<void()>>(std::move(fn));
  return [shared] {
    if (*shared) {
      auto f = std::move(*shared);
      *shared = nullptr;
      f();
    }
  };
}

// A query's return address as serf sends it (Go's net.IP: 4 or 16 raw bytes); none otherwise.
std::optional<asio::ip::address> AddressFromBytes(std::string_view b) {
  if (b.size() == 4) {
    asio::ip::address_v4::bytes_type bytes;
    std::copy(b.begin(), b.end(), reinterpret_cast<char*>(bytes.data()));
    return asio::ip::address(asio::ip::address_v4(bytes));
  }
  if (b.size() == 16) {
    asio::ip::address_v6::bytes_type bytes;
    std::copy(b.begin(), b.end(), reinterpret_cast<char*>(bytes.data()));
    return asio::ip::address(asio::ip::address_v6(bytes));
  }
  return std::nullopt;
}

// A notification a waiting API thread can block on.
// The promise is shared with the notifier, which may run after the waiter gave up.
struct Signal {
  std::shared_ptr<std::promise<void>> promise = std::make_shared<std::promise<void>>();
  std::future<void> future = promise->get_future();
  std::function<void()> Notifier() {
    return Once([p = promise] { p->set_value(); });
  }
  bool WaitFor(milliseconds d) { return future.wait_for(d) == std::future_status::ready; }
};

}  // namespace

struct Serf::Impl : public MemberlistDelegate {
  enum class State { kAlive, kLeaving, kLeft, kShutdown };
  struct MemberState {
    Member member;
    LamportTime status_ltime = 0;
    Clock::time_point leave_time;
  };
  struct Intent {
    SerfMessageType type;
    LamportTime ltime;
    Clock::time_point wall_time;
  };
  struct QuerySeen {
    LamportTime ltime = 0;
    std::vector<uint32_t> ids;
  };
  // A query we sent that is still collecting answers (serf's QueryResponse). Keyed by its Lamport
  // time, which is unique per query because sending it advances our query clock.
  struct PendingQuery {
    uint32_t id = 0;
    QueryResult result;
    std::set<std::string> acked, responded;
    std::function<bool(const QueryResult&)> finished;
    std::shared_ptr<std::promise<QueryResult>> done;
    std::unique_ptr<asio::steady_timer> timer;
  };

  Impl(SerfConfig c, Handlers h, Logger l)
      : config(std::move(c)),
        handlers(std::move(h)),
        logger(std::move(l)),
        rng(std::random_device{}()),
        broadcasts(4, [this] { return static_cast<int>(members.size()); }),
        event_broadcasts(4, [this] { return static_cast<int>(members.size()); }),
        query_broadcasts(4, [this] { return static_cast<int>(members.size()); }),
        event_buffer(kEventBufferSize),
        query_buffer(kQueryBufferSize),
        reap_timer(io),
        reconnect_timer(io),
        queue_timer(io) {
    broadcast_timeout = Scaled(milliseconds(5000), config.time_scale);
    leave_propagate_delay = Scaled(milliseconds(1000), config.time_scale);
    reap_interval = Scaled(milliseconds(15000), config.time_scale);
    reconnect_interval = Scaled(milliseconds(30000), config.time_scale);
    queue_check_interval = Scaled(milliseconds(30000), config.time_scale);
  }

  // ----- threading -----
  bool OnLoop() const { return std::this_thread::get_id() == loop_id; }
  // Runs f on the loop thread and returns its result. REQUIRES: the caller holds api_mu shared
  // (so the loop cannot stop meanwhile) or is on the loop thread. After Shutdown, runs inline.
  template <typename F>
  auto RunOnLoop(F&& f) -> decltype(f()) {
    using R = decltype(f());
    if (OnLoop() || stopped) return f();
    std::promise<R> p;
    auto fut = p.get_future();
    asio::post(io, [&] {
      if constexpr (std::is_void_v<R>) {
        f();
        p.set_value();
      } else {
        p.set_value(f());
      }
    });
    return fut.get();
  }

  // ----- MemberlistDelegate -----
  std::string NodeMeta(size_t limit) override {
    std::string meta = serf::EncodeTags(config.tags);
    if (meta.size() > limit) {
      logger.Error("serf: Node tags exceed length limit of {} bytes", limit);
      return serf::EncodeTags({});
    }
    return meta;
  }
  void NotifyMsg(std::string_view msg) override;
  std::vector<std::string> GetBroadcasts(size_t overhead, size_t limit) override;
  std::string LocalState(bool join) override;
  void MergeRemoteState(std::string_view state, bool join) override;
  void NotifyJoin(const Node& node) override { HandleNodeJoin(node); }
  void NotifyLeave(const Node& node) override { HandleNodeLeave(node); }
  void NotifyUpdate(const Node& node) override { HandleNodeUpdate(node); }
  std::string AckPayload() override { return serf::EncodeAckPayload(vivaldi.GetCoordinate()); }
  void NotifyPingComplete(const Node& node, std::chrono::nanoseconds rtt,
                          std::string_view payload) override;

  // ----- serf logic (serf.go), all on the loop thread -----
  std::map<std::string, std::string> DecodeTags(std::string_view meta) {
    std::map<std::string, std::string> tags;
    if (Status s = serf::DecodeTags(meta, &tags); !s.ok())
      logger.Error("serf: Failed to decode tags: {}", s.message());
    return tags;
  }
  void Emit(MemberEvent::Kind kind, const Member& m) {
    if (handlers.on_member) handlers.on_member(MemberEvent{kind, {m}});
  }
  void HandleNodeJoin(const Node& n);
  void HandleNodeLeave(const Node& n);
  void HandleNodeUpdate(const Node& n);
  bool HandleNodeLeaveIntent(const serf::LeaveIntent& msg);
  bool HandleNodeJoinIntent(const serf::JoinIntent& msg);
  bool HandleUserEvent(const serf::UserEventMessage& msg);
  bool HandleQuery(const serf::QueryMessage& q);
  void HandleInternalQuery(const serf::QueryMessage& q);
  void RespondToQuery(const serf::QueryMessage& q, std::string payload);
  void HandleQueryResponse(const serf::QueryResponseMessage& r);
  void RelayResponse(const serf::QueryMessage& q, const std::string& raw_response);
  void FinishQuery(LamportTime ltime);
  milliseconds DefaultQueryTimeout() const {
    const int n = memberlist->NumMembers();
    const auto mult = static_cast<int64_t>(std::ceil(std::log10(static_cast<double>(n + 1))));
    return memberlist->config().gossip_interval * kQueryTimeoutMult * std::max<int64_t>(mult, 1);
  }
  void HandlePrune(MemberState& m);
  void EraseNode(const std::string& name);
  // serf's writeKeyringFile: persists the keyring after a change (no-op without keyring_file).
  // Written and renamed here; flushed to disk by keyring_syncer, off the loop.
  Status SaveKeyring() {
    if (config.keyring_file.empty()) return Status::OK();
    CONSULATE_RETURN_IF_ERROR(
        WriteKeyringFile(config.keyring_file, memberlist->keyring().keys(), /*sync=*/false));
    keyring_syncer.Request();
    return Status::OK();
  }
  void BroadcastJoin(LamportTime ltime);
  void Broadcast(std::string msg, std::function<void()> notify) {
    broadcasts.Queue(gossip::Broadcast{"", std::move(msg), std::move(notify)});
  }
  bool HasAliveMembers() const {
    for (const auto& [name, m] : members) {
      if (name != config.node_name && m.member.status == MemberStatus::kAlive) return true;
    }
    return false;
  }
  bool UpsertIntent(const std::string& node, SerfMessageType type, LamportTime ltime) {
    auto it = recent_intents.find(node);
    if (it == recent_intents.end() || ltime > it->second.ltime) {
      recent_intents[node] = Intent{type, ltime, Clock::now()};
      return true;
    }
    return false;
  }
  std::optional<LamportTime> RecentIntent(const std::string& node, SerfMessageType type) const {
    auto it = recent_intents.find(node);
    if (it != recent_intents.end() && it->second.type == type) return it->second.ltime;
    return std::nullopt;
  }
  void ScheduleReap();
  void ScheduleReconnect();
  void ScheduleQueueCheck();
  void Reap(std::vector<std::string>* list, Clock::time_point now, milliseconds timeout);
  void Reconnect();

  SerfConfig config;
  Handlers handlers;
  Logger logger;
  KeyringFileSyncer keyring_syncer{config.keyring_file, logger};

  // The io_context outlives everything that uses it: declared first, destroyed last.
  asio::io_context io;
  std::unique_ptr<Memberlist> memberlist;
  std::thread thread;
  std::thread::id loop_id;
  std::shared_mutex api_mu;  // shared: API calls in flight; exclusive: Shutdown
  bool stopped = false;      // GUARDED_BY(api_mu)

  std::mt19937_64 rng;
  State state = State::kAlive;
  serf::LamportClock clock, event_clock, query_clock;
  std::map<std::string, MemberState> members;
  std::vector<std::string> failed_members;  // names, in failure order
  std::vector<std::string> left_members;
  std::map<std::string, Intent> recent_intents;
  TransmitLimitedQueue broadcasts, event_broadcasts, query_broadcasts;
  std::vector<std::optional<serf::UserEvents>> event_buffer;
  LamportTime event_min_time = 0;
  bool event_join_ignore = false;
  std::vector<std::optional<QuerySeen>> query_buffer;
  LamportTime query_min_time = 0;
  std::map<LamportTime, std::shared_ptr<PendingQuery>> pending_queries;
  VivaldiClient vivaldi;
  // serf's coordCache: the coordinate each peer last sent in an accepted ping ack.
  std::map<std::string, serf::Coordinate> coord_cache;

  milliseconds broadcast_timeout, leave_propagate_delay, reap_interval, reconnect_interval,
      queue_check_interval;
  asio::steady_timer reap_timer, reconnect_timer, queue_timer;
};

// ----- member events from memberlist -----

void Serf::Impl::HandleNodeJoin(const Node& n) {
  MemberStatus old_status = MemberStatus::kNone;
  auto it = members.find(n.name);
  if (it == members.end()) {
    MemberState ms;
    ms.member.name = n.name;
    ms.member.status = MemberStatus::kAlive;
    if (auto join = RecentIntent(n.name, SerfMessageType::kJoin)) ms.status_ltime = *join;
    if (auto leave = RecentIntent(n.name, SerfMessageType::kLeave)) {
      ms.member.status = MemberStatus::kLeaving;
      ms.status_ltime = *leave;
    }
    it = members.emplace(n.name, std::move(ms)).first;
  } else {
    old_status = it->second.member.status;
    it->second.member.status = MemberStatus::kAlive;
    it->second.leave_time = Clock::time_point{};
  }
  Member& m = it->second.member;
  m.addr = n.addr.to_string();
  m.port = n.port;
  m.tags = DecodeTags(n.meta);
  m.protocol_min = n.pmin;
  m.protocol_max = n.pmax;
  m.protocol_cur = n.pcur;
  m.delegate_min = n.dmin;
  m.delegate_max = n.dmax;
  m.delegate_cur = n.dcur;
  if (old_status == MemberStatus::kFailed || old_status == MemberStatus::kLeft) {
    std::erase(failed_members, n.name);
    std::erase(left_members, n.name);
  }
  logger.Info("serf: EventMemberJoin: {} {}", m.name, m.addr);
  Emit(MemberEvent::kJoin, m);
}

void Serf::Impl::HandleNodeLeave(const Node& n) {
  auto it = members.find(n.name);
  if (it == members.end()) return;
  MemberState& ms = it->second;
  switch (ms.member.status) {
    case MemberStatus::kLeaving:
      ms.member.status = MemberStatus::kLeft;
      ms.leave_time = Clock::now();
      left_members.push_back(n.name);
      break;
    case MemberStatus::kAlive:
      ms.member.status = MemberStatus::kFailed;
      ms.leave_time = Clock::now();
      failed_members.push_back(n.name);
      break;
    default:
      logger.Warn("serf: Bad state when leave: {}", static_cast<int>(ms.member.status));
      return;
  }
  const bool left = ms.member.status == MemberStatus::kLeft;
  logger.Info("serf: {}: {} {}", left ? "EventMemberLeave" : "EventMemberFailed", ms.member.name,
              ms.member.addr);
  Emit(left ? MemberEvent::kLeave : MemberEvent::kFailed, ms.member);
}

void Serf::Impl::HandleNodeUpdate(const Node& n) {
  auto it = members.find(n.name);
  if (it == members.end()) return;
  Member& m = it->second.member;
  m.addr = n.addr.to_string();
  m.port = n.port;
  m.tags = DecodeTags(n.meta);
  m.protocol_min = n.pmin;
  m.protocol_max = n.pmax;
  m.protocol_cur = n.pcur;
  m.delegate_min = n.dmin;
  m.delegate_max = n.dmax;
  m.delegate_cur = n.dcur;
  logger.Info("serf: EventMemberUpdate: {}", m.name);
  Emit(MemberEvent::kUpdate, m);
}

// ----- intents -----

bool Serf::Impl::HandleNodeLeaveIntent(const serf::LeaveIntent& msg) {
  clock.Witness(msg.ltime);
  auto it = members.find(msg.node);
  if (it == members.end()) return UpsertIntent(msg.node, SerfMessageType::kLeave, msg.ltime);
  MemberState& ms = it->second;
  if (msg.ltime <= ms.status_ltime) return false;
  if (msg.node == config.node_name && state == State::kAlive) {
    // Someone thinks we are leaving, but we are not: refute with a newer join intent.
    logger.Debug("serf: Refuting an older leave intent");
    const LamportTime now = clock.Time();
    asio::post(io, [this, now] { BroadcastJoin(now); });
    return false;
  }
  ms.status_ltime = msg.ltime;
  switch (ms.member.status) {
    case MemberStatus::kAlive:
      ms.member.status = MemberStatus::kLeaving;
      if (msg.prune) HandlePrune(ms);
      return true;
    case MemberStatus::kFailed: {
      ms.member.status = MemberStatus::kLeft;
      std::erase(failed_members, ms.member.name);
      left_members.push_back(ms.member.name);
      logger.Info("serf: EventMemberLeave (forced): {} {}", ms.member.name, ms.member.addr);
      Emit(MemberEvent::kLeave, ms.member);
      if (msg.prune) HandlePrune(ms);
      return true;
    }
    case MemberStatus::kLeaving:
    case MemberStatus::kLeft:
      if (msg.prune) HandlePrune(ms);
      return true;
    default:
      return false;
  }
}

void Serf::Impl::HandlePrune(MemberState& ms) {
  logger.Info("serf: EventMemberReap (forced): {} {}", ms.member.name, ms.member.addr);
  if (ms.member.status == MemberStatus::kLeaving || ms.member.status == MemberStatus::kLeft)
    std::erase(left_members, ms.member.name);
  EraseNode(ms.member.name);  // invalidates ms
}

void Serf::Impl::EraseNode(const std::string& name) {
  auto it = members.find(name);
  if (it == members.end()) return;
  Member m = it->second.member;
  members.erase(it);
  vivaldi.ForgetNode(name);
  coord_cache.erase(name);
  Emit(MemberEvent::kReap, m);
}

bool Serf::Impl::HandleNodeJoinIntent(const serf::JoinIntent& msg) {
  clock.Witness(msg.ltime);
  auto it = members.find(msg.node);
  if (it == members.end()) return UpsertIntent(msg.node, SerfMessageType::kJoin, msg.ltime);
  MemberState& ms = it->second;
  if (msg.ltime <= ms.status_ltime) return false;
  ms.status_ltime = msg.ltime;
  if (ms.member.status == MemberStatus::kLeaving) ms.member.status = MemberStatus::kAlive;
  return true;
}

void Serf::Impl::BroadcastJoin(LamportTime ltime) {
  serf::JoinIntent msg{ltime, config.node_name};
  clock.Witness(ltime);
  HandleNodeJoinIntent(msg);
  Broadcast(serf::EncodeSerfMessage(msg), nullptr);
}

// ----- user events -----

bool Serf::Impl::HandleUserEvent(const serf::UserEventMessage& msg) {
  event_clock.Witness(msg.ltime);
  if (msg.ltime < event_min_time) return false;
  const LamportTime cur = event_clock.Time();
  if (cur > kEventBufferSize && msg.ltime < cur - kEventBufferSize) {
    logger.Warn("serf: received old event {} from time {} (current: {})", msg.name, msg.ltime, cur);
    return false;
  }
  auto& slot = event_buffer[msg.ltime % kEventBufferSize];
  serf::UserEvent ev{msg.name, msg.payload};
  if (slot && slot->ltime == msg.ltime) {
    for (const auto& prev : slot->events) {
      if (prev.name == ev.name && prev.payload.view() == ev.payload.view()) return false;
    }
  } else {
    slot = serf::UserEvents{msg.ltime, {}};
  }
  slot->events.push_back(ev);
  logger.Debug("serf: user event: {}", msg.name);
  if (handlers.on_user_event) {
    handlers.on_user_event(UserEvent{msg.name, msg.payload.str(), msg.ltime, msg.cc});
  }
  return true;
}

// ----- queries -----

bool Serf::Impl::HandleQuery(const serf::QueryMessage& q) {
  query_clock.Witness(q.ltime);
  if (q.ltime < query_min_time) return false;
  const LamportTime cur = query_clock.Time();
  if (cur > kQueryBufferSize && q.ltime < cur - kQueryBufferSize) {
    logger.Warn("serf: received old query {} from time {} (current: {})", q.name, q.ltime, cur);
    return false;
  }
  auto& slot = query_buffer[q.ltime % kQueryBufferSize];
  if (slot && slot->ltime == q.ltime) {
    if (std::find(slot->ids.begin(), slot->ids.end(), q.id) != slot->ids.end()) return false;
  } else {
    slot = QuerySeen{q.ltime, {}};
  }
  slot->ids.push_back(q.id);
  const bool rebroadcast = (q.flags & serf::kQueryFlagNoBroadcast) == 0;

  // Filters: every one must match (shouldProcessQuery).
  for (const std::string& raw : q.filters) {
    serf::Filter f;
    if (Status s = serf::DecodeFilter(raw, &f); !s.ok()) {
      logger.Warn("serf: failed to decode filter: {}", s.message());
      return rebroadcast;
    }
    if (auto* nf = std::get_if<serf::NodeFilter>(&f)) {
      if (std::find(nf->nodes.begin(), nf->nodes.end(), config.node_name) == nf->nodes.end())
        return rebroadcast;
    } else if (auto* tf = std::get_if<serf::TagFilter>(&f)) {
      auto tag = config.tags.find(tf->tag);
      if (tag == config.tags.end()) return rebroadcast;
      std::regex re;
      try {  // std::regex reports bad patterns by exception; keep it inside this function
        re = std::regex(tf->expr, std::regex::extended);
      } catch (const std::regex_error&) {
        logger.Warn("serf: failed to compile filter regex ({})", tf->expr);
        return rebroadcast;
      }
      if (!std::regex_search(tag->second, re)) return rebroadcast;
    }
  }
  if (q.flags & serf::kQueryFlagAck) {
    serf::QueryResponseMessage ack;
    ack.ltime = q.ltime;
    ack.id = q.id;
    ack.from = config.node_name;
    ack.flags = serf::kQueryFlagAck;
    if (const auto addr = AddressFromBytes(q.addr.view())) {
      if (Status s =
              memberlist->SendToAddress(udp::endpoint(*addr, q.port), serf::EncodeSerfMessage(ack));
          !s.ok()) {
        logger.Error("serf: failed to send ack: {}", s.message());
      }
    }
  }
  if (q.name.rfind(serf::kInternalQueryPrefix, 0) == 0) HandleInternalQuery(q);
  return rebroadcast;
}

void Serf::Impl::RespondToQuery(const serf::QueryMessage& q, std::string payload) {
  serf::QueryResponseMessage resp;
  resp.ltime = q.ltime;
  resp.id = q.id;
  resp.from = config.node_name;
  resp.payload = msgpack::Bytes(std::move(payload));
  std::string raw = serf::EncodeSerfMessage(resp);
  if (raw.size() > kQueryResponseSizeLimit) {
    logger.Error("serf: response exceeds limit of {} bytes", kQueryResponseSizeLimit);
    return;
  }
  const auto addr = AddressFromBytes(q.addr.view());
  if (!addr) return;
  if (Status s = memberlist->SendToAddress(udp::endpoint(*addr, q.port), raw); !s.ok())
    logger.Error("serf: failed to respond to query: {}", s.message());
  RelayResponse(q, raw);
}

// serf's relayResponse: also send a copy through up to relay_factor other alive members, which
// forward it to the query's source (redundancy against a lossy path).
void Serf::Impl::RelayResponse(const serf::QueryMessage& q, const std::string& raw_response) {
  if (q.relay_factor == 0 || members.size() < static_cast<size_t>(q.relay_factor) + 1) return;
  serf::RelayHeader header;
  header.dest_ip = q.addr;
  header.dest_port = q.port;
  header.dest_name = q.source_node;
  const std::string relayed = serf::EncodeRelay(header, raw_response);
  if (relayed.size() > kQueryResponseSizeLimit) {
    logger.Error("serf: relayed response exceeds limit of {} bytes", kQueryResponseSizeLimit);
    return;
  }
  std::vector<const Member*> candidates;
  for (const auto& [name, ms] : members) {
    if (name == config.node_name || ms.member.status != MemberStatus::kAlive ||
        ms.member.protocol_max < 5)
      continue;
    candidates.push_back(&ms.member);
  }
  std::shuffle(candidates.begin(), candidates.end(), rng);
  if (candidates.size() > q.relay_factor) candidates.resize(q.relay_factor);
  for (const Member* m : candidates) {
    boost::system::error_code ec;
    const auto ip = asio::ip::make_address(m->addr, ec);
    if (ec) continue;
    if (Status s = memberlist->SendToAddress(udp::endpoint(ip, m->port), relayed); !s.ok())
      logger.Error("serf: failed to send relay response: {}", s.message());
  }
}

void Serf::Impl::HandleInternalQuery(const serf::QueryMessage& q) {
  const std::string_view op = std::string_view(q.name).substr(serf::kInternalQueryPrefix.size());
  if (op == "ping") return;  // nothing to do: we are alive
  if (op == "conflict") {
    const std::string node = q.payload.str();
    if (node == config.node_name) return;
    logger.Debug("serf: Got conflict resolution query for '{}'", node);
    std::string out(1, static_cast<char>(SerfMessageType::kConflictResponse));
    auto it = members.find(node);
    if (it == members.end()) {
      out.push_back(static_cast<char>(0xc0));  // nil
    } else {
      const Member& m = it->second.member;
      serf::Member sm;
      sm.name = m.name;
      boost::system::error_code ec;
      auto a = asio::ip::make_address(m.addr, ec);
      if (!ec && a.is_v4()) {
        auto bytes = a.to_v4().to_bytes();
        sm.addr = msgpack::Bytes(std::string(reinterpret_cast<char*>(bytes.data()), 4));
      } else if (!ec) {
        auto bytes = a.to_v6().to_bytes();
        sm.addr = msgpack::Bytes(std::string(reinterpret_cast<char*>(bytes.data()), 16));
      }
      sm.port = m.port;
      sm.tags = m.tags;
      sm.status = static_cast<int64_t>(m.status);
      sm.protocol_min = m.protocol_min;
      sm.protocol_max = m.protocol_max;
      sm.protocol_cur = m.protocol_cur;
      sm.delegate_min = m.delegate_min;
      sm.delegate_max = m.delegate_max;
      sm.delegate_cur = m.delegate_cur;
      out = serf::EncodeSerfMessage(sm);
    }
    RespondToQuery(q, std::move(out));
    return;
  }
  const bool install = op == "install-key", use = op == "use-key", remove = op == "remove-key",
             list = op == "list-keys";
  if (!install && !use && !remove && !list) return;
  serf::KeyResponse resp;
  Keyring* ring = memberlist->mutable_keyring();
  if (list) {
    if (!ring->enabled()) {
      resp.message = "Keyring is empty (encryption not enabled)";
      logger.Error("serf: Keyring is empty (encryption not enabled)");
    } else {
      logger.Info("serf: Received list-keys query");
      for (const auto& k : ring->keys()) resp.keys.push_back(Base64Encode(k));
      resp.primary_key = Base64Encode(ring->primary());
      resp.result = true;
      // Keep the answer within the response size limit, as keyListResponseWithCorrectSize.
      const size_t actual = resp.keys.size();
      while (serf::EncodeSerfMessage(resp).size() + 64 > kQueryResponseSizeLimit &&
             !resp.keys.empty()) {
        resp.keys.pop_back();
        resp.message = fmt::format("truncated key list response, showing first {} of {} keys",
                                   resp.keys.size(), actual);
      }
    }
  } else {
    serf::KeyRequest req;
    Status s = q.payload.empty() ? Status::Corruption("empty key request")
                                 : serf::DecodeSerfMessage(q.payload.view().substr(1), &req);
    if (!s.ok()) {
      logger.Error("serf: Failed to decode key request: {}", s.message());
    } else if (!ring->enabled()) {
      resp.message = "No keyring to modify (encryption not enabled)";
      logger.Error("serf: No keyring to modify (encryption not enabled)");
    } else {
      const char* what = install ? "install-key" : use ? "use-key" : "remove-key";
      logger.Info("serf: Received {} query", what);
      Status r = install ? ring->AddKey(req.key.view())
                 : use   ? ring->UseKey(req.key.view())
                         : ring->RemoveKey(req.key.view());
      if (!r.ok()) {
        resp.message = r.message();
        logger.Error("serf: Failed to {}: {}",
                     install ? "install key"
                     : use   ? "change primary key"
                             : "remove key",
                     r.message());
      } else if (Status w = SaveKeyring(); !w.ok()) {
        resp.message = w.message();
        logger.Error("serf: Failed to write keyring file: {}", w.message());
      } else {
        resp.result = true;
      }
    }
  }
  RespondToQuery(q, serf::EncodeSerfMessage(resp));
}

void Serf::Impl::HandleQueryResponse(const serf::QueryResponseMessage& r) {
  auto it = pending_queries.find(r.ltime);
  if (it == pending_queries.end()) {
    logger.Warn("serf: reply for non-running query (LTime: {}, ID: {}) From: {}", r.ltime, r.id,
                r.from);
    return;
  }
  PendingQuery& pq = *it->second;
  if (pq.id != r.id) {
    logger.Warn("serf: query reply ID mismatch (Local: {}, Response: {})", pq.id, r.id);
    return;
  }
  if (r.flags & serf::kQueryFlagAck) {
    if (!pq.acked.insert(r.from).second) return;  // a duplicate (relayed) ack
    pq.result.acks.push_back(r.from);
  } else {
    if (!pq.responded.insert(r.from).second) return;  // a duplicate (relayed) response
    pq.result.responses.push_back(QueryResponse{r.from, r.payload.str()});
  }
  if (pq.finished && pq.finished(pq.result)) FinishQuery(r.ltime);
}

void Serf::Impl::FinishQuery(LamportTime ltime) {
  auto it = pending_queries.find(ltime);
  if (it == pending_queries.end()) return;
  std::shared_ptr<PendingQuery> pq = std::move(it->second);
  pending_queries.erase(it);
  pq->timer->cancel();
  pq->done->set_value(std::move(pq->result));
}

// ----- memberlist delegate: messages and state -----

void Serf::Impl::NotifyMsg(std::string_view buf) {
  if (buf.empty()) return;
  bool rebroadcast = false;
  TransmitLimitedQueue* queue = &broadcasts;
  const auto type = static_cast<SerfMessageType>(static_cast<uint8_t>(buf[0]));
  const std::string_view body = buf.substr(1);
  // Decodes one message body; a bad one is logged (serf's wording) and dropped.
  auto decode = [&](auto* m, std::string_view what) {
    Status s = serf::DecodeSerfMessage(body, m);
    if (!s.ok()) logger.Error("serf: Error decoding {} message: {}", what, s.message());
    return s.ok();
  };
  switch (type) {
    case SerfMessageType::kLeave: {
      serf::LeaveIntent m;
      if (!decode(&m, "leave")) break;
      logger.Debug("serf: messageLeaveType: {}", m.node);
      rebroadcast = HandleNodeLeaveIntent(m);
      break;
    }
    case SerfMessageType::kJoin: {
      serf::JoinIntent m;
      if (!decode(&m, "join")) break;
      logger.Debug("serf: messageJoinType: {}", m.node);
      rebroadcast = HandleNodeJoinIntent(m);
      break;
    }
    case SerfMessageType::kUserEvent: {
      serf::UserEventMessage m;
      if (!decode(&m, "user event")) break;
      logger.Debug("serf: messageUserEventType: {}", m.name);
      rebroadcast = HandleUserEvent(m);
      queue = &event_broadcasts;
      break;
    }
    case SerfMessageType::kQuery: {
      serf::QueryMessage m;
      if (!decode(&m, "query")) break;
      logger.Debug("serf: messageQueryType: {}", m.name);
      rebroadcast = HandleQuery(m);
      queue = &query_broadcasts;
      break;
    }
    case SerfMessageType::kQueryResponse: {
      serf::QueryResponseMessage m;
      if (!decode(&m, "query response")) break;
      logger.Debug("serf: messageQueryResponseType: {}", m.from);
      HandleQueryResponse(m);
      break;
    }
    case SerfMessageType::kRelay: {
      serf::RelayHeader header;
      std::string_view inner;
      if (Status s = serf::DecodeRelay(body, &header, &inner); !s.ok()) {
        logger.Error("serf: Error decoding relay header: {}", s.message());
        break;
      }
      asio::ip::address addr;
      if (header.dest_ip.size() == 4) {
        asio::ip::address_v4::bytes_type b;
        std::copy(header.dest_ip.view().begin(), header.dest_ip.view().end(),
                  reinterpret_cast<char*>(b.data()));
        addr = asio::ip::address_v4(b);
      } else if (header.dest_ip.size() == 16) {
        asio::ip::address_v6::bytes_type b;
        std::copy(header.dest_ip.view().begin(), header.dest_ip.view().end(),
                  reinterpret_cast<char*>(b.data()));
        addr = asio::ip::address_v6(b);
      } else {
        break;
      }
      logger.Debug("serf: Relaying response to addr: {}",
                   JoinHostPort(addr, static_cast<uint16_t>(header.dest_port)));
      if (Status s = memberlist->SendToAddress(
              udp::endpoint(addr, static_cast<uint16_t>(header.dest_port)), inner);
          !s.ok()) {
        logger.Error("serf: Error forwarding message: {}", s.message());
      }
      break;
    }
    default:
      logger.Warn("serf: Received message of unknown type: {}", static_cast<int>(type));
  }
  if (rebroadcast) queue->Queue(gossip::Broadcast{"", std::string(buf), nullptr});
}

std::vector<std::string> Serf::Impl::GetBroadcasts(size_t overhead, size_t limit) {
  auto msgs = broadcasts.GetBroadcasts(overhead, limit);
  size_t used = 0;
  for (const auto& m : msgs) used += overhead + m.size();
  for (TransmitLimitedQueue* q : {&query_broadcasts, &event_broadcasts}) {
    if (used >= limit) break;
    for (auto& m : q->GetBroadcasts(overhead, limit - used)) {
      used += overhead + m.size();
      msgs.push_back(std::move(m));
    }
  }
  return msgs;
}

std::string Serf::Impl::LocalState(bool /*join*/) {
  serf::SerfPushPull pp;
  pp.ltime = clock.Time();
  for (const auto& [name, ms] : members) pp.status_ltimes[name] = ms.status_ltime;
  pp.left_members = left_members;
  pp.event_ltime = event_clock.Time();
  pp.events = event_buffer;
  pp.query_ltime = query_clock.Time();
  return serf::EncodeSerfMessage(pp);
}

void Serf::Impl::MergeRemoteState(std::string_view buf, bool join) {
  if (buf.empty()) {
    logger.Error("serf: Remote state is zero bytes");
    return;
  }
  if (static_cast<SerfMessageType>(static_cast<uint8_t>(buf[0])) != SerfMessageType::kPushPull) {
    logger.Error("serf: Remote state has bad type prefix: {}", static_cast<int>(buf[0]));
    return;
  }
  serf::SerfPushPull pp;
  if (Status s = serf::DecodeSerfMessage(buf.substr(1), &pp); !s.ok()) {
    logger.Error("serf: Failed to decode remote state: {}", s.message());
    return;
  }
  // Witness one less than the remote clocks, so that our next intent still wins ties.
  if (pp.ltime > 0) clock.Witness(pp.ltime - 1);
  if (pp.event_ltime > 0) event_clock.Witness(pp.event_ltime - 1);
  if (pp.query_ltime > 0) query_clock.Witness(pp.query_ltime - 1);
  std::set<std::string> left(pp.left_members.begin(), pp.left_members.end());
  for (const std::string& name : pp.left_members) {
    auto it = pp.status_ltimes.find(name);
    HandleNodeLeaveIntent(
        serf::LeaveIntent{(it == pp.status_ltimes.end() ? 0 : it->second) + 1, name, false});
  }
  for (const auto& [name, ltime] : pp.status_ltimes) {
    if (left.count(name)) continue;
    HandleNodeJoinIntent(serf::JoinIntent{ltime, name});
  }
  if (join && event_join_ignore && pp.event_ltime > event_min_time) event_min_time = pp.event_ltime;
  for (const auto& slot : pp.events) {
    if (!slot) continue;
    for (const auto& e : slot->events) {
      serf::UserEventMessage m;
      m.ltime = slot->ltime;
      m.name = e.name;
      m.payload = e.payload;
      HandleUserEvent(m);
    }
  }
}

void Serf::Impl::NotifyPingComplete(const Node& node, std::chrono::nanoseconds rtt,
                                    std::string_view payload) {
  if (payload.empty()) return;
  serf::Coordinate coord;
  if (Status s = serf::DecodeAckPayload(payload, &coord); !s.ok()) {
    logger.Error("serf: Failed to decode coordinate from ping: {}", s.message());
    return;
  }
  if (Status s = vivaldi.Update(node.name, coord, rtt); !s.ok()) {
    logger.Trace("serf: Rejected coordinate from {}: {}", node.name, s.message());
    return;
  }
  coord_cache[node.name] = std::move(coord);
}

// ----- periodic work -----

void Serf::Impl::ScheduleReap() {
  reap_timer.expires_after(reap_interval);
  reap_timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    const auto now = Clock::now();
    Reap(&failed_members, now, config.reconnect_timeout);
    Reap(&left_members, now, config.tombstone_timeout);
    for (auto it = recent_intents.begin(); it != recent_intents.end();) {
      if (now - it->second.wall_time > std::chrono::minutes(5)) {
        it = recent_intents.erase(it);
      } else {
        ++it;
      }
    }
    ScheduleReap();
  });
}

void Serf::Impl::Reap(std::vector<std::string>* list, Clock::time_point now, milliseconds timeout) {
  std::vector<std::string> keep;
  for (const std::string& name : *list) {
    auto it = members.find(name);
    if (it == members.end()) continue;
    if (now - it->second.leave_time <= timeout) {
      keep.push_back(name);
      continue;
    }
    logger.Info("serf: EventMemberReap: {}", name);
    EraseNode(name);
  }
  *list = std::move(keep);
}

void Serf::Impl::ScheduleReconnect() {
  reconnect_timer.expires_after(reconnect_interval);
  reconnect_timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    Reconnect();
    ScheduleReconnect();
  });
}

void Serf::Impl::Reconnect() {
  if (failed_members.empty() || state != State::kAlive) return;
  // Fewer attempts the more members are alive (their own reconnects cover the rest).
  const double num_failed = static_cast<double>(failed_members.size());
  double num_alive =
      static_cast<double>(members.size() - failed_members.size() - left_members.size());
  if (num_alive <= 0) num_alive = 1;
  if (std::uniform_real_distribution<double>(0, 1)(rng) > num_failed / num_alive) {
    logger.Debug("serf: forgoing reconnect for random throttling");
    return;
  }
  const std::string& name =
      failed_members[std::uniform_int_distribution<size_t>(0, failed_members.size() - 1)(rng)];
  auto it = members.find(name);
  if (it == members.end()) return;
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(it->second.member.addr, ec);
  if (ec) return;
  const std::string addr = JoinHostPort(ip, it->second.member.port);
  logger.Info("serf: attempting reconnect to {} {}", name, addr);
  memberlist->Join({addr}, [](int, Status) {});
}

void Serf::Impl::ScheduleQueueCheck() {
  queue_timer.expires_after(queue_check_interval);
  queue_timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    const std::pair<const char*, TransmitLimitedQueue*> queues[] = {
        {"Intent", &broadcasts}, {"Event", &event_broadcasts}, {"Query", &query_broadcasts}};
    for (auto [name, q] : queues) {
      const size_t n = q->NumQueued();
      if (n >= kQueueDepthWarning) logger.Warn("serf: {} queue depth: {}", name, n);
      if (n > kMaxQueueDepth) {
        logger.Warn("serf: {} queue depth ({}) exceeds limit ({}), dropping messages!", name, n,
                    kMaxQueueDepth);
        q->Prune(kMaxQueueDepth);
      }
    }
    ScheduleQueueCheck();
  });
}

// ----- public API -----

Serf::Serf(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Serf::~Serf() { Shutdown(); }

Result<std::unique_ptr<Serf>> Serf::Start(SerfConfig config, Handlers handlers, Logger logger) {
  if (config.node_name.empty()) return Status::InvalidArgument("serf: node name is required");
  for (const auto& k : config.keys) CONSULATE_RETURN_IF_ERROR(Keyring::ValidateKey(k));
  if (serf::EncodeTags(config.tags).size() > kMetaMaxSize) {
    return Status::InvalidArgument(
        fmt::format("Encoded length of tags exceeds limit of {} bytes", kMetaMaxSize));
  }
  auto impl = std::make_unique<Impl>(std::move(config), std::move(handlers), std::move(logger));
  const SerfConfig& c = impl->config;
  MemberlistConfig mc = c.wan ? MemberlistConfig::DefaultWAN() : MemberlistConfig::DefaultLAN();
  if (c.time_scale != 1.0) mc.ScaleTimes(c.time_scale);
  mc.name = c.node_name;
  mc.bind_addr = c.bind_addr;
  mc.bind_port = c.bind_port;
  mc.advertise_addr = c.advertise_addr;
  mc.advertise_port = c.advertise_port;
  mc.keys = c.keys;
  mc.gossip_verify_incoming = c.verify_incoming;
  mc.gossip_verify_outgoing = c.verify_outgoing;
  mc.protocol_version = kProtocolVersionSpoken;
  mc.delegate_protocol_min = serf::kSerfProtocolVersionMin;
  mc.delegate_protocol_max = serf::kSerfProtocolVersionMax;
  mc.delegate_protocol_version = kSerfProtocolVersion;
  CONSULATE_ASSIGN_OR_RETURN(impl->memberlist,
                             Memberlist::Create(impl->io, mc, impl.get(), impl->logger));
  Impl* p = impl.get();
  // serf starts its clocks at 1.
  p->clock.Increment();
  p->event_clock.Increment();
  p->query_clock.Increment();
  p->memberlist->Start();
  p->ScheduleReap();
  p->ScheduleReconnect();
  p->ScheduleQueueCheck();
  std::promise<void> started;
  auto started_future = started.get_future();
  p->thread = std::thread([p, &started] {
    SetThreadName("serf");
    p->loop_id = std::this_thread::get_id();
    auto guard = asio::make_work_guard(p->io);
    started.set_value();
    p->io.run();
  });
  started_future.wait();
  return std::unique_ptr<Serf>(new Serf(std::move(impl)));
}

Result<int> Serf::Join(const std::vector<std::string>& addrs, bool ignore_old) {
  if (impl_->OnLoop()) return Status::Aborted("Join called from a serf handler");
  std::shared_lock lock(impl_->api_mu);
  if (impl_->stopped) return Status::Unavailable("Serf can't Join after Leave or Shutdown");
  struct Outcome {
    int contacted = 0;
    Status status;
  };
  std::promise<Outcome> done;
  auto future = done.get_future();
  Status st = impl_->RunOnLoop([&]() -> Status {
    if (impl_->state != Impl::State::kAlive)
      return Status::Unavailable("Serf can't Join after Leave or Shutdown");
    if (ignore_old) impl_->event_join_ignore = true;
    Impl* p = impl_.get();
    p->memberlist->Join(addrs, [p, &done, ignore_old](int n, Status s) {
      if (ignore_old) p->event_join_ignore = false;
      if (n > 0) p->BroadcastJoin(p->clock.Time());
      done.set_value(Outcome{n, std::move(s)});
    });
    return Status::OK();
  });
  if (!st.ok()) return st;
  Outcome outcome = future.get();
  if (outcome.contacted == 0) return outcome.status;
  return outcome.contacted;
}

Status Serf::Leave() {
  if (impl_->OnLoop()) return Status::Aborted("Leave called from a serf handler");
  std::shared_lock lock(impl_->api_mu);
  if (impl_->stopped) return Status::Unavailable("Leave called after Shutdown");
  Impl* p = impl_.get();
  Signal intent_out;
  bool already_left = false;
  Status st = p->RunOnLoop([&]() -> Status {
    if (p->state == Impl::State::kLeft) {
      already_left = true;
      return Status::OK();
    }
    if (p->state == Impl::State::kLeaving) return Status::Aborted("Leave already in progress");
    p->state = Impl::State::kLeaving;
    serf::LeaveIntent msg{p->clock.Time(), p->config.node_name, false};
    p->clock.Increment();
    p->HandleNodeLeaveIntent(msg);
    auto notify = intent_out.Notifier();
    if (p->HasAliveMembers()) {
      p->Broadcast(serf::EncodeSerfMessage(msg), notify);
    } else {
      notify();
    }
    return Status::OK();
  });
  if (!st.ok() || already_left) return st;
  if (!intent_out.WaitFor(p->broadcast_timeout))
    return Status::Unavailable("timeout while waiting for graceful leave");
  Signal dead_out;
  p->RunOnLoop([&] { p->memberlist->Leave(dead_out.Notifier()); });
  if (!dead_out.WaitFor(p->broadcast_timeout))
    return Status::Unavailable("timeout waiting for leave broadcast");
  // Give the dead message time to spread before the caller shuts us down.
  std::this_thread::sleep_for(p->leave_propagate_delay);
  p->RunOnLoop([&] {
    if (p->state != Impl::State::kShutdown) p->state = Impl::State::kLeft;
  });
  return Status::OK();
}

Status Serf::ForceLeave(const std::string& node, bool prune) {
  if (impl_->OnLoop()) return Status::Aborted("ForceLeave called from a serf handler");
  std::shared_lock lock(impl_->api_mu);
  if (impl_->stopped) return Status::Unavailable("serf is shut down");
  Impl* p = impl_.get();
  Signal out;
  bool wait = p->RunOnLoop([&] {
    serf::LeaveIntent msg{p->clock.Time(), node, prune};
    p->clock.Increment();
    p->HandleNodeLeaveIntent(msg);
    if (!p->HasAliveMembers()) return false;
    p->Broadcast(serf::EncodeSerfMessage(msg), out.Notifier());
    return true;
  });
  if (wait && !out.WaitFor(p->broadcast_timeout))
    return Status::Unavailable("timed out broadcasting node removal");
  return Status::OK();
}

Status Serf::SetTags(std::map<std::string, std::string> tags) {
  if (serf::EncodeTags(tags).size() > kMetaMaxSize) {
    return Status::InvalidArgument(
        fmt::format("Encoded length of tags exceeds limit of {} bytes", kMetaMaxSize));
  }
  Impl* p = impl_.get();
  const bool on_loop = p->OnLoop();
  std::shared_lock<std::shared_mutex> lock;
  if (!on_loop) lock = std::shared_lock(p->api_mu);
  auto out = std::make_shared<Signal>();
  p->RunOnLoop([&] {
    p->config.tags = std::move(tags);
    p->memberlist->UpdateNode(out->Notifier());
  });
  if (on_loop || p->stopped) return Status::OK();  // cannot wait on our own thread
  if (!out->WaitFor(p->broadcast_timeout))
    return Status::Unavailable("timeout waiting for update broadcast");
  return Status::OK();
}

Status Serf::FireUserEvent(const std::string& name, const std::string& payload, bool coalesce) {
  const size_t before = name.size() + payload.size();
  if (before > kUserEventSizeLimit) {
    return Status::TooLarge(fmt::format(
        "user event exceeds configured limit of {} bytes before encoding", kUserEventSizeLimit));
  }
  Impl* p = impl_.get();
  std::shared_lock<std::shared_mutex> lock;
  if (!p->OnLoop()) lock = std::shared_lock(p->api_mu);
  return p->RunOnLoop([&]() -> Status {
    serf::UserEventMessage msg;
    msg.ltime = p->event_clock.Time();
    msg.name = name;
    msg.payload = msgpack::Bytes(payload);
    msg.cc = coalesce;
    std::string raw = serf::EncodeSerfMessage(msg);
    if (raw.size() > kUserEventSizeLimit) {
      return Status::TooLarge(
          fmt::format("encoded user event exceeds configured limit of {} bytes after encoding",
                      kUserEventSizeLimit));
    }
    if (raw.size() > kUserEventHardLimit) {
      return Status::TooLarge(
          fmt::format("encoded user event exceeds sane limit of {} bytes before encoding",
                      kUserEventHardLimit));
    }
    p->event_clock.Increment();
    p->HandleUserEvent(msg);
    p->event_broadcasts.Queue(gossip::Broadcast{"", std::move(raw), nullptr});
    return Status::OK();
  });
}

Result<QueryResult> Serf::Query(const std::string& name, const std::string& payload,
                                const QueryParams& params,
                                std::function<bool(const QueryResult&)> finished) {
  Impl* p = impl_.get();
  if (p->OnLoop()) return Status::Aborted("Query called from a serf handler");
  std::shared_lock lock(p->api_mu);
  if (p->stopped) return Status::Unavailable("serf is shut down");
  auto done = std::make_shared<std::promise<QueryResult>>();
  auto future = done->get_future();
  milliseconds timeout{0};
  Status st = p->RunOnLoop([&]() -> Status {
    timeout = params.timeout.count() > 0 ? params.timeout : p->DefaultQueryTimeout();
    serf::QueryMessage q;
    q.ltime = p->query_clock.Time();
    q.id = static_cast<uint32_t>(std::uniform_int_distribution<uint32_t>(0, 0x7fffffff)(p->rng));
    const asio::ip::address addr = p->memberlist->address();
    if (addr.is_v4()) {
      auto b = addr.to_v4().to_bytes();
      q.addr = msgpack::Bytes(std::string(reinterpret_cast<const char*>(b.data()), b.size()));
    } else {
      auto b = addr.to_v6().to_bytes();
      q.addr = msgpack::Bytes(std::string(reinterpret_cast<const char*>(b.data()), b.size()));
    }
    q.port = p->memberlist->port();
    q.source_node = p->config.node_name;
    if (!params.filter_nodes.empty())
      q.filters.push_back(serf::EncodeFilter(serf::NodeFilter{params.filter_nodes}));
    for (const auto& [tag, expr] : params.filter_tags)
      q.filters.push_back(serf::EncodeFilter(serf::TagFilter{tag, expr}));
    if (params.request_ack) q.flags |= serf::kQueryFlagAck;
    q.relay_factor = params.relay_factor;
    q.timeout_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
    q.name = name;
    q.payload = msgpack::Bytes(payload);
    std::string raw = serf::EncodeSerfMessage(q);
    if (raw.size() > kQuerySizeLimit)
      return Status::InvalidArgument(
          fmt::format("query exceeds limit of {} bytes", kQuerySizeLimit));
    auto pq = std::make_shared<Impl::PendingQuery>();
    pq->id = q.id;
    pq->result.num_members = p->memberlist->NumMembers();
    pq->finished = std::move(finished);
    pq->done = done;
    pq->timer = std::make_unique<asio::steady_timer>(p->io);
    pq->timer->expires_after(timeout);
    const LamportTime ltime = q.ltime;
    pq->timer->async_wait([p, ltime](const boost::system::error_code& ec) {
      if (!ec) p->FinishQuery(ltime);
    });
    p->pending_queries[ltime] = std::move(pq);
    p->HandleQuery(q);  // answer it ourselves too; this also advances the query clock
    p->query_broadcasts.Queue(gossip::Broadcast{"", std::move(raw), nullptr});
    return Status::OK();
  });
  if (!st.ok()) return st;
  // The timer closes the query; the extra margin only guards against a stopped loop.
  if (future.wait_for(timeout + std::chrono::seconds(5)) != std::future_status::ready)
    return Status::Unavailable("query did not finish");
  return future.get();
}

std::chrono::milliseconds Serf::DefaultQueryTimeout() const {
  Impl* p = impl_.get();
  std::shared_lock<std::shared_mutex> lock;
  if (!p->OnLoop()) lock = std::shared_lock(p->api_mu);
  return p->RunOnLoop([&] { return p->DefaultQueryTimeout(); });
}

int Serf::NumLiveMembers() const {
  Impl* p = impl_.get();
  std::shared_lock<std::shared_mutex> lock;
  if (!p->OnLoop()) lock = std::shared_lock(p->api_mu);
  return p->RunOnLoop([&] { return p->memberlist->NumMembers(); });
}

std::vector<Member> Serf::Members() const {
  Impl* p = impl_.get();
  std::shared_lock<std::shared_mutex> lock;
  if (!p->OnLoop()) lock = std::shared_lock(p->api_mu);
  return p->RunOnLoop([&] {
    std::vector<Member> out;
    out.reserve(p->members.size());
    for (const auto& [name, ms] : p->members) out.push_back(ms.member);
    return out;
  });
}

Member Serf::LocalMember() const {
  Impl* p = impl_.get();
  std::shared_lock<std::shared_mutex> lock;
  if (!p->OnLoop()) lock = std::shared_lock(p->api_mu);
  return p->RunOnLoop([&] {
    auto it = p->members.find(p->config.node_name);
    return it == p->members.end() ? Member{} : it->second.member;
  });
}

Status Serf::InstallKey(const std::string& key) {
  Impl* p = impl_.get();
  std::shared_lock<std::shared_mutex> lock;
  if (!p->OnLoop()) lock = std::shared_lock(p->api_mu);
  return p->RunOnLoop([&] {
    Status s = p->memberlist->mutable_keyring()->AddKey(key);
    return s.ok() ? p->SaveKeyring() : s;
  });
}

Status Serf::UseKey(const std::string& key) {
  Impl* p = impl_.get();
  std::shared_lock<std::shared_mutex> lock;
  if (!p->OnLoop()) lock = std::shared_lock(p->api_mu);
  return p->RunOnLoop([&] {
    Status s = p->memberlist->mutable_keyring()->UseKey(key);
    return s.ok() ? p->SaveKeyring() : s;
  });
}

Status Serf::RemoveKey(const std::string& key) {
  Impl* p = impl_.get();
  std::shared_lock<std::shared_mutex> lock;
  if (!p->OnLoop()) lock = std::shared_lock(p->api_mu);
  return p->RunOnLoop([&] {
    Status s = p->memberlist->mutable_keyring()->RemoveKey(key);
    return s.ok() ? p->SaveKeyring() : s;
  });
}

std::vector<std::string> Serf::ListKeys() const {
  Impl* p = impl_.get();
  std::shared_lock<std::shared_mutex> lock;
  if (!p->OnLoop()) lock = std::shared_lock(p->api_mu);
  return p->RunOnLoop([&] { return p->memberlist->keyring().keys(); });
}

std::vector<double> Serf::CoordinateVec() const {
  Impl* p = impl_.get();
  std::shared_lock<std::shared_mutex> lock;
  if (!p->OnLoop()) lock = std::shared_lock(p->api_mu);
  return p->RunOnLoop([&] {
    serf::Coordinate c = p->vivaldi.GetCoordinate();
    std::vector<double> out = c.vec;
    out.push_back(c.error);
    out.push_back(c.adjustment);
    out.push_back(c.height);
    return out;
  });
}

std::optional<std::vector<double>> Serf::CachedCoordinate(const std::string& node) const {
  Impl* p = impl_.get();
  std::shared_lock<std::shared_mutex> lock;
  if (!p->OnLoop()) lock = std::shared_lock(p->api_mu);
  return p->RunOnLoop([&]() -> std::optional<std::vector<double>> {
    serf::Coordinate c;
    if (node == p->config.node_name) {
      c = p->vivaldi.GetCoordinate();
    } else if (auto it = p->coord_cache.find(node); it != p->coord_cache.end()) {
      c = it->second;
    } else {
      return std::nullopt;
    }
    std::vector<double> out = c.vec;
    out.push_back(c.error);
    out.push_back(c.adjustment);
    out.push_back(c.height);
    return out;
  });
}

int Serf::HealthScore() const {
  Impl* p = impl_.get();
  std::shared_lock<std::shared_mutex> lock;
  if (!p->OnLoop()) lock = std::shared_lock(p->api_mu);
  return p->RunOnLoop([&] { return p->memberlist->HealthScore(); });
}

void Serf::Shutdown() {
  if (!impl_) return;
  if (impl_->OnLoop()) {
    impl_->logger.Error("serf: Shutdown called from a serf handler; ignored");
    return;
  }
  std::unique_lock lock(impl_->api_mu);
  if (impl_->stopped) return;
  if (impl_->state != Impl::State::kLeft) impl_->logger.Warn("serf: Shutdown without a Leave");
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->stopped = true;
  impl_->state = Impl::State::kShutdown;
  impl_->memberlist->Shutdown();
  impl_->reap_timer.cancel();
  impl_->reconnect_timer.cancel();
  impl_->queue_timer.cancel();
}

}  // namespace consulate::gossip
