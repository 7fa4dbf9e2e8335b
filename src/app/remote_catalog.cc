#include "app/remote_catalog.h"

#include <future>

#include "server/forward_codec.h"

namespace consulate::app {

void ServerRouter::Call(uint8_t method, std::string body, std::chrono::milliseconds timeout,
                        std::function<void(Result<std::string>)> done) {
  const std::vector<std::string> servers = cluster_->Servers();
  if (servers.empty()) {
    done(Status::Unavailable("No known Consul servers"));
    return;
  }
  const size_t pick = pick_.load();
  const std::string addr = servers[pick % servers.size()];
  transport_->Call(addr, method, std::move(body), timeout,
                   [this, pick, done = std::move(done)](Result<std::string> r) {
                     if (!r.ok() && r.status().message().find("connection to") == 0) {
                       size_t expected = pick;
                       pick_.compare_exchange_strong(expected, pick + 1);
                     }
                     done(std::move(r));
                   });
}

Result<std::string> ServerRouter::CallSync(uint8_t method, std::string body,
                                           std::chrono::milliseconds timeout) {
  auto p = std::make_shared<std::promise<Result<std::string>>>();
  auto f = p->get_future();
  Call(method, std::move(body), timeout,
       [p](Result<std::string> r) { p->set_value(std::move(r)); });
  return f.get();
}

Status RemoteCatalog::Apply(std::string command) {
  auto r = router_->CallSync(static_cast<uint8_t>(server::RpcMethod::kApply), std::move(command),
                             std::chrono::seconds(30));
  if (!r.ok()) return r.status();
  fsm::ApplyResult res;
  CONSULATE_RETURN_IF_ERROR(server::DecodeApplyResult(*r, &res));
  return res.status;
}

Status RemoteCatalog::ReadNode(const std::string& node, std::optional<state::Node>* entry,
                               std::vector<state::NodeService>* services,
                               std::vector<state::HealthCheck>* checks) {
  auto r = router_->CallSync(static_cast<uint8_t>(server::RpcMethod::kReadNode), node,
                             std::chrono::seconds(30));
  if (!r.ok()) return r.status();
  return server::DecodeNodeRead(*r, entry, services, checks);
}

}  // namespace consulate::app
