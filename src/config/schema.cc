// Consul 1.8's config keys and the decode/merge rules over them. The key table mirrors
// agent/config/config.go of Consul 1.8 (struct tags `mapstructure:"..."`), checked against the
// struct tags compiled into the 1.8.7 binary. Deliberate quirk kept from 1.8:
// `advertise_addr_wan_ipv6` is not a valid key there (its field is tagged `advertise_addr_ipv6`).
#include "config/schema.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <limits>

namespace consulate::config {
namespace json = boost::json;

namespace {

using K = KeyKind;

constexpr KeyDef Bool(std::string_view n) { return {n, K::kBool}; }
constexpr KeyDef Int(std::string_view n) { return {n, K::kInt}; }
constexpr KeyDef Uint(std::string_view n) { return {n, K::kUint}; }
constexpr KeyDef Float(std::string_view n) { return {n, K::kFloat}; }
constexpr KeyDef Str(std::string_view n) { return {n, K::kString}; }
constexpr KeyDef StrList(std::string_view n) { return {n, K::kStringList}; }
constexpr KeyDef StrMap(std::string_view n) { return {n, K::kStringMap}; }
constexpr KeyDef Obj(std::string_view n, std::span<const KeyDef> c) { return {n, K::kObject, c}; }
constexpr KeyDef Ent(int rank, KeyDef d) {
  d.enterprise_rank = rank;
  return d;
}

constexpr KeyDef kTokensMSP[] = {Str("accessor_id"), Str("secret_id")};
constexpr KeyDef kTokens[] = {
    Str("master"),       Str("replication"),
    Str("agent_master"), Str("default"),
    Str("agent"),        Ent(1, {"managed_service_provider", K::kObjectList, kTokensMSP}),
};
constexpr KeyDef kACL[] = {
    Bool("enabled"),
    Bool("enable_token_replication"),
    Str("policy_ttl"),
    Str("role_ttl"),
    Str("token_ttl"),
    Str("down_policy"),
    Str("default_policy"),
    Bool("enable_key_list_policy"),
    Obj("tokens", kTokens),
    Str("disabled_ttl"),
    Bool("enable_token_persistence"),
    Ent(2, Bool("msp_disable_bootstrap")),
};
constexpr KeyDef kAddresses[] = {Str("dns"), Str("http"), Str("https"), Str("grpc")};
constexpr KeyDef kAutoConfigAuthorizer[] = {
    StrList("claim_assertions"),
    Bool("allow_reuse"),
    StrList("jwt_supported_algs"),
    StrList("bound_audiences"),
    StrMap("claim_mappings"),
    StrMap("list_claim_mappings"),
    Str("oidc_discovery_url"),
    Str("oidc_discovery_ca_cert"),
    Str("jwks_url"),
    Str("jwks_ca_cert"),
    StrList("jwt_validation_pub_keys"),
    Str("bound_issuer"),
    Str("expiration_leeway"),
    Str("not_before_leeway"),
    Str("clock_skew_leeway"),
};
constexpr KeyDef kAutoConfigAuthorization[] = {Bool("enabled"),
                                               Obj("static", kAutoConfigAuthorizer)};
constexpr KeyDef kAutoConfig[] = {
    Bool("enabled"),
    Str("intro_token"),
    Str("intro_token_file"),
    StrList("server_addresses"),
    StrList("dns_sans"),
    StrList("ip_sans"),
    Obj("authorization", kAutoConfigAuthorization),
};
constexpr KeyDef kAutopilot[] = {
    Bool("cleanup_dead_servers"),       Str("last_contact_threshold"),
    Int("max_trailing_logs"),           Uint("min_quorum"),
    Str("server_stabilization_time"),   Ent(3, Bool("disable_upgrade_migration")),
    Ent(4, Str("redundancy_zone_tag")), Ent(5, Str("upgrade_version_tag")),
};
constexpr KeyDef kCache[] = {Int("entry_fetch_max_burst"), Float("entry_fetch_rate")};
constexpr KeyDef kConfigEntries[] = {{"bootstrap", K::kRawMapList}};
constexpr KeyDef kAutoEncrypt[] = {Bool("tls"), StrList("dns_san"), StrList("ip_san"),
                                   Bool("allow_tls")};
constexpr KeyDef kConnect[] = {
    Bool("enabled"),
    Str("ca_provider"),
    {"ca_config", K::kRawMap},
    Bool("enable_mesh_gateway_wan_federation"),
    Str("test_ca_leaf_root_change_spread"),
};
constexpr KeyDef kSOA[] = {Uint("refresh"), Uint("retry"), Uint("expire"), Uint("min_ttl")};
constexpr KeyDef kDNS[] = {
    Bool("allow_stale"),
    Int("a_record_limit"),
    Bool("disable_compression"),
    Bool("enable_truncate"),
    Str("max_stale"),
    Str("node_ttl"),
    Bool("only_passing"),
    Str("recursor_timeout"),
    StrMap("service_ttl"),
    Int("udp_answer_limit"),
    Bool("enable_additional_node_meta_txt"),
    {"soa", K::kObjectReplace, kSOA},
    Bool("use_cache"),
    Str("cache_max_age"),
    Ent(6, Bool("prefer_namespace")),
};
constexpr KeyDef kGossip[] = {Int("gossip_nodes"),  Str("gossip_interval"), Str("probe_interval"),
                              Str("probe_timeout"), Int("suspicion_mult"),  Int("retransmit_mult")};
constexpr KeyDef kHTTPConfig[] = {StrList("block_endpoints"), StrList("allow_write_http_from"),
                                  StrMap("response_headers"), Bool("use_cache")};
constexpr KeyDef kLimits[] = {
    Int("http_max_conns_per_client"), Str("https_handshake_timeout"),
    Str("rpc_handshake_timeout"),     Int("rpc_max_burst"),
    Int("rpc_max_conns_per_client"),  Float("rpc_rate"),
    Uint("kv_max_value_size"),        Uint("txn_max_req_len"),
};
constexpr KeyDef kPerformance[] = {Str("leave_drain_time"), Int("raft_multiplier"),
                                   Str("rpc_hold_timeout")};
constexpr KeyDef kPorts[] = {
    Int("dns"),
    Int("http"),
    Int("https"),
    Int("serf_lan"),
    Int("serf_wan"),
    Int("server"),
    Int("grpc"),
    Int("proxy_min_port"),
    Int("proxy_max_port"),
    Int("sidecar_min_port"),
    Int("sidecar_max_port"),
    Int("expose_min_port"),
    Int("expose_max_port"),
};
constexpr KeyDef kTelemetry[] = {
    Str("circonus_api_app"),
    Str("circonus_api_token"),
    Str("circonus_api_url"),
    Str("circonus_broker_id"),
    Str("circonus_broker_select_tag"),
    Str("circonus_check_display_name"),
    Str("circonus_check_force_metric_activation"),
    Str("circonus_check_id"),
    Str("circonus_check_instance_id"),
    Str("circonus_check_search_tag"),
    Str("circonus_check_tags"),
    Str("circonus_submission_interval"),
    Str("circonus_submission_url"),
    Bool("disable_hostname"),
    Str("dogstatsd_addr"),
    StrList("dogstatsd_tags"),
    Bool("filter_default"),
    StrList("prefix_filter"),
    Str("metrics_prefix"),
    Str("prometheus_retention_time"),
    Str("statsd_address"),
    Str("statsite_address"),
};
constexpr KeyDef kUnixSocket[] = {Str("group"), Str("mode"), Str("user")};
constexpr KeyDef kConsulCoordinate[] = {Int("update_batch_size"), Int("update_max_batches"),
                                        Str("update_period")};
constexpr KeyDef kConsulRaft[] = {Str("election_timeout"), Str("heartbeat_timeout"),
                                  Str("leader_lease_timeout")};
constexpr KeyDef kConsulServer[] = {Str("health_interval")};
constexpr KeyDef kConsul[] = {Obj("coordinate", kConsulCoordinate), Obj("raft", kConsulRaft),
                              Obj("server", kConsulServer)};
constexpr KeyDef kSegment[] = {Str("advertise"), Str("bind"), Str("name"), Int("port"),
                               Bool("rpc_listener")};
// Audit sinks are a map of name -> sink; their contents are Enterprise-only and left unchecked.
constexpr KeyDef kAudit[] = {Bool("enabled"), {"sink", K::kRawMap}};

constexpr KeyDef kTop[] = {
    // Deprecated ACL keys (ACL-Legacy-Compat) that 1.8 still reads.
    Str("acl_agent_master_token"),
    Str("acl_agent_token"),
    Str("acl_datacenter"),
    Str("acl_default_policy"),
    Str("acl_down_policy"),
    Bool("acl_enable_key_list_policy"),
    Str("acl_master_token"),
    Str("acl_replication_token"),
    Str("acl_ttl"),
    Str("acl_token"),
    Obj("acl", kACL),
    Obj("addresses", kAddresses),
    Str("advertise_addr"),
    Str("advertise_addr_ipv4"),
    Str("advertise_addr_ipv6"),
    Str("advertise_addr_wan"),
    Str("advertise_addr_wan_ipv4"),
    Obj("auto_config", kAutoConfig),
    Obj("autopilot", kAutopilot),
    Str("bind_addr"),
    Bool("bootstrap"),
    Int("bootstrap_expect"),
    Obj("cache", kCache),
    Str("ca_file"),
    Str("ca_path"),
    Str("cert_file"),
    {"check", K::kCheck},
    Int("check_output_max_size"),
    Str("check_update_interval"),
    {"checks", K::kCheckList},
    Str("client_addr"),
    Obj("config_entries", kConfigEntries),
    Obj("auto_encrypt", kAutoEncrypt),
    Obj("connect", kConnect),
    Obj("dns_config", kDNS),
    Str("domain"),
    Str("alt_domain"),
    StrList("recursors"),
    Str("data_dir"),
    Str("datacenter"),
    Str("default_query_time"),
    Bool("disable_anonymous_signature"),
    Bool("disable_coordinates"),
    Bool("disable_host_node_id"),
    Bool("disable_http_unprintable_char_filter"),
    Bool("disable_keyring_file"),
    Bool("disable_remote_exec"),
    Bool("disable_update_check"),
    Bool("discard_check_output"),
    Str("discovery_max_stale"),
    Bool("enable_acl_replication"),
    Bool("enable_agent_tls_for_checks"),
    Bool("enable_central_service_config"),
    Bool("enable_debug"),
    Bool("enable_script_checks"),
    Bool("enable_local_script_checks"),
    Bool("enable_syslog"),
    Str("encrypt"),
    Bool("encrypt_verify_incoming"),
    Bool("encrypt_verify_outgoing"),
    Obj("gossip_lan", kGossip),
    Obj("gossip_wan", kGossip),
    Obj("http_config", kHTTPConfig),
    Str("key_file"),
    Bool("leave_on_terminate"),
    Obj("limits", kLimits),
    Str("log_level"),
    Bool("log_json"),
    Str("log_file"),
    Str("log_rotate_duration"),
    Int("log_rotate_bytes"),
    Int("log_rotate_max_files"),
    Str("max_query_time"),
    Str("node_id"),
    StrMap("node_meta"),
    Str("node_name"),
    Obj("performance", kPerformance),
    Str("pid_file"),
    Obj("ports", kPorts),
    Str("primary_datacenter"),
    StrList("primary_gateways"),
    Str("primary_gateways_interval"),
    Int("protocol"),
    Int("raft_protocol"),
    Int("raft_snapshot_threshold"),
    Str("raft_snapshot_interval"),
    Int("raft_trailing_logs"),
    Str("reconnect_timeout"),
    Str("reconnect_timeout_wan"),
    Bool("rejoin_after_leave"),
    Str("retry_interval"),
    Str("retry_interval_wan"),
    StrList("retry_join"),
    Int("retry_max"),
    Int("retry_max_wan"),
    StrList("retry_join_wan"),
    StrList("serf_lan_allowed_cidrs"),
    StrList("serf_wan_allowed_cidrs"),
    Str("serf_lan"),
    Str("serf_wan"),
    Bool("server"),
    Str("server_name"),
    {"service", K::kService},
    {"services", K::kServiceList},
    Str("session_ttl_min"),
    Bool("skip_leave_on_interrupt"),
    StrList("start_join"),
    StrList("start_join_wan"),
    Str("syslog_facility"),
    Str("tls_cipher_suites"),
    Str("tls_min_version"),
    Bool("tls_prefer_server_cipher_suites"),
    StrMap("tagged_addresses"),
    Obj("telemetry", kTelemetry),
    Bool("translate_wan_addrs"),
    Bool("ui"),
    Str("ui_content_path"),
    Str("ui_dir"),
    Obj("unix_sockets", kUnixSocket),
    Bool("verify_incoming"),
    Bool("verify_incoming_https"),
    Bool("verify_incoming_rpc"),
    Bool("verify_outgoing"),
    Bool("verify_server_hostname"),
    {"watches", K::kRawMapList},
    // Parsed but unused: snapshot agent settings documented to live beside the agent's.
    {"snapshot_agent", K::kRawMap},
    // Values Consul itself sets (non-user sources); accepted in files as well.
    Str("acl_disabled_ttl"),
    Str("ae_interval"),
    Str("check_deregister_interval_min"),
    Str("check_reap_interval"),
    Obj("consul", kConsul),
    Str("revision"),
    Int("segment_limit"),
    Int("segment_name_limit"),
    Str("sync_coordinate_interval_min"),
    Float("sync_coordinate_rate_target"),
    Str("version"),
    Str("version_prerelease"),
    // Enterprise only.
    Ent(7, {"audit", K::kObjectReplace, kAudit}),
    Ent(8, Bool("non_voting_server")),
    // Kept, without a warning, so that validation reports OSS's lack of segment support.
    Str("segment"),
    {"segments", K::kObjectList, kSegment},
};

bool EqualFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    unsigned char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x += 'a' - 'A';
    if (y >= 'A' && y <= 'Z') y += 'a' - 'A';
    if (x != y) return false;
  }
  return true;
}

