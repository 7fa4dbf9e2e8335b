// Cluster wiring: the agent's gossip pools (LAN, and WAN on servers) with Consul's member tags,
// -join / -retry-join, and what the servers learn from them:
//   * every LAN member tagged role=consul in our datacenter is a server the Raft layer should
//     know (server::Server::ServerSeen / ServerLeft), which is how -bootstrap-expect finds its
//     peers and how the leader adds new servers as voters;
//   * the leader reflects LAN members into the catalog (Consul's leader reconcileMember): each
//     node with a serfHealth check, passing while alive, critical when failed, and deregisters
//     members that left or were reaped.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/coordinate_sync.h"
#include "base/log.h"
#include "base/result.h"
#include "config/config.h"
#include "gossip/serf.h"
#include "server/server.h"

namespace consulate::app {

class Cluster {
 public:
  // Starts the pools (binding their ports) and the join and reconcile threads. `srv` is null on a
  // client agent.
  // `on_user_event` receives the LAN pool's user events (on the serf thread).
  static Result<std::unique_ptr<Cluster>> Start(
      const config::RuntimeConfig& cfg, const std::string& node_id, server::Server* srv,
      Logger logger, std::function<void(const gossip::UserEvent&)> on_user_event = nullptr);
  ~Cluster();

  gossip::Serf* lan() { return lan_.get(); }
  gossip::Serf* wan() { return wan_.get(); }

  // A client agent sends its LAN coordinate to the servers through `apply` (an encoded fsm
  // command delivered over RPC).
  void StartClientCoordinateSync(std::function<void(std::string command)> apply);

  // The server ports ("ip:port") of the alive servers of our datacenter in the LAN pool.
  std::vector<std::string> Servers() const;

  // Graceful leave of both pools (other members see us as left).
  void Leave();
  void Shutdown();

 private:
  Cluster(const config::RuntimeConfig& cfg, std::string node_id, server::Server* srv,
          Logger logger);
  void OnLanMember(const gossip::MemberEvent& e);
  void JoinLoop(std::vector<std::string> addrs, bool wan, bool retry);
  void ReconcileLoop();
  void JoinWanPeers();
  void ReconcileCatalog();
  // serf's snapshot, reduced to what a restart needs: the members last seen alive (rejoined on
  // start, as Consul does unless the agent left), in <data_dir>/serf/local.snapshot.
  void SaveSnapshot(bool left);
  std::vector<std::string> LoadSnapshot(bool* left) const;

  const config::RuntimeConfig cfg_;
  const std::string node_id_;
  server::Server* srv_;
  Logger logger_;
  std::unique_ptr<gossip::Serf> lan_, wan_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;
  std::string snapshot_path_;                 // empty in -dev
  std::map<std::string, std::string> alive_;  // name -> "ip:port"; GUARDED_BY(mu_)
  // Sends our LAN coordinate to the catalog (server agents; clients once they reach servers).
  std::unique_ptr<CoordinateSync> coordinate_sync_;
  void StartCoordinateSync();
  void StartCoordinateSyncWith(std::function<void(std::string command)> apply);
};

// Consul's serf tags for this agent (agent/consul/server_serf.go, client_serf.go).
std::map<std::string, std::string> ConsulTags(const config::RuntimeConfig& cfg,
                                              const std::string& node_id, bool wan);

}  // namespace consulate::app
