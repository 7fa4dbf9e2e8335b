// Decoding sources against Consul 1.8's key set, and merging them.
#include "config/schema.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "config/hcl.h"

namespace consulate::config {
namespace {

namespace json = boost::json;

json::object Decode(std::string_view json_text, DecodeIssues* issues, bool hcl = false) {
  json::value raw = json::parse(json_text);
  return DecodeSource(raw.as_object(), hcl, issues);
}

TEST(SchemaTest, EveryKeyOfAFullConfigIsKnown) {
  // One of each top-level key family Consul 1.8 documents.
  DecodeIssues issues;
  Decode(R"({
    "acl": {"enabled": true, "default_policy": "deny", "down_policy": "extend-cache",
            "tokens": {"master": "m", "agent": "a", "default": "d", "replication": "r",
                       "agent_master": "am"},
            "enable_token_persistence": true, "policy_ttl": "30s", "role_ttl": "30s",
            "token_ttl": "30s", "enable_key_list_policy": true, "enable_token_replication": true},
    "acl_master_token": "x", "acl_datacenter": "dc1", "acl_default_policy": "allow",
    "acl_down_policy": "deny", "acl_ttl": "30s", "acl_token": "t", "acl_agent_token": "t",
    "acl_agent_master_token": "t", "acl_replication_token": "t",
    "acl_enable_key_list_policy": false,
    "addresses": {"dns": "127.0.0.1", "http": "0.0.0.0", "https": "0.0.0.0", "grpc": "0.0.0.0"},
    "advertise_addr": "10.0.0.1", "advertise_addr_wan": "1.2.3.4",
    "advertise_addr_ipv4": "10.0.0.1", "advertise_addr_ipv6": "::1",
    "advertise_addr_wan_ipv4": "1.2.3.4",
    "alt_domain": "alt.", "auto_encrypt": {"tls": true, "dns_san": ["a"], "ip_san": ["1.1.1.1"],
                                          "allow_tls": false},
    "auto_config": {"enabled": false, "intro_token": "x", "intro_token_file": "/f",
                    "server_addresses": ["a"], "dns_sans": [], "ip_sans": [],
                    "authorization": {"enabled": false,
                                      "static": {"claim_assertions": [], "allow_reuse": false,
                                                 "oidc_discovery_url": "u"}}},
    "autopilot": {"cleanup_dead_servers": true, "last_contact_threshold": "200ms",
                  "max_trailing_logs": 250, "min_quorum": 3,
                  "server_stabilization_time": "10s"},
    "bind_addr": "0.0.0.0", "bootstrap": false, "bootstrap_expect": 3,
    "cache": {"entry_fetch_max_burst": 42, "entry_fetch_rate": 0.334},
    "ca_file": "a", "ca_path": "b", "cert_file": "c", "key_file": "d",
    "check_output_max_size": 4096, "check_update_interval": "5m", "client_addr": "127.0.0.1",
    "config_entries": {"bootstrap": [{"kind": "proxy-defaults", "name": "global"}]},
    "connect": {"enabled": true, "ca_provider": "consul", "ca_config": {"rotation_period": "2160h"},
                "enable_mesh_gateway_wan_federation": false},
    "data_dir": "/d", "datacenter": "dc1", "default_query_time": "300s",
    "disable_anonymous_signature": true, "disable_coordinates": false,
    "disable_host_node_id": true, "disable_http_unprintable_char_filter": false,
    "disable_keyring_file": false, "disable_remote_exec": true, "disable_update_check": true,
    "discard_check_output": false, "discovery_max_stale": "5s",
    "dns_config": {"allow_stale": true, "a_record_limit": 1, "disable_compression": true,
                   "enable_truncate": true, "max_stale": "87600h", "node_ttl": "10s",
                   "only_passing": true, "recursor_timeout": "2s",
                   "service_ttl": {"*": "5s"}, "udp_answer_limit": 3,
                   "enable_additional_node_meta_txt": true, "soa": {"refresh": 1, "retry": 2,
                   "expire": 3, "min_ttl": 4}, "use_cache": true, "cache_max_age": "5s"},
    "domain": "consul.", "enable_acl_replication": false, "enable_agent_tls_for_checks": false,
    "enable_central_service_config": true, "enable_debug": false, "enable_script_checks": false,
    "enable_local_script_checks": true, "enable_syslog": false, "encrypt": "k",
    "encrypt_verify_incoming": true, "encrypt_verify_outgoing": true,
    "gossip_lan": {"gossip_nodes": 3, "gossip_interval": "200ms", "probe_interval": "1s",
                   "probe_timeout": "500ms", "suspicion_mult": 4, "retransmit_mult": 4},
    "gossip_wan": {"gossip_nodes": 3},
    "http_config": {"block_endpoints": ["/v1/acl"], "allow_write_http_from": ["127.0.0.0/8"],
                    "response_headers": {"X-A": "b"}, "use_cache": true},
    "leave_on_terminate": true,
    "limits": {"http_max_conns_per_client": 200, "https_handshake_timeout": "5s",
               "rpc_handshake_timeout": "5s", "rpc_max_burst": 1000,
               "rpc_max_conns_per_client": 100, "rpc_rate": 100.5,
               "kv_max_value_size": 1024, "txn_max_req_len": 2048},
    "log_level": "INFO", "log_json": false, "log_file": "/var/log/", "log_rotate_duration": "24h",
    "log_rotate_bytes": 1, "log_rotate_max_files": 2, "max_query_time": "600s",
    "node_id": "x", "node_meta": {"a": "b"}, "node_name": "n",
    "performance": {"leave_drain_time": "5s", "raft_multiplier": 1, "rpc_hold_timeout": "7s"},
    "pid_file": "/p",
    "ports": {"dns": 1, "http": 2, "https": 3, "serf_lan": 4, "serf_wan": 5, "server": 6,
              "grpc": 7, "proxy_min_port": 8, "proxy_max_port": 9, "sidecar_min_port": 10,
              "sidecar_max_port": 11, "expose_min_port": 12, "expose_max_port": 13},
    "primary_datacenter": "dc1", "primary_gateways": ["a"], "primary_gateways_interval": "30s",
    "protocol": 2, "raft_protocol": 3, "raft_snapshot_threshold": 1,
    "raft_snapshot_interval": "5s", "raft_trailing_logs": 1,
    "reconnect_timeout": "72h", "reconnect_timeout_wan": "72h", "recursors": ["8.8.8.8"],
    "rejoin_after_leave": true, "retry_interval": "30s", "retry_interval_wan": "30s",
    "retry_join": ["a"], "retry_join_wan": ["b"], "retry_max": 1, "retry_max_wan": 2,
    "serf_lan": "0.0.0.0", "serf_wan": "0.0.0.0", "serf_lan_allowed_cidrs": ["10.0.0.0/8"],
    "serf_wan_allowed_cidrs": [], "server": true, "server_name": "s", "session_ttl_min": "10s",
    "skip_leave_on_interrupt": true, "start_join": ["a"], "start_join_wan": ["b"],
    "syslog_facility": "LOCAL0", "tagged_addresses": {"x": "1.2.3.4"},
    "telemetry": {"statsd_address": "a", "statsite_address": "b", "dogstatsd_addr": "c",
                  "dogstatsd_tags": ["t"], "disable_hostname": true, "filter_default": true,
                  "prefix_filter": ["+consul"], "metrics_prefix": "consul",
                  "prometheus_retention_time": "60s", "circonus_api_token": "x"},
    "tls_cipher_suites": "x", "tls_min_version": "tls12", "tls_prefer_server_cipher_suites": true,
    "translate_wan_addrs": false, "ui": true, "ui_dir": "/ui", "ui_content_path": "/ui/",
    "unix_sockets": {"user": "u", "group": "g", "mode": "0700"},
    "verify_incoming": false, "verify_incoming_https": false, "verify_incoming_rpc": false,
    "verify_outgoing": false, "verify_server_hostname": false,
    "watches": [{"type": "key", "key": "x", "handler_type": "script", "args": ["a"]}],
    "snapshot_agent": {"snapshot": {"interval": "1h"}},
    "service": {"name": "web"}, "services": [{"name": "db"}],
    "check": {"id": "c", "ttl": "5s"}, "checks": [{"id": "d", "ttl": "5s"}]
  })",
         &issues);
  EXPECT_TRUE(issues.ok()) << FormatDecodeIssues(issues);
  EXPECT_TRUE(issues.warnings.empty());
}

