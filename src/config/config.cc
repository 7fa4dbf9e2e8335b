// Loading (config.h): `consul agent` flags, config files and directories, and the ordered merge of
// sources (Consul 1.8's agent/config/builder.go NewBuilder and Build, up to the typed build).
#include "config/config.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "config/flags.h"
#include "config/hcl.h"
#include "config/internal.h"
#include "config/schema.h"

namespace consulate::config {
namespace json = boost::json;

namespace {

// Consul 1.8.7's DefaultSource (agent/config/default.go), as HCL like the original. Values that
// depend on other packages are inlined: serf's LAN/WAN memberlist timings, raft's suggested max
// data size (512 KiB), checks.DefaultBufSize (4 KiB). gossip_wan takes its node count and
// retransmit multiplier from the LAN profile, as 1.8 does.
constexpr std::string_view kDefaultSource = R"(
acl_default_policy = "allow"
acl_down_policy = "extend-cache"
acl_ttl = "30s"
acl = {
  policy_ttl = "30s"
}
bind_addr = "0.0.0.0"
bootstrap = false
bootstrap_expect = 0
check_output_max_size = 4096
check_update_interval = "5m"
client_addr = "127.0.0.1"
datacenter = "dc1"
default_query_time = "300s"
disable_coordinates = false
disable_host_node_id = true
disable_remote_exec = true
domain = "consul."
encrypt_verify_incoming = true
encrypt_verify_outgoing = true
log_level = "INFO"
max_query_time = "600s"
primary_gateways_interval = "30s"
protocol = 2
retry_interval = "30s"
retry_interval_wan = "30s"
server = false
syslog_facility = "LOCAL0"
tls_min_version = "tls12"
autopilot = {
  cleanup_dead_servers = true
  last_contact_threshold = "200ms"
  max_trailing_logs = 250
  server_stabilization_time = "10s"
}
gossip_lan = {
  gossip_interval = "200ms"
  gossip_nodes = 3
  retransmit_mult = 4
  probe_interval = "1s"
  probe_timeout = "500ms"
  suspicion_mult = 4
}
gossip_wan = {
  gossip_interval = "500ms"
  gossip_nodes = 3
  retransmit_mult = 4
  probe_interval = "5s"
  probe_timeout = "3s"
  suspicion_mult = 6
}
dns_config = {
  allow_stale = true
  a_record_limit = 0
  udp_answer_limit = 3
  max_stale = "87600h"
  recursor_timeout = "2s"
}
limits = {
  http_max_conns_per_client = 200
  https_handshake_timeout = "5s"
  rpc_handshake_timeout = "5s"
  rpc_rate = -1
  rpc_max_burst = 1000
  rpc_max_conns_per_client = 100
  kv_max_value_size = 524288
  txn_max_req_len = 524288
}
performance = {
  leave_drain_time = "5s"
  raft_multiplier = 5
  rpc_hold_timeout = "7s"
}
ports = {
  dns = 8600
  http = 8500
  https = -1
  grpc = -1
  serf_lan = 8301
  serf_wan = 8302
  server = 8300
  proxy_min_port = 20000
  proxy_max_port = 20255
  sidecar_min_port = 21000
  sidecar_max_port = 21255
  expose_min_port = 21500
  expose_max_port = 21755
}
telemetry = {
  metrics_prefix = "consul"
  filter_default = true
  prefix_filter = []
}
)";

// DevSource: what -dev adds on top of the defaults.
constexpr std::string_view kDevSource = R"(
bind_addr = "127.0.0.1"
disable_anonymous_signature = true
disable_keyring_file = true
enable_debug = true
ui = true
log_level = "DEBUG"
server = true
gossip_lan = {
  gossip_interval = "100ms"
  probe_interval = "100ms"
  probe_timeout = "100ms"
  suspicion_mult = 3
}
gossip_wan = {
  gossip_interval = "100ms"
  probe_interval = "100ms"
  probe_timeout = "100ms"
  suspicion_mult = 3
}
connect = {
  enabled = true
}
performance = {
  raft_multiplier = 1
}
ports = {
  grpc = 8502
}
)";

