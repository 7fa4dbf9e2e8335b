#include "agent/agent.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fstream>
#include <future>
#include <sstream>

#include "fsm/command.h"

namespace consulate::agent {

namespace {
constexpr std::string_view kNodeMaintID = "_node_maintenance";
constexpr std::string_view kServiceMaintPrefix = "_service_maintenance:";
constexpr std::string_view kSerfCheckID = "serfHealth";

std::string HexName(const std::string& id) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : id) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out + ".json";
}

boost::json::object ServiceToJson(const ServiceDefinition& d) {
  const state::NodeService& s = d.service;
  boost::json::object o;
  o["ID"] = s.id;
  o["Name"] = s.service;
  if (!s.kind.empty()) o["Kind"] = s.kind;
  boost::json::array tags;
  for (const auto& t : s.tags) tags.emplace_back(t);
  o["Tags"] = std::move(tags);
  o["Address"] = s.address;
  o["Port"] = s.port;
  boost::json::object meta;
  for (const auto& [k, v] : s.meta) meta[k] = v;
  o["Meta"] = std::move(meta);
  boost::json::object ta;
  for (const auto& [k, a] : s.tagged_addresses)
    ta[k] = boost::json::object{{"Address", a.address}, {"Port", a.port}};
  o["TaggedAddresses"] = std::move(ta);
  o["Weights"] =
      boost::json::object{{"Passing", s.weights.passing}, {"Warning", s.weights.warning}};
  o["EnableTagOverride"] = s.enable_tag_override;
  boost::json::array checks;
  for (const auto& c : d.checks) {
    boost::json::object raw = c.raw;
    raw["CheckID"] = c.id;
    raw["Name"] = c.name;
    checks.push_back(std::move(raw));
  }
  o["Checks"] = std::move(checks);
  return o;
}

void WriteFileAtomic(const std::string& path, const std::string& data) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc | std::ios::binary);
    out << data;
  }
  ::rename(tmp.c_str(), path.c_str());
}

std::vector<std::string> ListJson(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n.size() > 5 && n.substr(n.size() - 5) == ".json") out.push_back(dir + "/" + n);
    }
    ::closedir(d);
  }
  return out;
}
}  // namespace

Agent::Agent(AgentOptions options, server::Server* server, Logger logger)
    : options_(std::move(options)),
      server_(server),
      local_catalog_(server ? std::make_unique<LocalCatalog>(server) : nullptr),
      catalog_(local_catalog_.get()),
      logger_(std::move(logger)) {}

Agent::~Agent() { Stop(); }

Status Agent::Start() {
  if (!options_.data_dir.empty()) {
    ::mkdir((options_.data_dir + "/services").c_str(), 0700);
    ::mkdir((options_.data_dir + "/checks").c_str(), 0700);
    LoadPersisted();
  }
  sync_thread_ = std::thread([this] { SyncLoop(); });
  ttl_thread_ = std::thread([this] { TtlLoop(); });
  return Status::OK();
}

void Agent::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  sync_cv_.notify_all();
  ttl_cv_.notify_all();
  if (sync_thread_.joinable()) sync_thread_.join();
  if (ttl_thread_.joinable()) ttl_thread_.join();
}

void Agent::LoadPersisted() {
  for (const auto& path : ListJson(options_.data_dir + "/services")) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    boost::system::error_code ec;
    auto v = boost::json::parse(ss.str(), ec);
    if (ec || !v.is_object()) {
      logger_.Warn("failed to load persisted service: file={} error=\"{}\"", path,
                   ec ? ec.message() : "not an object");
      continue;
    }
    auto def = ParseServiceDefinition(v.as_object());
    if (!def.ok()) {
      logger_.Warn("failed to load persisted service: file={} error=\"{}\"", path,
                   def.status().message());
      continue;
    }
    Status st = AddService(*def, true);
    if (!st.ok())
      logger_.Warn("failed to restore service: id={} error=\"{}\"", def->service.id, st.message());
  }
  for (const auto& path : ListJson(options_.data_dir + "/checks")) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    boost::system::error_code ec;
    auto v = boost::json::parse(ss.str(), ec);
    if (ec || !v.is_object()) continue;
    auto def = ParseCheckDefinition(v.as_object());
    if (!def.ok()) continue;
    Status st = AddCheck(*def, true);
    if (!st.ok())
      logger_.Warn("failed to restore check: id={} error=\"{}\"", def->id, st.message());
  }
}

