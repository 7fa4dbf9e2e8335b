// Alias checks (Consul's CheckAlias): a check whose health mirrors another service instance's (or
// node's) checks. The runner does not read the agent's state itself: the agent supplies an
// AliasSource that returns the aliased checks, and calls Runner::AliasStateChanged() whenever
// they may have changed. EvaluateAlias is the pure rule (CheckAlias.processChecks).
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "checks/check_definition.h"

namespace consulate::checks {

// One health check the alias may be watching.
struct AliasedCheck {
  std::string node;
  std::string service_id;  // "" for a node-level check
  std::string name;
  HealthStatus status = HealthStatus::kCritical;
  std::string output;
};

struct AliasInput {
  // The checks of alias_node (every local check when alias_node is empty); extra checks are
  // filtered out by EvaluateAlias.
  std::vector<AliasedCheck> checks;
  // Whether alias_service is registered; consulted only when none of `checks` belongs to it.
  bool service_exists = true;
};

// Returns the aliased checks for (alias_node, alias_service). Called on the runner thread, so it
// must be thread-safe, cheap (serve remote nodes from a cache), and must not call the Runner.
using AliasSource =
    std::function<AliasInput(const std::string& alias_node, const std::string& alias_service)>;

struct AliasResult {
  HealthStatus status;
  std::string output;
};

// The alias's health: critical if any matching check is critical, else warning if any is
// warning, else passing. Matching checks are the node's checks (only alias_node's when set) that
// are node-level or belong to alias_service. Outputs as Consul's: "No checks found.",
// "All checks passing.", `Aliased check "<name>" failing: <output>`, and critical
// "Service <id> could not be found on node <node>" when the service is gone.
AliasResult EvaluateAlias(const std::string& alias_node, const std::string& alias_service,
                          const AliasInput& input);

}  // namespace consulate::checks