// NonUserSource and DefaultConsulSource: merged after every user source, so files cannot
// change them.
constexpr std::string_view kNonUserSource = R"(
acl = {
  disabled_ttl = "120s"
}
check_deregister_interval_min = "1m"
check_reap_interval = "30s"
ae_interval = "1m"
sync_coordinate_rate_target = 64
sync_coordinate_interval_min = "15s"
segment_limit = 64
segment_name_limit = 64
connect = {
  test_ca_leaf_root_change_spread = "0s"
}
consul = {
  coordinate = {
    update_batch_size = 128
    update_max_batches = 5
    update_period = "5s"
  }
  raft = {
    election_timeout = "1s"
    heartbeat_timeout = "1s"
    leader_lease_timeout = "500ms"
  }
  server = {
    health_interval = "2s"
  }
}
)";

// DevConsulSource: faster internal timings for -dev.
constexpr std::string_view kDevConsulSource = R"(
consul = {
  coordinate = { update_period = "100ms" }
  raft = {
    election_timeout = "52ms"
    heartbeat_timeout = "35ms"
    leader_lease_timeout = "20ms"
  }
  server = { health_interval = "10ms" }
}
)";

// A source to merge: parsed from text, or (for flags) already canonical.
struct Source {
  std::string name;
  std::string format;  // "json" or "hcl"; empty for literal sources
  std::string data;
  json::object literal;
};

Source TextSource(std::string name, std::string format, std::string_view data) {
  return Source{std::move(name), std::move(format), std::string(data), {}};
}

// Go's os error text: "open /x: no such file or directory" (syscall messages are lower-case).
std::string GoErrno(int err) {
  std::string s = std::strerror(err);
  if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z') s[0] = static_cast<char>(s[0] - 'A' + 'a');
  return s;
}

std::string FormatFromExtension(std::string_view path) {
  auto ends = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
  };
  if (ends(".json")) return "json";
  if (ends(".hcl")) return "hcl";
  return "";
}

Status ReadWholeFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::IOError("config: failed to read " + path + ": open " + path + ": " +
                           GoErrno(errno));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    return Status::IOError("config: failed to read " + path + ": read " + path + ": " +
                           GoErrno(errno));
  }
  *out = ss.str();
  return Status::OK();
}

// Consul's sourcesFromPath: one file, or a directory's files (not its subdirectories) sorted by
// name. Files without a .json/.hcl extension are skipped with a warning unless a format is forced.
Status SourcesFromPath(const std::string& path, const std::string& format, std::vector<Source>* out,
                       std::vector<std::string>* warnings) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return Status::IOError("config: Open failed on " + path + ". open " + path + ": " +
                           GoErrno(errno));
  }
  auto add_file = [&](const std::string& file) -> Status {
    if (format.empty() && FormatFromExtension(file).empty()) {
      warnings->push_back("skipping file " + file +
                          ", extension must be .hcl or .json, or config format must be set");
      return Status::OK();
    }
    std::string data;
    CONSULATE_RETURN_IF_ERROR(ReadWholeFile(file, &data));
    out->push_back(TextSource(file, format.empty() ? FormatFromExtension(file) : format, data));
    return Status::OK();
  };
  if (!S_ISDIR(st.st_mode)) return add_file(path);

  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) {
    return Status::IOError("config: Open failed on " + path + ". open " + path + ": " +
                           GoErrno(errno));
  }
  std::vector<std::string> names;
  while (dirent* e = readdir(dir)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    std::string fp = path;
    if (fp.empty() || fp.back() != '/') fp += '/';
    fp += n;
    struct stat fst;
    // stat follows symlinks, as Consul resolves them before looking at the target.
    if (stat(fp.c_str(), &fst) != 0) {
      return Status::IOError("config: Stat failed on " + fp + ". stat " + fp + ": " +
                             GoErrno(errno));
    }
    if (S_ISDIR(fst.st_mode)) continue;
    CONSULATE_RETURN_IF_ERROR(add_file(fp));
  }
  return Status::OK();
}

// Parses one text source into its raw object, with Consul's error wording.
Status ParseSourceText(const Source& s, json::object* raw) {
  if (s.format == "json") {
    std::string err;
    if (!internal::ParseGoJSONObject(s.data, raw, &err)) return Status::InvalidArgument(err);
    return Status::OK();
  }
  if (s.format == "hcl") {
    json::value v;
    HclError e;
    if (!ParseHCLDetailed(s.data, &v, &e)) {
      if (e.line == 0) return Status::InvalidArgument(e.message);
      return Status::InvalidArgument("At " + std::to_string(e.line) + ":" +
                                     std::to_string(e.column) + ": " + e.message);
    }
    if (v.is_object()) {
      *raw = std::move(v.as_object());
    } else if (!v.is_null()) {
      return Status::InvalidArgument("json: cannot unmarshal " +
                                     std::string(v.is_array() ? "array" : "value") +
                                     " into Go value of type map[string]interface {}");
    }
    return Status::OK();
  }
  return Status::InvalidArgument("invalid format: " + s.format);
}

