// Catalog operations of StateStore (Consul's state/catalog.go): registration and deregistration of
// nodes, services and checks, and the reads behind /v1/catalog and /v1/health.
#include "state/catalog.h"

#include <algorithm>
#include <mutex>
#include <set>

#include "state/store.h"

namespace consulate::state {

namespace {
std::string NodeKey(std::string_view n) { return "n:" + std::string(n); }
std::string ServiceKey(std::string_view s) { return "s:" + std::string(s); }
constexpr std::string_view kNodesTable = "t:nodes";
constexpr std::string_view kServicesTable = "t:services";
constexpr std::string_view kChecksTable = "t:checks";

bool SameNode(const Node& a, const Node& b) {
  return a.id == b.id && a.node == b.node && a.address == b.address &&
         a.datacenter == b.datacenter && a.tagged_addresses == b.tagged_addresses &&
         a.meta == b.meta;
}
}  // namespace

// ---- writes ----

void StateStore::FinishCatalogWrite(std::unique_lock<std::shared_mutex>& lock,
                                    std::vector<std::string>& touched) {
  lock.unlock();
  if (touched.empty()) return;
  std::vector<std::shared_ptr<Waiter>> waiters;
  for (const auto& key : touched) catalog_watches_.Collect(key, &waiters);
  FireAll(waiters);
}

// Every service on `node` may answer differently now (its node or a node-level check changed).
void StateStore::TouchServicesOfNodeInTxn(uint64_t idx, const std::string& node,
                                          std::vector<std::string>* touched) {
  auto it = services_.find(node);
  if (it == services_.end()) return;
  for (const auto& [id, svc] : it->second) {
    service_indexes_[svc.service] = idx;
    touched->push_back(ServiceKey(svc.service));
  }
}

Status StateStore::EnsureNodeInTxn(uint64_t idx, const Node& in,
                                   std::vector<std::string>* touched) {
  if (in.node.empty()) return Status::InvalidArgument("Must provide node");
  auto it = nodes_.find(in.node);
  if (it != nodes_.end() && SameNode(it->second, in)) return Status::OK();
  Node n = in;
  n.create_index = it != nodes_.end() ? it->second.create_index : idx;
  n.modify_index = idx;
  nodes_[n.node] = std::move(n);
  nodes_index_ = idx;
  touched->push_back(NodeKey(in.node));
  touched->push_back(std::string(kNodesTable));
  TouchServicesOfNodeInTxn(idx, in.node, touched);
  return Status::OK();
}

Status StateStore::EnsureServiceInTxn(uint64_t idx, const std::string& node, const NodeService& in,
                                      std::vector<std::string>* touched) {
  if (!nodes_.count(node))
    return Status::InvalidArgument("failed inserting service: Missing node registration");
  auto& node_services = services_[node];
  auto it = node_services.find(in.id);
  if (it != node_services.end() && it->second.SameAs(in)) return Status::OK();
  NodeService svc = in;
  svc.create_index = it != node_services.end() ? it->second.create_index : idx;
  svc.modify_index = idx;
  if (it != node_services.end() && it->second.service != svc.service) {
    // Renamed: the old name loses this instance.
    const std::string old = it->second.service;
    auto inst = instances_.find(old);
    if (inst != instances_.end()) {
      inst->second.erase({node, in.id});
      if (inst->second.empty()) {
        instances_.erase(inst);
        service_indexes_.erase(old);
        service_extinction_index_ = idx;
      } else {
        service_indexes_[old] = idx;
      }
    }
    touched->push_back(ServiceKey(old));
  }
  instances_[svc.service][{node, svc.id}] = true;
  service_indexes_[svc.service] = idx;
  services_index_ = idx;
  touched->push_back(ServiceKey(svc.service));
  touched->push_back(NodeKey(node));
  touched->push_back(std::string(kServicesTable));
  // Checks of this service carry its name and tags.
  if (auto cit = checks_.find(node); cit != checks_.end()) {
    for (auto& [cid, c] : cit->second) {
      if (c.service_id == svc.id && (c.service_name != svc.service || c.service_tags != svc.tags)) {
        c.service_name = svc.service;
        c.service_tags = svc.tags;
        c.modify_index = idx;
        checks_index_ = idx;
      }
    }
  }
  node_services[svc.id] = std::move(svc);
  return Status::OK();
}

Status StateStore::EnsureCheckInTxn(uint64_t idx, const HealthCheck& in,
                                    std::vector<std::string>* touched) {
  if (!nodes_.count(in.node)) return Status::InvalidArgument("Missing node registration");
  HealthCheck c = in;
  if (c.status.empty()) c.status = std::string(kCritical);
  if (!c.service_id.empty()) {
    auto sit = services_.find(c.node);
    const NodeService* svc = nullptr;
    if (sit != services_.end()) {
      if (auto s2 = sit->second.find(c.service_id); s2 != sit->second.end()) svc = &s2->second;
    }
    if (!svc) return Status::InvalidArgument("Missing service registration");
    c.service_name = svc->service;
    c.service_tags = svc->tags;
  } else {
    c.service_name.clear();
    c.service_tags.clear();
  }
  auto& node_checks = checks_[c.node];
  auto it = node_checks.find(c.check_id);
  if (it != node_checks.end() && it->second.SameAs(c)) return Status::OK();
  c.create_index = it != node_checks.end() ? it->second.create_index : idx;
  c.modify_index = idx;
  checks_index_ = idx;
  touched->push_back(NodeKey(c.node));
  touched->push_back(std::string(kChecksTable));
  if (!c.service_id.empty()) {
    service_indexes_[c.service_name] = idx;
    touched->push_back(ServiceKey(c.service_name));
  } else {
    TouchServicesOfNodeInTxn(idx, c.node, touched);
  }
  node_checks[c.check_id] = std::move(c);
  return Status::OK();
}

void StateStore::DeleteCheckInTxn(uint64_t idx, const std::string& node, const std::string& id,
                                  std::vector<std::string>* touched) {
  auto cit = checks_.find(node);
  if (cit == checks_.end()) return;
  auto it = cit->second.find(id);
  if (it == cit->second.end()) return;
  if (!it->second.service_id.empty()) {
    if (instances_.count(it->second.service_name)) service_indexes_[it->second.service_name] = idx;
    touched->push_back(ServiceKey(it->second.service_name));
  } else {
    TouchServicesOfNodeInTxn(idx, node, touched);
  }
  cit->second.erase(it);
  if (cit->second.empty()) checks_.erase(cit);
  checks_index_ = idx;
  touched->push_back(NodeKey(node));
  touched->push_back(std::string(kChecksTable));
}

void StateStore::DeleteServiceInTxn(uint64_t idx, const std::string& node, const std::string& id,
                                    std::vector<std::string>* touched) {
  auto sit = services_.find(node);
  if (sit == services_.end()) return;
  auto it = sit->second.find(id);
  if (it == sit->second.end()) return;
  // Its checks go with it.
  if (auto cit = checks_.find(node); cit != checks_.end()) {
    std::vector<std::string> ids;
    for (const auto& [cid, c] : cit->second)
      if (c.service_id == id) ids.push_back(cid);
    for (const auto& cid : ids) DeleteCheckInTxn(idx, node, cid, touched);
  }
  const std::string name = it->second.service;
  sit->second.erase(it);
  if (sit->second.empty()) services_.erase(sit);
  auto inst = instances_.find(name);
  if (inst != instances_.end()) {
    inst->second.erase({node, id});
    if (inst->second.empty()) {
      instances_.erase(inst);
      service_indexes_.erase(name);
      service_extinction_index_ = idx;
    } else {
      service_indexes_[name] = idx;
    }
  }
  services_index_ = idx;
  touched->push_back(ServiceKey(name));
  touched->push_back(NodeKey(node));
  touched->push_back(std::string(kServicesTable));
}

Status StateStore::EnsureRegistration(uint64_t idx, const RegisterRequest& req) {
  std::unique_lock lock(mu_);
  last_index_ = std::max(last_index_, idx);
  std::vector<std::string> touched;
  Status st;
  // Validate everything first so a failed registration changes nothing.
  const bool node_exists = nodes_.count(req.node.node) > 0;
  if (req.node.node.empty())
    st = Status::InvalidArgument("Must provide node");
  else if (req.skip_node_update && !node_exists && req.node.address.empty())
    st = Status::InvalidArgument("Must provide address");
  if (st.ok() && !(req.skip_node_update && node_exists))
    st = EnsureNodeInTxn(idx, req.node, &touched);
  if (st.ok() && req.service) st = EnsureServiceInTxn(idx, req.node.node, *req.service, &touched);
  for (size_t i = 0; st.ok() && i < req.checks.size(); ++i) {
    HealthCheck c = req.checks[i];
    c.node = req.node.node;
    st = EnsureCheckInTxn(idx, c, &touched);
  }
  FinishCatalogWrite(lock, touched);
  return st;
}

Status StateStore::Deregister(uint64_t idx, const DeregisterRequest& req) {
  std::unique_lock lock(mu_);
  last_index_ = std::max(last_index_, idx);
  std::vector<std::string> touched;
  if (!req.service_id.empty()) {
    DeleteServiceInTxn(idx, req.node, req.service_id, &touched);
  } else if (!req.check_id.empty()) {
    DeleteCheckInTxn(idx, req.node, req.check_id, &touched);
  } else if (nodes_.count(req.node)) {
    std::vector<std::string> ids;
    if (auto sit = services_.find(req.node); sit != services_.end())
      for (const auto& [id, s] : sit->second) ids.push_back(id);
    for (const auto& id : ids) DeleteServiceInTxn(idx, req.node, id, &touched);
    std::vector<std::string> cids;
    if (auto cit = checks_.find(req.node); cit != checks_.end())
      for (const auto& [id, c] : cit->second) cids.push_back(id);
    for (const auto& id : cids) DeleteCheckInTxn(idx, req.node, id, &touched);
    DeleteCoordinatesInTxn(idx, req.node, &touched);
    nodes_.erase(req.node);
    nodes_index_ = idx;
    touched.push_back(NodeKey(req.node));
    touched.push_back(std::string(kNodesTable));
  }
  FinishCatalogWrite(lock, touched);
  return Status::OK();
}

// ---- reads ----

uint64_t StateStore::ServiceIndexInTxn(std::string_view service, bool exists,
                                       bool with_checks) const {
  if (!exists && service_extinction_index_ > 0) return service_extinction_index_;
  if (auto it = service_indexes_.find(service); it != service_indexes_.end()) return it->second;
  uint64_t idx = std::max(nodes_index_, services_index_);
  return with_checks ? std::max(idx, checks_index_) : idx;
}

uint64_t StateStore::Nodes(std::vector<Node>* out, WatchSet* ws) const {
  std::shared_lock lock(mu_);
  if (ws) ws->AddKey(&catalog_watches_, kNodesTable);
  for (const auto& [name, n] : nodes_) out->push_back(n);
  return nodes_index_;
}

uint64_t StateStore::NodeServices(std::string_view node, std::optional<Node>* out,
                                  std::vector<NodeService>* services, WatchSet* ws) const {
  std::shared_lock lock(mu_);
  if (ws) ws->AddKey(&catalog_watches_, NodeKey(node));
  out->reset();
  if (auto it = nodes_.find(node); it != nodes_.end()) {
    *out = it->second;
    if (auto sit = services_.find(node); sit != services_.end())
      for (const auto& [id, s] : sit->second) services->push_back(s);
  }
  return std::max(nodes_index_, services_index_);
}

uint64_t StateStore::Services(std::map<std::string, std::vector<std::string>>* out,
                              WatchSet* ws) const {
  std::shared_lock lock(mu_);
  if (ws) ws->AddKey(&catalog_watches_, kServicesTable);
  for (const auto& [name, inst] : instances_) {
    std::set<std::string> tags;
    for (const auto& [key, unused] : inst) {
      const NodeService& s = services_.at(key.first).at(key.second);
      tags.insert(s.tags.begin(), s.tags.end());
    }
    (*out)[name] = std::vector<std::string>(tags.begin(), tags.end());
  }
  return services_index_;
}

uint64_t StateStore::ServiceNodes(std::string_view service, bool with_checks,
                                  std::vector<ServiceInstance>* out, WatchSet* ws) const {
  std::shared_lock lock(mu_);
  if (ws) ws->AddKey(&catalog_watches_, ServiceKey(service));
  auto inst = instances_.find(service);
  if (inst != instances_.end()) {
    for (const auto& [key, unused] : inst->second) {
      ServiceInstance si;
      si.node = nodes_.at(key.first);
      si.service = services_.at(key.first).at(key.second);
      if (with_checks) {
        if (auto cit = checks_.find(key.first); cit != checks_.end()) {
          for (const auto& [cid, c] : cit->second)
            if (c.service_id.empty() || c.service_id == key.second) si.checks.push_back(c);
        }
      }
      out->push_back(std::move(si));
    }
  }
  return ServiceIndexInTxn(service, inst != instances_.end(), with_checks);
}

uint64_t StateStore::NodeChecks(std::string_view node, std::vector<HealthCheck>* out,
                                WatchSet* ws) const {
  std::shared_lock lock(mu_);
  if (ws) ws->AddKey(&catalog_watches_, NodeKey(node));
  if (auto cit = checks_.find(node); cit != checks_.end())
    for (const auto& [id, c] : cit->second) out->push_back(c);
  return checks_index_;
}

uint64_t StateStore::ServiceChecks(std::string_view service, std::vector<HealthCheck>* out,
                                   WatchSet* ws) const {
  std::shared_lock lock(mu_);
  if (ws) ws->AddKey(&catalog_watches_, ServiceKey(service));
  if (auto inst = instances_.find(service); inst != instances_.end()) {
    for (const auto& [key, unused] : inst->second) {
      auto cit = checks_.find(key.first);
      if (cit == checks_.end()) continue;
      for (const auto& [id, c] : cit->second)
        if (c.service_id == key.second) out->push_back(c);
    }
  }
  return checks_index_;
}

uint64_t StateStore::ChecksInState(std::string_view state, std::vector<HealthCheck>* out,
                                   WatchSet* ws) const {
  std::shared_lock lock(mu_);
  if (ws) ws->AddKey(&catalog_watches_, kChecksTable);
  for (const auto& [node, checks] : checks_)
    for (const auto& [id, c] : checks)
      if (state == "any" || c.status == state) out->push_back(c);
  return checks_index_;
}

}  // namespace consulate::state
