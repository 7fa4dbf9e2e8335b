// StatusHandler: Consul's consecutive-result gating for success_before_passing and
// failures_before_critical (agent/checks StatusHandler). Pure and single-threaded: the runner
// keeps one per check and calls it from the runner thread.
#pragma once

#include <string>

#include "base/log.h"
#include "checks/check_definition.h"

namespace consulate::checks {

class StatusHandler {
 public:
  // Both counters start at their thresholds, so the first result after (re)start is reported at
  // once, whatever it is; a threshold of 0 or 1 reports every result.
  StatusHandler(int success_before_passing, int failures_before_critical)
      : success_before_passing_(success_before_passing),
        success_counter_(success_before_passing),
        failures_before_critical_(failures_before_critical),
        failures_counter_(failures_before_critical) {}

  // Records one result. Returns true when it should be reported (passing and warning count as
  // successes, critical as a failure); false while a streak is below its threshold.
  // Logs as Consul does (check_id names the check in the log lines).
  bool Update(const std::string& check_id, HealthStatus status, const Logger& logger);

  int success_counter() const { return success_counter_; }
  int failures_counter() const { return failures_counter_; }

 private:
  int success_before_passing_;
  int success_counter_;
  int failures_before_critical_;
  int failures_counter_;
};

}  // namespace consulate::checks
