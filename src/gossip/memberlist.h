// memberlist: SWIM failure detection with the Lifeguard extensions, as hashicorp/memberlist
// (state.go, net.go, memberlist.go) behaves, speaking its protocol 2..5 wire format (messages.h,
// packet.h) so stock serf and Consul agents are peers.
//
//   * probe loop: one node per ProbeInterval, round robin over a shuffled list; direct UDP ping,
//     after ProbeTimeout indirect pings through IndirectChecks peers (with nacks) and a TCP ping
//     fallback; no ack by the (awareness-scaled) interval => suspect.
//   * suspicion (Lifeguard): timeout from SuspicionMult * log10(n) * ProbeInterval up to
//     SuspicionMaxTimeoutMult times that, shortened by independent confirmations.
//   * awareness (Lifeguard): a local health score that stretches probe intervals when we seem to
//     be the problem (missed nacks, refuting suspicion).
//   * alive/suspect/dead with incarnation numbers; a node refutes suspicion of itself.
//   * gossip: every GossipInterval, queued broadcasts to GossipNodes random peers, also
//     piggybacked on every other packet, each retransmitted RetransmitMult * log10(n+1) times.
//   * push/pull over TCP: on join and every PushPullInterval, full state exchange with one peer.
//
// Not thread-safe: create it, and call everything, on the io_context's single thread. The
// delegate's methods are called on that thread too.
#pragma once

#include <array>
#include <boost/asio.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/log.h"
#include "base/result.h"
#include "base/status.h"
#include "gossip/broadcast_queue.h"
#include "gossip/crypto.h"
#include "gossip/messages.h"
#include "gossip/runtime.h"
#include "gossip/transport.h"

namespace consulate::gossip {

using std::chrono::milliseconds;

struct MemberlistConfig {
  std::string name;
  std::string bind_addr = "0.0.0.0";
  uint16_t bind_port = 7946;
  std::string advertise_addr;   // empty: the bind address
  uint16_t advertise_port = 0;  // 0: the bound port

  milliseconds tcp_timeout{10000};
  int indirect_checks = 3;
  int retransmit_mult = 4;
  int suspicion_mult = 4;
  int suspicion_max_timeout_mult = 6;
  milliseconds push_pull_interval{30000};
  milliseconds probe_timeout{500};
  milliseconds probe_interval{1000};
  bool disable_tcp_pings = false;
  int awareness_max_multiplier = 8;
  int gossip_nodes = 3;
  milliseconds gossip_interval{200};
  milliseconds gossip_to_the_dead_time{30000};
  bool enable_compression = true;

  // Raw keys; the first is the primary. Empty: no encryption.
  std::vector<std::string> keys;
  bool gossip_verify_incoming = true;
  bool gossip_verify_outgoing = true;

  uint8_t protocol_version = kProtocolVersionSpoken;
  uint8_t delegate_protocol_min = 0, delegate_protocol_max = 0, delegate_protocol_version = 0;

  // Seed of the random choices (probe order, gossip targets, stagger); 0: std::random_device.
  // Simulations fix it so that a run repeats exactly.
  uint64_t random_seed = 0;

  // DefaultLANConfig / DefaultWANConfig.
  static MemberlistConfig DefaultLAN();
  static MemberlistConfig DefaultWAN();
  // Multiplies every interval and timeout by `factor` (tests: 0.1 runs 10x faster).
  void ScaleTimes(double factor);
};

// A member as memberlist knows it.
struct Node {
  std::string name;
  asio::ip::address addr;
  uint16_t port = 0;
  std::string meta;
  NodeState state = NodeState::kDead;
  uint8_t pmin = 0, pmax = 0, pcur = 0, dmin = 0, dmax = 0, dcur = 0;
  std::string Address() const { return JoinHostPort(addr, port); }
};

// What serf plugs into memberlist (memberlist's Delegate, EventDelegate and PingDelegate).
class MemberlistDelegate {
 public:
  virtual ~MemberlistDelegate() = default;
  // Our metadata for alive messages; at most `limit` bytes.
  virtual std::string NodeMeta(size_t limit) = 0;
  // A user message (type byte stripped) from a packet or stream.
  virtual void NotifyMsg(std::string_view msg) = 0;
  // User broadcasts to piggyback, as TransmitLimitedQueue::GetBroadcasts.
  virtual std::vector<std::string> GetBroadcasts(size_t overhead, size_t limit) = 0;
  // User state for a push/pull, and merging the remote side's.
  virtual std::string LocalState(bool join) = 0;
  virtual void MergeRemoteState(std::string_view state, bool join) = 0;
  // Membership events.
  virtual void NotifyJoin(const Node& node) = 0;
  virtual void NotifyLeave(const Node& node) = 0;
  virtual void NotifyUpdate(const Node& node) = 0;
  // Ping payloads (serf: Vivaldi coordinates).
  virtual std::string AckPayload() { return {}; }
  virtual void NotifyPingComplete(const Node& /*node*/, std::chrono::nanoseconds /*rtt*/,
                                  std::string_view /*payload*/) {}
};

class Memberlist {
 public:
  // Binds the sockets and marks ourselves alive (the delegate sees our own NotifyJoin), but sends
  // nothing until Start(). `delegate` must outlive the memberlist.
  static Result<std::unique_ptr<Memberlist>> Create(asio::io_context& io, MemberlistConfig config,
                                                    MemberlistDelegate* delegate, Logger logger);
  // As Create, on a caller's network and clock (simulations in virtual time). `runtime` must
  // outlive the memberlist. `io` serves streams only (Join, push/pull, TCP pings): such a caller
  // sets push_pull_interval to 0, disable_tcp_pings, and seeds members with TEST_AddMember.
  static Result<std::unique_ptr<Memberlist>> CreateWith(asio::io_context& io,
                                                        MemberlistConfig config,
                                                        MemberlistDelegate* delegate, Logger logger,
                                                        std::unique_ptr<PacketTransport> transport,
                                                        GossipRuntime* runtime);
  ~Memberlist();
  Memberlist(const Memberlist&) = delete;
  Memberlist& operator=(const Memberlist&) = delete;