// Parses, decodes and merges `sources` in order into *merged.
Status MergeSources(const std::vector<Source>& sources, json::object* merged,
                    std::vector<std::string>* warnings) {
  for (const Source& s : sources) {
    if (s.format.empty()) {
      MergeConfig(merged, s.literal);
      continue;
    }
    json::object raw;
    Status st = ParseSourceText(s, &raw);
    if (!st.ok()) return Status::InvalidArgument("failed to parse " + s.name + ": " + st.message());
    DecodeIssues issues;
    json::object decoded = DecodeSource(raw, s.format == "hcl", &issues);
    if (!issues.ok()) {
      return Status::InvalidArgument("failed to parse " + s.name + ": " +
                                     FormatDecodeIssues(issues));
    }
    for (auto& w : issues.warnings) warnings->push_back(std::move(w));
    MergeConfig(merged, decoded);
  }
  return Status::OK();
}

// ---------------------------------------------------------------------------------------------
// `consul agent` flags.

enum class FlagType { kString, kBool, kInt, kList, kMap };

struct AgentFlag {
  std::string_view name;
  std::string_view path;  // canonical config key ("ports.http"); "" for loader-only flags
  FlagType type;
  std::string_view usage;  // wrapped as Consul prints it
};

// Consul 1.8.7's agent flags (agent/config/flags.go), in its help order.
constexpr AgentFlag kAgentFlags[] = {
    {"datacenter", "datacenter", FlagType::kString, "Datacenter of the agent."},
    {"advertise", "advertise_addr", FlagType::kString, "Sets the advertise address to use."},
    {"advertise-wan", "advertise_addr_wan", FlagType::kString,
     "Sets address to advertise on WAN instead of -advertise address."},
    {"allow-write-http-from", "http_config.allow_write_http_from", FlagType::kList,
     "Only allow write endpoint calls from given network. CIDR format,\ncan be specified "
     "multiple times."},
    {"alt-domain", "alt_domain", FlagType::kString, "Alternate domain to use for DNS interface."},
    {"bind", "bind_addr", FlagType::kString, "Sets the bind address for cluster communication."},
    {"bootstrap", "bootstrap", FlagType::kBool, "Sets server to bootstrap mode."},
    {"bootstrap-expect", "bootstrap_expect", FlagType::kInt,
     "Sets server to expect bootstrap mode."},
    {"check_output_max_size", "check_output_max_size", FlagType::kInt,
     "Sets the maximum output size for checks on this agent"},
    {"client", "client_addr", FlagType::kString,
     "Sets the address to bind for client access. This includes RPC, DNS,\nHTTP, HTTPS and "
     "gRPC (if configured)."},
    {"config-dir", "", FlagType::kList,
     "Path to a directory to read configuration files from. This\nwill read every file ending "
     "in '.json' as configuration in this\ndirectory in alphabetical order. Can be specified "
     "multiple times."},
    {"config-file", "", FlagType::kList,
     "Path to a file in JSON or HCL format with a matching file\nextension. Can be specified "
     "multiple times."},
    {"config-format", "", FlagType::kString,
     "Config files are in this format irrespective of their extension.\nMust be 'hcl' or "
     "'json'"},
    {"data-dir", "data_dir", FlagType::kString, "Path to a data directory to store agent state."},
    {"default-query-time", "default_query_time", FlagType::kString,
     "the amount of time a blocking query will wait before Consul will\nforce a response. This "
     "value can be overridden by the 'wait' query\nparameter."},
    {"dev", "", FlagType::kBool, "Starts the agent in development mode."},
    {"disable-host-node-id", "disable_host_node_id", FlagType::kBool,
     "Setting this to true will prevent Consul from using information\nfrom the host to "
     "generate a node ID, and will cause Consul to\ngenerate a random node ID instead."},
    {"disable-keyring-file", "disable_keyring_file", FlagType::kBool,
     "Disables the backing up of the keyring to a file."},
    {"dns-port", "ports.dns", FlagType::kInt, "DNS port to use."},
    {"domain", "domain", FlagType::kString, "Domain to use for DNS interface."},
    {"enable-local-script-checks", "enable_local_script_checks", FlagType::kBool,
     "Enables health check scripts from configuration file."},
    {"enable-script-checks", "enable_script_checks", FlagType::kBool,
     "Enables health check scripts."},
    {"encrypt", "encrypt", FlagType::kString, "Provides the gossip encryption key."},
    {"grpc-port", "ports.grpc", FlagType::kInt,
     "Sets the gRPC API port to listen on (currently needed for Envoy xDS\nonly)."},
    {"hcl", "", FlagType::kList, "hcl config fragment. Can be specified multiple times."},
    {"http-port", "ports.http", FlagType::kInt, "Sets the HTTP API port to listen on."},
    {"https-port", "ports.https", FlagType::kInt, "Sets the HTTPS API port to listen on."},
    {"join", "start_join", FlagType::kList,
     "Address of an agent to join at start time. Can be specified\nmultiple times."},
    {"join-wan", "start_join_wan", FlagType::kList,
     "Address of an agent to join -wan at start time. Can be specified\nmultiple times."},
    {"log-file", "log_file", FlagType::kString, "Path to the file the logs get written to"},
    {"log-json", "log_json", FlagType::kBool, "Output logs in JSON format."},
    {"log-level", "log_level", FlagType::kString, "Log level of the agent."},
    {"log-rotate-bytes", "log_rotate_bytes", FlagType::kInt,
     "Maximum number of bytes that should be written to a log file"},
    {"log-rotate-duration", "log_rotate_duration", FlagType::kString,
     "Time after which log rotation needs to be performed"},
    {"log-rotate-max-files", "log_rotate_max_files", FlagType::kInt,
     "Maximum number of log file archives to keep"},
    {"max-query-time", "max_query_time", FlagType::kString,
     "the maximum amount of time a blocking query can wait before Consul\nwill force a "
     "response. Consul applies jitter to the wait time. The\njittered time will be capped to "
     "MaxQueryTime."},
    {"node", "node_name", FlagType::kString, "Name of this node. Must be unique in the cluster."},
    {"node-id", "node_id", FlagType::kString,
     "A unique ID for this node across space and time. Defaults to a\nrandomly-generated ID "
     "that persists in the data-dir."},
    {"node-meta", "node_meta", FlagType::kMap,
     "An arbitrary metadata key/value pair for this node, of the format\n`key:value`. Can be "
     "specified multiple times."},
    {"non-voting-server", "non_voting_server", FlagType::kBool,
     "(Enterprise-only) This flag is used to make the server not\nparticipate in the Raft "
     "quorum, and have it only receive the data\nreplication stream. This can be used to add "
     "read scalability to\na cluster in cases where a high volume of reads to servers are\n"
     "needed."},
    {"pid-file", "pid_file", FlagType::kString, "Path to file to store agent PID."},
    {"primary-gateway", "primary_gateways", FlagType::kList,
     "Address of a mesh gateway in the primary datacenter to use to\nbootstrap WAN federation "
     "at start time with retries enabled. Can be\nspecified multiple times."},
    {"protocol", "protocol", FlagType::kInt, "Sets the protocol version. Defaults to latest."},
    {"raft-protocol", "raft_protocol", FlagType::kInt,
     "Sets the Raft protocol version. Defaults to latest."},
    {"recursor", "recursors", FlagType::kList,
     "Address of an upstream DNS server. Can be specified multiple times."},
    {"rejoin", "rejoin_after_leave", FlagType::kBool,
     "Ignores a previous leave and attempts to rejoin the cluster."},
    {"retry-interval", "retry_interval", FlagType::kString, "Time to wait between join attempts."},
    {"retry-interval-wan", "retry_interval_wan", FlagType::kString,
     "Time to wait between join -wan attempts."},
    {"retry-join", "retry_join", FlagType::kList,
     "Address of an agent to join at start time with retries enabled. Can\nbe specified "
     "multiple times."},
    {"retry-join-wan", "retry_join_wan", FlagType::kList,
     "Address of an agent to join -wan at start time with retries\nenabled. Can be specified "
     "multiple times."},
    {"retry-max", "retry_max", FlagType::kInt,
     "Maximum number of join attempts. Defaults to 0, which will retry\nindefinitely."},
    {"retry-max-wan", "retry_max_wan", FlagType::kInt,
     "Maximum number of join -wan attempts. Defaults to 0, which will\nretry indefinitely."},
    {"segment", "segment", FlagType::kString,
     "(Enterprise-only) Sets the network segment to join."},
    {"serf-lan-allowed-cidrs", "serf_lan_allowed_cidrs", FlagType::kList,
     "Networks (eg: 192.168.1.0/24) allowed for Serf LAN. Can be\nspecified multiple times."},
    {"serf-lan-bind", "serf_lan", FlagType::kString, "Address to bind Serf LAN listeners to."},
    {"serf-lan-port", "ports.serf_lan", FlagType::kInt, "Sets the Serf LAN port to listen on."},
    {"serf-wan-allowed-cidrs", "serf_wan_allowed_cidrs", FlagType::kList,
     "Networks (eg: 192.168.1.0/24) allowed for Serf WAN (other\ndatacenters). Can be specified "
     "multiple times."},
    {"serf-wan-bind", "serf_wan", FlagType::kString, "Address to bind Serf WAN listeners to."},
    {"serf-wan-port", "ports.serf_wan", FlagType::kInt, "Sets the Serf WAN port to listen on."},
    {"server", "server", FlagType::kBool, "Switches agent to server mode."},
    {"server-port", "ports.server", FlagType::kInt, "Sets the server port to listen on."},
    {"syslog", "enable_syslog", FlagType::kBool, "Enables logging to syslog."},
    {"ui", "ui", FlagType::kBool, "Enables the built-in static web UI server."},
    {"ui-content-path", "ui_content_path", FlagType::kString,
     "Sets the external UI path to a string. Defaults to: /ui/"},
    {"ui-dir", "ui_dir", FlagType::kString, "Path to directory containing the web UI resources."},
};

