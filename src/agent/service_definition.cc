#include "agent/service_definition.h"

#include "base/duration.h"
#include "config/config.h"

namespace consulate::agent {

namespace {
using config::DefinitionField;

Status GetString(const boost::json::object& o, std::string_view name, std::string* out) {
  const boost::json::value* v = DefinitionField(o, name);
  if (!v || v->is_null()) return Status::OK();
  if (!v->is_string())
    return Status::InvalidArgument("Request decode failed: field " + std::string(name) +
                                   " must be a string");
  *out = std::string(v->as_string());
  return Status::OK();
}

Status GetInt(const boost::json::object& o, std::string_view name, int* out) {
  const boost::json::value* v = DefinitionField(o, name);
  if (!v || v->is_null()) return Status::OK();
  if (v->is_int64())
    *out = static_cast<int>(v->as_int64());
  else if (v->is_uint64())
    *out = static_cast<int>(v->as_uint64());
  else if (v->is_double())
    *out = static_cast<int>(v->as_double());
  else
    return Status::InvalidArgument("Request decode failed: field " + std::string(name) +
                                   " must be a number");
  return Status::OK();
}

Status GetBool(const boost::json::object& o, std::string_view name, bool* out) {
  const boost::json::value* v = DefinitionField(o, name);
  if (!v || v->is_null()) return Status::OK();
  if (!v->is_bool())
    return Status::InvalidArgument("Request decode failed: field " + std::string(name) +
                                   " must be a bool");
  *out = v->as_bool();
  return Status::OK();
}

Status GetDuration(const boost::json::object& o, std::string_view name,
                   std::chrono::nanoseconds* out) {
  const boost::json::value* v = DefinitionField(o, name);
  if (!v || v->is_null()) return Status::OK();
  if (v->is_string()) {
    if (v->as_string().empty()) return Status::OK();
    auto d = ParseGoDuration(v->as_string());
    if (!d.ok()) return Status::InvalidArgument("Request decode failed: " + d.status().message());
    *out = *d;
  } else if (v->is_number()) {
    *out = std::chrono::nanoseconds(v->to_number<int64_t>());  // Go: a bare number is nanoseconds
  } else {
    return Status::InvalidArgument("Request decode failed: field " + std::string(name) +
                                   " must be a duration");
  }
  return Status::OK();
}

Status GetStringMap(const boost::json::object& o, std::string_view name, state::StringMap* out) {
  const boost::json::value* v = DefinitionField(o, name);
  if (!v || v->is_null()) return Status::OK();
  if (!v->is_object())
    return Status::InvalidArgument("Request decode failed: field " + std::string(name) +
                                   " must be a map");
  for (const auto& kv : v->as_object()) {
    if (!kv.value().is_string())
      return Status::InvalidArgument("Request decode failed: " + std::string(name) +
                                     " values must be strings");
    (*out)[std::string(kv.key())] = std::string(kv.value().as_string());
  }
  return Status::OK();
}
}  // namespace

Result<CheckDefinition> ParseCheckDefinition(const boost::json::object& def) {
  CheckDefinition c;
  c.raw = def;
  CONSULATE_RETURN_IF_ERROR(GetString(def, "ID", &c.id));
  if (c.id.empty()) CONSULATE_RETURN_IF_ERROR(GetString(def, "CheckID", &c.id));
  CONSULATE_RETURN_IF_ERROR(GetString(def, "Name", &c.name));
  CONSULATE_RETURN_IF_ERROR(GetString(def, "Notes", &c.notes));
  CONSULATE_RETURN_IF_ERROR(GetString(def, "Status", &c.status));
  CONSULATE_RETURN_IF_ERROR(GetString(def, "ServiceID", &c.service_id));
  CONSULATE_RETURN_IF_ERROR(GetDuration(def, "TTL", &c.ttl));
  CONSULATE_RETURN_IF_ERROR(GetDuration(def, "Interval", &c.interval));
  CONSULATE_RETURN_IF_ERROR(
      GetDuration(def, "DeregisterCriticalServiceAfter", &c.deregister_critical_service_after));
  if (!c.status.empty() && c.status != state::kPassing && c.status != state::kWarning &&
      c.status != state::kCritical)
    return Status::InvalidArgument("Invalid check status: \"" + c.status + "\"");
  auto has = [&](std::string_view f) {
    const boost::json::value* v = DefinitionField(def, f);
    return v && !v->is_null() && !(v->is_string() && v->as_string().empty()) &&
           !(v->is_array() && v->as_array().empty());
  };
  if (c.ttl.count() > 0)
    c.type = "ttl";
  else if (has("HTTP"))
    c.type = "http";
  else if (has("TCP"))
    c.type = "tcp";
  else if (has("Args") || has("ScriptArgs") || has("Script"))
    c.type = "script";
  else if (has("AliasService") || has("AliasNode"))
    c.type = "alias";
  else if (has("GRPC"))
    c.type = "grpc";
  else if (has("DockerContainerID"))
    c.type = "docker";
  if (c.type.empty())
    return Status::InvalidArgument(
        "Check is not valid: Must provide TTL or HTTP or TCP or Args or AliasService or GRPC or "
        "DockerContainerID");
  if ((c.type == "http" || c.type == "tcp" || c.type == "script" || c.type == "grpc" ||
       c.type == "docker") &&
      c.interval.count() <= 0)
    return Status::InvalidArgument("Check is not valid: Interval must be > 0 for " + c.type +
                                   " checks");
  return c;
}

Result<ServiceDefinition> ParseServiceDefinition(const boost::json::object& def) {
  ServiceDefinition d;
  state::NodeService& s = d.service;
  CONSULATE_RETURN_IF_ERROR(GetString(def, "Kind", &s.kind));
  CONSULATE_RETURN_IF_ERROR(GetString(def, "ID", &s.id));
  CONSULATE_RETURN_IF_ERROR(GetString(def, "Name", &s.service));
  if (s.service.empty()) CONSULATE_RETURN_IF_ERROR(GetString(def, "Service", &s.service));
  if (s.service.empty()) return Status::InvalidArgument("Missing service name");
  if (s.id.empty()) s.id = s.service;
  if (const auto* tags = DefinitionField(def, "Tags"); tags && tags->is_array()) {
    for (const auto& t : tags->as_array()) {
      if (!t.is_string())
        return Status::InvalidArgument("Request decode failed: Tags must be strings");
      s.tags.emplace_back(t.as_string());
    }
  }
  CONSULATE_RETURN_IF_ERROR(GetString(def, "Address", &s.address));
  CONSULATE_RETURN_IF_ERROR(GetInt(def, "Port", &s.port));
  CONSULATE_RETURN_IF_ERROR(GetStringMap(def, "Meta", &s.meta));
  CONSULATE_RETURN_IF_ERROR(GetBool(def, "EnableTagOverride", &s.enable_tag_override));
  if (const auto* ta = DefinitionField(def, "TaggedAddresses"); ta && ta->is_object()) {
    for (const auto& kv : ta->as_object()) {
      if (!kv.value().is_object())
        return Status::InvalidArgument("Request decode failed: TaggedAddresses");
      state::ServiceAddress a;
      CONSULATE_RETURN_IF_ERROR(GetString(kv.value().as_object(), "Address", &a.address));
      CONSULATE_RETURN_IF_ERROR(GetInt(kv.value().as_object(), "Port", &a.port));
      s.tagged_addresses[std::string(kv.key())] = a;
    }
  }
  if (const auto* w = DefinitionField(def, "Weights"); w && w->is_object()) {
    CONSULATE_RETURN_IF_ERROR(GetInt(w->as_object(), "Passing", &s.weights.passing));
    CONSULATE_RETURN_IF_ERROR(GetInt(w->as_object(), "Warning", &s.weights.warning));
    if (s.weights.passing < 1) return Status::InvalidArgument("Passing must be greater than 0");
  }
  for (const auto& [k, v] : s.meta) {
    if (k.size() > 128) return Status::InvalidArgument("Key is too long (limit: 128 characters)");
    if (k.rfind("consul-", 0) == 0)
      return Status::InvalidArgument("Key prefix 'consul-' is reserved for internal use");
    if (v.size() > 512) return Status::InvalidArgument("Value is too long (limit: 512 characters)");
  }
  // Check and Checks, as Consul's ServiceDefinition.CheckTypes() gathers them.
  std::vector<const boost::json::object*> defs;
  if (const auto* c = DefinitionField(def, "Check"); c && c->is_object() && !c->as_object().empty())
    defs.push_back(&c->as_object());
  if (const auto* cs = DefinitionField(def, "Checks"); cs && cs->is_array()) {
    for (const auto& c : cs->as_array()) {
      if (!c.is_object())
        return Status::InvalidArgument("Request decode failed: Checks must be objects");
      defs.push_back(&c.as_object());
    }
  }
  for (size_t i = 0; i < defs.size(); ++i) {
    auto c = ParseCheckDefinition(*defs[i]);
    if (!c.ok()) return c.status();
    c->service_id = s.id;
    if (c->id.empty())
      c->id = "service:" + s.id + (defs.size() > 1 ? ":" + std::to_string(i + 1) : "");
    if (c->name.empty()) c->name = "Service '" + s.service + "' check";
    d.checks.push_back(std::move(*c));
  }
  return d;
}

}  // namespace consulate::agent
