// The agent's local state (Consul's agent/local): the services and checks registered on this agent,
// their health as its checks report it, and anti-entropy, which makes the catalog agree with it:
// changes are pushed at once, and a full comparison with the catalog runs every `ae_interval`
// (catalog entries for this node that the agent does not know are removed, differences repaired).
//
// Services and checks registered over the API are persisted in <data_dir>/services and
// <data_dir>/checks and come back after a restart; config-file ones are re-read from the config.
//
// Thread-safety: every public method is thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/catalog_backend.h"
#include "agent/service_definition.h"
#include "base/log.h"
#include "server/server.h"

namespace consulate::agent {

struct AgentOptions {
  std::string node_name;
  std::string node_id;
  std::string datacenter = "dc1";
  std::string address = "127.0.0.1";  // advertise address
  std::string data_dir;               // empty: nothing persisted (-dev)
  bool server = true;
  int server_port = 8300;
  std::string version = "1.8.7";
  std::map<std::string, std::string> node_meta;
  std::chrono::milliseconds ae_interval{60000};
  bool enable_script_checks = false;
  bool enable_local_script_checks = false;
};

// Runs checks other than TTL (HTTP, TCP, script, alias). The agent owns TTL timing itself.
class CheckRunner {
 public:
  virtual ~CheckRunner() = default;
  // `remote`: registered over the HTTP API (Consul's ConfigSourceRemote), which matters for
  // scripts.
  virtual Status Add(const CheckDefinition& def, bool remote) = 0;
  virtual void Remove(const std::string& id) = 0;
  // Called after each anti-entropy pass, outside the agent's locks: alias checks re-evaluate.
  virtual void LocalStateChanged() {}
};

// A check as the agent holds it.
struct LocalCheck {
  state::HealthCheck check;
  CheckDefinition definition;
  bool persisted = false;
  std::chrono::steady_clock::time_point ttl_deadline{};
  std::chrono::steady_clock::time_point critical_since{};
};

class Agent {
 public:
  Agent(AgentOptions options, server::Server* server, Logger logger);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Loads persisted services and checks and starts the sync and TTL threads.
  Status Start();
  void Stop();
  void set_check_runner(CheckRunner* runner) { runner_ = runner; }
  // A client agent's way to the catalog (a server agent uses its own server). Set before Start.
  void set_catalog(CatalogBackend* catalog) { catalog_ = catalog; }

  // `source` "api" definitions are persisted; "config" ones are not (the config is their source).
  Status AddService(const ServiceDefinition& def, bool persist);
  // NotFound when the id is unknown.
  Status RemoveService(const std::string& id);
  std::vector<state::NodeService> Services() const;
  std::optional<state::NodeService> Service(const std::string& id) const;

  Status AddCheck(const CheckDefinition& def, bool persist);
  Status RemoveCheck(const std::string& id);
  std::vector<state::HealthCheck> Checks() const;
  // Sets a check's status and output (TTL updates, check runners). NotFound for an unknown id.
  Status UpdateCheck(const std::string& id, std::string_view status, std::string output);
  // TTL checks only: pass/warn/fail with a note (Consul's error text for other kinds).
  Status UpdateTTL(const std::string& id, std::string_view status, std::string output);

  Status EnableNodeMaintenance(const std::string& reason);
  void DisableNodeMaintenance();
  Status EnableServiceMaintenance(const std::string& service_id, const std::string& reason);
  Status DisableServiceMaintenance(const std::string& service_id);

  // Re-applies config-file services/checks: removes the config ones not listed any more.
  void ReplaceConfigServices(const std::vector<ServiceDefinition>& services,
                             const std::vector<CheckDefinition>& checks);

  const AgentOptions& options() const { return options_; }
  // Wakes the sync thread now.
  void TriggerSync();
  // Runs `done` (on the sync thread) once a sync pass that started after this call has finished,
  // so an API call can answer after the catalog reflects it, as Consul's agent endpoints do.
  void SyncThen(std::function<void()> done);
  // Runs one full sync now on the caller's thread (tests, start-up).
  Status SyncNow();

 private:
  Status AddCheckLocked(const CheckDefinition& def, bool persist, bool remote);
  void RemoveCheckLocked(const std::string& id);
  void PersistService(const ServiceDefinition& def);
  void PersistCheck(const CheckDefinition& def);
  void Unpersist(const std::string& kind, const std::string& id);
  void LoadPersisted();
  void SyncLoop();
  void TtlLoop();
  Status Propose(std::string command);
  state::RegisterRequest NodeRegistration() const;

  const AgentOptions options_;
  server::Server* server_;
  std::unique_ptr<CatalogBackend> local_catalog_;  // when server_ is set
  CatalogBackend* catalog_ = nullptr;
  Logger logger_;
  CheckRunner* runner_ = nullptr;

  mutable std::mutex mu_;
  std::map<std::string, ServiceDefinition> services_;  // GUARDED_BY(mu_)
  std::map<std::string, bool> config_services_;        // ids that came from config; GUARDED_BY(mu_)
  std::map<std::string, bool> config_checks_;          // GUARDED_BY(mu_)
  std::map<std::string, bool> persisted_services_;     // GUARDED_BY(mu_)
  std::map<std::string, LocalCheck> checks_;           // GUARDED_BY(mu_)
  bool dirty_ = true;                                  // GUARDED_BY(mu_)
  std::vector<std::function<void()>> sync_waiters_;    // GUARDED_BY(mu_)
  bool stopping_ = false;                              // GUARDED_BY(mu_)
  std::condition_variable sync_cv_;
  std::condition_variable ttl_cv_;
  std::thread sync_thread_;
  std::thread ttl_thread_;
  std::mutex sync_mu_;  // serializes SyncNow
};

}  // namespace consulate::agent
