// The typed build and semantic validation of a merged configuration: Consul 1.8's Builder.Build
// and Builder.Validate. Checks run in Consul's order with Consul's messages, because operators
// (and scripts) read them. Two classes of error, as in Consul:
//  * immediate ones (bind address, raft multiplier, port ranges, ...) stop the build at once;
//  * value errors (bad durations, ports over 65535, unparsable addresses) are collected and
//    reported together, as a go-multierror list, after the other validations passed.
#include <arpa/inet.h>
#include <sys/stat.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <regex>
#include <sstream>

#include "base/base64.h"
#include "config/internal.h"

namespace consulate::config::internal {
namespace json = boost::json;

const json::value* Lookup(const json::object& obj, std::string_view path) {
  const json::object* cur = &obj;
  for (;;) {
    size_t dot = path.find('.');
    const json::value* v = cur->if_contains(path.substr(0, dot));
    if (v == nullptr || dot == std::string_view::npos) return v;
    if (!v->is_object()) return nullptr;
    cur = &v->as_object();
    path.remove_prefix(dot + 1);
  }
}

namespace {

constexpr int kMaxRaftMultiplier = 10;

// An IP literal as Go's net.ParseIP accepts it ("[::]" included, as Consul special-cases it),
// normalised the way Go prints it. Returns false for anything else.
bool ParseIP(std::string_view text, std::string* out, bool* is_v6) {
  std::string s(text == "[::]" ? "::" : text);
  unsigned char buf[16];
  char str[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) {
    inet_ntop(AF_INET, buf, str, sizeof(str));
    *out = str;
    *is_v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) {
    // IPv4-mapped IPv6 addresses print as IPv4 in Go.
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(buf, buf + 12, kMapped)) {
      inet_ntop(AF_INET, buf + 12, str, sizeof(str));
      *is_v6 = false;
    } else {
      inet_ntop(AF_INET6, buf, str, sizeof(str));
      *is_v6 = true;
    }
    *out = str;
    return true;
  }
  return false;
}

bool IsAnyIP(std::string_view s) { return s == "0.0.0.0" || s == "::" || s == "[::]"; }

std::string JoinHostPort(const std::string& ip, int port) {
  if (ip.find(':') != std::string::npos) return "[" + ip + "]:" + std::to_string(port);
  return ip + ":" + std::to_string(port);
}

std::string MultiError(const std::vector<std::string>& errs) {
  if (errs.size() == 1) return "1 error occurred:\n\t* " + errs[0] + "\n\n";
  std::string out = std::to_string(errs.size()) + " errors occurred:\n\t";
  for (size_t i = 0; i < errs.size(); ++i) {
    if (i) out += "\n\t";
    out += "* " + errs[i];
  }
  return out + "\n\n";
}

// A listener or advertise address: an IP (with port) or a unix socket path.
struct Addr {
  bool unix = false;
  std::string host;  // IP, or socket path
};

class Builder {
 public:
  Builder(const json::object& merged, bool dev, const LoadOptions& options,
          std::vector<std::string>* warnings)
      : m_(merged), dev_(dev), options_(options), warnings_(warnings) {}

  Status Build(RuntimeConfig* rt);

 private:
  const json::value* Get(std::string_view path) const { return Lookup(m_, path); }
  std::string Str(std::string_view path, std::string def = "") const {
    const json::value* v = Get(path);
    return v && v->is_string() ? std::string(v->as_string()) : def;
  }
  bool Has(std::string_view path) const { return Get(path) != nullptr; }
  bool Bool(std::string_view path, bool def = false) const {
    const json::value* v = Get(path);
    return v && v->is_bool() ? v->as_bool() : def;
  }
  int64_t Int(std::string_view path, int64_t def = 0) const {
    const json::value* v = Get(path);
    if (v == nullptr || !v->is_number()) return def;
    if (v->is_int64()) return v->as_int64();
    if (v->is_uint64()) return static_cast<int64_t>(std::min<uint64_t>(v->as_uint64(), INT64_MAX));
    double d = v->as_double();  // only for hand-built configs: decoding stores integers
    if (!(d > -9.2e18 && d < 9.2e18)) return d > 0 ? INT64_MAX : INT64_MIN;
    return static_cast<int64_t>(d);
  }
  // An int-typed field (Go's int is 64-bit; RuntimeConfig keeps int): clamped, not wrapped.
  int I32(std::string_view path, int64_t def = 0) const {
    return static_cast<int>(std::clamp<int64_t>(Int(path, def), INT32_MIN, INT32_MAX));
  }
  uint64_t Uint(std::string_view path, uint64_t def = 0) const {
    const json::value* v = Get(path);
    if (v == nullptr || !v->is_number()) return def;
    if (v->is_uint64()) return v->as_uint64();
    if (v->is_int64()) return static_cast<uint64_t>(std::max<int64_t>(v->as_int64(), 0));
    double d = v->as_double();
    if (!(d > 0)) return 0;
    return d >= 1.8e19 ? UINT64_MAX : static_cast<uint64_t>(d);
  }
  double Float(std::string_view path, double def = 0) const {
    const json::value* v = Get(path);
    return v && v->is_number() ? v->to_number<double>() : def;
  }
  std::vector<std::string> StrList(std::string_view path) const {
    std::vector<std::string> out;
    if (const json::value* v = Get(path); v && v->is_array())
      for (const auto& e : v->as_array())
        if (e.is_string()) out.emplace_back(e.as_string());
    return out;
  }
  std::map<std::string, std::string> StrMap(std::string_view path) const {
    std::map<std::string, std::string> out;
    if (const json::value* v = Get(path); v && v->is_object())
      for (const auto& kv : v->as_object())
        if (kv.value().is_string()) out[std::string(kv.key())] = kv.value().as_string();
    return out;
  }
  // b.durationVal: a Go duration, or the default when unset; a bad one is a collected error.
  Duration Dur(std::string_view path, std::string_view name = {}, Duration def = Duration(0)) {
    const json::value* v = Get(path);
    if (v == nullptr || !v->is_string()) return def;
    return ParseDur(name.empty() ? path : name, v->as_string());
  }
  Duration ParseDur(std::string_view name, std::string_view text) {
    auto d = ParseGoDuration(text);
    if (!d.ok()) {
      // Consul 1.8 writes `b.err = multierror.Append(fmt.Errorf(...))`, dropping the errors
      // collected so far: the last bad duration is the one reported. Kept for fidelity.
      errs_.assign(1, std::string(name) + ": invalid duration: \"" + std::string(text) +
                          "\": " + d.status().message());
      return Duration(0);
    }
    return *d;
  }
  // b.portVal: unset or <= 0 disables the listener (-1); over 65535 is an error.
  int Port(std::string_view path) {
    const json::value* v = Get(path);
    if (v == nullptr) return -1;
    int64_t p = Int(path, -1);
    if (p <= 0) return -1;
    if (p > 65535) {
      errs_.push_back(std::string(path) + ": invalid port: " + std::to_string(p));
      return -1;
    }
    return static_cast<int>(p);
  }
  void Warn(std::string w) { warnings_->push_back(std::move(w)); }
  void ParseDurations(RuntimeConfig* rt);