void Agent::PersistService(const ServiceDefinition& def) {
  if (options_.data_dir.empty()) return;
  WriteFileAtomic(options_.data_dir + "/services/" + HexName(def.service.id),
                  boost::json::serialize(ServiceToJson(def)));
}

void Agent::PersistCheck(const CheckDefinition& def) {
  if (options_.data_dir.empty()) return;
  boost::json::object raw = def.raw;
  raw["CheckID"] = def.id;
  raw["Name"] = def.name;
  if (!def.service_id.empty()) raw["ServiceID"] = def.service_id;
  WriteFileAtomic(options_.data_dir + "/checks/" + HexName(def.id), boost::json::serialize(raw));
}

void Agent::Unpersist(const std::string& kind, const std::string& id) {
  if (options_.data_dir.empty()) return;
  ::unlink((options_.data_dir + "/" + kind + "/" + HexName(id)).c_str());
}

Status Agent::AddService(const ServiceDefinition& def, bool persist) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Re-registration replaces the service and its checks.
    if (auto it = services_.find(def.service.id); it != services_.end()) {
      for (const auto& c : it->second.checks) RemoveCheckLocked(c.id);
    }
    services_[def.service.id] = def;
    if (persist)
      persisted_services_[def.service.id] = true;
    else
      config_services_[def.service.id] = true;
    for (const auto& c : def.checks) {
      Status st = AddCheckLocked(c, false, persist);
      if (!st.ok()) return st;
    }
    dirty_ = true;
  }
  if (persist) PersistService(def);
  TriggerSync();
  return Status::OK();
}

Status Agent::RemoveService(const std::string& id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = services_.find(id);
    if (it == services_.end()) return Status::NotFound("Unknown service \"" + id + "\"");
    std::vector<std::string> check_ids;
    for (const auto& [cid, c] : checks_)
      if (c.definition.service_id == id) check_ids.push_back(cid);
    for (const auto& cid : check_ids) RemoveCheckLocked(cid);
    services_.erase(it);
    persisted_services_.erase(id);
    config_services_.erase(id);
    dirty_ = true;
  }
  Unpersist("services", id);
  TriggerSync();
  return Status::OK();
}

std::vector<state::NodeService> Agent::Services() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<state::NodeService> out;
  for (const auto& [id, d] : services_) out.push_back(d.service);
  return out;
}

std::optional<state::NodeService> Agent::Service(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = services_.find(id);
  if (it == services_.end()) return std::nullopt;
  return it->second.service;
}

Status Agent::AddCheckLocked(const CheckDefinition& def, bool persist, bool remote) {
  if (def.id.empty()) return Status::InvalidArgument("Missing check ID");
  LocalCheck lc;
  lc.definition = def;
  state::HealthCheck& h = lc.check;
  h.node = options_.node_name;
  h.check_id = def.id;
  h.name = def.name.empty() ? def.id : def.name;
  h.notes = def.notes;
  h.service_id = def.service_id;
  h.type = def.type;
  if (!def.service_id.empty()) {
    auto sit = services_.find(def.service_id);
    if (sit == services_.end())
      return Status::InvalidArgument("ServiceID \"" + def.service_id + "\" does not exist");
    h.service_name = sit->second.service.service;
    h.service_tags = sit->second.service.tags;
  }
  if (!runner_ && def.type == "script" &&
      !(options_.enable_script_checks || options_.enable_local_script_checks))
    return Status::InvalidArgument(
        "Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or "
        "'enable_local_script_checks' to true");
  h.status = def.status.empty() ? std::string(state::kCritical) : def.status;
  auto now = std::chrono::steady_clock::now();
  if (def.type == "ttl") lc.ttl_deadline = now + def.ttl;
  if (h.status == state::kCritical) lc.critical_since = now;
  lc.persisted = persist;
  if (runner_ && def.type != "ttl" && !def.type.empty()) {
    Status st = runner_->Add(def, remote);
    if (!st.ok()) return st;
  }
  checks_[def.id] = std::move(lc);
  dirty_ = true;
  ttl_cv_.notify_all();
  return Status::OK();
}