bool IsListKind(KeyKind k) {
  return k == K::kStringList || k == K::kObjectList || k == K::kRawMapList ||
         k == K::kServiceList || k == K::kCheckList;
}

// %f as Go prints it (6 decimals).
std::string GoFloatF(double d) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%f", d);
  return buf;
}

class Decoder {
 public:
  Decoder(bool from_hcl, DecodeIssues* issues) : hcl_(from_hcl), issues_(issues) {}

  // `name` is the mapstructure path of the object ("" at the top, "ports", "segments[0]").
  json::object DecodeObject(const json::object& in, std::span<const KeyDef> defs,
                            const std::string& name, bool top_level) {
    json::object out;
    json::array services, single_services, checks, single_checks;
    std::vector<const KeyDef*> taken;
    // Exact matches claim their field first; a case-insensitive match only gets a free field
    // (mapstructure looks the exact key up first, then falls back to strings.EqualFold).
    for (const auto& kv : in) {
      for (const KeyDef& d : defs)
        if (d.name == kv.key()) taken.push_back(&d);
    }
    for (const auto& kv : in) {
      std::string_view key = kv.key();
      const KeyDef* def = nullptr;
      for (const KeyDef& d : defs) {
        if (d.name == key) {
          def = &d;
          break;
        }
      }
      if (def == nullptr) {
        for (const KeyDef& d : defs) {
          if (EqualFold(d.name, key) && std::find(taken.begin(), taken.end(), &d) == taken.end()) {
            def = &d;
            taken.push_back(&d);
            break;
          }
        }
      }
      std::string path = name.empty() ? std::string(key) : name + "." + std::string(key);
      if (def == nullptr) {
        if (top_level && key == "acl_enforce_version_8") {
          issues_->warnings.push_back(
              "config key \"acl_enforce_version_8\" is deprecated and "
              "should be removed");
        } else {
          issues_->unused_keys.push_back(path);
        }
        continue;
      }
      const json::value& v = kv.value();
      if (v.is_null()) continue;  // a JSON null leaves the field unset
      std::string field =
          name.empty() ? std::string(def->name) : name + "." + std::string(def->name);
      if (def->enterprise_rank != 0) {
        enterprise_.emplace_back(def->enterprise_rank, field);
        continue;
      }
      switch (def->kind) {
        case K::kService:
        case K::kServiceList:
          CollectDefinitions(v, def->kind == K::kService, field,
                             def->kind == K::kService ? &single_services : &services);
          continue;
        case K::kCheck:
        case K::kCheckList:
          CollectDefinitions(v, def->kind == K::kCheck, field,
                             def->kind == K::kCheck ? &single_checks : &checks);
          continue;
        default:
          break;
      }
      json::value decoded;
      if (DecodeValue(v, *def, field, &decoded)) out[def->name] = std::move(decoded);
    }
    // Like Consul's builder: a source's single `service`/`check` joins its lists, after them.
    for (auto& s : single_services) services.push_back(std::move(s));
    for (auto& c : single_checks) checks.push_back(std::move(c));
    if (!services.empty()) out["services"] = std::move(services);
    if (!checks.empty()) out["checks"] = std::move(checks);
    return out;
  }

