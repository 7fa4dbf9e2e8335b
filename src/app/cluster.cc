#include "app/cluster.h"

#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <set>

#include "base/base64.h"
#include "fsm/command.h"
#include "gossip/keyring_file.h"

namespace consulate::app {

namespace {

constexpr auto kReconcileInterval = std::chrono::seconds(2);

std::string HostPort(const std::string& host, int port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

bool IsLocalServer(const gossip::Member& m, const std::string& dc) {
  auto role = m.tags.find("role");
  auto mdc = m.tags.find("dc");
  return role != m.tags.end() && role->second == "consul" && mdc != m.tags.end() &&
         mdc->second == dc;
}

std::optional<server::ServerInfo> ServerInfoOf(const gossip::Member& m) {
  auto id = m.tags.find("id");
  auto port = m.tags.find("port");
  if (id == m.tags.end() || port == m.tags.end()) return std::nullopt;
  server::ServerInfo s;
  s.id = id->second;
  s.name = m.name;
  s.address = HostPort(m.addr, std::atoi(port->second.c_str()));
  if (auto e = m.tags.find("expect"); e != m.tags.end()) s.expect = std::atoi(e->second.c_str());
  return s;
}

// Consul's setupBaseKeyrings for one pool: with a keyring file at `path` (empty: none kept), the
// file wins over -encrypt, which only seeds a missing one. Returns the pool's keys (raw) and sets
// `*keyring_file` when the pool should rewrite the file after key changes.
Result<std::vector<std::string>> PoolKeyring(const std::string& path, const char* pool,
                                             const std::vector<std::string>& encrypt_keys,
                                             const Logger& logger, std::string* keyring_file) {
  if (path.empty()) return encrypt_keys;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (encrypt_keys.empty()) return encrypt_keys;  // no encryption, nothing to keep
    if (Status s = gossip::WriteKeyringFile(path, encrypt_keys); !s.ok()) {
      return Status::IOError("Failed to configure keyring: " + s.message());
    }
    *keyring_file = path;
    return encrypt_keys;
  }
  if (!encrypt_keys.empty()) {
    logger.Warn("WARNING: {} keyring exists but -encrypt given, using keyring", pool);
  }
  auto keys = gossip::ReadKeyringFile(path);
  if (!keys.ok())
    return Status::InvalidArgument("Failed to configure keyring: " + keys.status().message());
  *keyring_file = path;
  return keys;
}

}  // namespace

std::map<std::string, std::string> ConsulTags(const config::RuntimeConfig& cfg,
                                              const std::string& node_id, bool wan) {
  std::map<std::string, std::string> t;
  t["build"] = cfg.version + ":" + cfg.revision;
  t["dc"] = cfg.datacenter;
  t["id"] = node_id;
  t["vsn"] = "2";
  t["vsn_min"] = "2";
  t["vsn_max"] = "3";
  t["acls"] = "0";
  if (!wan) t["segment"] = "";
  if (cfg.server) {
    t["role"] = "consul";
    t["port"] = std::to_string(cfg.ports.server);
    t["raft_vsn"] = "3";
    t["ft_fs"] = "1";
    t["ft_si"] = "1";
    if (cfg.bootstrap) t["bootstrap"] = "1";
    if (cfg.bootstrap_expect > 0) t["expect"] = std::to_string(cfg.bootstrap_expect);
    if (cfg.ports.serf_wan > 0) t["wan_join_port"] = std::to_string(cfg.ports.serf_wan);
  } else {
    t["role"] = "node";
  }
  return t;
}

Cluster::Cluster(const config::RuntimeConfig& cfg, std::string node_id, server::Server* srv,
                 Logger logger)
    : cfg_(cfg), node_id_(std::move(node_id)), srv_(srv), logger_(std::move(logger)) {}

Result<std::unique_ptr<Cluster>> Cluster::Start(
    const config::RuntimeConfig& cfg, const std::string& node_id, server::Server* srv,
    Logger logger, std::function<void(const gossip::UserEvent&)> on_user_event) {
  std::unique_ptr<Cluster> c(new Cluster(cfg, node_id, srv, std::move(logger)));
  bool previously_left = false;
  std::vector<std::string> previous;
  if (!cfg.dev_mode && !cfg.data_dir.empty()) {
    ::mkdir((cfg.data_dir + "/serf").c_str(), 0700);
    c->snapshot_path_ = cfg.data_dir + "/serf/local.snapshot";
    previous = c->LoadSnapshot(&previously_left);
  }
  std::vector<std::string> keys;
  if (!cfg.encrypt.empty()) {
    auto key = Base64Decode(cfg.encrypt);
    if (!key.ok() || (key->size() != 16 && key->size() != 24 && key->size() != 32)) {
      return Status::InvalidArgument("Failed to configure keyring: invalid key: " + cfg.encrypt);
    }
    keys.push_back(*key);
  }
  // Keyring files (<data_dir>/serf/local.keyring, remote.keyring) unless -dev or
  // disable_keyring_file.
  const bool keep_keyrings = !cfg.dev_mode && !cfg.data_dir.empty() && !cfg.disable_keyring_file;
  std::string lan_keyring_file, wan_keyring_file;
  std::vector<std::string> lan_keys = keys, wan_keys = keys;
  if (keep_keyrings && cfg.ports.serf_lan > 0) {
    CONSULATE_ASSIGN_OR_RETURN(lan_keys, PoolKeyring(cfg.data_dir + "/serf/local.keyring", "LAN",
                                                     keys, c->logger_, &lan_keyring_file));
  }
  if (keep_keyrings && cfg.server && cfg.ports.serf_wan > 0) {
    CONSULATE_ASSIGN_OR_RETURN(wan_keys, PoolKeyring(cfg.data_dir + "/serf/remote.keyring", "WAN",
                                                     keys, c->logger_, &wan_keyring_file));
  }
  if (cfg.ports.serf_lan > 0) {
    gossip::SerfConfig sc;
    sc.node_name = cfg.node_name;
    sc.bind_addr = cfg.serf_lan_bind.empty() ? cfg.bind_addr : cfg.serf_lan_bind;
    sc.bind_port = static_cast<uint16_t>(cfg.ports.serf_lan);
    sc.advertise_addr = cfg.advertise_addr;
    sc.tags = ConsulTags(cfg, node_id, false);
    sc.reconnect_timeout =
        std::chrono::duration_cast<std::chrono::milliseconds>(cfg.reconnect_timeout);
    sc.keys = lan_keys;
    sc.keyring_file = lan_keyring_file;
    sc.verify_incoming = cfg.encrypt_verify_incoming;
    sc.verify_outgoing = cfg.encrypt_verify_outgoing;
    gossip::Serf::Handlers h;
    Cluster* raw = c.get();
    h.on_member = [raw](const gossip::MemberEvent& e) { raw->OnLanMember(e); };
    h.on_user_event = std::move(on_user_event);
    auto lan = gossip::Serf::Start(sc, std::move(h), c->logger_.Named("serf.lan"));
    if (!lan.ok()) return lan.status();
    c->lan_ = std::move(*lan);
  }
  if (cfg.server && cfg.ports.serf_wan > 0) {
    gossip::SerfConfig sc;
    sc.node_name = cfg.node_name + "." + cfg.datacenter;
    sc.bind_addr = cfg.serf_wan_bind.empty() ? cfg.bind_addr : cfg.serf_wan_bind;
    sc.bind_port = static_cast<uint16_t>(cfg.ports.serf_wan);
    sc.advertise_addr =
        cfg.advertise_addr_wan.empty() ? cfg.advertise_addr : cfg.advertise_addr_wan;
    sc.tags = ConsulTags(cfg, node_id, true);
    sc.reconnect_timeout =
        std::chrono::duration_cast<std::chrono::milliseconds>(cfg.reconnect_timeout_wan);
    sc.keys = wan_keys;
    sc.keyring_file = wan_keyring_file;
    sc.wan = true;
    sc.verify_incoming = cfg.encrypt_verify_incoming;
    sc.verify_outgoing = cfg.encrypt_verify_outgoing;
    auto wan = gossip::Serf::Start(sc, {}, c->logger_.Named("serf.wan"));
    if (!wan.ok()) return wan.status();
    c->wan_ = std::move(*wan);
  }
  if (c->lan_ && !previous.empty()) {
    if (previously_left && !cfg.rejoin_after_leave) {
      c->logger_.Info("serf: Ignoring previous node cluster state; this agent left it");
    } else {
      c->logger_.Info("serf: Attempting re-join to previously known nodes: {}", previous.size());
      c->threads_.emplace_back([p = c.get(), previous] {
        auto n = p->lan_->Join(previous, true);
        if (n.ok()) {
          p->logger_.Info("serf: Re-joined to previously known node: {}", *n);
        } else {
          p->logger_.Warn("serf: Failed to re-join any previously known node");
        }
      });
    }
  }
  if (c->lan_) {
    if (!cfg.start_join.empty()) c->JoinLoop(cfg.start_join, false, false);
    if (!cfg.retry_join.empty()) {
      c->threads_.emplace_back([p = c.get(), a = cfg.retry_join] { p->JoinLoop(a, false, true); });
    }
  }
  if (c->wan_) {
    if (!cfg.start_join_wan.empty()) c->JoinLoop(cfg.start_join_wan, true, false);
    if (!cfg.retry_join_wan.empty()) {
      c->threads_.emplace_back(
          [p = c.get(), a = cfg.retry_join_wan] { p->JoinLoop(a, true, true); });
    }
  }
  if (srv && c->lan_) c->threads_.emplace_back([p = c.get()] { p->ReconcileLoop(); });
  if (c->lan_ && !cfg.disable_coordinates) c->StartCoordinateSync();
  return c;
}

Cluster::~Cluster() { Shutdown(); }

std::vector<std::string> Cluster::LoadSnapshot(bool* left) const {
  std::vector<std::string> out;
  std::ifstream in(snapshot_path_);
  std::string line;
  while (std::getline(in, line)) {
    if (line == "leave") *left = true;
    if (line.rfind("alive: ", 0) != 0) continue;
    const size_t sp = line.rfind(' ');
    if (sp > 7) out.push_back(line.substr(sp + 1));
  }
  return out;
}

void Cluster::SaveSnapshot(bool left) {
  if (snapshot_path_.empty()) return;
  std::string text;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [name, addr] : alive_) text += "alive: " + name + " " + addr + "\n";
  }
  if (left) text += "leave\n";
  const std::string tmp = snapshot_path_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
  }
  ::rename(tmp.c_str(), snapshot_path_.c_str());
}