void Agent::RemoveCheckLocked(const std::string& id) {
  auto it = checks_.find(id);
  if (it == checks_.end()) return;
  if (runner_ && it->second.definition.type != "ttl") runner_->Remove(id);
  if (it->second.persisted) Unpersist("checks", id);
  checks_.erase(it);
  config_checks_.erase(id);
  dirty_ = true;
}

Status Agent::AddCheck(const CheckDefinition& def, bool persist) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    RemoveCheckLocked(def.id);
    CONSULATE_RETURN_IF_ERROR(AddCheckLocked(def, persist, persist));
    if (!persist) config_checks_[def.id] = true;
  }
  if (persist) PersistCheck(def);
  TriggerSync();
  return Status::OK();
}

Status Agent::RemoveCheck(const std::string& id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!checks_.count(id)) return Status::NotFound("Unknown check \"" + id + "\"");
    RemoveCheckLocked(id);
  }
  TriggerSync();
  return Status::OK();
}

std::vector<state::HealthCheck> Agent::Checks() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<state::HealthCheck> out;
  for (const auto& [id, c] : checks_) out.push_back(c.check);
  return out;
}

Status Agent::UpdateCheck(const std::string& id, std::string_view status, std::string output) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = checks_.find(id);
    if (it == checks_.end()) return Status::NotFound("Unknown check \"" + id + "\"");
    LocalCheck& c = it->second;
    if (output.size() > 4096) output = output.substr(0, 4096);  // Consul's check_output_max_size
    if (c.check.status == status && c.check.output == output) return Status::OK();
    if (status == state::kCritical && c.check.status != state::kCritical)
      c.critical_since = std::chrono::steady_clock::now();
    c.check.status = std::string(status);
    c.check.output = std::move(output);
    dirty_ = true;
  }
  TriggerSync();
  return Status::OK();
}

Status Agent::UpdateTTL(const std::string& id, std::string_view status, std::string output) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = checks_.find(id);
    if (it == checks_.end()) return Status::NotFound("Unknown check \"" + id + "\"");
    if (it->second.definition.type != "ttl")
      return Status::InvalidArgument("Check \"" + id + "\" is not a TTL check");
    it->second.ttl_deadline = std::chrono::steady_clock::now() + it->second.definition.ttl;
  }
  ttl_cv_.notify_all();
  return UpdateCheck(id, status, std::move(output));
}

Status Agent::EnableNodeMaintenance(const std::string& reason) {
  CheckDefinition d;
  d.id = std::string(kNodeMaintID);
  d.name = "Node Maintenance Mode";
  d.notes = reason.empty() ? "Maintenance mode is enabled for this node, but no reason was "
                             "provided. This is a default message."
                           : reason;
  d.status = std::string(state::kCritical);
  return AddCheck(d, true);
}

void Agent::DisableNodeMaintenance() { RemoveCheck(std::string(kNodeMaintID)); }

Status Agent::EnableServiceMaintenance(const std::string& service_id, const std::string& reason) {
  if (!Service(service_id))
    return Status::NotFound("No service registered with ID \"" + service_id + "\"");
  CheckDefinition d;
  d.id = std::string(kServiceMaintPrefix) + service_id;
  d.name = "Service Maintenance Mode";
  d.notes =
      reason.empty()
          ? "Maintenance mode is enabled for this service, but no reason was provided. This is a "
            "default message."
          : reason;
  d.service_id = service_id;
  d.status = std::string(state::kCritical);
  return AddCheck(d, true);
}

Status Agent::DisableServiceMaintenance(const std::string& service_id) {
  if (!Service(service_id))
    return Status::NotFound("No service registered with ID \"" + service_id + "\"");
  RemoveCheck(std::string(kServiceMaintPrefix) + service_id);
  return Status::OK();
}