TEST(SchemaTest, UnknownKeysAreReportedWithTheirPath) {
  DecodeIssues issues;
  Decode(
      R"({"no_such_option_xyz": 1, "ports": {"foo": 1, "bar": 2}, "advertise_addr_wan_ipv6": "::1",
             "ui_config": {"enabled": true}})",
      &issues);
  EXPECT_EQ(issues.unused_keys,
            (std::vector<std::string>{"no_such_option_xyz", "ports.foo", "ports.bar",
                                      "advertise_addr_wan_ipv6", "ui_config"}));
  EXPECT_EQ(FormatDecodeIssues(issues),
            "5 errors occurred:\n\t* invalid config key no_such_option_xyz\n\t* invalid config "
            "key ports.foo\n\t* invalid config key ports.bar\n\t* invalid config key "
            "advertise_addr_wan_ipv6\n\t* invalid config key ui_config\n\n");
}

TEST(SchemaTest, KeysMatchCaseInsensitivelyButExactMatchWins) {
  DecodeIssues issues;
  json::object out = Decode(R"({"Datacenter": "dc2", "Ports": {"HTTP": 8080}})", &issues);
  EXPECT_TRUE(issues.ok());
  EXPECT_EQ(out.at("datacenter").as_string(), "dc2");
  EXPECT_EQ(out.at("ports").at("http").as_int64(), 8080);

  DecodeIssues dup;
  out = Decode(R"({"DATA_DIR": "/y", "data_dir": "/x"})", &dup);
  EXPECT_EQ(dup.unused_keys, std::vector<std::string>{"DATA_DIR"});
  EXPECT_EQ(out.at("data_dir").as_string(), "/x");
}

