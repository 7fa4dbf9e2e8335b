// Health-check definitions as Consul 1.8's agent accepts them (structs.CheckType /
// CheckDefinition): parsing from JSON with Consul's key spellings, CheckType.Validate's rules and
// messages, and the check's type ("http", "tcp", "ttl", "script", "alias", ...).
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/duration.h"
#include "base/result.h"
#include "base/status.h"

namespace consulate::checks {

// A check's health, as Consul's api.HealthPassing/HealthWarning/HealthCritical. (Maintenance is
// an agent-level overlay, not something a runner produces.)
enum class HealthStatus { kPassing, kWarning, kCritical };

// "passing", "warning", "critical".
std::string_view HealthStatusName(HealthStatus status);
// The inverse of HealthStatusName; exact (Consul's structs.ValidStatus is case-sensitive).
bool ParseHealthStatus(std::string_view name, HealthStatus* out);

// What runs a check, in Consul's CheckType.Type() order of precedence.
enum class CheckKind { kNone, kGrpc, kHttp, kTtl, kTcp, kAlias, kDocker, kScript };
// "grpc", "http", "ttl", "tcp", "alias", "docker", "script"; "" for kNone.
std::string_view CheckKindName(CheckKind kind);

// A parsed check definition (Consul's CheckType plus the CheckDefinition fields a runner needs).
// Zero durations and counts mean "not set".
struct CheckDefinition {
  std::string id;  // "ID" or "CheckID"
  std::string name;
  std::string notes;
  std::string service_id;      // "ServiceID": not used by the runner, kept for the agent
  std::string initial_status;  // "Status": "", "passing", "warning" or "critical"

  // HTTP(S): "HTTP", "Method" (default GET), "Header" (name -> values), "Body", "TLSSkipVerify".
  std::string http;
  std::string method;
  std::map<std::string, std::vector<std::string>> header;
  std::string body;
  bool tls_skip_verify = false;

  std::string tcp;  // "host:port"

  // Script checks: "ScriptArgs"/"Args" run directly; "Script" (the pre-1.1 field, which Consul's
  // CheckMonitor still runs) goes through `$SHELL -c` (default /bin/sh).
  std::vector<std::string> args;
  std::string script_shell_command;

  std::string docker_container_id;  // parsed only: docker checks are not run here
  std::string shell;
  std::string grpc;  // parsed only: gRPC checks are not run here
  bool grpc_use_tls = false;

  std::string alias_node;
  std::string alias_service;

  Duration ttl{0};
  Duration interval{0};
  Duration timeout{0};  // 0: the type's default (HTTP/TCP 10s, script 30s)

  int success_before_passing = 0;
  int failures_before_critical = 0;
  Duration deregister_critical_service_after{0};
  // 0: the agent's check_output_max_size (4096 by default); a positive value can only lower it.
  int output_max_size = 0;

  bool IsScript() const { return !args.empty() || !script_shell_command.empty(); }
  bool IsAlias() const { return !alias_node.empty() || !alias_service.empty(); }
  // The kind this definition runs as (CheckType.Type()); kNone when it names no runnable type.
  CheckKind Kind() const;
  std::string_view TypeName() const { return CheckKindName(Kind()); }
};

// Parses a check definition. Keys are matched as Consul's decoders do for CheckType:
// case-insensitively and with snake_case aliases ("HTTP"/"http", "TLSSkipVerify"/"tls_skip_verify",
// "DeregisterCriticalServiceAfter"/"deregister_critical_service_after", "ScriptArgs"/"script_args"/
// "Args"/"args", "CheckID"/"ID", ...). Durations are Go duration strings or numbers of nanoseconds.
// Unknown keys are ignored. Values of the wrong JSON type fail with Go's json error text, a bad
// duration with time.ParseDuration's, a status other than passing/warning/critical with
// "Bad check status", and then ValidateCheckDefinition runs.
Result<CheckDefinition> ParseCheckDefinition(const boost::json::object& object);

// Consul's CheckType.Validate, same order and messages ("Interval and TTL cannot both be
// specified", "Interval must be > 0 for Script, HTTP, or TCP checks", ...). Callers add their own
// prefix as Consul does ("Invalid check: " from the HTTP API, "Check is not valid: " in the agent).
Status ValidateCheckDefinition(const CheckDefinition& definition);

// The status a check is registered with before its first result: the definition's "Status" when
// set, critical otherwise (as Consul's CheckDefinition.HealthCheck).
HealthStatus InitialStatus(const CheckDefinition& definition);

}  // namespace consulate::checks
