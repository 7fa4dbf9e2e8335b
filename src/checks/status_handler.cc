#include "checks/status_handler.h"

namespace consulate::checks {

bool StatusHandler::Update(const std::string& check_id, HealthStatus status, const Logger& logger) {
  if (status == HealthStatus::kPassing || status == HealthStatus::kWarning) {
    ++success_counter_;
    failures_counter_ = 0;
    if (success_counter_ >= success_before_passing_) {
      logger.Debug("Check status updated: check={} status={}", check_id, HealthStatusName(status));
      return true;
    }
    logger.Warn(
        "Check passed but has not reached success threshold: check={} status={} success_count={} "
        "success_threshold={}",
        check_id, HealthStatusName(status), success_counter_, success_before_passing_);
    return false;
  }
  ++failures_counter_;
  success_counter_ = 0;
  if (failures_counter_ >= failures_before_critical_) {
    logger.Warn("Check is now critical: check={}", check_id);
    return true;
  }
  logger.Warn(
      "Check failed but has not reached failure threshold: check={} status={} failure_count={} "
      "failure_threshold={}",
      check_id, HealthStatusName(status), failures_counter_, failures_before_critical_);
  return false;
}

}  // namespace consulate::checks