  // Starts receiving and the probe, gossip and push/pull timers.
  void Start();

  // Push/pull (join=true) with each address ("host", "host:port"; default port: ours). `done`
  // gets the number of nodes contacted and, when none was, the errors.
  using JoinCallback = std::function<void(int contacted, Status status)>;
  void Join(const std::vector<std::string>& addrs, JoinCallback done);

  // Re-reads our metadata from the delegate and broadcasts a new alive. `done` runs once the
  // broadcast was sent out enough times (at once when nobody else is alive).
  void UpdateNode(std::function<void()> done);

  // Broadcasts a dead message about ourselves (peers see us as left). `done` runs once that
  // broadcast is out (at once when nobody else is alive). Afterwards we ignore alive messages
  // about ourselves and no longer refute.
  void Leave(std::function<void()> done);

  // Sends a user message (serf's type byte first) in a UDP packet.
  Status SendToAddress(const udp::endpoint& to, std::string_view msg);

  // Closes the sockets and stops the timers. Afterwards nothing is sent or received.
  void Shutdown();

  // Nodes not dead or left (Members), and their number (NumMembers).
  std::vector<Node> Members() const;
  int NumMembers() const;
  int EstNumNodes() const { return static_cast<int>(nodes_.size()); }
  Node LocalNode() const;
  bool AnyAlive() const;
  bool HasLeft() const { return left_; }
  int HealthScore() const { return awareness_; }
  uint16_t port() const { return advertise_port_; }
  asio::ip::address address() const { return advertise_addr_; }
  const Keyring& keyring() const { return keyring_; }
  Keyring* mutable_keyring() { return &keyring_; }
  const MemberlistConfig& config() const { return config_; }

  // Test hooks for simulations: learn of a member as a push/pull would, and drop every queued
  // broadcast (a cluster that has long since converged).
  void TEST_AddMember(const Alive& a) { AliveNode(a, nullptr, false); }
  void TEST_ResetBroadcasts() { broadcasts_.Reset(); }

 private:
  struct NodeEntry {
    Node node;
    uint32_t incarnation = 0;
    std::chrono::steady_clock::time_point state_change;
    uint64_t state_change_seq = 0;  // identifies one state change (suspicion timeouts)
  };
  class Suspicion;
  struct AckHandler;
  struct ProbeRun;

  Memberlist(asio::io_context& io, MemberlistConfig config, MemberlistDelegate* delegate,
             Logger logger, std::unique_ptr<PacketTransport> transport, Keyring keyring,
             GossipRuntime* runtime);

  // ----- timers -----
  void ScheduleProbe(milliseconds delay);
  void ScheduleGossip(milliseconds delay);
  void SchedulePushPull(milliseconds delay);

  // ----- probing (state.go) -----
  void Probe();
  void ProbeNode(const NodeEntry& target);
  void OnProbeTimeout(const std::shared_ptr<ProbeRun>& run);
  void MaybeFinishProbe(const std::shared_ptr<ProbeRun>& run);
  void ResetNodes();
  void Gossip();
  void PushPullTick();
  void ApplyAwarenessDelta(int delta);
  milliseconds ScaleByAwareness(milliseconds timeout) const;

