// Server: a Consul server's replicated write path. Every change is a command proposed here and
// replicated through our Raft (raft/core) before the FSM applies it:
//
//   Propose ──► leader? ── yes ──► RawNode::Propose ─► Ready: append + fsync (group commit),
//      │                                                send AppendEntries, apply committed
//      └─ no ──► forwarded over the server port (rpc/transport.h) to the leader, which answers
//                with the ApplyResult once applied there.
//
// The driver owns the RawNode, the RaftStorage and the FSM. It runs on the transport's I/O thread
// (one batch of inputs per run), so that Raft messages are stepped where they are read and sent
// where they are made, with no thread hand-off; snapshot files are written by a background thread
// (so writes never wait for one).
// Timing follows Consul: a 1 s election timeout, heartbeats every 100 ms, both scaled by
// performance.raft_multiplier (ticks of 50 ms x multiplier).
//
// Membership: servers learn about each other from the LAN gossip pool (ServerSeen/ServerLeft,
// called by the agent). -bootstrap (and -dev) found a one-server cluster; -bootstrap-expect=N
// founds one as soon as N servers are seen and none of them already has Raft state. The leader
// then adds every other server it sees as a voter, one at a time, and removes servers that leave.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/log.h"
#include "base/result.h"
#include "fsm/fsm.h"
#include "state/store.h"

namespace consulate::raft {
class RaftStorage;
namespace core {
class RawNode;
}
}  // namespace consulate::raft
namespace consulate::rpc {
class Transport;
}

namespace consulate::server {

struct Options {
  bool dev = false;                    // keep everything in memory (no data dir, no fsync)
  std::string data_dir;                // REQUIRES: non-empty unless dev
  std::string node_id;                 // this server's ID (Consul's node ID, a UUID)
  std::string node_name;               // for operator output
  std::string rpc_bind = "127.0.0.1";  // the server port listens here...
  int rpc_port = 8300;                 // ...(0: any free port, for tests)
  std::string rpc_address;             // advertised "ip:port" (empty: bind + actual port)
  bool bootstrap = false;              // found a one-server cluster if there is no Raft state
  int bootstrap_expect = 0;            // found a cluster once this many servers are seen
  int raft_multiplier = 5;
  // Consul's raft_snapshot_threshold and raft_snapshot_interval: every interval to 2x interval
  // (random), a snapshot is taken if this many entries were applied since the last one.
  uint64_t snapshot_threshold = 16384;
  std::chrono::milliseconds snapshot_interval{30000};
  uint64_t trailing_logs = 10240;  // Consul's raft_trailing_logs
  uint64_t segment_bytes = 64ull << 20;
  std::chrono::milliseconds rpc_hold_timeout{7000};  // how long requests wait for a leader
  // Tests only (fault injection, as LevelDB's FaultInjectionTestEnv): asked on the background
  // syncer before each sync of the leader's log; a non-OK answer stands in for the disk's.
  std::function<Status()> sync_fault;
};

// A server as the gossip pool describes it (Consul's metadata.Server, the parts Raft needs).
struct ServerInfo {
  std::string id;       // node ID
  std::string name;     // node name
  std::string address;  // "ip:port" of its server port
  int expect = 0;       // its bootstrap_expect tag
};

// One line of `consul operator raft list-peers` / /v1/operator/raft/configuration.
struct RaftPeer {
  std::string id, node, address;
  bool leader = false;
  bool voter = true;
};
struct RaftConfigurationView {
  std::vector<RaftPeer> servers;
  uint64_t index = 0;
};

// Consul's autopilot configuration (structs.AutopilotConfig), replicated through Raft (fsm message
// type 9) and kept in the server's snapshots.
struct AutopilotConfig {
  bool cleanup_dead_servers = true;
  std::chrono::nanoseconds last_contact_threshold = std::chrono::milliseconds(200);
  uint64_t max_trailing_logs = 250;
  uint64_t min_quorum = 0;
  std::chrono::nanoseconds server_stabilization_time = std::chrono::seconds(10);
  std::string redundancy_zone_tag;
  bool disable_upgrade_migration = false;
  std::string upgrade_version_tag;
  uint64_t create_index = 0;
  uint64_t modify_index = 0;
};

// One server in the leader's health view (/v1/operator/autopilot/health).
struct ServerHealth {
  std::string id, name, address, serf_status, version;
  bool leader = false, voter = false, healthy = false;
  uint64_t last_contact_ms = 0;  // since the leader last heard from it
  uint64_t last_term = 0, last_index = 0;
  std::chrono::system_clock::time_point stable_since{};
};
struct AutopilotHealth {
  bool healthy = false;
  int failure_tolerance = 0;
  std::vector<ServerHealth> servers;
};

class Server {
 public:
  // Called on a server thread once the command is applied (or failed). Must not block.
  using ApplyCallback = std::function<void(fsm::ApplyResult)>;
  using DoneCallback = std::function<void(Status)>;