void Cluster::OnLanMember(const gossip::MemberEvent& e) {
  bool changed = false;
  for (const auto& m : e.members) {
    if (m.name == cfg_.node_name) continue;
    std::lock_guard<std::mutex> lock(mu_);
    if (e.kind == gossip::MemberEvent::kJoin || e.kind == gossip::MemberEvent::kUpdate) {
      alive_[m.name] = HostPort(m.addr, m.port);
      changed = true;
    } else if (e.kind == gossip::MemberEvent::kLeave || e.kind == gossip::MemberEvent::kReap) {
      changed |= alive_.erase(m.name) > 0;
    }
  }
  if (changed) SaveSnapshot(false);
  for (const auto& m : e.members) {
    if (e.kind == gossip::MemberEvent::kJoin || e.kind == gossip::MemberEvent::kUpdate) {
      logger_.Info("member {}: {} {}", gossip::MemberEventName(e.kind), m.name, m.addr);
    }
    if (!srv_ || !IsLocalServer(m, cfg_.datacenter)) continue;
    auto info = ServerInfoOf(m);
    if (!info) continue;
    switch (e.kind) {
      case gossip::MemberEvent::kJoin:
      case gossip::MemberEvent::kUpdate:
        logger_.Info("Adding LAN server: server=\"{} (Addr: tcp/{}) (DC: {})\"", m.name,
                     info->address, cfg_.datacenter);
        srv_->ServerSeen(*info);
        break;
      case gossip::MemberEvent::kLeave:
      case gossip::MemberEvent::kReap:
        logger_.Info("Removing LAN server: server=\"{} (Addr: tcp/{}) (DC: {})\"", m.name,
                     info->address, cfg_.datacenter);
        srv_->ServerLeft(m.name);
        break;
      case gossip::MemberEvent::kFailed:
        srv_->ServerFailed(m.name);  // autopilot may remove it (CleanupDeadServers)
        break;
    }
  }
}