void Agent::ReplaceConfigServices(const std::vector<ServiceDefinition>& services,
                                  const std::vector<CheckDefinition>& checks) {
  std::map<std::string, bool> old_services, old_checks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    old_services = config_services_;
    old_checks = config_checks_;
  }
  for (const auto& s : services) {
    old_services.erase(s.service.id);
    Status st = AddService(s, false);
    if (!st.ok())
      logger_.Warn("failed to register service from config: id={} error=\"{}\"", s.service.id,
                   st.message());
  }
  for (const auto& c : checks) {
    old_checks.erase(c.id);
    Status st = AddCheck(c, false);
    if (!st.ok())
      logger_.Warn("failed to register check from config: id={} error=\"{}\"", c.id, st.message());
  }
  for (const auto& [id, unused] : old_services) RemoveService(id);
  for (const auto& [id, unused] : old_checks) RemoveCheck(id);
}

void Agent::TriggerSync() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    dirty_ = true;
  }
  sync_cv_.notify_all();
}

void Agent::SyncThen(std::function<void()> done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      done();
      return;
    }
    sync_waiters_.push_back(std::move(done));
    dirty_ = true;
  }
  sync_cv_.notify_all();
}

void Agent::TtlLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    auto now = std::chrono::steady_clock::now();
    auto next = now + std::chrono::seconds(1);
    std::vector<std::string> expired, reap;
    for (auto& [id, c] : checks_) {
      if (c.definition.type == "ttl") {
        if (c.ttl_deadline <= now) {
          if (c.check.status != state::kCritical || c.check.output != "TTL expired")
            expired.push_back(id);
          c.ttl_deadline = now + c.definition.ttl;
        }
        next = std::min(next, c.ttl_deadline);
      }
      auto dcsa = c.definition.deregister_critical_service_after;
      if (dcsa.count() > 0 && c.check.status == state::kCritical &&
          !c.definition.service_id.empty() && now - c.critical_since >= dcsa)
        reap.push_back(c.definition.service_id);
    }
    if (!expired.empty() || !reap.empty()) {
      lock.unlock();
      for (const auto& id : expired) {
        logger_.Warn("Check TTL expired: check={}", id);
        UpdateCheck(id, state::kCritical, "TTL expired");
      }
      for (const auto& sid : reap) {
        logger_.Info(
            "removed service with critical check past DeregisterCriticalServiceAfter: service={}",
            sid);
        RemoveService(sid);
      }
      lock.lock();
      continue;
    }
    ttl_cv_.wait_until(lock, next);
  }
}

void Agent::SyncLoop() {
  auto last_full = std::chrono::steady_clock::now();
  while (true) {
    std::vector<std::function<void()>> waiters;
    {
      std::unique_lock<std::mutex> lock(mu_);
      sync_cv_.wait_until(lock, last_full + options_.ae_interval,
                          [&] { return stopping_ || dirty_; });
      if (stopping_) {
        waiters.swap(sync_waiters_);
        lock.unlock();
        for (auto& w : waiters) w();
        return;
      }
      dirty_ = false;
      waiters.swap(sync_waiters_);
    }
    Status st = SyncNow();
    for (auto& w : waiters) w();
    if (runner_) runner_->LocalStateChanged();
    if (!st.ok()) {
      logger_.Warn("Syncing to the catalog failed: error=\"{}\"", st.message());
      std::this_thread::sleep_for(std::chrono::seconds(1));
      std::lock_guard<std::mutex> lock(mu_);
      dirty_ = true;
    }
    if (std::chrono::steady_clock::now() - last_full >= options_.ae_interval)
      last_full = std::chrono::steady_clock::now();
  }
}

Status Agent::Propose(std::string command) {
  if (!catalog_) return Status::Unavailable("No known Consul servers");
  return catalog_->Apply(std::move(command));
}

Status LocalCatalog::Apply(std::string command) {
  auto promise = std::make_shared<std::promise<fsm::ApplyResult>>();
  auto future = promise->get_future();
  server_->Propose(std::move(command),
                   [promise](fsm::ApplyResult r) { promise->set_value(std::move(r)); });
  fsm::ApplyResult r = future.get();
  return r.status;
}

Status LocalCatalog::ReadNode(const std::string& node, std::optional<state::Node>* entry,
                              std::vector<state::NodeService>* services,
                              std::vector<state::HealthCheck>* checks) {
  server_->state().NodeServices(node, entry, services, nullptr);
  server_->state().NodeChecks(node, checks, nullptr);
  return Status::OK();
}

