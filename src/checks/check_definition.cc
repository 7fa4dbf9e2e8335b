#include "checks/check_definition.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <cmath>
#include <cstdint>

namespace consulate::checks {

namespace json = boost::json;

std::string_view HealthStatusName(HealthStatus status) {
  switch (status) {
    case HealthStatus::kPassing:
      return "passing";
    case HealthStatus::kWarning:
      return "warning";
    case HealthStatus::kCritical:
      return "critical";
  }
  return "critical";
}

bool ParseHealthStatus(std::string_view name, HealthStatus* out) {
  if (name == "passing")
    *out = HealthStatus::kPassing;
  else if (name == "warning")
    *out = HealthStatus::kWarning;
  else if (name == "critical")
    *out = HealthStatus::kCritical;
  else
    return false;
  return true;
}

std::string_view CheckKindName(CheckKind kind) {
  switch (kind) {
    case CheckKind::kNone:
      return "";
    case CheckKind::kGrpc:
      return "grpc";
    case CheckKind::kHttp:
      return "http";
    case CheckKind::kTtl:
      return "ttl";
    case CheckKind::kTcp:
      return "tcp";
    case CheckKind::kAlias:
      return "alias";
    case CheckKind::kDocker:
      return "docker";
    case CheckKind::kScript:
      return "script";
  }
  return "";
}

CheckKind CheckDefinition::Kind() const {
  const bool has_interval = interval.count() > 0;
  if (!grpc.empty() && has_interval) return CheckKind::kGrpc;
  if (!http.empty() && has_interval) return CheckKind::kHttp;
  if (ttl.count() > 0) return CheckKind::kTtl;
  if (!tcp.empty() && has_interval) return CheckKind::kTcp;
  if (IsAlias()) return CheckKind::kAlias;
  if (IsScript() && !docker_container_id.empty() && has_interval) return CheckKind::kDocker;
  if (IsScript() && has_interval) return CheckKind::kScript;
  return CheckKind::kNone;
}

namespace {

// Consul decodes check definitions case-insensitively (encoding/json) and translates the
// snake_case spellings (lib.TranslateKeys / the CheckType aliases), so "TLSSkipVerify",
// "tlsskipverify" and "tls_skip_verify" are one key: lower-case it and drop the underscores.
std::string NormalizeKey(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (c == '_') continue;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

std::string_view JsonTypeName(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string:
      return "string";
    case json::kind::bool_:
      return "bool";
    case json::kind::array:
      return "array";
    case json::kind::object:
      return "object";
    case json::kind::null:
      return "null";
    default:
      return "number";
  }
}

Status TypeError(const json::value& v, std::string_view field, std::string_view go_type) {
  std::string got(JsonTypeName(v));
  if (v.is_double() && go_type == "int") got += fmt::format(" {}", v.get_double());
  return Status::InvalidArgument("json: cannot unmarshal " + got +
                                 " into Go struct field CheckDefinition." + std::string(field) +
                                 " of type " + std::string(go_type));
}

Status GetString(const json::value& v, std::string_view field, std::string* out) {
  if (!v.is_string()) return TypeError(v, field, "string");
  *out = std::string(v.get_string());
  return Status::OK();
}

Status GetBool(const json::value& v, std::string_view field, bool* out) {
  if (!v.is_bool()) return TypeError(v, field, "bool");
  *out = v.get_bool();
  return Status::OK();
}

Status GetInt(const json::value& v, std::string_view field, int* out) {
  if (v.is_int64()) {
    *out = static_cast<int>(v.get_int64());
  } else if (v.is_uint64()) {
    *out = static_cast<int>(v.get_uint64());
  } else if (v.is_double() && std::floor(v.get_double()) == v.get_double()) {
    *out = static_cast<int>(v.get_double());
  } else {
    return TypeError(v, field, "int");
  }
  return Status::OK();
}

Status GetStringList(const json::value& v, std::string_view field, std::vector<std::string>* out) {
  if (!v.is_array()) return TypeError(v, field, "[]string");
  out->clear();
  for (const json::value& item : v.get_array()) {
    if (item.is_null()) {
      out->emplace_back();
      continue;
    }
    if (!item.is_string()) return TypeError(item, field, "string");
    out->emplace_back(item.get_string());
  }
  return Status::OK();
}

// CheckType's Interval/Timeout/TTL/DeregisterCriticalServiceAfter are decoded through
// interface{}: a string is a Go duration, a number is nanoseconds, anything else is ignored.
Status GetDuration(const json::value& v, Duration* out) {
  if (v.is_string()) {
    Result<Duration> d = ParseGoDuration(v.get_string());
    if (!d.ok()) return d.status();
    *out = *d;
  } else if (v.is_int64()) {
    *out = Duration(v.get_int64());
  } else if (v.is_uint64()) {
    *out = Duration(static_cast<int64_t>(v.get_uint64()));
  } else if (v.is_double()) {
    *out = Duration(static_cast<int64_t>(v.get_double()));
  }
  return Status::OK();
}

Status GetHeader(const json::value& v, std::map<std::string, std::vector<std::string>>* out) {
  if (!v.is_object()) return TypeError(v, "Header", "map[string][]string");
  out->clear();
  for (const auto& item : v.get_object()) {
    if (item.value().is_null()) {
      (*out)[std::string(item.key())];
      continue;
    }
    std::vector<std::string> values;
    CONSULATE_RETURN_IF_ERROR(GetStringList(item.value(), "Header", &values));
    (*out)[std::string(item.key())] = std::move(values);
  }
  return Status::OK();
}

}  // namespace

Result<CheckDefinition> ParseCheckDefinition(const json::object& object) {
  CheckDefinition def;
  std::vector<std::string> script_args;  // "ScriptArgs"/"script_args": wins over "Args"
  bool have_script_args = false;
  for (const auto& item : object) {
    const json::value& v = item.value();
    if (v.is_null()) continue;  // encoding/json leaves the field unset
    const std::string key = NormalizeKey(item.key());
    Status st;
    if (key == "id" || key == "checkid")
      st = GetString(v, "ID", &def.id);
    else if (key == "name")
      st = GetString(v, "Name", &def.name);
    else if (key == "notes")
      st = GetString(v, "Notes", &def.notes);
    else if (key == "serviceid")
      st = GetString(v, "ServiceID", &def.service_id);
    else if (key == "status")
      st = GetString(v, "Status", &def.initial_status);
    else if (key == "http")
      st = GetString(v, "HTTP", &def.http);
    else if (key == "method")
      st = GetString(v, "Method", &def.method);
    else if (key == "header")
      st = GetHeader(v, &def.header);
    else if (key == "body")
      st = GetString(v, "Body", &def.body);
    else if (key == "tlsskipverify")
      st = GetBool(v, "TLSSkipVerify", &def.tls_skip_verify);
    else if (key == "tcp")
      st = GetString(v, "TCP", &def.tcp);
    else if (key == "scriptargs") {
      st = GetStringList(v, "ScriptArgs", &script_args);
      have_script_args = !script_args.empty();
    } else if (key == "args")
      st = GetStringList(v, "ScriptArgs", &def.args);
    else if (key == "script")
      st = GetString(v, "Script", &def.script_shell_command);
    else if (key == "dockercontainerid")
      st = GetString(v, "DockerContainerID", &def.docker_container_id);
    else if (key == "shell")
      st = GetString(v, "Shell", &def.shell);
    else if (key == "grpc")
      st = GetString(v, "GRPC", &def.grpc);
    else if (key == "grpcusetls")
      st = GetBool(v, "GRPCUseTLS", &def.grpc_use_tls);
    else if (key == "aliasnode")
      st = GetString(v, "AliasNode", &def.alias_node);
    else if (key == "aliasservice")
      st = GetString(v, "AliasService", &def.alias_service);
    else if (key == "ttl")
      st = GetDuration(v, &def.ttl);
    else if (key == "interval")
      st = GetDuration(v, &def.interval);
    else if (key == "timeout")
      st = GetDuration(v, &def.timeout);
    else if (key == "deregistercriticalserviceafter")
      st = GetDuration(v, &def.deregister_critical_service_after);
    else if (key == "successbeforepassing")
      st = GetInt(v, "SuccessBeforePassing", &def.success_before_passing);
    else if (key == "failuresbeforecritical")
      st = GetInt(v, "FailuresBeforeCritical", &def.failures_before_critical);
    else if (key == "outputmaxsize")
      st = GetInt(v, "OutputMaxSize", &def.output_max_size);
    if (!st.ok()) return st;
  }
  if (have_script_args) def.args = std::move(script_args);

  HealthStatus ignored;
  if (!def.initial_status.empty() && !ParseHealthStatus(def.initial_status, &ignored)) {
    return Status::InvalidArgument("Bad check status");
  }
  CONSULATE_RETURN_IF_ERROR(ValidateCheckDefinition(def));
  return def;
}

Status ValidateCheckDefinition(const CheckDefinition& def) {
  const bool interval_check =
      def.IsScript() || !def.http.empty() || !def.tcp.empty() || !def.grpc.empty();
  if (def.interval.count() > 0 && def.ttl.count() > 0) {
    return Status::InvalidArgument("Interval and TTL cannot both be specified");
  }
  if (interval_check && def.interval.count() <= 0) {
    return Status::InvalidArgument("Interval must be > 0 for Script, HTTP, or TCP checks");
  }
  if (interval_check && def.IsAlias()) {
    return Status::InvalidArgument("Interval cannot be set for Alias checks");
  }
  if (def.IsAlias() && def.ttl.count() > 0) {
    return Status::InvalidArgument("TTL must be not be set for Alias checks");
  }
  if (!interval_check && !def.IsAlias() && def.ttl.count() <= 0) {
    return Status::InvalidArgument("TTL must be > 0 for TTL checks");
  }
  if (def.output_max_size < 0) return Status::InvalidArgument("MaxOutputMaxSize must be positive");
  return Status::OK();
}

HealthStatus InitialStatus(const CheckDefinition& def) {
  HealthStatus status = HealthStatus::kCritical;
  if (!def.initial_status.empty()) ParseHealthStatus(def.initial_status, &status);
  return status;
}

}  // namespace consulate::checks
