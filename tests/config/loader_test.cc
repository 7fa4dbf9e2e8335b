// LoadAgentConfig: flags, files, directories, merge order, defaults and error texts. Expected
// messages are the ones Consul 1.8.7's `consul agent` prints for the same input.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "config/config.h"
#include "test_util.h"

namespace consulate::config {
namespace {

namespace json = boost::json;
using testing::HermeticOptions;
using testing::TempDir;
using namespace std::chrono_literals;

Result<RuntimeConfig> Load(const std::vector<std::string>& args,
                           std::vector<std::string>* warnings = nullptr) {
  return LoadAgentConfig(args, warnings, HermeticOptions());
}

RuntimeConfig MustLoad(const std::vector<std::string>& args,
                       std::vector<std::string>* warnings = nullptr) {
  auto r = Load(args, warnings);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : RuntimeConfig{};
}

std::string LoadError(const std::vector<std::string>& args) {
  auto r = Load(args);
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.status().message();
}

TEST(LoadAgentConfigTest, Defaults) {
  TempDir dir;
  RuntimeConfig c = MustLoad({"-data-dir", dir.path()});
  EXPECT_FALSE(c.dev_mode);
  EXPECT_FALSE(c.server);
  EXPECT_EQ(c.node_name, "test-host");
  EXPECT_EQ(c.datacenter, "dc1");
  EXPECT_EQ(c.primary_datacenter, "dc1");
  EXPECT_EQ(c.data_dir, dir.path());
  EXPECT_EQ(c.bind_addr, "0.0.0.0");
  EXPECT_EQ(c.advertise_addr, "10.1.2.3");  // detected: the only private IPv4
  EXPECT_EQ(c.advertise_addr_wan, "10.1.2.3");
  EXPECT_EQ(c.client_addrs, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(c.ports.dns, 8600);
  EXPECT_EQ(c.ports.http, 8500);
  EXPECT_EQ(c.ports.https, -1);
  EXPECT_EQ(c.ports.grpc, -1);
  EXPECT_EQ(c.ports.serf_lan, 8301);
  EXPECT_EQ(c.ports.serf_wan, 8302);
  EXPECT_EQ(c.ports.server, 8300);
  EXPECT_EQ(c.log_level, "INFO");
  EXPECT_FALSE(c.ui);
  EXPECT_EQ(c.raft_multiplier, 5);
  EXPECT_EQ(c.raft_election_timeout, 5s);
  EXPECT_EQ(c.http_max_conns_per_client, 200);
  EXPECT_EQ(c.rpc_max_conns_per_client, 100);
  EXPECT_EQ(c.kv_max_value_size, 512u * 1024);
  EXPECT_EQ(c.txn_max_req_len, 512u * 1024);
  EXPECT_TRUE(c.encrypt_verify_incoming);
  EXPECT_TRUE(c.encrypt_verify_outgoing);
  EXPECT_TRUE(c.leave_on_terminate);  // clients leave on SIGTERM
  EXPECT_FALSE(c.skip_leave_on_interrupt);
  EXPECT_EQ(c.retry_interval, 30s);
  EXPECT_EQ(c.domain, "consul.");
  EXPECT_EQ(c.default_query_time, 300s);
  EXPECT_EQ(c.max_query_time, 600s);
  EXPECT_TRUE(c.disable_host_node_id);
  EXPECT_FALSE(c.disable_update_check);
  EXPECT_EQ(c.version, "1.8.7");
  EXPECT_EQ(c.tagged_addresses.at("lan"), "10.1.2.3");
  EXPECT_EQ(c.tagged_addresses.at("wan_ipv4"), "10.1.2.3");
}

TEST(LoadAgentConfigTest, DevDefaults) {
  RuntimeConfig c = MustLoad({"-dev"});
  EXPECT_TRUE(c.dev_mode);
  EXPECT_TRUE(c.server);
  EXPECT_TRUE(c.ui);
  EXPECT_EQ(c.data_dir, "");  // fine in dev mode
  EXPECT_EQ(c.bind_addr, "127.0.0.1");
  EXPECT_EQ(c.advertise_addr, "127.0.0.1");
  EXPECT_EQ(c.log_level, "DEBUG");
  EXPECT_EQ(c.raft_multiplier, 1);
  EXPECT_EQ(c.raft_election_timeout, 52ms);
  EXPECT_EQ(c.ports.grpc, 8502);
  EXPECT_TRUE(c.connect_enabled);
  EXPECT_TRUE(c.disable_keyring_file);
  EXPECT_FALSE(c.leave_on_terminate);  // servers stay
  EXPECT_TRUE(c.skip_leave_on_interrupt);
}

TEST(LoadAgentConfigTest, MissingDataDirOutsideDevMode) {
  EXPECT_EQ(LoadError({}), "data_dir cannot be empty");
}

TEST(LoadAgentConfigTest, Flags) {
  TempDir dir;
  RuntimeConfig c = MustLoad({"-server",
                              "-bootstrap",
                              "-node=n1",
                              "-node-id",
                              "11111111-2222-3333-4444-555555555555",
                              "-datacenter=DC2",
                              "-data-dir",
                              dir.path(),
                              "-bind",
                              "10.0.0.5",
                              "-advertise",
                              "10.0.0.6",
                              "-advertise-wan",
                              "1.2.3.4",
                              "-client",
                              "0.0.0.0",
                              "-http-port=8080",
                              "-dns-port=-1",
                              "-server-port=9300",
                              "-serf-lan-port=9301",
                              "-serf-wan-port=9302",
                              "-grpc-port=8502",
                              "-https-port=8501",
                              "-log-level=warn",
                              "-log-file=/tmp/l/",
                              "-log-rotate-duration=1h",
                              "-log-rotate-bytes=100",
                              "-log-rotate-max-files=3",
                              "-log-json",
                              "-pid-file=/tmp/p",
                              "-ui",
                              "-join=a",
                              "-join=b",
                              "-retry-join=c",
                              "-join-wan=d",
                              "-retry-join-wan=e",
                              "-retry-interval=5s",
                              "-encrypt",
                              "pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=",
                              "-node-meta=rack:r1",
                              "-node-meta",
                              "zone:a:b",
                              "-enable-script-checks",
                              "-disable-host-node-id=false",
                              "-domain=example.",
                              "-recursor=8.8.8.8",
                              "-recursor=1.1.1.1",
                              "-rejoin",
                              "-raft-protocol=3"});
  EXPECT_TRUE(c.server);
  EXPECT_TRUE(c.bootstrap);
  EXPECT_EQ(c.node_name, "n1");
  EXPECT_EQ(c.node_id, "11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(c.datacenter, "dc2");  // lower-cased like Consul
  EXPECT_EQ(c.bind_addr, "10.0.0.5");
  EXPECT_EQ(c.advertise_addr, "10.0.0.6");
  EXPECT_EQ(c.advertise_addr_wan, "1.2.3.4");
  EXPECT_EQ(c.client_addrs, std::vector<std::string>{"0.0.0.0"});
  EXPECT_EQ(c.ports.http, 8080);
  EXPECT_EQ(c.ports.dns, -1);
  EXPECT_EQ(c.ports.server, 9300);
  EXPECT_EQ(c.ports.serf_lan, 9301);
  EXPECT_EQ(c.ports.serf_wan, 9302);
  EXPECT_EQ(c.ports.grpc, 8502);
  EXPECT_EQ(c.ports.https, 8501);
  EXPECT_EQ(c.log_level, "warn");
  EXPECT_EQ(c.log_file, "/tmp/l/");
  EXPECT_EQ(c.log_rotate_duration, 1h);
  EXPECT_EQ(c.log_rotate_bytes, 100);
  EXPECT_EQ(c.log_rotate_max_files, 3);
  EXPECT_TRUE(c.log_json);
  EXPECT_EQ(c.pid_file, "/tmp/p");
  EXPECT_TRUE(c.ui);
  EXPECT_EQ(c.start_join, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.retry_join, std::vector<std::string>{"c"});
  EXPECT_EQ(c.start_join_wan, std::vector<std::string>{"d"});
  EXPECT_EQ(c.retry_join_wan, std::vector<std::string>{"e"});
  EXPECT_EQ(c.retry_interval, 5s);
  EXPECT_EQ(c.encrypt, "pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=");
  EXPECT_EQ(c.node_meta, (std::map<std::string, std::string>{{"rack", "r1"}, {"zone", "a:b"}}));
  EXPECT_TRUE(c.enable_script_checks);
  EXPECT_TRUE(c.enable_local_script_checks);  // follows enable_script_checks
  EXPECT_FALSE(c.disable_host_node_id);
  EXPECT_EQ(c.domain, "example.");
  EXPECT_EQ(c.recursors, (std::vector<std::string>{"8.8.8.8", "1.1.1.1"}));
  EXPECT_TRUE(c.rejoin_after_leave);
  EXPECT_EQ(c.raft_protocol, 3);
}

TEST(LoadAgentConfigTest, FlagErrors) {
  EXPECT_EQ(LoadError({"-dev", "-bogus"}), "flag provided but not defined: -bogus");
  EXPECT_EQ(LoadError({"-dev", "-http-port", "abc"}),
            "invalid value \"abc\" for flag -http-port: strconv.Atoi: parsing \"abc\": invalid "
            "syntax");
  EXPECT_EQ(LoadError({"-dev", "-server=maybe"}),
            "invalid boolean value \"maybe\" for -server: strconv.ParseBool: parsing \"maybe\": "
            "invalid syntax");
  EXPECT_EQ(LoadError({"-dev", "-bootstrap-expect", "2", "extra", "more"}),
            "Unexpected extra arguments: [extra more]");
  EXPECT_EQ(LoadError({"-dev", "-config-format", "yaml"}),
            "config: -config-format must be either 'hcl' or 'json'");
  EXPECT_EQ(LoadError({"-dev", "-node"}), "flag needs an argument: -node");
  EXPECT_EQ(LoadError({"-dev", "-retry-interval", "5x"}),
            "1 error occurred:\n\t* retry_interval: invalid duration: \"5x\": time: unknown unit "
            "\"x\" in duration \"5x\"\n\n");
  EXPECT_EQ(LoadError({"-dev", "-dns-port", "70000", "-http-port", "0"}),
            "1 error occurred:\n\t* ports.dns: invalid port: 70000\n\n");
  EXPECT_EQ(LoadError({"-dev", "-bootstrap-expect", "3"}),
            "'bootstrap_expect > 0' not allowed in dev mode");
}

TEST(LoadAgentConfigTest, CheckAgentFlagsSeparatesFlagErrors) {
  EXPECT_TRUE(CheckAgentFlags({"-dev", "-config-file", "/nonexistent.json"}).ok());
  EXPECT_EQ(CheckAgentFlags({"-nope"}).message(), "flag provided but not defined: -nope");
  EXPECT_EQ(CheckAgentFlags({"-h"}).code(), Status::Code::kAborted);
}

TEST(LoadAgentConfigTest, UnknownKeyNamesFileAndKey) {
  TempDir dir;
  std::string path = dir.Write("bad.json", R"({"no_such_option_xyz": 1})");
  EXPECT_EQ(LoadError({"-dev", "-config-file", path}),
            "failed to parse " + path +
                ": 1 error occurred:\n\t* invalid config key no_such_option_xyz\n\n");
  std::string hcl = dir.Write("bad.hcl", "no_such = 1\nports { nope = 2 }\n");
  EXPECT_EQ(LoadError({"-dev", "-config-file", hcl}),
            "failed to parse " + hcl +
                ": 2 errors occurred:\n\t* invalid config key no_such\n\t* invalid config key "
                "ports.nope\n\n");
}

TEST(LoadAgentConfigTest, SyntaxErrorsNameTheFile) {
  TempDir dir;
  std::string json_path = dir.Write("syn.json", R"({"data_dir": })");
  EXPECT_EQ(
      LoadError({"-dev", "-config-file", json_path}),
      "failed to parse " + json_path + ": invalid character '}' looking for beginning of value");
  std::string hcl_path = dir.Write("syn.hcl", "data_dir = \"x\"\nfoo {\n");
  EXPECT_EQ(LoadError({"-dev", "-config-file", hcl_path}),
            "failed to parse " + hcl_path + ": At 3:1: object expected closing RBRACE got: EOF");
}

TEST(LoadAgentConfigTest, MissingFilesAndDirectories) {
  EXPECT_EQ(LoadError({"-dev", "-config-file", "/nonexistent.json"}),
            "config: Open failed on /nonexistent.json. open /nonexistent.json: no such file or "
            "directory");
  EXPECT_EQ(LoadError({"-dev", "-config-dir", "/nonexistent-dir"}),
            "config: Open failed on /nonexistent-dir. open /nonexistent-dir: no such file or "
            "directory");
}

TEST(LoadAgentConfigTest, HclFlagFragments) {
  RuntimeConfig c = MustLoad({"-dev", "-hcl", "datacenter = \"frag\"", "-hcl=log_level = \"ERR\""});
  EXPECT_EQ(c.datacenter, "frag");
  EXPECT_EQ(c.log_level, "ERR");
  EXPECT_EQ(LoadError({"-dev", "-hcl", "foo = 1"}),
            "failed to parse flags-0.hcl: 1 error occurred:\n\t* invalid config key foo\n\n");
}

TEST(LoadAgentConfigTest, MergeOrderDefaultsFilesLexicalFlagsHcl) {
  TempDir dir;
  std::string confd = dir.Mkdir("conf.d");
  dir.Write("conf.d/10-base.json", R"({"datacenter": "file10", "node_name": "file10",
      "log_level": "file10", "retry_join": ["f10"], "node_meta": {"a": "10", "b": "10"},
      "ports": {"http": 1010, "dns": 1010}})");
  dir.Write("conf.d/20-more.hcl", R"(
datacenter = "file20"
node_name = "file20"
retry_join = ["f20"]
node_meta { b = "20" }
ports { http = 2020 }
)");
  dir.Write("conf.d/05-first.json", R"({"datacenter": "file05", "pid_file": "/file05"})");
  dir.Write("conf.d/README.txt", "not config");
  dir.Mkdir("conf.d/subdir");
  dir.Write("conf.d/subdir/99.json", R"({"datacenter": "never"})");
  std::string extra = dir.Write("extra.json", R"({"node_name": "extra", "retry_join": ["x"]})");

  std::vector<std::string> warnings;
  RuntimeConfig c =
      MustLoad({"-data-dir", dir.path(), "-config-dir", confd, "-config-file", extra, "-node",
                "flag", "-retry-join", "flagjoin", "-hcl", "log_level = \"hcl\""},
               &warnings);
  EXPECT_EQ(c.datacenter, "file20");  // later file in lexical order wins
  EXPECT_EQ(c.pid_file, "/file05");   // keys set only by an early file survive
  EXPECT_EQ(c.node_name, "flag");     // flags beat files
  EXPECT_EQ(c.log_level, "hcl");      // -hcl beats flags
  EXPECT_EQ(c.ports.http, 2020);      // blocks merge key by key
  EXPECT_EQ(c.ports.dns, 1010);
  EXPECT_EQ(c.ports.server, 8300);  // defaults fill the rest
  // Lists append; list flags come first (Consul merges them before the files).
  EXPECT_EQ(c.retry_join, (std::vector<std::string>{"flagjoin", "f10", "f20", "x"}));
  EXPECT_EQ(c.node_meta, (std::map<std::string, std::string>{{"a", "10"}, {"b", "20"}}));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "skipping file " + confd +
                             "/README.txt, extension must be .hcl or .json, or config format "
                             "must be set");
}

TEST(LoadAgentConfigTest, ConfigFormatForcesTheParser) {
  TempDir dir;
  std::string conf = dir.Write("agent.conf", "datacenter = \"forced\"\n");
  RuntimeConfig c = MustLoad({"-dev", "-config-format=hcl", "-config-file", conf});
  EXPECT_EQ(c.datacenter, "forced");
  std::vector<std::string> warnings;
  c = MustLoad({"-dev", "-config-file", conf}, &warnings);
  EXPECT_EQ(c.datacenter, "dc1");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("skipping file " + conf), std::string::npos);
}

TEST(LoadAgentConfigTest, PortMinusOneDisablesAListener) {
  TempDir dir;
  std::string f = dir.Write("ports.json", R"({"ports": {"https": 8501, "dns": -1, "grpc": 0}})");
  RuntimeConfig c = MustLoad({"-dev", "-config-file", f, "-http-port", "-1"});
  EXPECT_EQ(c.ports.https, 8501);
  EXPECT_EQ(c.ports.dns, -1);
  EXPECT_EQ(c.ports.grpc, -1);  // 0 disables as well
  EXPECT_EQ(c.ports.http, -1);
  json::object debug = AgentSelfDebugConfig(c, "id");
  EXPECT_TRUE(debug.at("DNSAddrs").as_array().empty());
  EXPECT_EQ(debug.at("HTTPSAddrs"), json::parse(R"(["tcp://127.0.0.1:8501"])"));
}

TEST(LoadAgentConfigTest, SeedServiceDefinitionLoads) {
  TempDir dir;
  std::string f = dir.Write(
      "web.json",
      R"({"service": {"name": "web", "tags": ["rails"], "port": 80, "check": {"args": ["curl", "localhost"], "interval": "10s"}}})");
  RuntimeConfig c = MustLoad({"-dev", "-config-file", f});
  ASSERT_TRUE(c.merged.contains("services"));
  EXPECT_EQ(c.merged.at("services"), json::parse(R"([{"name": "web", "tags": ["rails"], "port": 80,
                             "check": {"args": ["curl", "localhost"], "interval": "10s"}}])"));
}

TEST(LoadAgentConfigTest, SeedServerConfigLoads) {
  TempDir dir;
  std::string data = dir.Mkdir("data");
  std::string f = dir.Write("server.json", R"({"datacenter":"dc1","data_dir":")" + data +
                                               R"(","log_level":"INFO","node_name":"ts-test-38",
      "server":true,"bootstrap_expect":3,"bind_addr":"0.0.0.0","client_addr":"0.0.0.0",
      "ui":true,"retry_join":["10.0.0.1"],
      "encrypt":"pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s="})");
  std::vector<std::string> warnings;
  RuntimeConfig c = MustLoad({"-config-file", f}, &warnings);
  EXPECT_TRUE(c.server);
  EXPECT_EQ(c.bootstrap_expect, 3);
  EXPECT_EQ(c.node_name, "ts-test-38");
  EXPECT_EQ(c.data_dir, data);
  EXPECT_EQ(c.client_addrs, std::vector<std::string>{"0.0.0.0"});
  EXPECT_TRUE(c.ui);
  EXPECT_EQ(c.retry_join, std::vector<std::string>{"10.0.0.1"});
  EXPECT_EQ(c.advertise_addr, "10.1.2.3");
  EXPECT_EQ(warnings, std::vector<std::string>{"bootstrap_expect > 0: expecting 3 servers"});