struct AgentFlags {
  bool dev = false;
  std::vector<std::string> config_files;  // -config-file and -config-dir, in order given
  std::string config_format;
  std::vector<std::string> hcl;
  json::object values;  // canonical config set by flags
};

// The object at a dotted path, created as needed.
json::value& PathSlot(json::object& root, std::string_view path) {
  json::object* obj = &root;
  for (;;) {
    size_t dot = path.find('.');
    if (dot == std::string_view::npos) return (*obj)[path];
    json::value& child = (*obj)[path.substr(0, dot)];
    if (!child.is_object()) child = json::object();
    obj = &child.as_object();
    path.remove_prefix(dot + 1);
  }
}

// Go's strconv.Atoi with its error text.
Status GoAtoi(std::string_view flag, std::string_view v, int64_t* out) {
  std::string_view digits = v;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) digits.remove_prefix(1);
  bool syntax_ok = !digits.empty() && std::all_of(digits.begin(), digits.end(),
                                                  [](char c) { return c >= '0' && c <= '9'; });
  std::string prefix =
      "invalid value \"" + std::string(v) + "\" for flag -" + std::string(flag) + ": ";
  if (!syntax_ok)
    return Status::InvalidArgument(prefix + "strconv.Atoi: parsing \"" + std::string(v) +
                                   "\": invalid syntax");
  std::string_view parse = v[0] == '+' ? v.substr(1) : v;
  auto [p, ec] = std::from_chars(parse.data(), parse.data() + parse.size(), *out);
  if (ec != std::errc() || p != parse.data() + parse.size())
    return Status::InvalidArgument(prefix + "strconv.Atoi: parsing \"" + std::string(v) +
                                   "\": value out of range");
  return Status::OK();
}

