// The agent's configuration, loaded as Consul 1.8's `agent` command does (agent/config/builder.go):
//
//   built-in defaults < dev defaults (-dev) < list-valued flags (-retry-join, -recursor, ...)
//     < config files and directories, in the order given (a directory's *.json and *.hcl files in
//       lexical order) < other flags < -hcl fragments < values Consul does not let users set
//
// Within that order later sources win for single values; lists append; maps and nested blocks
// merge key by key (agent/config/merge.go). Every source is decoded against Consul 1.8's key set
// first: unknown keys and mistyped values are errors naming the source, worded as Consul's
// ("failed to parse x.json: 1 error occurred:\n\t* invalid config key foo\n\n").
//
// RuntimeConfig holds the typed values the agent uses today; `merged` keeps the whole merged
// configuration (canonical key names, services and checks as raw JSON) for everything else.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/duration.h"
#include "base/result.h"
#include "base/status.h"

namespace consulate::config {

// The Consul release whose behaviour, defaults and reported version Consulate reproduces.
inline constexpr std::string_view kConsulVersion = "1.8.7";

// Listener ports. A port of -1 (or a configured 0 or less) disables that listener.
struct Ports {
  int dns = 8600;
  int http = 8500;
  int https = -1;
  int grpc = -1;  // 8502 in dev mode
  int serf_lan = 8301;
  int serf_wan = 8302;
  int server = 8300;
  int proxy_min_port = 20000;
  int proxy_max_port = 20255;
  int sidecar_min_port = 21000;
  int sidecar_max_port = 21255;
  int expose_min_port = 21500;
  int expose_max_port = 21755;
};

struct RuntimeConfig {
  bool dev_mode = false;
  bool server = false;
  bool bootstrap = false;
  int bootstrap_expect = 0;
  std::string node_name;  // defaults to the host name
  std::string node_id;    // empty: the agent generates one and keeps it in data_dir
  bool disable_host_node_id = true;
  std::string datacenter = "dc1";  // lower-cased, as Consul does
  std::string primary_datacenter;  // defaults to acl_datacenter, then datacenter
  std::string data_dir;

  // Addresses. bind_addr is an IP; advertise addresses are resolved (from bind_addr, or detected
  // on the host when bind_addr is 0.0.0.0 / ::). client_addrs is client_addr split on blanks.
  std::string bind_addr = "0.0.0.0";
  std::string advertise_addr;
  std::string advertise_addr_wan;
  std::string client_addr = "127.0.0.1";
  std::vector<std::string> client_addrs = {"127.0.0.1"};
  std::string serf_lan_bind;  // serf_lan; empty means bind_addr
  std::string serf_wan_bind;  // serf_wan; empty means bind_addr
  // addresses { dns http https grpc }: per-listener overrides of client_addr ("" if unset).
  std::string addresses_dns, addresses_http, addresses_https, addresses_grpc;
  Ports ports;
  std::map<std::string, std::string> tagged_addresses;  // lan, wan, lan_ipv4, ...

  // Logging.
  std::string log_level = "INFO";
  std::string log_file;
  Duration log_rotate_duration{0};
  int log_rotate_bytes = 0;
  int log_rotate_max_files = 0;
  bool log_json = false;
  bool enable_syslog = false;
  std::string syslog_facility = "LOCAL0";
  std::string pid_file;

  // UI (Consul 1.8's `ui`, `ui_dir`, `ui_content_path`; ui_config.* arrived in 1.9).
  bool ui = false;
  std::string ui_dir;
  std::string ui_content_path = "/ui/";

  // Joining.
  std::vector<std::string> start_join, start_join_wan;
  std::vector<std::string> retry_join, retry_join_wan;
  Duration retry_interval = std::chrono::seconds(30);
  Duration retry_interval_wan = std::chrono::seconds(30);
  // How long failed (and left) gossip members are kept before they are reaped.
  Duration reconnect_timeout = std::chrono::hours(72);
  Duration reconnect_timeout_wan = std::chrono::hours(72);
  int retry_max = 0;
  int retry_max_wan = 0;
  bool rejoin_after_leave = false;
  bool leave_on_terminate = true;        // default: !server
  bool skip_leave_on_interrupt = false;  // default: server

  // Gossip encryption.
  std::string encrypt;
  bool encrypt_verify_incoming = true;
  bool encrypt_verify_outgoing = true;
  bool disable_keyring_file = false;

  bool enable_script_checks = false;
  bool enable_local_script_checks = false;  // defaults to enable_script_checks
  std::map<std::string, std::string> node_meta;

  // Raft and limits.
  int raft_protocol = 3;
  int raft_multiplier = 5;  // performance.raft_multiplier; 1 in dev mode
  Duration leave_drain_time = std::chrono::seconds(5);
  Duration rpc_hold_timeout = std::chrono::seconds(7);
  Duration raft_snapshot_interval{0};  // 0: the server's default (Consul's 30 s)
  int http_max_conns_per_client = 200;
  int rpc_max_conns_per_client = 100;
  double rpc_rate = -1;  // limits.rpc_rate; -1 is unlimited
  int rpc_max_burst = 1000;
  Duration https_handshake_timeout = std::chrono::seconds(5);
  Duration rpc_handshake_timeout = std::chrono::seconds(5);
  uint64_t kv_max_value_size = 512 * 1024;  // limits.kv_max_value_size
  uint64_t txn_max_req_len = 512 * 1024;    // limits.txn_max_req_len
  int rpc_protocol = 2;                     // `protocol`