  // The same configuration as HCL.
  std::string h = dir.Write("server.hcl", "datacenter = \"dc1\"\ndata_dir = \"" + data +
                                              "\"\nserver = true\nbootstrap_expect = 3\n"
                                              "ui = true\nretry_join = [\"10.0.0.1\"]\n");
  c = MustLoad({"-config-file", h});
  EXPECT_EQ(c.bootstrap_expect, 3);
  EXPECT_EQ(c.retry_join, std::vector<std::string>{"10.0.0.1"});
}

TEST(LoadAgentConfigTest, ServicesFromSeveralFilesAccumulate) {
  TempDir dir;
  dir.Write("d/a.json", R"({"service": {"name": "a"}})");
  dir.Write("d/b.hcl",
            "service { name = \"b\" }\nservice { name = \"c\" }\nchecks = [{ id = \"x\" }]\n");
  dir.Write("d/c.json", R"({"services": [{"Name": "d"}], "check": {"id": "y"}})");
  RuntimeConfig c = MustLoad({"-dev", "-config-dir", dir.path() + "/d"});
  EXPECT_EQ(c.merged.at("services"),
            json::parse(R"([{"name":"a"},{"name":"b"},{"name":"c"},{"Name":"d"}])"));
  EXPECT_EQ(c.merged.at("checks"), json::parse(R"([{"id":"x"},{"id":"y"}])"));
}

