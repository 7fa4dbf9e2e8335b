// Runner: runs an agent's health checks (Consul 1.8's agent/checks) on one io_context thread.
//
//   HTTP(S), TCP, script: run every interval (the first run at a random point within the first
//     interval, lib.RandomStagger), each result gated by success_before_passing /
//     failures_before_critical (StatusHandler).
//   TTL: critical with "TTL expired" unless UpdateTTL is called within each TTL.
//   Alias: mirrors other checks through RunnerOptions::alias_source.
//
// The runner reports results through UpdateFn and keeps no check state of its own: the agent
// registers each check with InitialStatus(definition) and applies the updates.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "base/duration.h"
#include "base/log.h"
#include "base/status.h"
#include "checks/alias.h"
#include "checks/check_definition.h"

namespace consulate::checks {

// Called with every result to report, one call at a time: from the runner thread, or from the
// caller's thread inside UpdateTTL. It must be cheap and must not call back into the Runner. The
// runner holds only its delivery lock meanwhile, so UpdateFn may take the agent's locks, but
// UpdateTTL and Stop must then not be called with such a lock held (Add, Remove and
// AliasStateChanged may be). A result already being delivered when its check is removed or
// replaced can still arrive after Remove/Add returns: ignore updates for unknown checks, as
// Consul's local state does.
using UpdateFn =
    std::function<void(const std::string& check_id, HealthStatus status, std::string output)>;

// The agent's TLS material for HTTPS checks (Consul's enable_agent_tls_for_checks with ca_file,
// ca_path, cert_file and key_file). Without it HTTPS checks trust the system's CAs and present no
// client certificate, as Consul's OutgoingTLSConfigForCheck does.
struct CheckTlsOptions {
  bool enable_agent_tls_for_checks = false;
  std::string ca_file;
  std::string ca_path;
  std::string cert_file;
  std::string key_file;
};

struct RunnerOptions {
  // Consul's enable_script_checks: script checks registered through the HTTP API
  // (CheckSource::kRemote) are allowed. Implies enable_local_script_checks.
  bool enable_script_checks = false;
  // Consul's enable_local_script_checks: script checks from configuration files are allowed.
  bool enable_local_script_checks = false;
  // The agent's check_output_max_size; a check's own output_max_size can only lower it.
  int output_max_size = 4096;
  // Consul's checks.MinInterval: shorter intervals are raised to it with a warning. Tests lower it.
  Duration min_interval = std::chrono::seconds(1);
  // Start each interval check at a random point within its first interval. Tests turn it off so
  // the first run is immediate.
  bool stagger = true;
  CheckTlsOptions tls;
  // Feeds alias checks; without it Add() rejects them.
  AliasSource alias_source;
};

// Where a check registration came from (Consul's ConfigSourceLocal / ConfigSourceRemote); only
// script checks care.
enum class CheckSource { kLocal, kRemote };

class Runner {
 public:
  // enable_script_checks allows script checks from every source.
  Runner(Logger logger, UpdateFn update, bool enable_script_checks);
  Runner(Logger logger, UpdateFn update, RunnerOptions options);
  ~Runner();  // Stop()
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Starts running `definition` (replacing a check with the same id, whose later results are
  // dropped). Fails with InvalidArgument: "Check is not valid: <ValidateCheckDefinition error>",
  // Consul's "Scripts are disabled on this agent; ..." messages, or for check types this runner
  // cannot run (gRPC, Docker); with Unavailable once stopped.
  Status Add(const CheckDefinition& definition, CheckSource source = CheckSource::kLocal);
  // Stops a check: no new result for it is reported (see UpdateFn for one already in flight).
  // Unknown ids are ignored.
  void Remove(const std::string& id);
  // A TTL check's pass/warn/fail/update: reports `status` with `output` (cut to the output limit
  // as Consul's CheckTTL.SetStatus words it) through UpdateFn before returning, and restarts the
  // TTL. NotFound
  // `CheckID "<id>" does not have associated TTL` for an unknown or non-TTL check.
  Status UpdateTTL(const std::string& id, HealthStatus status, std::string output);
  // The state alias checks read may have changed: re-evaluates every alias check (coalesced).
  void AliasStateChanged();
  // Whether a check with this id is running.
  bool Has(const std::string& id) const;
  // Stops every check, kills running scripts and joins the thread. Idempotent.
  void Stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace consulate::checks