 private:
  // The Go type name mapstructure quotes for a value decoded from JSON or HCL.
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
        return "<nil>";
    }
    return "<nil>";
  }
  // The reflect.Kind name, as in "expected a map, got 'slice'". HCL blocks are slices of maps.
  std::string KindName(const json::value& v) const {
    switch (v.kind()) {
      case json::kind::array:
        return "slice";
      case json::kind::object:
        return hcl_ ? "slice" : "map";
      case json::kind::int64:
      case json::kind::uint64:
        return hcl_ ? "int" : "float64";
      default:
        return TypeName(v);
    }
  }

  void Error(std::string msg) { issues_->decode_errors.push_back(std::move(msg)); }
  // Always false, for `return Unconvertible(...)`.
  bool Unconvertible(const std::string& name, std::string_view want, const json::value& v) {
    Error("'" + name + "' expected type '" + std::string(want) + "', got unconvertible type '" +
          TypeName(v) + "'");
    return false;
  }

  // decode.HookWeakDecodeFromSlice: a one-element list stands for its element wherever a single
  // value is expected.
  static const json::value& Unwrap(const json::value& v) {
    if (v.is_array() && v.as_array().size() == 1) return v.as_array()[0];
    return v;
  }

  // Service and check definitions stay raw. A single definition may be given as a list (HCL's
  // repeated `service { }` blocks), which contributes every element.
  void CollectDefinitions(const json::value& v, bool single, const std::string& name,
                          json::array* out) {
    // One definition: an object, or (for the list keys) one HCL block. A JSON object where a
    // list is expected is an error, as in Consul.
    if (v.is_object() && (single || hcl_)) {
      out->push_back(v);
      return;
    }
    if (!v.is_array()) {
      if (single)
        Error("'" + name + "' expected a map, got '" + KindName(v) + "'");
      else
        Error("'" + name + "': source data must be an array or slice, got " + KindName(v));
      return;
    }
    const json::array& a = v.as_array();
    for (size_t i = 0; i < a.size(); ++i) {
      const json::value& e = Unwrap(a[i]);
      if (!e.is_object()) {
        Error("'" + name + "[" + std::to_string(i) + "]' expected a map, got '" + KindName(e) +
              "'");
        continue;
      }
      out->push_back(e);
    }
  }

  bool DecodeValue(const json::value& raw, const KeyDef& def, const std::string& name,
                   json::value* out) {
    const json::value& v = IsListKind(def.kind) ? raw : Unwrap(raw);
    switch (def.kind) {
      case K::kBool:
        if (!v.is_bool()) return Unconvertible(name, "bool", v);
        *out = v.as_bool();
        return true;
      case K::kInt: {
        if (v.is_int64()) {
          *out = v.as_int64();
        } else if (v.is_uint64()) {
          *out = static_cast<int64_t>(std::min<uint64_t>(v.as_uint64(), INT64_MAX));
        } else if (v.is_double()) {
          *out = ClampToInt64(v.as_double());
        } else {
          return Unconvertible(name, "int", v);
        }
        return true;
      }
      case K::kUint: {
        if (v.is_int64() && v.as_int64() < 0) {
          Error(
              "cannot parse '" + name + "', " +
              (hcl_ ? std::to_string(v.as_int64()) : GoFloatF(static_cast<double>(v.as_int64()))) +
              " overflows uint");
          return false;
        }
        if (v.is_double() && v.as_double() < 0) {
          Error("cannot parse '" + name + "', " + GoFloatF(v.as_double()) + " overflows uint");
          return false;
        }
        if (v.is_int64()) {
          *out = static_cast<uint64_t>(v.as_int64());
        } else if (v.is_uint64()) {
          *out = v.as_uint64();
        } else if (v.is_double()) {
          double d = v.as_double();
          *out = d >= 18446744073709551615.0 ? UINT64_MAX : static_cast<uint64_t>(d);
        } else {
          return Unconvertible(name, "uint", v);
        }
        return true;
      }
      case K::kFloat:
        if (!v.is_number()) return Unconvertible(name, "float64", v);
        *out = v.to_number<double>();
        return true;
      case K::kString:
        if (!v.is_string()) return Unconvertible(name, "string", v);
        *out = v.as_string();
        return true;
      case K::kStringList: {
        if (!v.is_array()) {
          Error("'" + name + "': source data must be an array or slice, got " + KindName(v));
          return false;
        }
        json::array list;
        bool ok = true;
        const json::array& a = v.as_array();
        for (size_t i = 0; i < a.size(); ++i) {
          const json::value& e = Unwrap(a[i]);
          if (!e.is_string()) {
            Unconvertible(name + "[" + std::to_string(i) + "]", "string", e);
            ok = false;
            continue;
          }
          list.push_back(e);
        }
        *out = std::move(list);
        return ok;
      }
      case K::kStringMap: {
        if (!v.is_object()) {
          Error("'" + name + "' expected a map, got '" + KindName(v) + "'");
          return false;
        }
        json::object map;
        bool ok = true;
        for (const auto& kv : v.as_object()) {
          const json::value& e = Unwrap(kv.value());
          if (!e.is_string()) {
            Unconvertible(name + "[" + std::string(kv.key()) + "]", "string", e);
            ok = false;
            continue;
          }
          map[kv.key()] = e;
        }
        *out = std::move(map);
        return ok;
      }
      case K::kObject:
      case K::kObjectReplace:
        if (!v.is_object()) {
          Error("'" + name + "' expected a map, got '" + KindName(v) + "'");
          return false;
        }
        *out = DecodeObject(v.as_object(), def.children, name, false);
        return true;
      case K::kObjectList:
      case K::kRawMapList: {
        // A single HCL block counts as a one-element list (hcl decodes blocks as lists of maps);
        // a JSON object does not.
        json::array elems;
        if (v.is_object() && hcl_) {
          elems.push_back(v);
        } else if (v.is_array()) {
          elems = v.as_array();
        } else {
          Error("'" + name + "': source data must be an array or slice, got " + KindName(v));
          return false;
        }
        json::array list;
        for (size_t i = 0; i < elems.size(); ++i) {
          const json::value& e = Unwrap(elems[i]);
          std::string elem_name = name + "[" + std::to_string(i) + "]";
          if (!e.is_object()) {
            Error("'" + elem_name + "' expected a map, got '" + KindName(e) + "'");
            continue;
          }
          if (def.kind == K::kObjectList) {
            list.push_back(DecodeObject(e.as_object(), def.children, elem_name, false));
          } else {
            list.push_back(e);
          }
        }
        *out = std::move(list);
        return true;
      }
      case K::kRawMap:
        if (!v.is_object()) {
          Error("'" + name + "' expected a map, got '" + KindName(v) + "'");
          return false;
        }
        *out = v;
        return true;
      default:
        return false;  // services and checks are collected by the caller
    }
  }

  static int64_t ClampToInt64(double d) {
    if (std::isnan(d)) return 0;
    if (d >= 9223372036854775807.0) return INT64_MAX;
    if (d <= -9223372036854775808.0) return INT64_MIN;
    return static_cast<int64_t>(d);
  }

  bool hcl_;
  DecodeIssues* issues_;

 public:
  // Enterprise-only keys seen, with their rank in Consul's warning order.
  std::vector<std::pair<int, std::string>> enterprise_;
};

