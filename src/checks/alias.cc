#include "checks/alias.h"

namespace consulate::checks {

namespace {

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

AliasResult EvaluateAlias(const std::string& alias_node, const std::string& alias_service,
                          const AliasInput& input) {
  AliasResult result{HealthStatus::kPassing, "No checks found."};
  bool service_found = false;
  for (const AliasedCheck& check : input.checks) {
    if (!alias_node.empty() && alias_node != check.node) continue;
    const bool service_match = check.service_id == alias_service;
    if (!check.service_id.empty() && !service_match) continue;
    if (service_match) service_found = true;
    if (check.status == HealthStatus::kCritical || check.status == HealthStatus::kWarning) {
      result.status = check.status;
      result.output = "Aliased check " + Quote(check.name) + " failing: " + check.output;
      // A critical check decides it; a warning may still be outdone by a critical one.
      if (check.status == HealthStatus::kCritical) break;
    } else if (result.status == HealthStatus::kPassing) {
      result.output = "All checks passing.";
    }
  }
  if (!service_found && !alias_service.empty() && !input.service_exists) {
    result.status = HealthStatus::kCritical;
    result.output = "Service " + alias_service + " could not be found on node " + alias_node;
  }
  return result;
}

}  // namespace consulate::checks
