#include "app/run_agent.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "agent/agent.h"
#include "agent/user_event.h"
#include "app/check_runner.h"
#include "app/cluster.h"
#include "app/remote_catalog.h"
#include "base/log.h"
#include "config/config.h"
#include "http/server.h"
#include "rpc/transport.h"
#include "server/forward_codec.h"
#include "server/server.h"

namespace consulate::app {

namespace {

std::string RandomUUID() {
  std::random_device rd;
  unsigned char b[16];
  for (auto& x : b) x = static_cast<unsigned char>(rd());
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  char out[37];
  std::snprintf(out, sizeof(out),
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

// Consul keeps the node ID in <data_dir>/node-id so it survives restarts.
Result<std::string> NodeID(const config::RuntimeConfig& c) {
  if (!c.node_id.empty()) return c.node_id;
  if (c.dev_mode || c.data_dir.empty()) return RandomUUID();
  const std::string path = c.data_dir + "/node-id";
  std::ifstream in(path);
  std::string id;
  if (in && std::getline(in, id) && !id.empty()) return id;
  id = RandomUUID();
  std::ofstream out(path, std::ios::trunc);
  out << id;
  if (!out) return Status::IOError("could not write node ID to " + path);
  return id;
}

Status EnsureDir(const std::string& path) {
  std::string cur;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      if (!cur.empty() && ::mkdir(cur.c_str(), 0700) != 0 && errno != EEXIST)
        return Status::IOErrorFromErrno("Error creating data dir " + path, errno);
    }
    if (i < path.size()) cur += path[i];
  }
  return Status::OK();
}

LogLevel LevelOf(const std::string& name) {
  LogLevel l = LogLevel::kInfo;
  ParseLogLevel(name, &l);
  return l;
}

void PrintBanner(const config::RuntimeConfig& c, const std::string& node_id) {
  auto line = [](std::string_view k, const std::string& v) {
    std::printf("%*s: %s\n", 18, std::string(k).c_str(), v.c_str());
  };
  std::printf("==> Starting Consul agent...\n");
  line("Version", "'" + c.version + "'");
  line("Node ID", "'" + node_id + "'");
  line("Node name", "'" + c.node_name + "'");
  line("Datacenter", "'" + c.datacenter + "' (Segment: '" + (c.server ? "<all>" : "") + "')");
  line("Server", std::string(c.server ? "true" : "false") +
                     " (Bootstrap: " + (c.bootstrap ? "true" : "false") + ")");
  std::string clients = "[";
  for (size_t i = 0; i < c.client_addrs.size(); ++i) clients += (i ? " " : "") + c.client_addrs[i];
  clients += "]";
  line("Client Addr", clients + " (HTTP: " + std::to_string(c.ports.http) +
                          ", HTTPS: " + std::to_string(c.ports.https) +
                          ", gRPC: " + std::to_string(c.ports.grpc) +
                          ", DNS: " + std::to_string(c.ports.dns) + ")");
  line("Cluster Addr", c.advertise_addr + " (LAN: " + std::to_string(c.ports.serf_lan) +
                           ", WAN: " + std::to_string(c.ports.serf_wan) + ")");
  line("Encrypt", std::string("Gossip: ") + (c.encrypt.empty() ? "false" : "true") +
                      ", TLS-Outgoing: false, TLS-Incoming: false, Auto-Encrypt-TLS: false");
  std::printf("\n==> Log data will now stream in as it occurs:\n\n");
  std::fflush(stdout);
}

// Registers the services and checks of the config files (and removes config ones that are gone).
void LoadConfigServices(const config::RuntimeConfig& cfg, agent::Agent* local, const Logger& log) {
  std::vector<agent::ServiceDefinition> services;
  std::vector<agent::CheckDefinition> checks;
  if (auto it = cfg.merged.find("services"); it != cfg.merged.end() && it->value().is_array()) {
    for (const auto& v : it->value().as_array()) {
      if (!v.is_object()) continue;
      auto def = agent::ParseServiceDefinition(v.as_object());
      if (!def.ok()) {
        log.Error("invalid service definition in config: error=\"{}\"", def.status().message());
        continue;
      }
      services.push_back(std::move(*def));
    }
  }
  if (auto it = cfg.merged.find("checks"); it != cfg.merged.end() && it->value().is_array()) {
    for (const auto& v : it->value().as_array()) {
      if (!v.is_object()) continue;
      auto def = agent::ParseCheckDefinition(v.as_object());
      if (!def.ok()) {
        log.Error("invalid check definition in config: error=\"{}\"", def.status().message());
        continue;
      }
      if (def->id.empty()) def->id = def->name;
      checks.push_back(std::move(*def));
    }
  }
  local->ReplaceConfigServices(services, checks);
}

}  // namespace

int RunAgent(const std::vector<std::string>& args) {
  // Block the signals we handle before any thread starts, so only sigwait below sees them.
  sigset_t sigs;
  sigemptyset(&sigs);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGUSR2}) sigaddset(&sigs, s);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  std::vector<std::string> warnings;
  auto loaded = config::LoadAgentConfig(args, &warnings);
  if (!loaded.ok()) {
    std::fprintf(stderr, "==> %s\n", loaded.status().message().c_str());
    return 1;
  }
  config::RuntimeConfig cfg = std::move(*loaded);

  auto sink = std::make_shared<LogSink>(LevelOf(cfg.log_level));
  Logger root(sink, "");
  Logger log = root.Named("agent");
  if (!cfg.log_file.empty()) {
    LogSink::FileOptions fo;
    fo.path = cfg.log_file;
    if (cfg.log_rotate_duration.count() > 0)
      fo.rotate_duration =
          std::chrono::duration_cast<std::chrono::seconds>(cfg.log_rotate_duration);
    fo.rotate_bytes = static_cast<uint64_t>(std::max(0, cfg.log_rotate_bytes));
    fo.rotate_max_files = cfg.log_rotate_max_files;
    Status st = sink->OpenFile(fo);
    if (!st.ok()) {
      std::fprintf(stderr, "==> %s\n", st.message().c_str());
      return 1;
    }
  }
  if (!cfg.dev_mode) {
    Status st = EnsureDir(cfg.data_dir);
    if (!st.ok()) {
      std::fprintf(stderr, "==> %s\n", st.message().c_str());
      return 1;
    }
  }
  auto node_id = NodeID(cfg);
  if (!node_id.ok()) {
    std::fprintf(stderr, "==> %s\n", node_id.status().message().c_str());
    return 1;
  }

  PrintBanner(cfg, *node_id);
  for (const auto& w : warnings) log.Warn("{}", w);

  std::unique_ptr<server::Server> srv;
  const std::string rpc_addr = cfg.advertise_addr + ":" + std::to_string(cfg.ports.server);
  if (cfg.server || cfg.dev_mode) {
    server::Options so;
    so.dev = cfg.dev_mode;
    so.data_dir = cfg.data_dir;
    so.rpc_address = rpc_addr;
    so.rpc_bind = cfg.bind_addr;
    so.rpc_port = cfg.ports.server;
    so.node_id = *node_id;
    so.node_name = cfg.node_name;
    so.bootstrap = cfg.bootstrap;
    so.bootstrap_expect = cfg.bootstrap_expect;
    so.raft_multiplier = cfg.dev_mode ? 1 : cfg.raft_multiplier;
    if (cfg.rpc_hold_timeout.count() > 0)
      so.rpc_hold_timeout =
          std::chrono::duration_cast<std::chrono::milliseconds>(cfg.rpc_hold_timeout);
    if (cfg.raft_snapshot_interval.count() > 0)
      so.snapshot_interval =
          std::chrono::duration_cast<std::chrono::milliseconds>(cfg.raft_snapshot_interval);
    // Consul's raft_snapshot_threshold / raft_trailing_logs (top-level keys).
    for (auto [key, target] : {std::pair{"raft_snapshot_threshold", &so.snapshot_threshold},
                               std::pair{"raft_trailing_logs", &so.trailing_logs}}) {
      if (auto it = cfg.merged.find(key); it != cfg.merged.end() && it->value().is_number()) {
        auto v = it->value().to_number<int64_t>();
        if (v > 0) *target = static_cast<uint64_t>(v);
      }
    }
    auto opened = server::Server::Open(so, root.Named("agent.server"));
    if (!opened.ok()) {
      log.Error("Error starting agent: error=\"{}\"", opened.status().ToString());
      return 1;
    }
    srv = std::move(*opened);
  }

  // Recent user events (/v1/event/list); fed by the LAN pool, so it outlives the cluster.
  agent::UserEventRing user_events(cfg.node_name, root.Named("agent"));
  std::unique_ptr<Cluster> cluster;
  if (!cfg.dev_mode || cfg.ports.serf_lan > 0) {
    auto started = Cluster::Start(
        cfg, *node_id, srv.get(), root.Named("agent"),
        [&user_events](const gossip::UserEvent& e) { user_events.HandleSerfEvent(e); });
    if (!started.ok()) {
      log.Error("Error starting agent: error=\"{}\"", started.status().message());
      if (srv) srv->Shutdown();
      return 1;
    }
    cluster = std::move(*started);
  }

  agent::AgentOptions ao;
  ao.node_name = cfg.node_name;
  ao.node_id = *node_id;
  ao.datacenter = cfg.datacenter;
  ao.address = cfg.advertise_addr;
  ao.data_dir = cfg.dev_mode ? "" : cfg.data_dir;
  ao.server = cfg.server || cfg.dev_mode;
  ao.server_port = cfg.ports.server;
  ao.version = cfg.version;
  ao.node_meta = cfg.node_meta;
  ao.enable_script_checks = cfg.enable_script_checks;
  ao.enable_local_script_checks = cfg.enable_local_script_checks;
  // A client agent reaches the servers over their server port (forwarded HTTP requests and its
  // anti-entropy), through whichever server of the datacenter gossip says is alive.
  std::unique_ptr<rpc::Transport> client_rpc;
  std::unique_ptr<ServerRouter> router;
  std::unique_ptr<RemoteCatalog> remote_catalog;
  if (!srv && cluster) {
    auto t = rpc::Transport::Start(cfg.bind_addr, 0, {}, root.Named("agent.client"));
    if (!t.ok()) {
      log.Error("Error starting agent: error=\"{}\"", t.status().message());
      return 1;
    }
    client_rpc = std::move(*t);
    router = std::make_unique<ServerRouter>(cluster.get(), client_rpc.get());
    remote_catalog = std::make_unique<RemoteCatalog>(router.get());
    ServerRouter* r = router.get();
    Logger clog = root.Named("agent");
    cluster->StartClientCoordinateSync([r, clog](std::string command) {
      r->Call(static_cast<uint8_t>(server::RpcMethod::kApply), std::move(command),
              std::chrono::seconds(30), [clog](Result<std::string> res) {
                if (!res.ok())
                  clog.Error("Coordinate update error: error=\"{}\"", res.status().message());
              });
    });
  }
  agent::Agent local(ao, srv.get(), root.Named("agent"));
  if (remote_catalog) local.set_catalog(remote_catalog.get());
  checks::RunnerOptions ro;
  ro.enable_script_checks = cfg.enable_script_checks;
  ro.enable_local_script_checks = cfg.enable_local_script_checks;
  ro.output_max_size = cfg.check_output_max_size;
  CheckRunnerAdapter runner(&local, srv ? &srv->state() : nullptr, root.Named("agent.checks"), ro);
  local.set_check_runner(&runner);
  LoadConfigServices(cfg, &local, log);
  local.Start();
  user_events.set_services([&local] { return local.Services(); });
  // `local` goes before the ring and the cluster: stop the ring from reaching it.
  struct ForgetServices {
    agent::UserEventRing* ring;
    ~ForgetServices() { ring->set_services(nullptr); }
  } forget_services{&user_events};

  http::AgentApi api;
  api.server = srv.get();
  api.agent = &local;
  api.lan = cluster ? cluster->lan() : nullptr;
  api.events = &user_events;
  if (router) {
    ServerRouter* r = router.get();
    api.forward = [r](std::string request, std::chrono::milliseconds timeout,
                      std::function<void(Result<std::string>)> done) {
      r->Call(static_cast<uint8_t>(server::RpcMethod::kHttp), std::move(request), timeout,
              std::move(done));
    };
  }
  api.wan = cluster ? cluster->wan() : nullptr;
  api.logger = root.Named("agent.http");
  api.node_name = cfg.node_name;
  api.node_id = *node_id;
  api.datacenter = cfg.datacenter;
  api.is_server = cfg.server || cfg.dev_mode;
  api.dev_mode = cfg.dev_mode;
  api.advertise_addr = cfg.advertise_addr;
  api.serf_lan_port = cfg.ports.serf_lan;
  api.version = cfg.version;
  api.revision = cfg.revision;
  api.kv_max_value_size = cfg.kv_max_value_size;
  api.txn_max_req_len = cfg.txn_max_req_len;
  api.debug_config_json = boost::json::serialize(config::AgentSelfDebugConfig(cfg, *node_id));
  const pid_t self = ::getpid();
  api.leave = [self] { ::kill(self, SIGUSR2); };
  api.reload = [self] {
    ::kill(self, SIGHUP);
    return Status::OK();
  };

  std::unique_ptr<http::HttpServer> httpd;
  if (cfg.ports.http > 0) {
    http::HttpServerOptions ho;
    ho.addresses = cfg.client_addrs;
    if (!cfg.addresses_http.empty()) {
      ho.addresses.clear();
      std::istringstream ss(cfg.addresses_http);
      for (std::string a; ss >> a;) ho.addresses.push_back(a);
    }
    ho.port = cfg.ports.http;
    // Up to 2 I/O threads, one per core; a server leaves one core to its Raft thread (the
    // server port's I/O thread, which also drives Raft and writes the log).
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    ho.threads = std::max(1u, std::min(2u, srv ? cores - 1 : cores));
    ho.max_conns_per_client = static_cast<size_t>(std::max(0, cfg.http_max_conns_per_client));
    httpd = std::make_unique<http::HttpServer>(ho, &api, api.logger);
    Status st = httpd->Start();
    if (!st.ok()) {
      log.Error("Error starting agent: error=\"{}\"", st.message());
      if (srv) srv->Shutdown();
      return 1;
    }
    for (const auto& a : ho.addresses)
      root.Named("agent").Info("Started HTTP server: address={}:{} network=tcp", a, ho.port);
    if (srv) {
      http::HttpServer* h = httpd.get();
      srv->SetRequestHandler(static_cast<uint8_t>(server::RpcMethod::kHttp),
                             [h](std::string body, std::function<void(std::string)> respond) {
                               h->ServeForwarded(std::move(body), std::move(respond));
                             });
    }
  }

  if (!cfg.pid_file.empty()) {
    std::ofstream pf(cfg.pid_file, std::ios::trunc);
    pf << self;
  }
  std::printf("==> Consul agent running!\n");
  std::fflush(stdout);

  int exit_code = 0;
  while (true) {
    int sig = 0;
    if (sigwait(&sigs, &sig) != 0) continue;
    if (sig == SIGHUP) {
      log.Info("Caught signal: signal=hangup");
      log.Info("Reloading configuration...");
      std::vector<std::string> w;
      auto reloaded = config::LoadAgentConfig(args, &w);
      if (!reloaded.ok()) {
        log.Error("Failed to reload configs: error=\"{}\"", reloaded.status().message());
        continue;
      }
      sink->set_level(LevelOf(reloaded->log_level));
      LoadConfigServices(*reloaded, &local, log);
      continue;
    }
    if (sig == SIGUSR2) {
      if (srv) {
        Status st = srv->Leave(std::chrono::seconds(5));
        if (!st.ok()) log.Warn("failed to leave the Raft configuration: {}", st.ToString());
      }
      if (cluster) cluster->Leave();
      log.Info("Graceful leave complete");
    } else {
      log.Info("Caught signal: signal={}", sig == SIGINT ? "interrupt" : "terminated");
      // Consul: SIGINT leaves unless skip_leave_on_interrupt (servers), SIGTERM leaves only with
      // leave_on_terminate (clients).
      const bool leave = sig == SIGINT ? !cfg.skip_leave_on_interrupt : cfg.leave_on_terminate;
      if (leave && cluster) {
        log.Info("Gracefully shutting down agent...");
        if (srv) (void)srv->Leave(std::chrono::seconds(5));
        cluster->Leave();
      }
    }
    break;
  }
  log.Info("Requesting shutdown");
  if (cluster) cluster->Shutdown();
  local.Stop();
  runner.Stop();
  // The write path first: its last answers are posted to the HTTP threads, which must still run.
  if (srv) srv->Shutdown();
  if (httpd) httpd->Stop();
  if (srv) log.Info("consul server down");
  log.Info("shutdown complete");
  if (!cfg.pid_file.empty()) ::unlink(cfg.pid_file.c_str());
  return exit_code;
}

}  // namespace consulate::app
