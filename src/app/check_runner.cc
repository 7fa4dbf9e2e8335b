#include "app/check_runner.h"

#include "checks/check_definition.h"

namespace consulate::app {

CheckRunnerAdapter::CheckRunnerAdapter(agent::Agent* local, Logger logger,
                                       checks::RunnerOptions options) {
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