Status ParseAgentFlags(const std::vector<std::string>& args, AgentFlags* out) {
  FlagSet fs("agent");
  fs.String("config-format", &out->config_format, "");
  for (const AgentFlag& f : kAgentFlags) {
    std::string name(f.name);
    std::string path(f.path);
    if (name == "config-format") continue;
    if (name == "config-file" || name == "config-dir") {
      fs.StringList(name, &out->config_files, f.usage);
      continue;
    }
    if (name == "hcl") {
      fs.StringList(name, &out->hcl, f.usage);
      continue;
    }
    switch (f.type) {
      case FlagType::kString:
        fs.Func(
            name,
            [out, path](std::string_view v) {
              PathSlot(out->values, path) = json::string(v);
              return Status::OK();
            },
            f.usage);
        break;
      case FlagType::kBool:
        fs.Func(
            name,
            [out, path, name](std::string_view v) {
              bool b = false;
              if (!ParseGoBool(v, &b))
                return Status::InvalidArgument(
                    "invalid boolean value \"" + std::string(v) + "\" for -" + name +
                    ": strconv.ParseBool: parsing \"" + std::string(v) + "\": invalid syntax");
              if (name == "dev") {
                out->dev = b;
              } else {
                PathSlot(out->values, path) = b;
              }
              return Status::OK();
            },
            f.usage, /*is_bool=*/true);
        break;
      case FlagType::kInt:
        fs.Func(
            name,
            [out, path, name](std::string_view v) {
              int64_t n = 0;
              CONSULATE_RETURN_IF_ERROR(GoAtoi(name, v, &n));
              PathSlot(out->values, path) = n;
              return Status::OK();
            },
            f.usage);
        break;
      case FlagType::kList:
        fs.Func(
            name,
            [out, path](std::string_view v) {
              json::value& slot = PathSlot(out->values, path);
              if (!slot.is_array()) slot = json::array();
              slot.as_array().emplace_back(json::string(v));
              return Status::OK();
            },
            f.usage);
        break;
      case FlagType::kMap:
        fs.Func(
            name,
            [out, path](std::string_view v) {
              // lib.ParseMetaPair: "key:value"; without a colon the value is empty.
              size_t colon = v.find(':');
              std::string_view key = v.substr(0, colon);
              std::string_view val = colon == std::string_view::npos ? "" : v.substr(colon + 1);
              json::value& slot = PathSlot(out->values, path);
              if (!slot.is_object()) slot = json::object();
              slot.as_object()[key] = json::string(val);
              return Status::OK();
            },
            f.usage);
        break;
    }
  }
  CONSULATE_RETURN_IF_ERROR(fs.Parse(args));
  if (!fs.args().empty()) {
    std::string extra = "[";
    for (size_t i = 0; i < fs.args().size(); ++i) {
      if (i) extra += " ";
      extra += fs.args()[i];
    }
    return Status::InvalidArgument("Unexpected extra arguments: " + extra + "]");
  }
  return Status::OK();
}