void Merge(json::object* dst, const json::object& src, std::span<const KeyDef> defs) {
  for (const auto& kv : src) {
    const KeyDef* def = nullptr;
    for (const KeyDef& d : defs) {
      if (d.name == kv.key()) {
        def = &d;
        break;
      }
    }
    json::value* existing = dst->if_contains(kv.key());
    if (def == nullptr || existing == nullptr) {
      (*dst)[kv.key()] = kv.value();
      continue;
    }
    switch (def->kind) {
      case K::kStringList:
      case K::kObjectList:
      case K::kRawMapList:
      case K::kServiceList:
      case K::kCheckList:
        if (existing->is_array() && kv.value().is_array()) {
          for (const auto& e : kv.value().as_array()) existing->as_array().push_back(e);
        } else {
          *existing = kv.value();
        }
        break;
      case K::kObject:
        if (existing->is_object() && kv.value().is_object()) {
          Merge(&existing->as_object(), kv.value().as_object(), def->children);
        } else {
          *existing = kv.value();
        }
        break;
      case K::kStringMap:
      case K::kRawMap:
        if (existing->is_object() && kv.value().is_object()) {
          for (const auto& e : kv.value().as_object()) existing->as_object()[e.key()] = e.value();
        } else {
          *existing = kv.value();
        }
        break;
      default:
        *existing = kv.value();
    }
  }
}

}  // namespace