  uint32_t NextSeqNo() { return ++sequence_num_; }
  uint32_t NextIncarnation() { return ++incarnation_; }
  void SetAckHandler(uint32_t seq,
                     std::function<void(std::string, std::chrono::steady_clock::time_point)> ack,
                     std::function<void()> nack, milliseconds timeout,
                     std::function<void()> on_timeout);
  void InvokeAckHandler(const Ack& ack, std::chrono::steady_clock::time_point at);
  void InvokeNackHandler(const Nack& nack);

  // ----- state transitions -----
  void Refute(NodeEntry& me, uint32_t accused_incarnation);
  void AliveNode(const Alive& a, std::function<void()> notify, bool bootstrap);
  void SuspectNode(const Suspect& s);
  void DeadNode(const Dead& d);
  void MergeState(const std::vector<PushNodeState>& remote);
  void EncodeAndBroadcast(const std::string& node, std::string msg,
                          std::function<void()> notify = nullptr);

  // ----- packets (net.go) -----
  void HandlePacket(std::string_view packet, const udp::endpoint& from);
  void HandleMessage(const PacketMessage& msg, const udp::endpoint& from,
                     std::chrono::steady_clock::time_point at);
  void HandlePing(std::string_view body, const udp::endpoint& from);
  void HandleIndirectPing(std::string_view body, const udp::endpoint& from);
  // Sends `msg` with as many queued broadcasts as fit piggybacked (sendMsg).
  Status SendMsg(const udp::endpoint& to, std::string msg);
  // Wraps (compress, CRC when `node` speaks protocol 5, encrypt) and sends (rawSendMsgPacket).
  Status RawSendMsgPacket(const udp::endpoint& to, const Node* node, std::string_view msg);
  std::vector<std::string> GetBroadcasts(size_t overhead, size_t limit);

  // ----- streams -----
  void HandleStream(std::shared_ptr<StreamConn> conn);
  void SendStream(const std::shared_ptr<StreamConn>& conn, std::string msg,
                  StreamConn::WriteCallback done);
  std::string LocalStateMessage(bool join);
  void PushPullNode(const tcp::endpoint& to, bool join, std::function<void(Status)> done);
  void MergeRemoteState(bool join, const PushPull& remote);
  void SendPingAndWaitForAck(const tcp::endpoint& to, const Ping& ping,
                             std::chrono::steady_clock::time_point deadline,
                             std::function<void(bool contacted)> done);
  StreamReadOptions ReadOptions() const;
  PacketReadOptions PacketOptions() const;
  bool EncryptOutgoing() const { return keyring_.enabled() && config_.gossip_verify_outgoing; }

  std::string VsnBytes() const;
  Alive MakeAlive(uint32_t incarnation) const;
  std::vector<NodeEntry*> RandomNodes(size_t k,
                                      const std::function<bool(const NodeEntry&)>& exclude);
  static udp::endpoint UdpEndpoint(const Node& n) { return udp::endpoint(n.addr, n.port); }

  asio::io_context& io_;
  MemberlistConfig config_;
  MemberlistDelegate* delegate_;
  Logger logger_;
  std::unique_ptr<GossipRuntime> owned_runtime_;  // set when Create made the Asio runtime
  GossipRuntime* runtime_;
  std::unique_ptr<PacketTransport> transport_;
  Keyring keyring_;
  asio::ip::address advertise_addr_;
  uint16_t advertise_port_ = 0;
  std::mt19937_64 rng_;

  uint32_t sequence_num_ = 0;
  uint32_t incarnation_ = 0;
  bool left_ = false;
  bool shutdown_ = false;
  int awareness_ = 0;
  uint64_t state_change_counter_ = 0;

  std::vector<std::shared_ptr<NodeEntry>> nodes_;  // shuffled; probe order
  std::unordered_map<std::string, std::shared_ptr<NodeEntry>> node_map_;
  std::unordered_map<std::string, std::shared_ptr<Suspicion>> node_timers_;
  std::unordered_map<uint32_t, std::shared_ptr<AckHandler>> ack_handlers_;
  size_t probe_index_ = 0;
  std::shared_ptr<ProbeRun> probe_;  // the probe in flight, if any

  TransmitLimitedQueue broadcasts_;
  std::function<void()> leave_notify_;

  std::unique_ptr<GossipTimer> probe_timer_;
  std::unique_ptr<GossipTimer> gossip_timer_;
  std::unique_ptr<GossipTimer> push_pull_timer_;
};

// Parses "host", "host:port", "[v6]:port" into an IP (resolving names) and a port.
Result<std::vector<tcp::endpoint>> ResolveJoinAddress(asio::io_context& io, const std::string& addr,
                                                      uint16_t default_port);

}  // namespace consulate::gossip