  // Consul's internal timings (the non-user `consul { }` block), already scaled by
  // raft_multiplier where Consul does so.
  Duration raft_election_timeout = std::chrono::seconds(5);
  Duration raft_heartbeat_timeout = std::chrono::seconds(5);
  Duration raft_leader_lease_timeout = std::chrono::milliseconds(2500);
  Duration server_health_interval = std::chrono::seconds(2);
  Duration ae_interval = std::chrono::minutes(1);
  Duration check_reap_interval = std::chrono::seconds(30);
  Duration check_deregister_interval_min = std::chrono::minutes(1);
  Duration check_update_interval = std::chrono::minutes(5);
  int check_output_max_size = 4096;

  // HTTP and DNS.
  Duration default_query_time = std::chrono::seconds(300);
  Duration max_query_time = std::chrono::seconds(600);
  std::string domain = "consul.";
  std::string alt_domain;
  std::vector<std::string> recursors;
  bool dns_allow_stale = true;
  Duration dns_max_stale = std::chrono::hours(87600);
  Duration dns_node_ttl{0};
  bool dns_only_passing = false;
  int dns_udp_answer_limit = 3;
  int dns_a_record_limit = 0;
  Duration dns_recursor_timeout = std::chrono::seconds(2);

  bool disable_update_check = false;
  bool disable_remote_exec = true;
  bool disable_anonymous_signature = false;
  bool disable_coordinates = false;
  bool enable_debug = false;
  bool connect_enabled = false;
  bool acl_enabled = false;  // acl.enabled; the rest of the acl block stays in `merged`

  std::string version = std::string(kConsulVersion);
  std::string version_prerelease;
  std::string revision;

  // Every merged key (canonical names). services/checks: arrays of raw definitions, in load order.
  boost::json::object merged;
};

// Test seams for what Consul reads from the host. Unset members use the host.
struct LoadOptions {
  // Consul's ipaddr.GetPrivateIPv4 / GetPublicIPv6: candidate advertise addresses used when
  // bind_addr is 0.0.0.0 / ::. Exactly one is required.
  std::function<std::vector<std::string>()> private_ipv4;
  std::function<std::vector<std::string>()> public_ipv6;
  std::function<std::string()> hostname;
};

// Loads the agent configuration from the arguments that follow `consul agent`. Warnings Consul
// would print (deprecated keys, skipped files, bootstrap advice) are appended to *warnings when
// it is not null. Errors carry Consul's message text, for the CLI to print after "==> ".
Result<RuntimeConfig> LoadAgentConfig(const std::vector<std::string>& args_after_agent,
                                      std::vector<std::string>* warnings);
Result<RuntimeConfig> LoadAgentConfig(const std::vector<std::string>& args_after_agent,
                                      std::vector<std::string>* warnings,
                                      const LoadOptions& options);

// Parses only the `consul agent` flags, reading no file. Consul prints a flag error (Go's flag
// package wording, e.g. "flag provided but not defined: -foo") followed by the usage text, but a
// configuration error as "==> <message>"; a CLI calls this first to tell the two apart. "-h" and
// "-help" yield Status::Aborted.
Status CheckAgentFlags(const std::vector<std::string>& args_after_agent);

// `consul validate [-config-format=hcl|json] <paths...>`: loads the files and directories exactly
// as the agent would (no flags, no dev mode) and validates the result. On success the CLI prints
// the warnings and "Configuration is valid!"; on failure "Config validation failed: <message>".
Status ValidateConfigPaths(const std::vector<std::string>& paths, std::string_view config_format);
Status ValidateConfigPaths(const std::vector<std::string>& paths, std::string_view config_format,
                           std::vector<std::string>* warnings, const LoadOptions& options);

// Reads and parses one file as JSON or HCL (`format` "json" or "hcl"; empty: from the extension,
// .hcl meaning HCL and anything else JSON). Returns the raw parsed object, without checking keys:
// for definition files (services, checks, config entries) as well as agent configs.
Result<boost::json::value> ParseConfigFile(const std::string& path, std::string_view format);

// Loads, decodes and merges config sources into RuntimeConfig. Exposed for tests and for callers
// that already hold config fragments: each source is (name, format "json"|"hcl", text).
struct ConfigSource {
  std::string name;
  std::string format;
  std::string data;
};
Result<RuntimeConfig> BuildFromSources(const std::vector<ConfigSource>& sources, bool dev_mode,
                                       std::vector<std::string>* warnings,
                                       const LoadOptions& options);

// A field of a raw service or check definition from `merged` (services[i], checks[i], a
// service's check/checks). Consul decodes those case-insensitively and with legacy aliases, so
// "Port", "port"; "ServiceID", "service_id", "serviceid"; "ScriptArgs", "args" all name the
// same field. `field` is the snake_case name; returns null when absent.
const boost::json::value* DefinitionField(const boost::json::object& definition,
                                          std::string_view field);

// /v1/agent/self's "Config" object: {Datacenter, NodeName, NodeID, Revision, Server, Version}.
// `node_id` is the agent's effective node ID (which may come from data_dir rather than config).
boost::json::object AgentSelfConfig(const RuntimeConfig& config, std::string_view node_id);
// /v1/agent/self's "DebugConfig" object: the runtime configuration with Consul's field names,
// secrets shown as "hidden".
boost::json::object AgentSelfDebugConfig(const RuntimeConfig& config, std::string_view node_id);

// `consul agent -h` flag descriptions, in Consul's order and wording.
std::string AgentFlagsUsage();

}  // namespace consulate::config