TEST(DefinitionFieldTest, MatchesConsulsSpellings) {
  json::object def = json::parse(R"({"Name": "web", "ServiceID": "s1", "ScriptArgs": ["a"],
      "DeregisterCriticalServiceAfter": "90m", "port": 80})")
                         .as_object();
  EXPECT_EQ(DefinitionField(def, "name")->as_string(), "web");
  EXPECT_EQ(DefinitionField(def, "service_id")->as_string(), "s1");
  EXPECT_EQ(DefinitionField(def, "args")->as_array().size(), 1u);
  EXPECT_EQ(DefinitionField(def, "deregister_critical_service_after")->as_string(), "90m");
  EXPECT_EQ(DefinitionField(def, "port")->as_int64(), 80);
  EXPECT_EQ(DefinitionField(def, "tags"), nullptr);
}

TEST(LoadAgentConfigTest, MergedKeepsUntypedKeys) {
  RuntimeConfig c = MustLoad({"-dev", "-hcl", "acl { enabled = true\n default_policy = \"deny\" }",
                              "-hcl", "dns_config { node_ttl = \"10s\" }"});
  EXPECT_TRUE(c.acl_enabled);
  EXPECT_EQ(c.merged.at("acl").at("default_policy").as_string(), "deny");
  EXPECT_EQ(c.merged.at("acl").at("policy_ttl").as_string(), "30s");  // default kept
  EXPECT_EQ(c.dns_node_ttl, 10s);
}

