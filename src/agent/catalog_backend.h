// Where the agent's anti-entropy reads and writes the catalog: the local server's state on a
// server agent (LocalCatalog), or a server over RPC on a client agent (app/remote_catalog.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "server/server.h"
#include "state/catalog.h"

namespace consulate::agent {

class CatalogBackend {
 public:
  virtual ~CatalogBackend() = default;
  // Applies an encoded fsm command through the servers; blocks until it is applied.
  virtual Status Apply(std::string command) = 0;
  // The catalog's view of `node`: its entry (if registered), services and checks.
  virtual Status ReadNode(const std::string& node, std::optional<state::Node>* entry,
                          std::vector<state::NodeService>* services,
                          std::vector<state::HealthCheck>* checks) = 0;
};

// A server agent: the server in this process.
class LocalCatalog : public CatalogBackend {
 public:
  explicit LocalCatalog(server::Server* server) : server_(server) {}
  Status Apply(std::string command) override;
  Status ReadNode(const std::string& node, std::optional<state::Node>* entry,
                  std::vector<state::NodeService>* services,
                  std::vector<state::HealthCheck>* checks) override;

 private:
  server::Server* server_;
};

}  // namespace consulate::agent