void Cluster::JoinLoop(std::vector<std::string> addrs, bool wan, bool retry) {
  const char* pool = wan ? "WAN" : "LAN";
  const auto interval = wan ? cfg_.retry_interval_wan : cfg_.retry_interval;
  for (int attempt = 1;; ++attempt) {
    gossip::Serf* s = wan ? wan_.get() : lan_.get();
    logger_.Info("Joining cluster...: cluster={}", pool);
    auto n = s->Join(addrs, true);
    if (n.ok()) {
      logger_.Info("Join cluster completed. Synced with initial agents: cluster={} num_agents={}",
                   pool, *n);
      return;
    }
    logger_.Warn("Join cluster failed, will retry: cluster={} retry_interval={}s error=\"{}\"",
                 pool, std::chrono::duration_cast<std::chrono::seconds>(interval).count(),
                 n.status().message());
    if (!retry) return;
    std::unique_lock<std::mutex> lock(mu_);
    // The first retries come quickly (servers often start together), then Consul's interval.
    const auto wait =
        attempt < 20 ? std::min<std::chrono::nanoseconds>(interval, std::chrono::milliseconds(500))
                     : std::chrono::nanoseconds(interval);
    if (cv_.wait_for(lock, wait, [this] { return stopping_; })) return;
  }
}