  static Result<std::unique_ptr<Server>> Open(const Options& options, Logger logger);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Thread-safe. `command` is an encoded fsm command (fsm/command.h). Forwarded to the leader
  // when this server is not it; fails with Unavailable("No cluster leader") after
  // rpc_hold_timeout without one.
  void Propose(std::string command, ApplyCallback done);
  // Thread-safe. Calls `done` once this server's state can serve a read: at once on a leader for
  // a default read (leader lease), else after a ReadIndex round confirms the leader and the FSM
  // has applied that index (`consistent`, or any non-stale read on a follower).
  void ReadBarrier(bool consistent, DoneCallback done);

  // Gossip hints (thread-safe): a server joined (or rejoined) the LAN pool / left it. Call
  // ServerSeen on join and update events only: it also lifts an earlier remove-peer.
  void ServerSeen(const ServerInfo& info);
  void ServerLeft(const std::string& name);
  // The pool marked a server failed. With CleanupDeadServers the leader removes failed servers
  // from Raft, but only while that affects a minority of the voters (Consul's rule).
  void ServerFailed(const std::string& name);

  // Autopilot. SetAutopilotConfig proposes the change (with `cas`, only if ModifyIndex matches);
  // `done` gets ok=false when the CAS failed.
  AutopilotConfig GetAutopilotConfig() const;
  void SetAutopilotConfig(const AutopilotConfig& config, bool cas, uint64_t cas_index,
                          ApplyCallback done);
  // The leader's view (empty on a follower: ask the leader).
  AutopilotHealth GetAutopilotHealth() const;
  // Sends a request to the leader's server port (e.g. a forwarded HTTP request); Unavailable
  // without one.
  void CallLeader(uint8_t method, std::string body, std::chrono::milliseconds timeout,
                  std::function<void(Result<std::string>)> done);
  // Leader only (forwarded otherwise): removes a server from the Raft configuration by ID or
  // address. NotFound when no server matches.
  void RemovePeer(const std::string& id_or_address, DoneCallback done);

  // Answers requests of `method` from other agents (e.g. RpcMethod::kHttp, wired by the agent
  // process). Call before other agents can reach this server.
  using RequestHandler = std::function<void(std::string body, std::function<void(std::string)>)>;
  void SetRequestHandler(uint8_t method, RequestHandler handler);

  state::StateStore& state();
  const Options& options() const;
  bool IsLeader() const;
  bool KnownLeader() const;
  std::string LeaderAddress() const;
  // Milliseconds since this follower last heard from the leader; 0 on the leader.
  uint64_t LastContactMs() const;
  uint64_t LastApplied() const;
  uint64_t CurrentTerm() const;
  std::string RpcAddress() const;
  std::vector<std::string> PeerAddresses() const;  // voters, for /v1/status/peers
  RaftConfigurationView RaftConfiguration() const;

  // A graceful leave (`consul leave` on a server): asks the leader to remove this server from the
  // Raft configuration (as Consul's Server.Leave does) and waits up to `timeout` for it. A no-op
  // for the only voter.
  Status Leave(std::chrono::milliseconds timeout);

  // Stops accepting proposals, answers queued ones with Unavailable, joins the threads.
  void Shutdown();

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace consulate::server