TEST(SchemaTest, MistypedValuesUseMapstructureWording) {
  DecodeIssues issues;
  Decode(R"({"server": "yes", "bootstrap_expect": "3", "retry_join": "1.2.3.4",
             "node_meta": {"a": 1}, "ports": [{"http": 1}, {"dns": 2}], "datacenter": 5,
             "limits": {"kv_max_value_size": -1}, "recursors": [1]})",
         &issues);
  EXPECT_EQ(FormatDecodeIssues(issues),
            "8 error(s) decoding:\n\n"
            "* 'bootstrap_expect' expected type 'int', got unconvertible type 'string'\n"
            "* 'datacenter' expected type 'string', got unconvertible type 'float64'\n"
            "* 'node_meta[a]' expected type 'string', got unconvertible type 'float64'\n"
            "* 'ports' expected a map, got 'slice'\n"
            "* 'recursors[0]' expected type 'string', got unconvertible type 'float64'\n"
            "* 'retry_join': source data must be an array or slice, got string\n"
            "* 'server' expected type 'bool', got unconvertible type 'string'\n"
            "* cannot parse 'limits.kv_max_value_size', -1.000000 overflows uint");
}

TEST(SchemaTest, HclTypeNames) {
  DecodeIssues issues;
  Decode(R"({"datacenter": 5, "server": "true", "limits": {"txn_max_req_len": -2}})", &issues,
         /*hcl=*/true);
  EXPECT_EQ(FormatDecodeIssues(issues),
            "3 error(s) decoding:\n\n"
            "* 'datacenter' expected type 'string', got unconvertible type 'int'\n"
            "* 'server' expected type 'bool', got unconvertible type 'string'\n"
            "* cannot parse 'limits.txn_max_req_len', -2 overflows uint");
}

TEST(SchemaTest, SingleElementListsStandForTheirElement) {
  DecodeIssues issues;
  json::object out = Decode(R"({"datacenter": ["dc2"], "ports": [{"http": 8080}],
                                "bootstrap_expect": 3.7})",
                            &issues);
  EXPECT_TRUE(issues.ok()) << FormatDecodeIssues(issues);
  EXPECT_EQ(out.at("datacenter").as_string(), "dc2");
  EXPECT_EQ(out.at("ports").at("http").as_int64(), 8080);
  EXPECT_EQ(out.at("bootstrap_expect").as_int64(), 3);  // floats truncate, as in mapstructure
}

TEST(SchemaTest, ServicesAndChecksAreCollectedRaw) {
  DecodeIssues issues;
  json::object out = Decode(R"({
      "services": [{"name": "a", "Port": 1, "EnableTagOverride": true}],
      "service": {"name": "b", "whatever": {"x": 1}},
      "checks": [{"id": "c1"}], "check": {"ID": "c2", "TTL": "5s"}})",
                            &issues);
  EXPECT_TRUE(issues.ok()) << FormatDecodeIssues(issues);
  EXPECT_FALSE(out.contains("service"));
  EXPECT_FALSE(out.contains("check"));
  EXPECT_EQ(json::value(out.at("services")),
            json::parse(R"([{"name":"a","Port":1,"EnableTagOverride":true},
                            {"name":"b","whatever":{"x":1}}])"));
  EXPECT_EQ(json::value(out.at("checks")), json::parse(R"([{"id":"c1"},{"ID":"c2","TTL":"5s"}])"));
}