state::RegisterRequest Agent::NodeRegistration() const {
  state::RegisterRequest r;
  r.node.id = options_.node_id;
  r.node.node = options_.node_name;
  r.node.address = options_.address;
  r.node.datacenter = options_.datacenter;
  r.node.tagged_addresses = {{"lan", options_.address},
                             {"lan_ipv4", options_.address},
                             {"wan", options_.address},
                             {"wan_ipv4", options_.address}};
  r.node.meta = options_.node_meta;
  r.node.meta["consul-network-segment"] = "";
  return r;
}

// One full anti-entropy pass: make the catalog's view of this node equal the agent's.
Status Agent::SyncNow() {
  std::lock_guard<std::mutex> sync_lock(sync_mu_);
  if (!catalog_) return Status::Unavailable("No known Consul servers");
  const std::string& node = options_.node_name;

  // What the agent wants the catalog to hold.
  std::map<std::string, state::NodeService> want_services;
  std::map<std::string, state::HealthCheck> want_checks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, d] : services_) want_services[id] = d.service;
    for (const auto& [id, c] : checks_) want_checks[id] = c.check;
  }
  if (options_.server) {
    // What the leader reconciles for a server from gossip: its consul service and serfHealth.
    state::NodeService consul;
    consul.id = consul.service = "consul";
    consul.port = options_.server_port;
    consul.meta = {{"non_voter", "false"},         {"raft_version", "3"},
                   {"serf_protocol_current", "2"}, {"serf_protocol_max", "5"},
                   {"serf_protocol_min", "1"},     {"version", options_.version}};
    want_services["consul"] = consul;
  }
  state::HealthCheck serf;
  serf.node = node;
  serf.check_id = std::string(kSerfCheckID);
  serf.name = "Serf Health Status";
  serf.status = std::string(state::kPassing);
  serf.output = "Agent alive and reachable";
  want_checks[serf.check_id] = serf;

  std::optional<state::Node> have_node;
  std::vector<state::NodeService> have_services;
  std::vector<state::HealthCheck> have_checks;
  CONSULATE_RETURN_IF_ERROR(catalog_->ReadNode(node, &have_node, &have_services, &have_checks));

  state::RegisterRequest node_reg = NodeRegistration();
  bool node_ok = have_node && have_node->id == node_reg.node.id &&
                 have_node->address == node_reg.node.address &&
                 have_node->tagged_addresses == node_reg.node.tagged_addresses &&
                 have_node->meta == node_reg.node.meta;
  if (!node_ok) CONSULATE_RETURN_IF_ERROR(Propose(fsm::EncodeRegister(node_reg)));

  std::map<std::string, state::NodeService> have_s;
  for (auto& s : have_services) have_s[s.id] = s;
  std::map<std::string, state::HealthCheck> have_c;
  for (auto& c : have_checks) have_c[c.check_id] = c;

  // Deletions first, so a renamed service never has both names.
  for (const auto& [id, s] : have_s)
    if (!want_services.count(id))
      CONSULATE_RETURN_IF_ERROR(Propose(fsm::EncodeDeregister({node, id, ""})));
  for (const auto& [id, c] : have_c)
    if (!want_checks.count(id) && (c.service_id.empty() || want_services.count(c.service_id)))
      CONSULATE_RETURN_IF_ERROR(Propose(fsm::EncodeDeregister({node, "", id})));
  for (const auto& [id, s] : want_services) {
    auto it = have_s.find(id);
    if (it != have_s.end() && it->second.SameAs(s)) continue;
    state::RegisterRequest r = NodeRegistration();
    r.skip_node_update = true;
    r.service = s;
    CONSULATE_RETURN_IF_ERROR(Propose(fsm::EncodeRegister(r)));
  }
  for (auto& [id, c] : want_checks) {
    c.node = node;
    if (!c.service_id.empty()) {
      auto sit = want_services.find(c.service_id);
      if (sit == want_services.end()) continue;
      c.service_name = sit->second.service;
      c.service_tags = sit->second.tags;
    }
    auto it = have_c.find(id);
    if (it != have_c.end() && it->second.SameAs(c)) continue;
    state::RegisterRequest r = NodeRegistration();
    r.skip_node_update = true;
    r.checks.push_back(c);
    CONSULATE_RETURN_IF_ERROR(Propose(fsm::EncodeRegister(r)));
  }
  return Status::OK();
}

}  // namespace consulate::agent