void Cluster::ReconcileLoop() {
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (cv_.wait_for(lock, kReconcileInterval, [this] { return stopping_; })) return;
    }
    JoinWanPeers();
    if (srv_->IsLeader()) ReconcileCatalog();
  }
}

// Consul servers join every server of their datacenter in the WAN pool too (the LAN member's
// wan_join_port tag says where), so that the WAN pool needs no manual join inside one datacenter.
void Cluster::JoinWanPeers() {
  if (!wan_ || !lan_) return;
  std::set<std::string> in_wan;
  for (const auto& m : wan_->Members()) {
    if (m.status == gossip::MemberStatus::kAlive) in_wan.insert(m.name);
  }
  std::vector<std::string> addrs;
  for (const auto& m : lan_->Members()) {
    if (m.status != gossip::MemberStatus::kAlive || m.name == cfg_.node_name ||
        !IsLocalServer(m, cfg_.datacenter)) {
      continue;
    }
    auto port = m.tags.find("wan_join_port");
    if (port == m.tags.end() || in_wan.count(m.name + "." + cfg_.datacenter)) continue;
    addrs.push_back(HostPort(m.addr, std::atoi(port->second.c_str())));
  }
  if (addrs.empty()) return;
  auto n = wan_->Join(addrs, true);
  if (n.ok()) {
    logger_.Info("serf: joined servers of this datacenter to the WAN pool: {}", *n);
  }
}

// Consul's leader reconcileMember: alive -> node + serfHealth passing; failed -> serfHealth
// critical; left (or reaped) -> the node is deregistered. Only differences are proposed.
void Cluster::ReconcileCatalog() {
  const std::vector<gossip::Member> members = lan_->Members();
  state::StateStore& st = srv_->state();
  std::set<std::string> known;
  for (const auto& m : members) {
    known.insert(m.name);
    if (m.status == gossip::MemberStatus::kLeft) {
      std::optional<state::Node> node;
      std::vector<state::NodeService> svcs;
      st.NodeServices(m.name, &node, &svcs, nullptr);
      if (node && m.name != cfg_.node_name) {
        state::DeregisterRequest d;
        d.node = m.name;
        srv_->Propose(fsm::EncodeDeregister(d), [](fsm::ApplyResult) {});
      }
      continue;
    }
    if (m.status != gossip::MemberStatus::kAlive && m.status != gossip::MemberStatus::kFailed)
      continue;
    if (m.tags.count("role") == 0) continue;  // not a Consul agent (e.g. a plain serf)
    const bool alive = m.status == gossip::MemberStatus::kAlive;
    const std::string want_status(alive ? state::kPassing : state::kCritical);
    const std::string want_output =
        alive ? "Agent alive and reachable" : "Agent not live or unreachable";
    std::optional<state::Node> node;
    std::vector<state::NodeService> svcs;
    st.NodeServices(m.name, &node, &svcs, nullptr);
    std::vector<state::HealthCheck> checks;
    st.NodeChecks(m.name, &checks, nullptr);
    const state::HealthCheck* serf = nullptr;
    for (const auto& c : checks)
      if (c.check_id == "serfHealth") serf = &c;
    auto id = m.tags.find("id");
    const bool node_ok =
        node && node->address == m.addr && (id == m.tags.end() || node->id == id->second);
    if (node_ok && serf && serf->status == want_status) continue;
    state::RegisterRequest r;
    r.node.node = m.name;
    r.node.address = m.addr;
    r.node.datacenter = cfg_.datacenter;
    if (id != m.tags.end()) r.node.id = id->second;
    if (node) {
      r.node.tagged_addresses = node->tagged_addresses;
      r.node.meta = node->meta;
    }
    state::HealthCheck c;
    c.node = m.name;
    c.check_id = "serfHealth";
    c.name = "Serf Health Status";
    c.status = want_status;
    c.output = want_output;
    r.checks.push_back(c);
    srv_->Propose(fsm::EncodeRegister(r), [](fsm::ApplyResult) {});
  }
  // Catalog nodes that are no longer members at all (reaped) are removed, except ourselves and
  // nodes registered directly through the catalog API (they have no serfHealth check).
  std::vector<state::Node> nodes;
  st.Nodes(&nodes, nullptr);
  for (const auto& n : nodes) {
    if (known.count(n.node) || n.node == cfg_.node_name) continue;
    std::vector<state::HealthCheck> checks;
    st.NodeChecks(n.node, &checks, nullptr);
    bool has_serf = false;
    for (const auto& c : checks) has_serf |= c.check_id == "serfHealth";
    if (!has_serf) continue;
    state::DeregisterRequest d;
    d.node = n.node;
    srv_->Propose(fsm::EncodeDeregister(d), [](fsm::ApplyResult) {});
  }
}

