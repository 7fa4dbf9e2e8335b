#include "cli/services_config.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <cctype>
#include <climits>
#include <map>
#include <optional>
#include <span>
#include <string_view>

#include "api/go_compat.h"
#include "base/duration.h"
#include "config/config.h"

namespace consulate::cli {

namespace {

namespace json = boost::json;

// ---- The shape of a service definition in a config file (Consul 1.8's config.ServiceDefinition
// and the structs below it), fields in declaration order: mapstructure decodes them in that order,
// which fixes the order of nested "invalid config key" errors.

enum class FieldType {
  kString,
  kDuration,  // a string, parsed when the registration is built
  kInt,
  kBool,
  kStringList,
  kStringMap,
  kHeaderMap,   // map[string][]string
  kRawMap,      // map[string]interface{}: anything goes
  kObject,      // a nested struct
  kObjectList,  // []struct
  kObjectMap,   // map[string]struct
};

struct Schema;

struct Field {
  std::string_view name;  // the config key
  FieldType type;
  const Schema* nested = nullptr;
  std::string_view alias = {};  // a legacy spelling, lower case, that Consul translates
};

struct Schema {
  std::span<const Field> fields;
};

extern const Schema kServiceSchema;

constexpr Field kWeightsFields[] = {{"passing", FieldType::kInt}, {"warning", FieldType::kInt}};
constexpr Schema kWeightsSchema{kWeightsFields};

constexpr Field kAddressFields[] = {{"address", FieldType::kString}, {"port", FieldType::kInt}};
constexpr Schema kAddressSchema{kAddressFields};

constexpr Field kCheckFields[] = {
    {"id", FieldType::kString},
    {"name", FieldType::kString},
    {"notes", FieldType::kString},
    {"service_id", FieldType::kString, nullptr, "serviceid"},
    {"token", FieldType::kString},
    {"status", FieldType::kString},
    {"args", FieldType::kStringList, nullptr, "scriptargs"},
    {"http", FieldType::kString},
    {"header", FieldType::kHeaderMap},
    {"method", FieldType::kString},
    {"body", FieldType::kString},
    {"tcp", FieldType::kString},
    {"interval", FieldType::kDuration},
    {"docker_container_id", FieldType::kString, nullptr, "dockercontainerid"},
    {"shell", FieldType::kString},
    {"grpc", FieldType::kString},
    {"grpc_use_tls", FieldType::kBool},
    {"tls_skip_verify", FieldType::kBool, nullptr, "tlsskipverify"},
    {"alias_node", FieldType::kString},
    {"alias_service", FieldType::kString},
    {"timeout", FieldType::kDuration},
    {"ttl", FieldType::kDuration},
    {"success_before_passing", FieldType::kInt},
    {"failures_before_critical", FieldType::kInt},
    {"deregister_critical_service_after", FieldType::kDuration, nullptr,
     "deregistercriticalserviceafter"},
    {"output_max_size", FieldType::kInt},
};
constexpr Schema kCheckSchema{kCheckFields};

constexpr Field kMeshGatewayFields[] = {{"mode", FieldType::kString}};
constexpr Schema kMeshGatewaySchema{kMeshGatewayFields};

constexpr Field kUpstreamFields[] = {
    {"destination_type", FieldType::kString},
    {"destination_namespace", FieldType::kString},
    {"destination_name", FieldType::kString},
    {"datacenter", FieldType::kString},
    {"local_bind_address", FieldType::kString},
    {"local_bind_port", FieldType::kInt},
    {"config", FieldType::kRawMap},
    {"mesh_gateway", FieldType::kObject, &kMeshGatewaySchema},
};
constexpr Schema kUpstreamSchema{kUpstreamFields};

constexpr Field kExposePathFields[] = {
    {"listener_port", FieldType::kInt},
    {"path", FieldType::kString},
    {"local_path_port", FieldType::kInt},
    {"protocol", FieldType::kString},
};
constexpr Schema kExposePathSchema{kExposePathFields};

constexpr Field kExposeFields[] = {
    {"checks", FieldType::kBool},
    {"paths", FieldType::kObjectList, &kExposePathSchema},
};
constexpr Schema kExposeSchema{kExposeFields};

constexpr Field kProxyFields[] = {
    {"destination_service_name", FieldType::kString},
    {"destination_service_id", FieldType::kString},
    {"local_service_address", FieldType::kString},
    {"local_service_port", FieldType::kInt},
    {"config", FieldType::kRawMap},
    {"upstreams", FieldType::kObjectList, &kUpstreamSchema},
    {"mesh_gateway", FieldType::kObject, &kMeshGatewaySchema},
    {"expose", FieldType::kObject, &kExposeSchema},
};
constexpr Schema kProxySchema{kProxyFields};

constexpr Field kConnectFields[] = {
    {"native", FieldType::kBool},
    {"sidecar_service", FieldType::kObject, &kServiceSchema},
};
constexpr Schema kConnectSchema{kConnectFields};

constexpr Field kServiceFields[] = {
    {"kind", FieldType::kString},
    {"id", FieldType::kString},
    {"name", FieldType::kString},
    {"tags", FieldType::kStringList},
    {"address", FieldType::kString},
    {"tagged_addresses", FieldType::kObjectMap, &kAddressSchema},
    {"meta", FieldType::kStringMap},
    {"port", FieldType::kInt},
    {"check", FieldType::kObject, &kCheckSchema},
    {"checks", FieldType::kObjectList, &kCheckSchema},
    {"token", FieldType::kString},
    {"weights", FieldType::kObject, &kWeightsSchema},
    {"enable_tag_override", FieldType::kBool},
    {"proxy", FieldType::kObject, &kProxySchema},
    {"connect", FieldType::kObject, &kConnectSchema},
};
const Schema kServiceSchema{kServiceFields};

bool EqualFold(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The field `key` names: exactly, else in another case, else by its legacy spelling.
const Field* FindField(const Schema& schema, std::string_view key) {
  for (const Field& f : schema.fields) {
    if (f.name == key) return &f;
  }
  for (const Field& f : schema.fields) {
    if (EqualFold(f.name, key)) return &f;
  }
  std::string lower = Lower(key);
  for (const Field& f : schema.fields) {
    if (!f.alias.empty() && f.alias == lower) return &f;
  }
  return nullptr;
}

// decode.HookWeakDecodeFromSlice: a one-element list stands for its element (HCL blocks are lists).
const json::value& Unwrap(const json::value& v) {
  if (v.is_array() && v.as_array().size() == 1) return v.as_array()[0];
  return v;
}

// Checks definitions against the schema in mapstructure's way and words.
class DefinitionChecker {
 public:
  DefinitionChecker(bool from_hcl, config::DecodeIssues* issues)
      : hcl_(from_hcl), issues_(issues) {}

  void CheckObject(const json::object& o, const Schema& schema, const std::string& path) {
    std::vector<const json::value*> values(schema.fields.size(), nullptr);
    std::vector<std::string> unknown;
    for (const auto& kv : o) {
      const Field* f = FindField(schema, kv.key());
      if (f == nullptr) {
        unknown.push_back(path + "." + std::string(kv.key()));
        continue;
      }
      values[static_cast<size_t>(f - schema.fields.data())] = &kv.value();
    }
    for (size_t i = 0; i < schema.fields.size(); ++i) {
      if (values[i] == nullptr || values[i]->is_null()) continue;
      const Field& f = schema.fields[i];
      CheckValue(*values[i], f, path + "." + std::string(f.name));
    }
    std::sort(unknown.begin(), unknown.end());
    for (std::string& key : unknown) issues_->unused_keys.push_back(std::move(key));
  }

 private:
  void CheckValue(const json::value& raw, const Field& f, const std::string& path) {
    bool list = f.type == FieldType::kStringList || f.type == FieldType::kObjectList;
    const json::value& v = list ? raw : Unwrap(raw);
    switch (f.type) {
      case FieldType::kString:
      case FieldType::kDuration:
        if (!v.is_string()) Unconvertible(path, "string", v);
        return;
      case FieldType::kInt:
        if (!v.is_number()) Unconvertible(path, "int", v);
        return;
      case FieldType::kBool:
        if (!v.is_bool()) Unconvertible(path, "bool", v);
        return;
      case FieldType::kStringList:
        if (!ExpectList(v, path)) return;
        for (size_t i = 0; i < v.as_array().size(); ++i) {
          const json::value& e = Unwrap(v.as_array()[i]);
          if (!e.is_string()) Unconvertible(path + "[" + std::to_string(i) + "]", "string", e);
        }
        return;
      case FieldType::kStringMap:
        if (!ExpectMap(v, path)) return;
        for (const auto& kv : v.as_object()) {
          const json::value& e = Unwrap(kv.value());
          if (!e.is_string()) Unconvertible(path + "[" + std::string(kv.key()) + "]", "string", e);
        }
        return;
      case FieldType::kHeaderMap:
        if (!ExpectMap(v, path)) return;
        for (const auto& kv : v.as_object()) {
          std::string entry = path + "[" + std::string(kv.key()) + "]";
          if (!ExpectList(kv.value(), entry)) continue;
          for (size_t i = 0; i < kv.value().as_array().size(); ++i) {
            const json::value& e = Unwrap(kv.value().as_array()[i]);
            if (!e.is_string()) Unconvertible(entry + "[" + std::to_string(i) + "]", "string", e);
          }
        }
        return;
      case FieldType::kRawMap:
        ExpectMap(v, path);
        return;
      case FieldType::kObject:
        if (ExpectMap(v, path)) CheckObject(v.as_object(), *f.nested, path);
        return;
      case FieldType::kObjectList:
        if (!ExpectList(v, path)) return;
        for (size_t i = 0; i < v.as_array().size(); ++i) {
          const json::value& e = Unwrap(v.as_array()[i]);
          std::string element = path + "[" + std::to_string(i) + "]";
          if (ExpectMap(e, element)) CheckObject(e.as_object(), *f.nested, element);
        }
        return;
      case FieldType::kObjectMap:
        if (!ExpectMap(v, path)) return;
        for (const auto& kv : v.as_object()) {
          const json::value& e = Unwrap(kv.value());
          std::string element = path + "[" + std::string(kv.key()) + "]";
          if (ExpectMap(e, element)) CheckObject(e.as_object(), *f.nested, element);
        }
        return;
    }
  }

  bool ExpectList(const json::value& v, const std::string& path) {
    if (v.is_array()) return true;
    issues_->decode_errors.push_back("'" + path + "': source data must be an array or slice, got " +
                                     KindName(v));
    return false;
  }

  bool ExpectMap(const json::value& v, const std::string& path) {
    if (v.is_object()) return true;
    issues_->decode_errors.push_back("'" + path + "' expected a map, got '" + KindName(v) + "'");
    return false;
  }

  void Unconvertible(const std::string& path, std::string_view want, const json::value& v) {
    issues_->decode_errors.push_back("'" + path + "' expected type '" + std::string(want) +
                                     "', got unconvertible type '" + TypeName(v) + "'");
  }

  // The Go type a parsed JSON or HCL value has, as mapstructure quotes it.
  std::string TypeName(const json::value& v) const {
    switch (v.kind()) {
      case json::kind::string:
        return "string";
      case json::kind::bool_:
        return "bool";
      case json::kind::int64:
      case json::kind::uint64:
        return hcl_ ? "int" : "float64";
      case json::kind::double_:
        return "float64";
      case json::kind::array:
        return "[]interface {}";
      case json::kind::object:
        return hcl_ ? "[]map[string]interface {}" : "map[string]interface {}";
      case json::kind::null:
        break;
    }
    return "<nil>";
  }

  // The reflect.Kind name of a parsed value.
  std::string KindName(const json::value& v) const {
    switch (v.kind()) {
      case json::kind::string:
        return "string";
      case json::kind::bool_:
        return "bool";
      case json::kind::int64:
      case json::kind::uint64:
        return hcl_ ? "int" : "float64";
      case json::kind::double_:
        return "float64";
      case json::kind::array:
        return "slice";
      case json::kind::object:
        return "map";
      case json::kind::null:
        break;
    }
    return "invalid";
  }

  bool hcl_;
  config::DecodeIssues* issues_;
};

// ---- Reading the checked definitions.

// The value of `field` in a checked definition (any accepted spelling), unwrapped, or null.
const json::value* Get(const json::object& o, const Schema& schema, std::string_view field) {
  const json::value* found = nullptr;
  for (const auto& kv : o) {
    const Field* f = FindField(schema, kv.key());
    if (f != nullptr && f->name == field && !kv.value().is_null()) found = &kv.value();
  }
  if (found == nullptr) return nullptr;
  bool list = false;
  for (const Field& f : schema.fields) {
    if (f.name == field) {
      list = f.type == FieldType::kStringList || f.type == FieldType::kObjectList;
    }
  }
  return list ? found : &Unwrap(*found);
}

std::string GetString(const json::object& o, const Schema& schema, std::string_view field) {
  const json::value* v = Get(o, schema, field);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// mapstructure's conversion of a JSON number to a Go int (floats truncate toward zero).
int64_t GetInt(const json::object& o, const Schema& schema, std::string_view field,
               int64_t fallback = 0) {
  const json::value* v = Get(o, schema, field);
  if (v == nullptr) return fallback;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(std::min<uint64_t>(v->as_uint64(), INT64_MAX));
  if (v->is_double()) {
    double d = v->as_double();
    if (d >= 9223372036854775807.0) return INT64_MAX;
    if (d <= -9223372036854775808.0) return INT64_MIN;
    return static_cast<int64_t>(d);
  }
  return fallback;
}

bool GetBool(const json::object& o, const Schema& schema, std::string_view field) {
  const json::value* v = Get(o, schema, field);
  return v != nullptr && v->is_bool() && v->as_bool();
}

const json::object* GetObject(const json::object& o, const Schema& schema, std::string_view field) {
  const json::value* v = Get(o, schema, field);
  return v != nullptr && v->is_object() ? &v->as_object() : nullptr;
}

std::vector<const json::object*> GetObjectList(const json::object& o, const Schema& schema,
                                               std::string_view field) {
  std::vector<const json::object*> out;
  const json::value* v = Get(o, schema, field);
  if (v == nullptr || !v->is_array()) return out;
  for (const json::value& e : v->as_array()) {
    const json::value& element = Unwrap(e);
    if (element.is_object()) out.push_back(&element.as_object());
  }
  return out;
}

void SetIfNotEmpty(json::object* out, std::string_view key, const std::string& value) {
  if (!value.empty()) (*out)[key] = value;
}

void SetIfNotZero(json::object* out, std::string_view key, int64_t value) {
  if (value != 0) (*out)[key] = value;
}

// A map with its keys sorted, as Go's encoder writes maps.
template <typename Convert>
json::object SortedObject(const json::object& in, Convert convert) {
  std::map<std::string, const json::value*> sorted;
  for (const auto& kv : in) sorted[std::string(kv.key())] = &kv.value();
  json::object out;
  for (const auto& [key, value] : sorted) out[key] = convert(Unwrap(*value));
  return out;
}

// The first duration problem found while building, worded as Consul's builder (which stops at it).
class RegistrationBuilder {
 public:
  Status status() const { return status_; }

  json::object Service(const json::object& d, bool top_level) {
    const Schema& s = kServiceSchema;
    json::object out;
    SetIfNotEmpty(&out, "Kind", GetString(d, s, "kind"));
    SetIfNotEmpty(&out, "ID", GetString(d, s, "id"));
    SetIfNotEmpty(&out, "Name", GetString(d, s, "name"));
    if (const json::value* tags = Get(d, s, "tags"); tags != nullptr && tags->is_array()) {
      json::array list;
      for (const json::value& t : tags->as_array()) list.push_back(Unwrap(t));
      if (!list.empty()) out["Tags"] = std::move(list);
    }
    SetIfNotZero(&out, "Port", GetInt(d, s, "port"));
    SetIfNotEmpty(&out, "Address", GetString(d, s, "address"));
    if (const json::object* tagged = GetObject(d, s, "tagged_addresses");
        tagged != nullptr && !tagged->empty()) {
      out["TaggedAddresses"] = SortedObject(*tagged, [](const json::value& v) {
        json::object address;
        const json::object empty;
        const json::object& a = v.is_object() ? v.as_object() : empty;
        address["Address"] = GetString(a, kAddressSchema, "address");
        address["Port"] = GetInt(a, kAddressSchema, "port");
        return json::value(std::move(address));
      });
    }
    if (GetBool(d, s, "enable_tag_override")) out["EnableTagOverride"] = true;
    if (const json::object* meta = GetObject(d, s, "meta"); meta != nullptr && !meta->empty()) {
      out["Meta"] = SortedObject(*meta, [](const json::value& v) { return v; });
    }
    json::object weights;
    const json::object empty;
    const json::object* w = GetObject(d, s, "weights");
    weights["Passing"] = GetInt(w != nullptr ? *w : empty, kWeightsSchema, "passing", 1);
    weights["Warning"] = GetInt(w != nullptr ? *w : empty, kWeightsSchema, "warning", 1);
    out["Weights"] = std::move(weights);
    // Consul's builder appends the single check after the list; the API struct's own Check is
    // then a zero value, which the command clears to null at the top level only.
    if (top_level) {
      out["Check"] = nullptr;
    } else {
      out["Check"] = json::object();
    }
    // The single check is built (and its durations checked) first, then placed last.
    std::optional<json::object> single;
    if (const json::object* c = GetObject(d, s, "check")) single = Check(*c);
    json::array checks;
    for (const json::object* c : GetObjectList(d, s, "checks")) checks.push_back(Check(*c));
    if (single) checks.push_back(std::move(*single));
    if (checks.empty()) {
      out["Checks"] = nullptr;
    } else {
      out["Checks"] = std::move(checks);
    }
    if (const json::object* proxy = GetObject(d, s, "proxy")) out["Proxy"] = Proxy(*proxy);
    if (const json::object* connect = GetObject(d, s, "connect")) {
      json::object c;
      if (GetBool(*connect, kConnectSchema, "native")) c["Native"] = true;
      if (const json::object* sidecar = GetObject(*connect, kConnectSchema, "sidecar_service")) {
        c["SidecarService"] = Service(*sidecar, /*top_level=*/false);
      }
      out["Connect"] = std::move(c);
    }
    return out;
  }

 private:
  json::object Check(const json::object& d) {
    const Schema& s = kCheckSchema;
    std::string id = GetString(d, s, "id");
    json::object out;
    SetIfNotEmpty(&out, "CheckID", id);
    SetIfNotEmpty(&out, "Name", GetString(d, s, "name"));
    SetIfNotEmpty(&out, "DockerContainerID", GetString(d, s, "docker_container_id"));
    SetIfNotEmpty(&out, "Shell", GetString(d, s, "shell"));
    SetIfNotEmpty(&out, "Interval", Duration(d, id, "interval"));
    SetIfNotEmpty(&out, "Timeout", Duration(d, id, "timeout"));
    SetIfNotEmpty(&out, "TTL", Duration(d, id, "ttl"));
    SetIfNotEmpty(&out, "HTTP", GetString(d, s, "http"));
    if (const json::object* header = GetObject(d, s, "header");
        header != nullptr && !header->empty()) {
      out["Header"] = SortedObject(*header, [](const json::value& v) {
        json::array values;
        if (v.is_array()) {
          for (const json::value& e : v.as_array()) values.push_back(Unwrap(e));
        } else {
          values.push_back(v);
        }
        return json::value(std::move(values));
      });
    }
    SetIfNotEmpty(&out, "Method", GetString(d, s, "method"));
    SetIfNotEmpty(&out, "Body", GetString(d, s, "body"));
    SetIfNotEmpty(&out, "TCP", GetString(d, s, "tcp"));
    SetIfNotEmpty(&out, "Status", GetString(d, s, "status"));
    SetIfNotEmpty(&out, "Notes", GetString(d, s, "notes"));
    if (GetBool(d, s, "tls_skip_verify")) out["TLSSkipVerify"] = true;
    SetIfNotEmpty(&out, "GRPC", GetString(d, s, "grpc"));
    if (GetBool(d, s, "grpc_use_tls")) out["GRPCUseTLS"] = true;
    SetIfNotEmpty(&out, "AliasNode", GetString(d, s, "alias_node"));
    SetIfNotEmpty(&out, "AliasService", GetString(d, s, "alias_service"));
    SetIfNotZero(&out, "SuccessBeforePassing", GetInt(d, s, "success_before_passing"));
    SetIfNotZero(&out, "FailuresBeforeCritical", GetInt(d, s, "failures_before_critical"));
    SetIfNotEmpty(&out, "DeregisterCriticalServiceAfter",
                  Duration(d, id, "deregister_critical_service_after"));
    return out;
  }

  // A duration field in Go's String() form; "" when absent or zero.
  std::string Duration(const json::object& d, const std::string& check_id, std::string_view field) {
    const json::value* v = Get(d, kCheckSchema, field);
    if (v == nullptr || !v->is_string()) return "";
    std::string text(v->as_string());
    Result<consulate::Duration> parsed = ParseGoDuration(text);
    if (!parsed.ok()) {
      if (status_.ok()) {
        status_ = Status::InvalidArgument("1 error occurred:\n\t* check[" + check_id + "]." +
                                          std::string(field) + ": invalid duration: \"" + text +
                                          "\": " + parsed.status().message() + "\n\n");
      }
      return "";
    }
    if (parsed->count() == 0) return "";
    return FormatGoDuration(*parsed);
  }

  static json::object MeshGateway(const json::object* d) {
    json::object out;
    if (d != nullptr) SetIfNotEmpty(&out, "Mode", GetString(*d, kMeshGatewaySchema, "mode"));
    return out;
  }

  static json::object Proxy(const json::object& d) {
    const Schema& s = kProxySchema;
    json::object out;
    SetIfNotEmpty(&out, "DestinationServiceName", GetString(d, s, "destination_service_name"));
    SetIfNotEmpty(&out, "DestinationServiceID", GetString(d, s, "destination_service_id"));
    SetIfNotEmpty(&out, "LocalServiceAddress", GetString(d, s, "local_service_address"));
    SetIfNotZero(&out, "LocalServicePort", GetInt(d, s, "local_service_port"));
    if (const json::object* config = GetObject(d, s, "config");
        config != nullptr && !config->empty()) {
      out["Config"] = *config;
    }
    json::array upstreams;
    for (const json::object* u : GetObjectList(d, s, "upstreams")) {
      const Schema& us = kUpstreamSchema;
      json::object up;
      std::string type = GetString(*u, us, "destination_type");
      up["DestinationType"] = type.empty() ? "service" : type;
      SetIfNotEmpty(&up, "DestinationNamespace", GetString(*u, us, "destination_namespace"));
      SetIfNotEmpty(&up, "DestinationName", GetString(*u, us, "destination_name"));
      SetIfNotEmpty(&up, "Datacenter", GetString(*u, us, "datacenter"));
      SetIfNotEmpty(&up, "LocalBindAddress", GetString(*u, us, "local_bind_address"));
      SetIfNotZero(&up, "LocalBindPort", GetInt(*u, us, "local_bind_port"));
      if (const json::object* config = GetObject(*u, us, "config");
          config != nullptr && !config->empty()) {
        up["Config"] = *config;
      }
      up["MeshGateway"] = MeshGateway(GetObject(*u, us, "mesh_gateway"));
      upstreams.push_back(std::move(up));
    }
    if (!upstreams.empty()) out["Upstreams"] = std::move(upstreams);
    out["MeshGateway"] = MeshGateway(GetObject(d, s, "mesh_gateway"));
    json::object expose;
    if (const json::object* e = GetObject(d, s, "expose")) {
      if (GetBool(*e, kExposeSchema, "checks")) expose["Checks"] = true;
      json::array paths;
      for (const json::object* p : GetObjectList(*e, kExposeSchema, "paths")) {
        const Schema& ps = kExposePathSchema;
        json::object path;
        SetIfNotZero(&path, "ListenerPort", GetInt(*p, ps, "listener_port"));
        SetIfNotEmpty(&path, "Path", GetString(*p, ps, "path"));
        SetIfNotZero(&path, "LocalPathPort", GetInt(*p, ps, "local_path_port"));
        SetIfNotEmpty(&path, "Protocol", GetString(*p, ps, "protocol"));
        path["ParsedFromCheck"] = false;
        paths.push_back(std::move(path));
      }
      if (!paths.empty()) expose["Paths"] = std::move(paths);
    }
    out["Expose"] = std::move(expose);
    return out;
  }

  Status status_;
};

// ---- Files.

bool HasConfigExtension(const std::string& path) {
  auto ends = [&](std::string_view suffix) {
    return path.size() >= suffix.size() &&
           path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends(".json") || ends(".hcl");
}

// The files `paths` name, as Consul's loader reads them: a directory contributes its files (not
// its subdirectories) in name order. Files without a .json/.hcl extension are left out (the loader
// warns about them). Returns false when a path cannot be examined; the loader reports that.
bool ExpandPaths(const std::vector<std::string>& paths, std::vector<std::string>* files) {
  for (const std::string& path : paths) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return false;
    if (!S_ISDIR(st.st_mode)) {
      if (HasConfigExtension(path)) files->push_back(path);
      continue;
    }
    DIR* dir = opendir(path.c_str());
    if (dir == nullptr) return false;
    std::vector<std::string> names;
    while (dirent* e = readdir(dir)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    closedir(dir);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      std::string file = path;
      if (file.empty() || file.back() != '/') file += '/';
      file += name;
      if (stat(file.c_str(), &st) != 0) return false;
      if (!S_ISDIR(st.st_mode) && HasConfigExtension(file)) files->push_back(file);
    }
  }
  return true;
}

}  // namespace

void CheckServiceDefinitions(const json::object& source, bool from_hcl,
                             config::DecodeIssues* issues) {
  DefinitionChecker checker(from_hcl, issues);
  // `service` is decoded before `services`, as Consul's Config struct declares them.
  for (std::string_view key : {"service", "services"}) {
    const json::value* value = nullptr;
    for (const auto& kv : source) {
      if (kv.key() == key) value = &kv.value();
    }
    if (value == nullptr) {
      for (const auto& kv : source) {
        if (EqualFold(kv.key(), key)) value = &kv.value();
      }
    }
    if (value == nullptr) continue;
    bool single = key == "service";
    // Shapes other than these are reported by the config decoder itself.
    if (value->is_object()) {
      checker.CheckObject(value->as_object(), kServiceSchema, single ? "service" : "services[0]");
    } else if (value->is_array()) {
      const json::array& list = value->as_array();
      for (size_t i = 0; i < list.size(); ++i) {
        const json::value& e = Unwrap(list[i]);
        if (!e.is_object()) continue;
        std::string path = single && list.size() == 1
                               ? std::string(key)
                               : std::string(key) + "[" + std::to_string(i) + "]";
        checker.CheckObject(e.as_object(), kServiceSchema, path);
      }
    }
  }
}

Result<json::object> ServiceRegistrationFromDefinition(const json::object& definition) {
  RegistrationBuilder builder;
  json::object registration = builder.Service(definition, /*top_level=*/true);
  CONSULATE_RETURN_IF_ERROR(builder.status());
  return registration;
}

Result<std::vector<json::object>> ServicesFromFiles(const std::vector<std::string>& paths,
                                                    std::vector<std::string>* warnings) {
  // Consul reads every file before decoding any, so a missing file is reported first; the agent's
  // loader (below) words that error.
  std::vector<std::string> files;
  if (ExpandPaths(paths, &files)) {
    for (const std::string& file : files) {
      Result<json::value> parsed = config::ParseConfigFile(file, "");
      if (!parsed.ok()) return parsed.status();
      if (!parsed->is_object()) continue;
      bool hcl = file.size() >= 4 && file.compare(file.size() - 4, 4, ".hcl") == 0;
      // One decode of the whole source, so that the service problems and the agent's own are
      // reported together, as Consul lists them.
      config::DecodeIssues issues;
      CheckServiceDefinitions(parsed->as_object(), hcl, &issues);
      config::DecodeIssues agent_issues;
      config::DecodeSource(parsed->as_object(), hcl, &agent_issues);
      for (std::string& e : agent_issues.decode_errors)
        issues.decode_errors.push_back(std::move(e));
      for (std::string& k : agent_issues.unused_keys) issues.unused_keys.push_back(std::move(k));
      if (!issues.ok()) {
        return Status::InvalidArgument("failed to parse " + file + ": " +
                                       config::FormatDecodeIssues(issues));
      }
    }
  }

  // The agent's loader in dev mode: missing files, the rest of the configuration, and warnings.
  std::vector<std::string> args = {"-dev"};
  for (const std::string& path : paths) args.push_back("-config-file=" + path);
  std::vector<std::string> load_warnings;
  Result<config::RuntimeConfig> runtime = config::LoadAgentConfig(args, &load_warnings);
  if (!runtime.ok()) return runtime.status();

  std::vector<json::object> registrations;
  if (const json::value* services = runtime->merged.if_contains("services");
      services != nullptr && services->is_array()) {
    for (const json::value& definition : services->as_array()) {
      if (!definition.is_object()) continue;
      CONSULATE_ASSIGN_OR_RETURN(json::object registration,
                                 ServiceRegistrationFromDefinition(definition.as_object()));
      registrations.push_back(std::move(registration));
    }
  }
  for (std::string& w : load_warnings) warnings->push_back(std::move(w));
  return registrations;
}

Status ParseServiceAddress(std::string_view text, std::string* address, int64_t* port) {
  // net.SplitHostPort, whose errors are net.AddrError: "address <text>: <why>".
  auto addr_error = [&](std::string_view why) {
    std::string message(why);
    if (!text.empty()) message = "address " + std::string(text) + ": " + message;
    return Status::InvalidArgument(message);
  };
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return addr_error("missing port in address");
  std::string_view host;
  size_t host_from = 0;  // no '[' may appear from here on
  size_t host_to = 0;    // no ']' may appear from here on
  if (text[0] == '[') {
    size_t end = text.find(']');
    if (end == std::string_view::npos) return addr_error("missing ']' in address");
    if (end + 1 == text.size()) return addr_error("missing port in address");
    if (end + 1 != colon) {
      return addr_error(text[end + 1] == ':' ? "too many colons in address"
                                             : "missing port in address");
    }
    host = text.substr(1, end - 1);
    host_from = 1;
    host_to = end + 1;
  } else {
    host = text.substr(0, colon);
    if (host.find(':') != std::string_view::npos) return addr_error("too many colons in address");
  }
  if (text.find('[', host_from) != std::string_view::npos) {
    return addr_error("unexpected '[' in address");
  }
  if (text.find(']', host_to) != std::string_view::npos) {
    return addr_error("unexpected ']' in address");
  }
  std::string_view port_text = text.substr(colon + 1);
  // strconv.Atoi: an optional sign and decimal digits only.
  auto atoi_error = [&](std::string_view why) {
    return Status::InvalidArgument("strconv.Atoi: parsing " + api::GoQuote(port_text) + ": " +
                                   std::string(why));
  };
  std::string_view digits = port_text;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  if (digits.empty()) return atoi_error("invalid syntax");
  uint64_t magnitude = 0;
  bool overflow = false;
  for (char c : digits) {
    if (c < '0' || c > '9') return atoi_error("invalid syntax");
    if (magnitude > (UINT64_MAX - static_cast<uint64_t>(c - '0')) / 10) {
      overflow = true;
      magnitude = UINT64_MAX;
    } else if (!overflow) {
      magnitude = magnitude * 10 + static_cast<uint64_t>(c - '0');
    }
  }
  constexpr uint64_t kLimit = uint64_t{1} << 63;
  if (overflow || (negative ? magnitude > kLimit : magnitude >= kLimit)) {
    return atoi_error("value out of range");
  }
  *address = std::string(host);
  *port = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
  return Status::OK();
}

Result<json::object> ServiceRegistrationFromFlags(const ServiceFlags& flags) {
  json::object tagged;
  for (const auto& [key, value] : flags.tagged_addresses) {
    std::string address;
    int64_t port = 0;
    CONSULATE_RETURN_IF_ERROR(ParseServiceAddress(value, &address, &port));
    json::object entry;
    entry["Address"] = address;
    entry["Port"] = port;
    tagged[key] = std::move(entry);
  }
  json::object out;
  SetIfNotEmpty(&out, "Kind", flags.kind);
  SetIfNotEmpty(&out, "ID", flags.id);
  SetIfNotEmpty(&out, "Name", flags.name);
  if (!flags.tags.empty()) {
    json::array tags;
    for (const std::string& t : flags.tags) tags.emplace_back(t);
    out["Tags"] = std::move(tags);
  }
  SetIfNotZero(&out, "Port", flags.port);
  SetIfNotEmpty(&out, "Address", flags.address);
  if (!tagged.empty()) out["TaggedAddresses"] = std::move(tagged);
  if (!flags.meta.empty()) {
    json::object meta;
    for (const auto& [key, value] : flags.meta) meta[key] = value;
    out["Meta"] = std::move(meta);
  }
  out["Check"] = nullptr;
  out["Checks"] = nullptr;
  return out;
}

}  // namespace consulate::cli