std::span<const KeyDef> AgentConfigSchema() { return kTop; }

const KeyDef* FindKey(std::span<const KeyDef> defs, std::string_view key) {
  for (const KeyDef& d : defs)
    if (d.name == key) return &d;
  for (const KeyDef& d : defs)
    if (EqualFold(d.name, key)) return &d;
  return nullptr;
}

json::object DecodeSource(const json::object& raw, bool from_hcl, DecodeIssues* issues) {
  Decoder d(from_hcl, issues);
  json::object out = d.DecodeObject(raw, kTop, "", true);
  std::stable_sort(d.enterprise_.begin(), d.enterprise_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [rank, key] : d.enterprise_)
    issues->warnings.push_back("\"" + key +
                               "\" is a Consul Enterprise configuration and will have no effect");
  return out;
}

void MergeConfig(json::object* dst, const json::object& src) { Merge(dst, src, kTop); }

std::string FormatDecodeIssues(const DecodeIssues& issues) {
  if (!issues.decode_errors.empty()) {
    std::vector<std::string> points;
    for (const auto& e : issues.decode_errors) points.push_back("* " + e);
    std::sort(points.begin(), points.end());
    std::string out = std::to_string(points.size()) + " error(s) decoding:\n\n";
    for (size_t i = 0; i < points.size(); ++i) {
      if (i) out += "\n";
      out += points[i];
    }
    return out;
  }
  const auto& keys = issues.unused_keys;
  if (keys.size() == 1) return "1 error occurred:\n\t* invalid config key " + keys[0] + "\n\n";
  std::string out = std::to_string(keys.size()) + " errors occurred:\n\t";
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i) out += "\n\t";
    out += "* invalid config key " + keys[i];
  }
  return out + "\n\n";
}

}  // namespace consulate::config