  bool ExpandTemplate(std::string_view name, const std::string& raw, std::string* out);
  bool ExpandAddrs(std::string_view name, const std::string& raw, std::vector<Addr>* out);
  std::string ExpandFirstIP(std::string_view name, const std::string& raw);
  Status DetectAdvertise(const std::string& bind, std::string* out);
  Status ValidateAddressesUnique(const RuntimeConfig& rt) const;
  Status Validate(RuntimeConfig* rt);

  const json::object& m_;
  bool dev_;
  const LoadOptions& options_;
  std::vector<std::string>* warnings_;
  std::vector<std::string> errs_;  // Consul's b.err
};

// go-sockaddr templates: the common functions are supported; others are reported as errors
// rather than used verbatim as an address.
bool Builder::ExpandTemplate(std::string_view name, const std::string& raw, std::string* out) {
  out->clear();
  size_t pos = 0;
  while (pos < raw.size()) {
    size_t open = raw.find("{{", pos);
    if (open == std::string::npos) {
      out->append(raw, pos, std::string::npos);
      break;
    }
    out->append(raw, pos, open - pos);
    size_t close = raw.find("}}", open);
    if (close == std::string::npos) {
      errs_.push_back(std::string(name) + ": error parsing \"" + raw +
                      "\": unable to parse address template");
      return false;
    }
    std::string expr = raw.substr(open + 2, close - open - 2);
    expr.erase(0, expr.find_first_not_of(" \t"));
    expr.erase(expr.find_last_not_of(" \t") + 1);
    std::smatch match;
    static const std::regex kIface(R"re((GetInterfaceIPs?)\s+"([^"]*)")re");
    std::vector<std::string> ips;
    if (expr == "GetPrivateIP" || expr == "GetPrivateIPs") {
      ips = options_.private_ipv4 ? options_.private_ipv4() : HostPrivateIPv4();
      if (expr == "GetPrivateIP" && ips.size() > 1) ips.resize(1);
    } else if (expr == "GetPublicIP" || expr == "GetPublicIPs") {
      ips = options_.public_ipv6 ? options_.public_ipv6() : HostPublicIPv6();
      if (expr == "GetPublicIP" && ips.size() > 1) ips.resize(1);
    } else if (std::regex_match(expr, match, kIface)) {
      ips = HostInterfaceIPs(match[2].str());
      if (match[1].str() == "GetInterfaceIP" && ips.size() > 1) ips.resize(1);
    } else {
      errs_.push_back(std::string(name) + ": error parsing \"" + raw +
                      "\": unsupported address template \"" + expr + "\"");
      return false;
    }
    for (size_t i = 0; i < ips.size(); ++i) {
      if (i) out->push_back(' ');
      out->append(ips[i]);
    }
    pos = close + 2;
  }
  return true;
}

// b.expandAddrs: template, then blank-separated IPs or unix:// paths.
bool Builder::ExpandAddrs(std::string_view name, const std::string& raw, std::vector<Addr>* out) {
  out->clear();
  std::string expanded;
  if (!ExpandTemplate(name, raw, &expanded)) return false;
  std::istringstream fields(expanded);
  std::string a;
  while (fields >> a) {
    if (a.rfind("unix://", 0) == 0) {
      out->push_back(Addr{true, a.substr(7)});
      continue;
    }
    std::string ip;
    bool v6 = false;
    if (!ParseIP(a, &ip, &v6)) {
      errs_.push_back(std::string(name) + ": invalid ip address: " + a);
      out->clear();
      return false;
    }
    out->push_back(Addr{false, ip});
  }
  return true;
}

// b.expandFirstIP: the first IP of the expansion, or "" (unset, or only unix sockets).
std::string Builder::ExpandFirstIP(std::string_view name, const std::string& raw) {
  if (raw.empty()) return "";
  std::vector<Addr> addrs;
  if (!ExpandAddrs(name, raw, &addrs)) return "";
  if (addrs.size() > 1) {
    errs_.push_back(std::string(name) + ": multiple addresses found: " + raw);
    return "";
  }
  if (addrs.empty() || addrs[0].unix) return "";
  return addrs[0].host;
}

// Consul's advertiseAddrFunc: an ANY bind address is replaced by the host's only private IPv4
// (0.0.0.0) or public IPv6 (::) address.
Status Builder::DetectAdvertise(const std::string& bind, std::string* out) {
  bool v6 = bind.find(':') != std::string::npos;
  std::string kind = v6 ? "public IPv6" : "private IPv4";
  std::vector<std::string> found;
  if (v6) {
    found = options_.public_ipv6 ? options_.public_ipv6() : HostPublicIPv6();
  } else {
    found = options_.private_ipv4 ? options_.private_ipv4() : HostPrivateIPv4();
  }
  if (found.empty()) return Status::InvalidArgument("No " + kind + " address found");
  if (found.size() > 1) {
    return Status::InvalidArgument("Multiple " + kind +
                                   " addresses found. Please configure one with 'bind' and/or "
                                   "'advertise'.");
  }
  *out = found[0];
  return Status::OK();
}

Status Builder::Build(RuntimeConfig* rt) {
  rt->dev_mode = dev_;
  rt->merged = m_;
  for (const auto& [svc, ttl] : StrMap("dns_config.service_ttl"))
    ParseDur("dns_config.service_ttl[\"" + svc + "\"]", ttl);
  rt->server = Bool("server");
  rt->bootstrap = Bool("bootstrap");
  rt->bootstrap_expect = I32("bootstrap_expect");
  rt->leave_on_terminate = Bool("leave_on_terminate", !rt->server);
  rt->skip_leave_on_interrupt = Bool("skip_leave_on_interrupt", rt->server);

  // Ports.
  Ports& p = rt->ports;
  p.dns = Port("ports.dns");
  p.http = Port("ports.http");
  p.https = Port("ports.https");
  p.server = Port("ports.server");
  p.grpc = Port("ports.grpc");
  p.serf_lan = Port("ports.serf_lan");
  p.serf_wan = Port("ports.serf_wan");
  p.proxy_min_port = Port("ports.proxy_min_port");
  p.proxy_max_port = Port("ports.proxy_max_port");
  p.sidecar_min_port = Port("ports.sidecar_min_port");
  p.sidecar_max_port = Port("ports.sidecar_max_port");
  p.expose_min_port = Port("ports.expose_min_port");
  p.expose_max_port = Port("ports.expose_max_port");
  if (p.proxy_max_port < p.proxy_min_port)
    return Status::InvalidArgument(
        "proxy_min_port must be less than proxy_max_port. To disable, set both to zero.");
  if (p.sidecar_max_port < p.sidecar_min_port)
    return Status::InvalidArgument(
        "sidecar_min_port must be less than sidecar_max_port. To disable, set both to zero.");
  if (p.expose_max_port < p.expose_min_port)
    return Status::InvalidArgument(
        "expose_min_port must be less than expose_max_port. To disable, set both to zero.");

  // Bind and advertise addresses.
  std::vector<Addr> bind_addrs;
  ExpandAddrs("bind_addr", Str("bind_addr"), &bind_addrs);
  if (bind_addrs.empty()) return Status::InvalidArgument("bind_addr cannot be empty");
  if (bind_addrs.size() > 1)
    return Status::InvalidArgument(
        "bind_addr cannot contain multiple addresses. Use 'addresses.{dns,http,https}' instead.");
  if (bind_addrs[0].unix) return Status::InvalidArgument("bind_addr cannot be a unix socket");
  rt->bind_addr = bind_addrs[0].host;
  if (IsAnyIP(Str("advertise_addr")))
    return Status::InvalidArgument("Advertise address cannot be 0.0.0.0, :: or [::]");
  if (IsAnyIP(Str("advertise_addr_wan")))
    return Status::InvalidArgument("Advertise WAN address cannot be 0.0.0.0, :: or [::]");
  std::string advertise = ExpandFirstIP("advertise_addr", Str("advertise_addr"));
  if (advertise.empty()) advertise = rt->bind_addr;
  if (IsAnyIP(advertise)) CONSULATE_RETURN_IF_ERROR(DetectAdvertise(advertise, &advertise));
  rt->advertise_addr = advertise;
  rt->serf_lan_bind = ExpandFirstIP("serf_lan", Str("serf_lan"));
  rt->serf_wan_bind = ExpandFirstIP("serf_wan", Str("serf_wan"));
  std::string advertise_wan = ExpandFirstIP("advertise_addr_wan", Str("advertise_addr_wan"));
  rt->advertise_addr_wan = advertise_wan.empty() ? advertise : advertise_wan;

  std::string ip;
  bool v6 = false;
  std::string lan_v4 = ExpandFirstIP("advertise_addr_ipv4", Str("advertise_addr_ipv4"));
  std::string lan_v6 = ExpandFirstIP("advertise_addr_ipv6", Str("advertise_addr_ipv6"));
  std::string wan_v4 = ExpandFirstIP("advertise_addr_wan_ipv4", Str("advertise_addr_wan_ipv4"));
  if (!lan_v4.empty() && ParseIP(lan_v4, &ip, &v6) && v6)
    return Status::InvalidArgument("advertise_addr_ipv4 must be an ipv4 address");
  if (!lan_v6.empty() && ParseIP(lan_v6, &ip, &v6) && !v6)
    return Status::InvalidArgument("advertise_addr_ipv6 must be an ipv6 address");
  if (!wan_v4.empty() && ParseIP(wan_v4, &ip, &v6) && v6)
    return Status::InvalidArgument("advertise_addr_wan_ipv4 must be an ipv4 address");
  // Tagged addresses: the user's, then lan/wan and their per-family forms.
  rt->tagged_addresses = StrMap("tagged_addresses");
  auto tag_family = [&](const std::string& base, const std::string& addr, const std::string& v4,
                        const std::string& v6addr) {
    rt->tagged_addresses[base] = addr;
    bool is_v6 = false;
    std::string norm;
    ParseIP(addr, &norm, &is_v6);
    std::string four = !v4.empty() ? v4 : (is_v6 ? "" : addr);
    std::string six = !v6addr.empty() ? v6addr : (is_v6 ? addr : "");
    if (!four.empty()) rt->tagged_addresses[base + "_ipv4"] = four;
    if (!six.empty()) rt->tagged_addresses[base + "_ipv6"] = six;
  };
  tag_family("lan", rt->advertise_addr, lan_v4, lan_v6);
  tag_family("wan", rt->advertise_addr_wan, wan_v4, "");

  // Segments are Enterprise-only (Validate rejects them), but their ports are checked first.
  if (const json::value* segs = Get("segments"); segs && segs->is_array()) {
    for (const auto& seg : segs->as_array()) {
      if (!seg.is_object()) continue;
      const json::value* n = seg.as_object().if_contains("name");
      std::string name = n && n->is_string() ? std::string(n->as_string()) : "";
      const json::value* port = seg.as_object().if_contains("port");
      int64_t p = port && port->is_int64() ? port->as_int64() : 0;
      if (p > 65535)
        errs_.push_back("segments[" + name + "].port: invalid port: " + std::to_string(p));
      if (p <= 0)
        return Status::InvalidArgument("Port for segment \"" + name + "\" cannot be <= 0");
    }
  }

  // Client addresses.
  rt->client_addr = Str("client_addr");
  std::vector<Addr> client;
  ExpandAddrs("client_addr", rt->client_addr, &client);
  rt->client_addrs.clear();
  for (const Addr& a : client) {
    if (a.unix) {
      errs_.push_back("client_addr cannot be a unix socket");
      continue;
    }
    rt->client_addrs.push_back(a.host);
  }
  rt->addresses_dns = Str("addresses.dns");
  rt->addresses_http = Str("addresses.http");
  rt->addresses_https = Str("addresses.https");
  rt->addresses_grpc = Str("addresses.grpc");

  // DNS recursors: expanded, de-duplicated, no unix sockets.
  for (const std::string& r : StrList("recursors")) {
    std::string expanded;
    if (!ExpandTemplate("recursors", r, &expanded))
      return Status::InvalidArgument("Invalid DNS recursor template \"" + r + "\"");
    std::istringstream fields(expanded);
    std::string a;
    while (fields >> a) {
      if (a.rfind("unix://", 0) == 0)
        return Status::InvalidArgument("DNS Recursors cannot be unix sockets: " + a);
      if (std::find(rt->recursors.begin(), rt->recursors.end(), a) == rt->recursors.end())
        rt->recursors.push_back(a);
    }
  }

  rt->datacenter = Str("datacenter");
  std::transform(rt->datacenter.begin(), rt->datacenter.end(), rt->datacenter.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };

  // Raft timing, scaled by the multiplier.
  rt->raft_multiplier = I32("performance.raft_multiplier");
  if (rt->raft_multiplier < 1 || rt->raft_multiplier > kMaxRaftMultiplier)
    return Status::InvalidArgument("performance.raft_multiplier cannot be " +
                                   std::to_string(rt->raft_multiplier) +
                                   ". Must be between 1 and " + std::to_string(kMaxRaftMultiplier));
  rt->raft_election_timeout = Dur("consul.raft.election_timeout") * rt->raft_multiplier;
  rt->raft_heartbeat_timeout = Dur("consul.raft.heartbeat_timeout") * rt->raft_multiplier;
  rt->raft_leader_lease_timeout = Dur("consul.raft.leader_lease_timeout") * rt->raft_multiplier;

  // Connect and ACLs.
  rt->connect_enabled = Bool("connect.enabled");
  if (Bool("auto_encrypt.allow_tls") || Bool("auto_config.enabled")) rt->connect_enabled = true;
  if (Bool("connect.enable_mesh_gateway_wan_federation") && !rt->connect_enabled)
    return Status::InvalidArgument(
        "'connect.enable_mesh_gateway_wan_federation=true' requires 'connect.enabled=true'");
  rt->primary_datacenter = lower(Str("primary_datacenter"));
  if (Has("acl_datacenter")) {
    Warn("The 'acl_datacenter' field is deprecated. Use the 'primary_datacenter' field instead.");
    if (rt->primary_datacenter.empty()) rt->primary_datacenter = lower(Str("acl_datacenter"));
    rt->acl_enabled = true;  // a legacy acl_datacenter turns ACLs on
  }
  if (Has("acl.enabled")) rt->acl_enabled = Bool("acl.enabled");
  if (rt->primary_datacenter.empty()) rt->primary_datacenter = rt->datacenter;

  rt->enable_script_checks = Bool("enable_script_checks");
  rt->enable_local_script_checks = Bool("enable_local_script_checks", rt->enable_script_checks);

  // Everything else, in RuntimeConfig's order. Durations Consul parses are all parsed here so
  // that a malformed one is reported even when Consulate does not use it yet.
  rt->data_dir = Str("data_dir");
  rt->node_id = Str("node_id");
  rt->disable_host_node_id = Bool("disable_host_node_id", true);
  rt->node_name = Str("node_name");
  if (rt->node_name.empty()) rt->node_name = options_.hostname ? options_.hostname() : HostName();
  rt->node_name.erase(0, rt->node_name.find_first_not_of(" \t\r\n"));
  rt->node_name.erase(rt->node_name.find_last_not_of(" \t\r\n") + 1);
  rt->log_level = Str("log_level");
  rt->log_file = Str("log_file");
  rt->log_rotate_bytes = I32("log_rotate_bytes");
  rt->log_rotate_max_files = I32("log_rotate_max_files");
  rt->log_json = Bool("log_json");
  rt->enable_syslog = Bool("enable_syslog");
  rt->syslog_facility = Str("syslog_facility");
  rt->pid_file = Str("pid_file");
  rt->ui = Bool("ui");
  rt->ui_dir = Str("ui_dir");
  {
    // UIPathBuilder: "/<path without surrounding slashes>/", default "/ui/".
    std::string path = Str("ui_content_path");
    if (path.empty()) {
      rt->ui_content_path = "/ui/";
    } else {
      size_t b = path.find_first_not_of('/'), e = path.find_last_not_of('/');
      rt->ui_content_path = "/" + (b == std::string::npos ? "" : path.substr(b, e - b + 1)) + "/";
    }
  }
  rt->start_join = StrList("start_join");
  rt->start_join_wan = StrList("start_join_wan");
  rt->retry_join = StrList("retry_join");
  rt->retry_join_wan = StrList("retry_join_wan");
  rt->retry_max = I32("retry_max");
  rt->retry_max_wan = I32("retry_max_wan");
  rt->rejoin_after_leave = Bool("rejoin_after_leave");
  rt->encrypt = Str("encrypt");
  rt->encrypt_verify_incoming = Bool("encrypt_verify_incoming", true);
  rt->encrypt_verify_outgoing = Bool("encrypt_verify_outgoing", true);
  rt->disable_keyring_file = Bool("disable_keyring_file");
  rt->node_meta = StrMap("node_meta");
  rt->raft_protocol = I32("raft_protocol", 3);
  rt->http_max_conns_per_client = I32("limits.http_max_conns_per_client");
  rt->rpc_max_conns_per_client = I32("limits.rpc_max_conns_per_client");
  rt->rpc_rate = Float("limits.rpc_rate", -1);
  rt->rpc_max_burst = I32("limits.rpc_max_burst");
  rt->kv_max_value_size = Uint("limits.kv_max_value_size", 512 * 1024);
  rt->txn_max_req_len = Uint("limits.txn_max_req_len", 512 * 1024);
  rt->rpc_protocol = I32("protocol", 2);
  rt->check_output_max_size = I32("check_output_max_size");
  rt->domain = Str("domain");
  rt->alt_domain = Str("alt_domain");
  rt->dns_allow_stale = Bool("dns_config.allow_stale");
  rt->dns_only_passing = Bool("dns_config.only_passing");
  rt->dns_udp_answer_limit = I32("dns_config.udp_answer_limit");
  rt->dns_a_record_limit = I32("dns_config.a_record_limit");
  rt->disable_update_check = Bool("disable_update_check");
  rt->disable_remote_exec = Bool("disable_remote_exec", true);
  rt->disable_anonymous_signature = Bool("disable_anonymous_signature");
  rt->disable_coordinates = Bool("disable_coordinates");
  rt->enable_debug = Bool("enable_debug");
  rt->version = Str("version", std::string(kConsulVersion));
  rt->version_prerelease = Str("version_prerelease");
  rt->revision = Str("revision");
  ParseDurations(rt);

  // BootstrapExpect = 1 means bootstrap mode.
  if (rt->bootstrap_expect == 1) {
    rt->bootstrap = true;
    rt->bootstrap_expect = 0;
    Warn("BootstrapExpect is set to 1; this is the same as Bootstrap mode.");
  }
  return Validate(rt);
}

// Every duration Consul's Build parses, in its order (which decides the error reported, see
// ParseDur), including those Consulate does not use yet, so that bad values are still caught.
void Builder::ParseDurations(RuntimeConfig* rt) {
  Dur("acl.disabled_ttl");
  rt->ae_interval = Dur("ae_interval");
  rt->check_deregister_interval_min = Dur("check_deregister_interval_min");
  rt->check_reap_interval = Dur("check_reap_interval");
  Dur("sync_coordinate_interval_min");
  Dur("consul.coordinate.update_period");
  rt->server_health_interval = Dur("consul.server.health_interval");
  for (std::string base : {"gossip_lan", "gossip_wan"}) {
    // Consul names these "gossip_lan..gossip_interval" (sic) in its errors.
    for (std::string_view f : {"gossip_interval", "probe_interval", "probe_timeout"})
      Dur(base + "." + std::string(f), base + ".." + std::string(f));
  }
  Dur("acl_ttl");
  Dur("acl.token_ttl");
  Dur("acl.policy_ttl");
  Dur("acl.role_ttl");
  Dur("autopilot.last_contact_threshold");
  Dur("autopilot.server_stabilization_time");
  rt->dns_max_stale = Dur("dns_config.max_stale");
  rt->dns_node_ttl = Dur("dns_config.node_ttl");
  rt->dns_recursor_timeout = Dur("dns_config.recursor_timeout", "recursor_timeout");
  Dur("dns_config.cache_max_age");
  Dur("telemetry.prometheus_retention_time", "prometheus_retention_time");
  rt->check_update_interval = Dur("check_update_interval");
  rt->default_query_time = Dur("default_query_time");
  Dur("discovery_max_stale");
  rt->https_handshake_timeout = Dur("limits.https_handshake_timeout");
  rt->leave_drain_time = Dur("performance.leave_drain_time");
  rt->log_rotate_duration = Dur("log_rotate_duration");
  rt->max_query_time = Dur("max_query_time");
  Dur("primary_gateways_interval");
  rt->rpc_handshake_timeout = Dur("limits.rpc_handshake_timeout");
  rt->rpc_hold_timeout = Dur("performance.rpc_hold_timeout");
  rt->raft_snapshot_interval = Dur("raft_snapshot_interval");
  if (Duration d = Dur("reconnect_timeout"); d.count() > 0) rt->reconnect_timeout = d;
  if (Duration d = Dur("reconnect_timeout_wan"); d.count() > 0) rt->reconnect_timeout_wan = d;
  rt->retry_interval = Dur("retry_interval");
  rt->retry_interval_wan = Dur("retry_interval_wan");
  Dur("session_ttl_min");
}

// structs.ValidateNodeMetadata.
Status ValidateNodeMeta(const std::map<std::string, std::string>& meta) {
  if (meta.size() > 64)
    return Status::InvalidArgument(
        "node_meta invalid: Node metadata cannot contain more than 64 key/value pairs");
  static const std::regex kKey("^[a-zA-Z0-9_-]+$");
  for (const auto& [k, v] : meta) {
    std::string why;
    if (k.empty()) {
      why = "Key cannot be blank";
    } else if (!std::regex_match(k, kKey)) {
      why = "Key contains invalid characters";
    } else if (k.size() > 128) {
      why = "Key is too long (limit: 128 characters)";
    } else if (k.rfind("consul-", 0) == 0) {
      why = "Key prefix 'consul-' is reserved for internal use";
    } else if (v.size() > 512) {
      why = "Value is too long (limit: 512 characters)";
    }
    if (!why.empty())
      return Status::InvalidArgument("node_meta invalid: Couldn't load metadata pair ('" + k +
                                     "', '" + v + "'): " + why);
  }
  return Status::OK();
}

// addrUnique over every listener and advertised address, in Consul's order.
Status Builder::ValidateAddressesUnique(const RuntimeConfig& rt) const {
  std::vector<std::pair<std::string, std::string>> inuse;  // key, owner
  auto add = [&](const std::string& owner, const std::string& network,
                 const std::string& addr) -> Status {
    std::string key = network + ":" + addr;
    for (const auto& [k, o] : inuse)
      if (k == key)
        return Status::InvalidArgument(owner + " address " + addr + " already configured for " + o);
    inuse.emplace_back(key, owner);
    return Status::OK();
  };
  // makeAddrs: the addresses.<x> override, else the client addresses; no port, no listener.
  auto listeners = [&](const std::string& override_addr, int port) {
    std::vector<Addr> out;
    if (port <= 0) return out;
    if (!override_addr.empty()) {
      std::istringstream fields(override_addr);
      std::string a, ip;
      bool v6;
      while (fields >> a) {
        if (a.rfind("unix://", 0) == 0) {
          out.push_back(Addr{true, a.substr(7)});
        } else if (ParseIP(a, &ip, &v6)) {
          out.push_back(Addr{false, ip});
        }
      }
      return out;
    }
    for (const std::string& c : rt.client_addrs) out.push_back(Addr{false, c});
    return out;
  };
  for (const Addr& a : listeners(rt.addresses_dns, rt.ports.dns)) {
    if (a.unix) return Status::InvalidArgument("DNS address cannot be a unix socket");
    CONSULATE_RETURN_IF_ERROR(add("DNS", "tcp", JoinHostPort(a.host, rt.ports.dns)));
    CONSULATE_RETURN_IF_ERROR(add("DNS", "udp", JoinHostPort(a.host, rt.ports.dns)));
  }
  for (const Addr& a : listeners(rt.addresses_http, rt.ports.http))
    CONSULATE_RETURN_IF_ERROR(a.unix ? add("HTTP", "unix", a.host)
                                     : add("HTTP", "tcp", JoinHostPort(a.host, rt.ports.http)));
  for (const Addr& a : listeners(rt.addresses_https, rt.ports.https))
    CONSULATE_RETURN_IF_ERROR(a.unix ? add("HTTPS", "unix", a.host)
                                     : add("HTTPS", "tcp", JoinHostPort(a.host, rt.ports.https)));
  CONSULATE_RETURN_IF_ERROR(
      add("RPC Advertise", "tcp", JoinHostPort(rt.advertise_addr, rt.ports.server)));
  CONSULATE_RETURN_IF_ERROR(
      add("Serf Advertise LAN", "tcp", JoinHostPort(rt.advertise_addr, rt.ports.serf_lan)));
  if (rt.ports.serf_wan >= 0)
    CONSULATE_RETURN_IF_ERROR(
        add("Serf Advertise WAN", "tcp", JoinHostPort(rt.advertise_addr_wan, rt.ports.serf_wan)));
  return Status::OK();
}

Status Builder::Validate(RuntimeConfig* rt) {
  static const std::regex kDatacenter("^[a-z0-9_-]+$");
  if (!std::regex_match(rt->datacenter, kDatacenter))
    return Status::InvalidArgument("datacenter cannot be \"" + rt->datacenter +
                                   "\". Please use only [a-z0-9-_]");
  if (rt->data_dir.empty() && !rt->dev_mode)
    return Status::InvalidArgument("data_dir cannot be empty");
  static const std::regex kContentPath("^[A-Za-z0-9/_-]+$");
  static const std::regex kHasVersion("^/v[0-9]+/$");
  if (!std::regex_match(rt->ui_content_path, kContentPath))
    return Status::InvalidArgument(
        "ui-content-path can only contain alphanumeric, -, _, or /. received: " +
        rt->ui_content_path);
  if (std::regex_match(rt->ui_content_path, kHasVersion))
    return Status::InvalidArgument("ui-content-path cannot have 'v[0-9]'. received: " +
                                   rt->ui_content_path);
  if (!rt->dev_mode) {
    struct stat st;
    if (stat(rt->data_dir.c_str(), &st) != 0) {
      if (errno != ENOENT)
        return Status::InvalidArgument("Error getting info on data_dir: stat " + rt->data_dir +
                                       ": " + std::strerror(errno));
    } else if (!S_ISDIR(st.st_mode)) {
      return Status::InvalidArgument("data_dir \"" + rt->data_dir + "\" is not a directory");
    }
  }
  static const std::regex kInvalidDNS("[^A-Za-z0-9\\-]+");
  if (rt->node_name.empty()) {
    return Status::InvalidArgument("node_name cannot be empty");
  } else if (std::regex_search(rt->node_name, kInvalidDNS)) {
    Warn("Node name \"" + rt->node_name +
         "\" will not be discoverable via DNS due to invalid characters. Valid characters "
         "include all alpha-numerics and dashes.");
  } else if (rt->node_name.size() > 63) {
    Warn("Node name \"" + rt->node_name +
         "\" will not be discoverable via DNS due to it being too long. Valid lengths are "
         "between 1 and 63 bytes.");
  }
  if (IsAnyIP(rt->advertise_addr))
    return Status::InvalidArgument("Advertise address cannot be 0.0.0.0, :: or [::]");
  if (IsAnyIP(rt->advertise_addr_wan))
    return Status::InvalidArgument("Advertise WAN address cannot be 0.0.0.0, :: or [::]");
  if (const json::value* s = Get("segments");
      !Str("segment").empty() || (s && s->is_array() && !s->as_array().empty()))
    return Status::InvalidArgument("Network segments are not supported in this version of Consul");
  for (const std::string& r : rt->recursors)
    if (IsAnyIP(r))
      return Status::InvalidArgument("DNS recursor address cannot be 0.0.0.0, :: or [::]");
  if (!rt->alt_domain.empty()) {
    for (std::string prefix : {"service.", "connect.", "node.", "query.", "addr."}) {
      if (rt->alt_domain.rfind(prefix, 0) == 0 ||
          rt->alt_domain.rfind(rt->datacenter + ".", 0) == 0)
        return Status::InvalidArgument(
            "alt_domain cannot start with {service,connect,node,query,addr," + rt->datacenter +
            "}");
    }
  }
  if (rt->bootstrap && !rt->server)
    return Status::InvalidArgument("'bootstrap = true' requires 'server = true'");
  if (rt->bootstrap_expect < 0)
    return Status::InvalidArgument("bootstrap_expect cannot be " +
                                   std::to_string(rt->bootstrap_expect) +
                                   ". Must be greater than or equal to zero");
  if (rt->bootstrap_expect > 0 && !rt->server)
    return Status::InvalidArgument("'bootstrap_expect > 0' requires 'server = true'");
  if (rt->bootstrap_expect > 0 && rt->dev_mode)
    return Status::InvalidArgument("'bootstrap_expect > 0' not allowed in dev mode");
  if (rt->bootstrap_expect > 0 && rt->bootstrap)
    return Status::InvalidArgument(
        "'bootstrap_expect > 0' and 'bootstrap = true' are mutually exclusive");
  if (rt->check_output_max_size < 1)
    return Status::InvalidArgument(
        "check_output_max_size must be positive, to discard check output use the "
        "discard_check_output flag");
  if (rt->ae_interval <= Duration(0))
    return Status::InvalidArgument("ae_interval cannot be " + FormatGoDuration(rt->ae_interval) +
                                   ". Must be positive");
  if (int64_t t = Int("autopilot.max_trailing_logs"); t < 0)
    return Status::InvalidArgument("autopilot.max_trailing_logs cannot be " + std::to_string(t) +
                                   ". Must be greater than or equal to zero");
  // 1.8 validates the primary datacenter under its legacy name.
  if (!rt->primary_datacenter.empty() && !std::regex_match(rt->primary_datacenter, kDatacenter))
    return Status::InvalidArgument("acl_datacenter cannot be \"" + rt->primary_datacenter +
                                   "\". Please use only [a-z0-9-_]");
  if (!rt->dev_mode && rt->ui && !rt->ui_dir.empty())
    return Status::InvalidArgument(
        "Both the ui and ui-dir flags were specified, please provide only one.\nIf trying to use "
        "your own web UI resources, use the ui-dir flag.\nThe web UI is included in the binary so "
        "use ui to enable it");
  if (rt->dns_udp_answer_limit < 0)
    return Status::InvalidArgument("dns_config.udp_answer_limit cannot be " +
                                   std::to_string(rt->dns_udp_answer_limit) +
                                   ". Must be greater than or equal to zero");
  if (rt->dns_a_record_limit < 0)
    return Status::InvalidArgument("dns_config.a_record_limit cannot be " +
                                   std::to_string(rt->dns_a_record_limit) +
                                   ". Must be greater than or equal to zero");
  CONSULATE_RETURN_IF_ERROR(ValidateNodeMeta(rt->node_meta));
  if (!rt->encrypt.empty()) {
    auto key = Base64Decode(rt->encrypt);
    if (!key.ok())
      return Status::InvalidArgument("encrypt has invalid key: " + key.status().message());
  }
  bool wan_fed = Bool("connect.enable_mesh_gateway_wan_federation");
  if (wan_fed && !rt->server)
    return Status::InvalidArgument(
        "'connect.enable_mesh_gateway_wan_federation = true' requires 'server = true'");
  if (wan_fed && rt->node_name.find('/') != std::string::npos)
    return Status::InvalidArgument(
        "'connect.enable_mesh_gateway_wan_federation = true' requires that 'node_name' not "
        "contain '/' characters");
  if (wan_fed && !rt->start_join_wan.empty())
    return Status::InvalidArgument(
        "'start_join_wan' is incompatible with 'connect.enable_mesh_gateway_wan_federation = "
        "true'");
  if (wan_fed && !rt->retry_join_wan.empty())
    return Status::InvalidArgument(
        "'retry_join_wan' is incompatible with 'connect.enable_mesh_gateway_wan_federation = "
        "true'");
  if (!StrList("primary_gateways").empty()) {
    if (!rt->server) return Status::InvalidArgument("'primary_gateways' requires 'server = true'");
    if (rt->primary_datacenter == rt->datacenter)
      return Status::InvalidArgument(
          "'primary_gateways' should only be configured in a secondary datacenter");
  }
  // A Consul 0.5 data directory must be migrated before a server may use it.
  if (rt->server) {
    std::string mdb = rt->data_dir.empty() ? "mdb" : rt->data_dir + "/mdb";
    struct stat st;
    int err = stat(mdb.c_str(), &st) == 0 ? 0 : errno;
    if (err != ENOENT) {
      if (err == EACCES)
        return Status::InvalidArgument("CRITICAL: Permission denied for data folder at \"" + mdb +
                                       "\"!\nConsul will refuse to boot without access to this "
                                       "directory.\nPlease correct permissions and try starting "
                                       "again.");
      return Status::InvalidArgument(
          "CRITICAL: Deprecated data folder found at \"" + mdb +
          "\"!\nConsul will refuse to boot with this directory present.\nSee "
          "https://www.consul.io/docs/upgrade-specific.html for more information.");
    }
  }
  CONSULATE_RETURN_IF_ERROR(ValidateAddressesUnique(*rt));
  if (!errs_.empty()) return Status::InvalidArgument(MultiError(errs_));

  std::string provider = Str("connect.ca_provider");
  if (!provider.empty() && provider != "consul" && provider != "vault" && provider != "aws-pca")
    return Status::InvalidArgument(provider + " is not a valid CA provider");
  if (rt->server && Bool("auto_encrypt.tls"))
    return Status::InvalidArgument("auto_encrypt.tls can only be used on a client.");
  if (!rt->server && Bool("auto_encrypt.allow_tls"))
    return Status::InvalidArgument("auto_encrypt.allow_tls can only be used on a server.");
  if (Int("cache.entry_fetch_max_burst", 2) <= 0)
    return Status::InvalidArgument("cache.entry_fetch_max_burst must be strictly positive, was: " +
                                   std::to_string(Int("cache.entry_fetch_max_burst")));

  // Advice, not errors.
  if (rt->server && !rt->dev_mode && !rt->bootstrap && rt->bootstrap_expect == 2)
    Warn(
        "bootstrap_expect = 2: A cluster with 2 servers will provide no failure tolerance. See "
        "https://www.consul.io/docs/internals/consensus.html#deployment-table");
  if (rt->server && !rt->bootstrap && rt->bootstrap_expect > 2 && rt->bootstrap_expect % 2 == 0)
    Warn(
        "bootstrap_expect is even number: A cluster with an even number of servers does not "
        "achieve optimum fault tolerance. See "
        "https://www.consul.io/docs/internals/consensus.html#deployment-table");
  if (rt->server && rt->bootstrap && rt->bootstrap_expect == 0)
    Warn("bootstrap = true: do not enable unless necessary");
  if (rt->server && !rt->dev_mode && !rt->bootstrap && rt->bootstrap_expect > 1)
    Warn("bootstrap_expect > 0: expecting " + std::to_string(rt->bootstrap_expect) + " servers");
  return Status::OK();
}

}  // namespace

Status BuildRuntimeConfig(const json::object& merged, bool dev_mode, const LoadOptions& options,
                          RuntimeConfig* out, std::vector<std::string>* warnings) {
  Builder b(merged, dev_mode, options, warnings);
  return b.Build(out);
}

}  // namespace consulate::config::internal
