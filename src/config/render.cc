// /v1/agent/self's "Config" and "DebugConfig" objects. DebugConfig is Consul's sanitized
// RuntimeConfig: Go field names, durations as Go duration strings, addresses as "tcp://ip:port",
// and every secret replaced by "hidden" (set or not, as Consul's Sanitize does).
#include <boost/json.hpp>
#include <cctype>
#include <sstream>

#include "config/internal.h"

namespace consulate::config {
namespace json = boost::json;

namespace {

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(json::string(s));
  return a;
}

json::object StringMap(const std::map<std::string, std::string>& m) {
  json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

std::string Host(const std::string& ip, int port) {
  return ip.find(':') != std::string::npos ? "[" + ip + "]:" + std::to_string(port)
                                           : ip + ":" + std::to_string(port);
}

// The listeners of one client service: the addresses.<x> override or the client addresses.
json::array Listeners(const RuntimeConfig& c, const std::string& override_addr, int port,
                      bool with_udp) {
  json::array out;
  if (port <= 0) return out;
  std::vector<std::string> ips;
  if (!override_addr.empty()) {
    std::istringstream fields(override_addr);
    std::string a;
    while (fields >> a) {
      if (a.rfind("unix://", 0) == 0) {
        out.emplace_back(json::string(a));
      } else {
        ips.push_back(a);
      }
    }
  } else {
    ips = c.client_addrs;
  }
  for (const auto& ip : ips) out.emplace_back(json::string("tcp://" + Host(ip, port)));
  if (with_udp)
    for (const auto& ip : ips) out.emplace_back(json::string("udp://" + Host(ip, port)));
  return out;
}

json::value Raw(const RuntimeConfig& c, std::string_view path, json::value def) {
  const json::value* v = internal::Lookup(c.merged, path);
  return v ? *v : def;
}

std::string Dur(Duration d) { return FormatGoDuration(d); }

// A duration from the merged config, normalised to Go's String() form ("1m" -> "1m0s").
std::string RawDur(const RuntimeConfig& c, std::string_view path) {
  const json::value* v = internal::Lookup(c.merged, path);
  if (v == nullptr || !v->is_string()) return "0s";
  auto d = ParseGoDuration(v->as_string());
  return d.ok() ? FormatGoDuration(*d) : "0s";
}

}  // namespace

const json::value* DefinitionField(const json::object& definition, std::string_view field) {
  if (const json::value* v = definition.if_contains(field)) return v;
  // Compare ignoring case and underscores: "DeregisterCriticalServiceAfter" is
  // "deregister_critical_service_after".
  auto squash = [](std::string_view s) {
    std::string out;
    for (char c : s)
      if (c != '_') out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    return out;
  };
  std::string want = squash(field);
  // Consul's `alias` struct tags for fields whose old names differ by more than case.
  std::string alias = want == "args" ? "scriptargs" : "";
  for (const auto& kv : definition) {
    std::string have = squash(kv.key());
    if (have == want || (!alias.empty() && have == alias)) return &kv.value();
  }
  return nullptr;
}

json::object AgentSelfConfig(const RuntimeConfig& c, std::string_view node_id) {
  json::object o;
  o["Datacenter"] = c.datacenter;
  o["NodeName"] = c.node_name;
  o["NodeID"] = node_id.empty() ? std::string_view(c.node_id) : node_id;
  o["Revision"] = c.revision;
  o["Server"] = c.server;
  o["Version"] = c.version;
  return o;
}

json::object AgentSelfDebugConfig(const RuntimeConfig& c, std::string_view node_id) {
  json::object o;
  const json::string hidden = "hidden";
  o["ACLAgentMasterToken"] = hidden;
  o["ACLAgentToken"] = hidden;
  o["ACLDatacenter"] = c.primary_datacenter;
  o["ACLDefaultPolicy"] = Raw(c, "acl.default_policy", Raw(c, "acl_default_policy", "allow"));
  o["ACLDisabledTTL"] = RawDur(c, "acl.disabled_ttl");
  o["ACLDownPolicy"] = Raw(c, "acl.down_policy", Raw(c, "acl_down_policy", "extend-cache"));
  o["ACLEnableKeyListPolicy"] = Raw(c, "acl.enable_key_list_policy", false);
  o["ACLEnableTokenPersistence"] = Raw(c, "acl.enable_token_persistence", false);
  o["ACLMasterToken"] = hidden;
  o["ACLPolicyTTL"] = RawDur(c, "acl.policy_ttl");
  o["ACLReplicationToken"] = hidden;
  o["ACLRoleTTL"] = RawDur(c, "acl.role_ttl");
  o["ACLToken"] = hidden;
  o["ACLTokenReplication"] = Raw(c, "acl.enable_token_replication", false);
  o["ACLTokenTTL"] = internal::Lookup(c.merged, "acl.token_ttl") ? RawDur(c, "acl.token_ttl")
                                                                 : RawDur(c, "acl_ttl");
  o["ACLsEnabled"] = c.acl_enabled;
  o["AEInterval"] = Dur(c.ae_interval);
  o["AdvertiseAddrLAN"] = c.advertise_addr;
  o["AdvertiseAddrWAN"] = c.advertise_addr_wan;
  o["AllowWriteHTTPFrom"] = Raw(c, "http_config.allow_write_http_from", json::array());
  o["AutopilotCleanupDeadServers"] = Raw(c, "autopilot.cleanup_dead_servers", false);
  o["AutopilotLastContactThreshold"] = RawDur(c, "autopilot.last_contact_threshold");
  o["AutopilotMaxTrailingLogs"] = Raw(c, "autopilot.max_trailing_logs", 0);
  o["AutopilotMinQuorum"] = Raw(c, "autopilot.min_quorum", 0);
  o["AutopilotServerStabilizationTime"] = RawDur(c, "autopilot.server_stabilization_time");
  o["BindAddr"] = c.bind_addr;
  o["Bootstrap"] = c.bootstrap;
  o["BootstrapExpect"] = c.bootstrap_expect;
  o["CAFile"] = Raw(c, "ca_file", "");
  o["CAPath"] = Raw(c, "ca_path", "");
  o["CertFile"] = Raw(c, "cert_file", "");
  o["CheckDeregisterIntervalMin"] = Dur(c.check_deregister_interval_min);
  o["CheckOutputMaxSize"] = c.check_output_max_size;
  o["CheckReapInterval"] = Dur(c.check_reap_interval);
  o["CheckUpdateInterval"] = Dur(c.check_update_interval);
  o["Checks"] = Raw(c, "checks", json::array());
  o["ClientAddrs"] = Strings(c.client_addrs);
  o["ConnectCAConfig"] = Raw(c, "connect.ca_config", json::object());
  o["ConnectCAProvider"] = Raw(c, "connect.ca_provider", "");
  o["ConnectEnabled"] = c.connect_enabled;
  o["ConnectSidecarMaxPort"] = c.ports.sidecar_max_port;
  o["ConnectSidecarMinPort"] = c.ports.sidecar_min_port;
  o["ConsulRaftElectionTimeout"] = Dur(c.raft_election_timeout);
  o["ConsulRaftHeartbeatTimeout"] = Dur(c.raft_heartbeat_timeout);
  o["ConsulRaftLeaderLeaseTimeout"] = Dur(c.raft_leader_lease_timeout);
  o["ConsulServerHealthInterval"] = Dur(c.server_health_interval);
  o["DNSARecordLimit"] = c.dns_a_record_limit;
  o["DNSAddrs"] = Listeners(c, c.addresses_dns, c.ports.dns, true);
  o["DNSAllowStale"] = c.dns_allow_stale;
  o["DNSAltDomain"] = c.alt_domain;
  o["DNSDomain"] = c.domain;
  o["DNSMaxStale"] = Dur(c.dns_max_stale);
  o["DNSNodeTTL"] = Dur(c.dns_node_ttl);
  o["DNSOnlyPassing"] = c.dns_only_passing;
  o["DNSPort"] = c.ports.dns;
  o["DNSRecursorTimeout"] = Dur(c.dns_recursor_timeout);
  o["DNSRecursors"] = Strings(c.recursors);
  o["DNSUDPAnswerLimit"] = c.dns_udp_answer_limit;
  o["DataDir"] = c.data_dir;
  o["Datacenter"] = c.datacenter;
  o["DefaultQueryTime"] = Dur(c.default_query_time);
  o["DevMode"] = c.dev_mode;
  o["DisableAnonymousSignature"] = c.disable_anonymous_signature;
  o["DisableCoordinates"] = c.disable_coordinates;
  o["DisableHostNodeID"] = c.disable_host_node_id;
  o["DisableKeyringFile"] = c.disable_keyring_file;
  o["DisableRemoteExec"] = c.disable_remote_exec;
  o["DisableUpdateCheck"] = c.disable_update_check;
  o["EnableDebug"] = c.enable_debug;
  o["EnableLocalScriptChecks"] = c.enable_local_script_checks;
  o["EnableRemoteScriptChecks"] = c.enable_script_checks;
  o["EnableUI"] = c.ui;
  o["EncryptKey"] = hidden;
  o["EncryptVerifyIncoming"] = c.encrypt_verify_incoming;
  o["EncryptVerifyOutgoing"] = c.encrypt_verify_outgoing;
  o["ExposeMaxPort"] = c.ports.expose_max_port;
  o["ExposeMinPort"] = c.ports.expose_min_port;
  o["GRPCAddrs"] = Listeners(c, c.addresses_grpc, c.ports.grpc, false);
  o["GRPCPort"] = c.ports.grpc;
  for (std::string_view g : {"lan", "wan"}) {
    std::string prefix = std::string("Gossip") + (g == "lan" ? "LAN" : "WAN");
    std::string base = "gossip_" + std::string(g) + ".";
    o[prefix + "GossipInterval"] = RawDur(c, base + "gossip_interval");
    o[prefix + "GossipNodes"] = Raw(c, base + "gossip_nodes", 0);
    o[prefix + "ProbeInterval"] = RawDur(c, base + "probe_interval");
    o[prefix + "ProbeTimeout"] = RawDur(c, base + "probe_timeout");
    o[prefix + "RetransmitMult"] = Raw(c, base + "retransmit_mult", 0);
    o[prefix + "SuspicionMult"] = Raw(c, base + "suspicion_mult", 0);
  }
  o["HTTPAddrs"] = Listeners(c, c.addresses_http, c.ports.http, false);
  o["HTTPBlockEndpoints"] = Raw(c, "http_config.block_endpoints", json::array());
  o["HTTPMaxConnsPerClient"] = c.http_max_conns_per_client;
  o["HTTPPort"] = c.ports.http;
  o["HTTPResponseHeaders"] = Raw(c, "http_config.response_headers", json::object());
  o["HTTPSAddrs"] = Listeners(c, c.addresses_https, c.ports.https, false);
  o["HTTPSHandshakeTimeout"] = Dur(c.https_handshake_timeout);
  o["HTTPSPort"] = c.ports.https;
  o["KVMaxValueSize"] = c.kv_max_value_size;
  o["KeyFile"] = hidden;
  o["LeaveDrainTime"] = Dur(c.leave_drain_time);
  o["LeaveOnTerm"] = c.leave_on_terminate;
  json::object logging;
  logging["EnableSyslog"] = c.enable_syslog;
  logging["LogFilePath"] = c.log_file;
  logging["LogJSON"] = c.log_json;
  logging["LogLevel"] = c.log_level;
  logging["LogRotateBytes"] = c.log_rotate_bytes;
  logging["LogRotateDuration"] = Dur(c.log_rotate_duration);
  logging["LogRotateMaxFiles"] = c.log_rotate_max_files;
  logging["Name"] = "";
  logging["SyslogFacility"] = c.syslog_facility;
  o["Logging"] = std::move(logging);
  o["MaxQueryTime"] = Dur(c.max_query_time);
  o["NodeID"] = node_id.empty() ? std::string_view(c.node_id) : node_id;
  o["NodeMeta"] = StringMap(c.node_meta);
  o["NodeName"] = c.node_name;
  o["PidFile"] = c.pid_file;
  o["PrimaryDatacenter"] = c.primary_datacenter;
  o["PrimaryGateways"] = Raw(c, "primary_gateways", json::array());
  o["RPCAdvertiseAddr"] = "tcp://" + Host(c.advertise_addr, c.ports.server);
  o["RPCBindAddr"] = "tcp://" + Host(c.bind_addr, c.ports.server);
  o["RPCHandshakeTimeout"] = Dur(c.rpc_handshake_timeout);
  o["RPCHoldTimeout"] = Dur(c.rpc_hold_timeout);
  o["RPCMaxBurst"] = c.rpc_max_burst;
  o["RPCMaxConnsPerClient"] = c.rpc_max_conns_per_client;
  o["RPCProtocol"] = c.rpc_protocol;
  o["RPCRateLimit"] = c.rpc_rate;
  o["RaftProtocol"] = Raw(c, "raft_protocol", 0);  // 0 when unset, as 1.8 shows it
  o["RejoinAfterLeave"] = c.rejoin_after_leave;
  o["RetryJoinIntervalLAN"] = Dur(c.retry_interval);
  o["RetryJoinIntervalWAN"] = Dur(c.retry_interval_wan);
  o["RetryJoinLAN"] = Strings(c.retry_join);
  o["RetryJoinMaxAttemptsLAN"] = c.retry_max;
  o["RetryJoinMaxAttemptsWAN"] = c.retry_max_wan;
  o["RetryJoinWAN"] = Strings(c.retry_join_wan);
  o["Revision"] = c.revision;
  std::string serf_lan = c.serf_lan_bind.empty() ? c.bind_addr : c.serf_lan_bind;
  std::string serf_wan = c.serf_wan_bind.empty() ? c.bind_addr : c.serf_wan_bind;
  o["SerfAdvertiseAddrLAN"] = "tcp://" + Host(c.advertise_addr, c.ports.serf_lan);
  o["SerfAdvertiseAddrWAN"] =
      c.ports.serf_wan >= 0 ? json::value("tcp://" + Host(c.advertise_addr_wan, c.ports.serf_wan))
                            : json::value(nullptr);
  o["SerfBindAddrLAN"] = "tcp://" + Host(serf_lan, c.ports.serf_lan);
  o["SerfBindAddrWAN"] = c.ports.serf_wan >= 0
                             ? json::value("tcp://" + Host(serf_wan, c.ports.serf_wan))
                             : json::value(nullptr);
  o["SerfPortLAN"] = c.ports.serf_lan;
  o["SerfPortWAN"] = c.ports.serf_wan;
  o["ServerMode"] = c.server;
  o["ServerName"] = Raw(c, "server_name", "");
  o["ServerPort"] = c.ports.server;
  o["Services"] = Raw(c, "services", json::array());
  o["SkipLeaveOnInt"] = c.skip_leave_on_interrupt;
  o["StartJoinAddrsLAN"] = Strings(c.start_join);
  o["StartJoinAddrsWAN"] = Strings(c.start_join_wan);
  o["TaggedAddresses"] = StringMap(c.tagged_addresses);
  o["TLSMinVersion"] = Raw(c, "tls_min_version", "");
  o["TxnMaxReqLen"] = c.txn_max_req_len;
  o["UIContentPath"] = c.ui_content_path;
  o["UIDir"] = c.ui_dir;
  o["VerifyIncoming"] = Raw(c, "verify_incoming", false);
  o["VerifyOutgoing"] = Raw(c, "verify_outgoing", false);
  o["VerifyServerHostname"] = Raw(c, "verify_server_hostname", false);
  o["Version"] = c.version;
  o["VersionPrerelease"] = c.version_prerelease;
  o["Watches"] = Raw(c, "watches", json::array());
  return o;
}

}  // namespace consulate::config