std::vector<std::string> Cluster::Servers() const {
  std::vector<std::string> out;
  if (!lan_) return out;
  for (const auto& m : lan_->Members()) {
    if (m.status != gossip::MemberStatus::kAlive || !IsLocalServer(m, cfg_.datacenter)) continue;
    if (auto info = ServerInfoOf(m)) out.push_back(info->address);
  }
  return out;
}

// Consul's sendCoordinate. A server agent applies its own update through Raft (Consul's server
// batches updates from all agents for coordinate.update_period first; ours come one per agent per
// interval, so each goes straight to Propose). Client agents cannot reach a server yet.
void Cluster::StartCoordinateSync() {
  if (srv_ == nullptr) return;  // a client starts it with StartClientCoordinateSync
  server::Server* srv = srv_;
  Logger logger = logger_;
  StartCoordinateSyncWith([srv, logger](std::string command) {
    srv->Propose(std::move(command), [logger](fsm::ApplyResult r) {
      if (!r.status.ok()) logger.Error("Coordinate update error: error=\"{}\"", r.status.message());
    });
  });
}

void Cluster::StartClientCoordinateSync(std::function<void(std::string command)> apply) {
  if (srv_ != nullptr || !lan_ || cfg_.disable_coordinates || coordinate_sync_) return;
  StartCoordinateSyncWith(std::move(apply));
}

void Cluster::StartCoordinateSyncWith(std::function<void(std::string command)> apply) {
  CoordinateSync::Hooks hooks;
  gossip::Serf* lan = lan_.get();
  hooks.coordinate = [lan] { return lan->CoordinateVec(); };
  hooks.members = [lan] { return lan->Members().size(); };
  hooks.send = [apply = std::move(apply)](state::CoordinateEntry e) {
    apply(fsm::EncodeCoordinateBatchUpdate({std::move(e)}));
  };
  coordinate_sync_ =
      std::make_unique<CoordinateSync>(CoordinateSyncOptionsFrom(cfg_), std::move(hooks), logger_);
  coordinate_sync_->Start();
}

void Cluster::Leave() {
  if (wan_) {
    Status st = wan_->Leave();
    if (!st.ok()) logger_.Warn("WAN leave failed: {}", st.ToString());
  }
  if (lan_) {
    Status st = lan_->Leave();
    if (!st.ok()) logger_.Warn("LAN leave failed: {}", st.ToString());
  }
  SaveSnapshot(true);
}

void Cluster::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (coordinate_sync_) coordinate_sync_->Stop();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
  if (lan_) lan_->Shutdown();
  if (wan_) wan_->Shutdown();
}

}  // namespace consulate::app