TEST(AgentSelfTest, ConfigObject) {
  RuntimeConfig c = MustLoad({"-dev", "-node", "n1", "-datacenter", "dc9"});
  json::object o = AgentSelfConfig(c, "0b7ad3a6-1f0a-4d47-9b47-3c9f1b8e8a11");
  EXPECT_EQ(json::value(o), json::parse(R"({"Datacenter":"dc9","NodeName":"n1",
      "NodeID":"0b7ad3a6-1f0a-4d47-9b47-3c9f1b8e8a11","Revision":"","Server":true,
      "Version":"1.8.7"})"));
  json::object d = AgentSelfDebugConfig(c, "id");
  EXPECT_EQ(d.at("Datacenter").as_string(), "dc9");
  EXPECT_EQ(d.at("DevMode").as_bool(), true);
  EXPECT_EQ(d.at("HTTPAddrs"), json::parse(R"(["tcp://127.0.0.1:8500"])"));
  EXPECT_EQ(d.at("DNSAddrs"), json::parse(R"(["tcp://127.0.0.1:8600","udp://127.0.0.1:8600"])"));
  EXPECT_EQ(d.at("GRPCAddrs"), json::parse(R"(["tcp://127.0.0.1:8502"])"));
  EXPECT_EQ(d.at("RPCAdvertiseAddr").as_string(), "tcp://127.0.0.1:8300");
  EXPECT_EQ(d.at("EncryptKey").as_string(), "hidden");
  EXPECT_EQ(d.at("GossipLANProbeInterval").as_string(), "100ms");
  EXPECT_EQ(d.at("GossipWANProbeTimeout").as_string(), "100ms");
  EXPECT_EQ(d.at("ACLDisabledTTL").as_string(), "2m0s");
  EXPECT_EQ(d.at("CheckUpdateInterval").as_string(), "5m0s");
  EXPECT_EQ(d.at("TaggedAddresses"),
            json::parse(R"({"lan":"127.0.0.1","lan_ipv4":"127.0.0.1","wan":"127.0.0.1",
                            "wan_ipv4":"127.0.0.1"})"));
}

TEST(AgentFlagsUsageTest, ListsFlagsLikeConsul) {
  std::string u = AgentFlagsUsage();
  EXPECT_EQ(u.rfind("HTTP API Options\n\n  -datacenter=<value>\n     Datacenter of the agent.\n\n"
                    "Command Options\n\n  -advertise=<value>\n",
                    0),
            0u);
  EXPECT_NE(u.find("  -node-meta=<key:value>\n"), std::string::npos);
  EXPECT_NE(u.find("  -config-format=<string>\n"), std::string::npos);
  EXPECT_NE(u.find("  -dev\n     Starts the agent in development mode.\n"), std::string::npos);
}

TEST(ParseConfigFileTest, ReadsJsonAndHclWithoutCheckingKeys) {
  TempDir dir;
  std::string j = dir.Write("svc.json", R"({"service": {"Name": "x", "Anything": 1}})");
  std::string h = dir.Write("entry.hcl", "Kind = \"service-defaults\"\nName = \"web\"\n");
  auto a = ParseConfigFile(j, "");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, json::parse(R"({"service": {"Name": "x", "Anything": 1}})"));
  auto b = ParseConfigFile(h, "");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, json::parse(R"({"Kind":"service-defaults","Name":"web"})"));
  auto forced = ParseConfigFile(h, "json");
  ASSERT_FALSE(forced.ok());
  EXPECT_EQ(forced.status().message(),
            "failed to parse " + h + ": invalid character 'K' looking for beginning of value");
  EXPECT_FALSE(ParseConfigFile(dir.path() + "/missing.json", "").ok());
}

}  // namespace
}  // namespace consulate::config