// Consul merges list-valued flags before the config files (so that files append to them) and
// every other flag after the files: splitSlicesAndValues splits the top-level fields.
void SplitSlicesAndValues(const json::object& flags, json::object* slices, json::object* values) {
  for (const auto& kv : flags) {
    if (kv.value().is_array())
      (*slices)[kv.key()] = kv.value();
    else
      (*values)[kv.key()] = kv.value();
  }
}

Status CheckConfigFormat(std::string_view format) {
  if (!format.empty() && format != "json" && format != "hcl")
    return Status::InvalidArgument("config: -config-format must be either 'hcl' or 'json'");
  return Status::OK();
}

// The whole pipeline: head sources, files, tail sources, then the typed build.
Result<RuntimeConfig> Load(const std::vector<std::string>& paths, const std::string& format,
                           bool dev, const json::object& flag_values,
                           const std::vector<std::string>& hcl_fragments,
                           std::vector<std::string>* warnings, const LoadOptions& options) {
  std::vector<std::string> local_warnings;
  if (warnings == nullptr) warnings = &local_warnings;
  CONSULATE_RETURN_IF_ERROR(CheckConfigFormat(format));

  std::vector<Source> sources;
  sources.push_back(TextSource("default", "hcl", kDefaultSource));
  if (dev) sources.push_back(TextSource("dev", "hcl", kDevSource));
  Source slices{"flags.slices", "", "", {}};
  Source values{"flags.values", "", "", {}};
  SplitSlicesAndValues(flag_values, &slices.literal, &values.literal);
  sources.push_back(std::move(slices));
  // Every file is read before any is parsed, so a missing file is reported first.
  for (const std::string& p : paths) {
    CONSULATE_RETURN_IF_ERROR(SourcesFromPath(p, format, &sources, warnings));
  }
  sources.push_back(std::move(values));
  for (size_t i = 0; i < hcl_fragments.size(); ++i) {
    sources.push_back(TextSource("flags-" + std::to_string(i) + ".hcl", "hcl", hcl_fragments[i]));
  }
  sources.push_back(TextSource("non-user", "hcl", kNonUserSource));
  if (dev) sources.push_back(TextSource("consul-dev", "hcl", kDevConsulSource));
  Source version{"version", "", "", {}};
  version.literal["version"] = kConsulVersion;
  version.literal["revision"] = "";
  version.literal["version_prerelease"] = "";
  sources.push_back(std::move(version));

  json::object merged;
  CONSULATE_RETURN_IF_ERROR(MergeSources(sources, &merged, warnings));
  RuntimeConfig rt;
  CONSULATE_RETURN_IF_ERROR(internal::BuildRuntimeConfig(merged, dev, options, &rt, warnings));
  return rt;
}

}  // namespace

