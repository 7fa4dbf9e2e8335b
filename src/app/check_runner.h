// Connects the agent's local state to the check runners (checks/): the agent hands over the checks
// it holds, the runners report results back into it.
#pragma once

#include <memory>

#include "agent/agent.h"
#include "checks/runner.h"

namespace consulate::app {

class CheckRunnerAdapter : public agent::CheckRunner {
 public:
  // Alias checks read the local agent's checks, or the catalog (`store`) for another node.
  CheckRunnerAdapter(agent::Agent* local, const state::StateStore* store, Logger logger,
                     checks::RunnerOptions options);
  Status Add(const agent::CheckDefinition& def, bool remote) override;
  void Remove(const std::string& id) override;
  void LocalStateChanged() override { runner_->AliasStateChanged(); }
  void Stop();

 private:
  std::unique_ptr<checks::Runner> runner_;
};

}  // namespace consulate::app