TEST(SchemaTest, ObjectsForListKeysOnlyFromHcl) {
  DecodeIssues issues;
  Decode(R"({"services": {"name": "x"}, "watches": {"type": "key"}})", &issues);
  EXPECT_EQ(FormatDecodeIssues(issues),
            "2 error(s) decoding:\n\n"
            "* 'services': source data must be an array or slice, got map\n"
            "* 'watches': source data must be an array or slice, got map");
  DecodeIssues hcl_issues;
  json::object out =
      Decode(R"({"services": {"name": "x"}, "watches": {"type": "key"}})", &hcl_issues, true);
  EXPECT_TRUE(hcl_issues.ok()) << FormatDecodeIssues(hcl_issues);
  EXPECT_EQ(json::value(out.at("services")), json::parse(R"([{"name":"x"}])"));
  EXPECT_EQ(json::value(out.at("watches")), json::parse(R"([{"type":"key"}])"));
}

TEST(SchemaTest, RepeatedHclServiceBlocksAreAccepted) {
  auto raw = ParseHCL("service { name = \"a\" }\nservice { name = \"b\" }\n", "x.hcl");
  ASSERT_TRUE(raw.ok());
  DecodeIssues issues;
  json::object out = DecodeSource(raw->as_object(), true, &issues);
  EXPECT_TRUE(issues.ok());
  EXPECT_EQ(json::value(out.at("services")), json::parse(R"([{"name":"a"},{"name":"b"}])"));
}

TEST(SchemaTest, NullsAreUnset) {
  DecodeIssues issues;
  json::object out = Decode(R"({"datacenter": null, "ports": {"http": null}})", &issues);
  EXPECT_TRUE(issues.ok());
  EXPECT_FALSE(out.contains("datacenter"));
  EXPECT_TRUE(out.at("ports").as_object().empty());
}

TEST(SchemaTest, EnterpriseAndDeprecatedKeysWarn) {
  DecodeIssues issues;
  json::object out = Decode(R"({"non_voting_server": true, "acl_enforce_version_8": true,
                                "autopilot": {"redundancy_zone_tag": "az"}})",
                            &issues);
  EXPECT_TRUE(issues.ok());
  // Deprecated keys first, then Enterprise keys in Consul's fixed order (not the file's).
  EXPECT_EQ(issues.warnings,
            (std::vector<std::string>{
                "config key \"acl_enforce_version_8\" is deprecated and should be removed",
                "\"autopilot.redundancy_zone_tag\" is a Consul Enterprise configuration and will "
                "have no effect",
                "\"non_voting_server\" is a Consul Enterprise configuration and will have no "
                "effect"}));
  EXPECT_FALSE(out.contains("non_voting_server"));
}

TEST(SchemaTest, MergeAppendsListsOverlaysMapsAndReplacesScalars) {
  DecodeIssues issues;
  json::object a = Decode(R"({"datacenter": "a", "retry_join": ["x"],
      "node_meta": {"k1": "1", "k2": "2"}, "ports": {"http": 1, "dns": 2},
      "dns_config": {"soa": {"refresh": 1, "retry": 2}}, "services": [{"name": "s1"}]})",
                          &issues);
  json::object b = Decode(R"({"datacenter": "b", "retry_join": ["y"], "node_meta": {"k2": "two"},
      "ports": {"http": 10}, "dns_config": {"soa": {"expire": 3}}, "service": {"name": "s2"}})",
                          &issues);
  ASSERT_TRUE(issues.ok());
  MergeConfig(&a, b);
  EXPECT_EQ(json::value(a), json::parse(R"({"datacenter": "b", "retry_join": ["x", "y"],
      "node_meta": {"k1": "1", "k2": "two"}, "ports": {"http": 10, "dns": 2},
      "dns_config": {"soa": {"expire": 3}},
      "services": [{"name": "s1"}, {"name": "s2"}]})"));
}

TEST(SchemaTest, FindKey) {
  auto schema = AgentConfigSchema();
  ASSERT_NE(FindKey(schema, "Bootstrap_Expect"), nullptr);
  EXPECT_EQ(FindKey(schema, "Bootstrap_Expect")->kind, KeyKind::kInt);
  EXPECT_EQ(FindKey(schema, "nope"), nullptr);
}

}  // namespace
}  // namespace consulate::config