Result<RuntimeConfig> LoadAgentConfig(const std::vector<std::string>& args,
                                      std::vector<std::string>* warnings,
                                      const LoadOptions& options) {
  AgentFlags flags;
  CONSULATE_RETURN_IF_ERROR(ParseAgentFlags(args, &flags));
  return Load(flags.config_files, flags.config_format, flags.dev, flags.values, flags.hcl, warnings,
              options);
}

Status CheckAgentFlags(const std::vector<std::string>& args) {
  AgentFlags flags;
  return ParseAgentFlags(args, &flags);
}

Result<RuntimeConfig> LoadAgentConfig(const std::vector<std::string>& args,
                                      std::vector<std::string>* warnings) {
  return LoadAgentConfig(args, warnings, LoadOptions{});
}

Status ValidateConfigPaths(const std::vector<std::string>& paths, std::string_view config_format,
                           std::vector<std::string>* warnings, const LoadOptions& options) {
  auto rt = Load(paths, std::string(config_format), false, json::object(), {}, warnings, options);
  return rt.status();
}

Status ValidateConfigPaths(const std::vector<std::string>& paths, std::string_view config_format) {
  return ValidateConfigPaths(paths, config_format, nullptr, LoadOptions{});
}

Result<RuntimeConfig> BuildFromSources(const std::vector<ConfigSource>& user_sources, bool dev_mode,
                                       std::vector<std::string>* warnings,
                                       const LoadOptions& options) {
  std::vector<std::string> local_warnings;
  if (warnings == nullptr) warnings = &local_warnings;
  std::vector<Source> sources;
  sources.push_back(TextSource("default", "hcl", kDefaultSource));
  if (dev_mode) sources.push_back(TextSource("dev", "hcl", kDevSource));
  for (const ConfigSource& s : user_sources)
    sources.push_back(TextSource(s.name, s.format, s.data));
  sources.push_back(TextSource("non-user", "hcl", kNonUserSource));
  if (dev_mode) sources.push_back(TextSource("consul-dev", "hcl", kDevConsulSource));
  json::object merged;
  CONSULATE_RETURN_IF_ERROR(MergeSources(sources, &merged, warnings));
  merged["version"] = kConsulVersion;
  RuntimeConfig rt;
  CONSULATE_RETURN_IF_ERROR(internal::BuildRuntimeConfig(merged, dev_mode, options, &rt, warnings));
  return rt;
}

Result<json::value> ParseConfigFile(const std::string& path, std::string_view format) {
  std::string data;
  CONSULATE_RETURN_IF_ERROR(ReadWholeFile(path, &data));
  std::string fmt(format);
  if (fmt.empty()) fmt = FormatFromExtension(path) == "hcl" ? "hcl" : "json";
  Source s = TextSource(path, fmt, data);
  json::object raw;
  Status st = ParseSourceText(s, &raw);
  if (!st.ok()) return Status::InvalidArgument("failed to parse " + path + ": " + st.message());
  return json::value(std::move(raw));
}

std::string AgentFlagsUsage() {
  auto one = [](const AgentFlag& f) {
    std::string out = "  -" + std::string(f.name);
    if (f.name == "config-format") {
      out += "=<string>";
    } else if (f.type == FlagType::kMap) {
      out += "=<key:value>";
    } else if (f.type != FlagType::kBool) {
      out += "=<value>";
    }
    out += "\n";
    std::string_view u = f.usage;
    for (;;) {
      size_t nl = u.find('\n');
      out += "     " + std::string(u.substr(0, nl)) + "\n";
      if (nl == std::string_view::npos) break;
      u.remove_prefix(nl + 1);
    }
    return out + "\n";
  };
  std::string out = "HTTP API Options\n\n" + one(kAgentFlags[0]) + "Command Options\n\n";
  for (size_t i = 1; i < std::size(kAgentFlags); ++i) out += one(kAgentFlags[i]);
  return out;
}

}  // namespace consulate::config
