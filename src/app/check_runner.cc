#include "app/check_runner.h"

#include "checks/check_definition.h"

namespace consulate::app {

namespace {
checks::AliasedCheck ToAliased(const state::HealthCheck& c) {
  checks::AliasedCheck a;
  a.node = c.node;
  a.service_id = c.service_id;
  a.name = c.name;
  a.status = c.status == state::kPassing   ? checks::HealthStatus::kPassing
             : c.status == state::kWarning ? checks::HealthStatus::kWarning
                                           : checks::HealthStatus::kCritical;
  a.output = c.output;
  return a;
}
}  // namespace

CheckRunnerAdapter::CheckRunnerAdapter(agent::Agent* local, const state::StateStore* store,
                                       Logger logger, checks::RunnerOptions options) {
  options.alias_source = [local, store](const std::string& node, const std::string& service) {
    checks::AliasInput in;
    if (node.empty() || node == local->options().node_name) {
      for (const auto& c : local->Checks()) in.checks.push_back(ToAliased(c));
      in.service_exists = service.empty() || local->Service(service).has_value();
    } else if (store) {
      std::vector<state::HealthCheck> checks;
      store->NodeChecks(node, &checks, nullptr);
      for (const auto& c : checks) in.checks.push_back(ToAliased(c));
      std::optional<state::Node> n;
      std::vector<state::NodeService> services;
      store->NodeServices(node, &n, &services, nullptr);
      in.service_exists = service.empty();
      for (const auto& s : services) in.service_exists = in.service_exists || s.id == service;
    }
    return in;
  };
  runner_ = std::make_unique<checks::Runner>(
      std::move(logger),
      [local](const std::string& id, checks::HealthStatus status, std::string output) {
        // Results for checks the agent no longer has are dropped (UpdateCheck answers NotFound).
        local->UpdateCheck(id, checks::HealthStatusName(status), std::move(output));
      },
      std::move(options));
}

Status CheckRunnerAdapter::Add(const agent::CheckDefinition& def, bool remote) {
  auto parsed = checks::ParseCheckDefinition(def.raw);
  if (!parsed.ok()) return Status::InvalidArgument("Invalid check: " + parsed.status().message());
  parsed->id = def.id;
  parsed->name = def.name;
  parsed->service_id = def.service_id;
  return runner_->Add(*parsed, remote ? checks::CheckSource::kRemote : checks::CheckSource::kLocal);
}

void CheckRunnerAdapter::Remove(const std::string& id) { runner_->Remove(id); }

void CheckRunnerAdapter::Stop() { runner_->Stop(); }

}  // namespace consulate::app
