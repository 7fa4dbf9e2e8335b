// A client agent's way to the servers: picks an alive server of its datacenter from the LAN pool
// and sends it requests over the server port (rpc::Transport): forwarded HTTP requests, and the
// anti-entropy reads and writes (agent::CatalogBackend).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "agent/catalog_backend.h"
#include "app/cluster.h"
#include "rpc/transport.h"

namespace consulate::app {

class ServerRouter {
 public:
  ServerRouter(Cluster* cluster, rpc::Transport* transport)
      : cluster_(cluster), transport_(transport) {}
  // Sends to the current server; a connection failure makes the next call pick another one.
  // "No known Consul servers" when the pool has none.
  void Call(uint8_t method, std::string body, std::chrono::milliseconds timeout,
            std::function<void(Result<std::string>)> done);
  // The same, waiting for the answer.
  Result<std::string> CallSync(uint8_t method, std::string body, std::chrono::milliseconds timeout);

 private:
  Cluster* cluster_;
  rpc::Transport* transport_;
  std::atomic<size_t> pick_{0};
};

class RemoteCatalog : public agent::CatalogBackend {
 public:
  explicit RemoteCatalog(ServerRouter* router) : router_(router) {}
  Status Apply(std::string command) override;
  Status ReadNode(const std::string& node, std::optional<state::Node>* entry,
                  std::vector<state::NodeService>* services,
                  std::vector<state::HealthCheck>* checks) override;

 private:
  ServerRouter* router_;
};

}  // namespace consulate::app
