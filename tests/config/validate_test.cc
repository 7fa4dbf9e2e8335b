// ValidateConfigPaths (`consul validate`) and the semantic checks shared with the agent. Each
// expected message is what Consul 1.8.7's `consul validate` prints after "Config validation
// failed: ".
#include <gtest/gtest.h>

#include "config/config.h"
#include "test_util.h"

namespace consulate::config {
namespace {

using testing::HermeticOptions;
using testing::TempDir;

class ValidateTest : public ::testing::Test {
 protected:
  // Validates `json` written to a file, with data_dir pointing at an existing directory unless
  // the text sets its own.
  Status ValidateJson(const std::string& json, std::vector<std::string>* warnings = nullptr) {
    std::string body = json;
    if (body.find("\"data_dir\"") == std::string::npos) {
      body =
          "{\"data_dir\": \"" + dir_.path() + "\"" + (body == "{}" ? "}" : ", " + body.substr(1));
    }
    std::string path = dir_.Write("t" + std::to_string(counter_++) + ".json", body);
    return ValidateConfigPaths({path}, "", warnings, HermeticOptions());
  }
  std::string Error(const std::string& json) {
    Status st = ValidateJson(json);
    EXPECT_FALSE(st.ok()) << json;
    return st.message();
  }

  TempDir dir_;
  int counter_ = 0;
};

TEST_F(ValidateTest, ValidConfigs) {
  EXPECT_TRUE(ValidateJson("{}").ok());
  EXPECT_TRUE(ValidateJson(R"({"Datacenter": "DC1", "raft_protocol": 2})").ok());
  std::vector<std::string> warnings;
  EXPECT_TRUE(
      ValidateJson(R"({"server": true, "bootstrap": true, "bootstrap_expect": 1})", &warnings)
          .ok());
  EXPECT_EQ(warnings, (std::vector<std::string>{
                          "BootstrapExpect is set to 1; this is the same as Bootstrap mode.",
                          "bootstrap = true: do not enable unless necessary"}));
}

TEST_F(ValidateTest, FilesAndDirectories) {
  std::string d = dir_.Mkdir("conf");
  dir_.Write("conf/a.json", "{\"data_dir\": \"" + dir_.path() + "\"}");
  dir_.Write("conf/b.hcl", "server = true\nbootstrap_expect = 3\n");
  std::vector<std::string> warnings;
  EXPECT_TRUE(ValidateConfigPaths({d}, "", &warnings, HermeticOptions()).ok());
  EXPECT_EQ(warnings, std::vector<std::string>{"bootstrap_expect > 0: expecting 3 servers"});
  std::string bad = dir_.Write("conf2/z.json", R"({"bootstrap": true})");
  Status st = ValidateConfigPaths({d, bad}, "", nullptr, HermeticOptions());
  // Later paths merge over earlier ones: b.hcl's server settings meet z.json's bootstrap.
  EXPECT_EQ(st.message(), "'bootstrap_expect > 0' and 'bootstrap = true' are mutually exclusive");
  st = ValidateConfigPaths({dir_.path() + "/missing"}, "", nullptr, HermeticOptions());
  EXPECT_TRUE(st.IsIOError());
  EXPECT_EQ(ValidateConfigPaths({d}, "yaml").message(),
            "config: -config-format must be either 'hcl' or 'json'");
}

TEST_F(ValidateTest, DataDir) {
  EXPECT_EQ(Error(R"({"data_dir": ""})"), "data_dir cannot be empty");
  EXPECT_EQ(Error(R"({"data_dir": "/etc/passwd"})"), "data_dir \"/etc/passwd\" is not a directory");
}

TEST_F(ValidateTest, Bootstrap) {
  EXPECT_EQ(Error(R"({"bootstrap": true})"), "'bootstrap = true' requires 'server = true'");
  EXPECT_EQ(Error(R"({"bootstrap_expect": 3})"), "'bootstrap_expect > 0' requires 'server = true'");
  EXPECT_EQ(Error(R"({"server": true, "bootstrap_expect": -1})"),
            "bootstrap_expect cannot be -1. Must be greater than or equal to zero");
  EXPECT_EQ(Error(R"({"server": true, "bootstrap": true, "bootstrap_expect": 3})"),
            "'bootstrap_expect > 0' and 'bootstrap = true' are mutually exclusive");
  std::vector<std::string> warnings;
  EXPECT_TRUE(ValidateJson(R"({"server": true, "bootstrap_expect": 2})", &warnings).ok());
  EXPECT_EQ(
      warnings,
      (std::vector<std::string>{
          "bootstrap_expect = 2: A cluster with 2 servers will provide no failure "
          "tolerance. See https://www.consul.io/docs/internals/consensus.html#deployment-table",
          "bootstrap_expect > 0: expecting 2 servers"}));
}

TEST_F(ValidateTest, Names) {
  EXPECT_EQ(Error(R"({"datacenter": "a b"})"),
            "datacenter cannot be \"a b\". Please use only [a-z0-9-_]");
  EXPECT_EQ(Error(R"({"primary_datacenter": "A B"})"),
            "acl_datacenter cannot be \"a b\". Please use only [a-z0-9-_]");
  std::vector<std::string> warnings;
  EXPECT_TRUE(ValidateJson(R"({"node_name": "foo_bar"})", &warnings).ok());
  EXPECT_EQ(warnings, std::vector<std::string>{
                          "Node name \"foo_bar\" will not be discoverable via DNS due to invalid "
                          "characters. Valid characters include all alpha-numerics and dashes."});
}

TEST_F(ValidateTest, Ports) {
  EXPECT_EQ(Error(R"({"ports": {"http": 8600}})"),
            "HTTP address 127.0.0.1:8600 already configured for DNS");
  EXPECT_EQ(Error(R"({"ports": {"serf_lan": 8300}})"),
            "Serf Advertise LAN address 10.1.2.3:8300 already configured for RPC Advertise");
  EXPECT_EQ(Error(R"({"ports": {"http": 86000, "https": 70000}})"),
            "2 errors occurred:\n\t* ports.http: invalid port: 86000\n\t* ports.https: invalid "
            "port: 70000\n\n");
  EXPECT_EQ(Error(R"({"ports": {"proxy_min_port": 3, "proxy_max_port": 2}})"),
            "proxy_min_port must be less than proxy_max_port. To disable, set both to zero.");
  EXPECT_TRUE(ValidateJson(R"({"ports": {"http": -1, "dns": 0}})").ok());
}

TEST_F(ValidateTest, ImmediateErrorsComeBeforeCollectedOnes) {
  EXPECT_EQ(Error(R"({"retry_interval": "abc", "datacenter": "a b"})"),
            "datacenter cannot be \"a b\". Please use only [a-z0-9-_]");
  EXPECT_EQ(Error(R"({"retry_interval": "abc"})"),
            "1 error occurred:\n\t* retry_interval: invalid duration: \"abc\": time: invalid "
            "duration \"abc\"\n\n");
  // Consul 1.8 reports only the last bad duration (each one replaces the error list).
  EXPECT_EQ(
      Error(R"({"retry_interval": "abc", "retry_interval_wan": "x", "log_rotate_duration": "5"})"),
      "1 error occurred:\n\t* retry_interval_wan: invalid duration: \"x\": time: invalid "
      "duration \"x\"\n\n");
  EXPECT_EQ(Error(R"({"dns_config": {"recursor_timeout": "zz"}})"),
            "1 error occurred:\n\t* recursor_timeout: invalid duration: \"zz\": time: invalid "
            "duration \"zz\"\n\n");
  EXPECT_EQ(Error(R"({"gossip_lan": {"probe_timeout": "x"}})"),
            "1 error occurred:\n\t* gossip_lan..probe_timeout: invalid duration: \"x\": time: "
            "invalid duration \"x\"\n\n");
}

TEST_F(ValidateTest, Performance) {
  EXPECT_EQ(Error(R"({"performance": {"raft_multiplier": 11}})"),
            "performance.raft_multiplier cannot be 11. Must be between 1 and 10");
  EXPECT_EQ(Error(R"({"performance": {"raft_multiplier": 0}})"),
            "performance.raft_multiplier cannot be 0. Must be between 1 and 10");
}

TEST_F(ValidateTest, Addresses) {
  EXPECT_EQ(Error(R"({"bind_addr": "foo"})"), "bind_addr cannot be empty");
  EXPECT_EQ(Error(R"({"bind_addr": "1.2.3.4 5.6.7.8"})"),
            "bind_addr cannot contain multiple addresses. Use 'addresses.{dns,http,https}' "
            "instead.");
  EXPECT_EQ(Error(R"({"bind_addr": "unix:///tmp/s"})"), "bind_addr cannot be a unix socket");
  EXPECT_EQ(Error(R"({"advertise_addr": "0.0.0.0"})"),
            "Advertise address cannot be 0.0.0.0, :: or [::]");
  EXPECT_EQ(Error(R"({"advertise_addr_wan": "::"})"),
            "Advertise WAN address cannot be 0.0.0.0, :: or [::]");
  EXPECT_EQ(Error(R"({"bind_addr": "::"})"), "No public IPv6 address found");
  EXPECT_TRUE(ValidateJson(R"({"bind_addr": "{{ GetPrivateIP }}"})").ok());
  EXPECT_TRUE(ValidateJson(R"({"client_addr": "0.0.0.0 ::1",
                               "addresses": {"http": "unix:///tmp/x.sock"}})")
                  .ok());
  // As in Consul, an unparsable template leaves no address at all.
  EXPECT_EQ(Error(R"({"bind_addr": "{{ Frobnicate }}"})"), "bind_addr cannot be empty");
}

TEST_F(ValidateTest, AdvertiseDetection) {
  TempDir data;
  std::string f = dir_.Write("d.json", "{\"data_dir\": \"" + data.path() + "\"}");
  LoadOptions none = HermeticOptions();
  none.private_ipv4 = [] { return std::vector<std::string>{}; };
  EXPECT_EQ(ValidateConfigPaths({f}, "", nullptr, none).message(), "No private IPv4 address found");
  LoadOptions many = HermeticOptions();
  many.private_ipv4 = [] { return std::vector<std::string>{"10.0.0.1", "10.0.0.2"}; };
  EXPECT_EQ(ValidateConfigPaths({f}, "", nullptr, many).message(),
            "Multiple private IPv4 addresses found. Please configure one with 'bind' and/or "
            "'advertise'.");
}

TEST_F(ValidateTest, Secrets) {
  EXPECT_EQ(Error(R"({"encrypt": "abc"})"),
            "encrypt has invalid key: illegal base64 data at input byte 0");
  EXPECT_TRUE(ValidateJson(R"({"encrypt": "pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s="})").ok());
}

TEST_F(ValidateTest, NodeMeta) {
  EXPECT_EQ(Error(R"({"node_meta": {"consul-x": "1"}})"),
            "node_meta invalid: Couldn't load metadata pair ('consul-x', '1'): Key prefix "
            "'consul-' is reserved for internal use");
  EXPECT_EQ(Error(R"({"node_meta": {"a b": "1"}})"),
            "node_meta invalid: Couldn't load metadata pair ('a b', '1'): Key contains invalid "
            "characters");
}

TEST_F(ValidateTest, MiscellaneousConsulChecks) {
  EXPECT_EQ(Error(R"({"ui": true, "ui_dir": "/tmp"})"),
            "Both the ui and ui-dir flags were specified, please provide only one.\nIf trying to "
            "use your own web UI resources, use the ui-dir flag.\nThe web UI is included in the "
            "binary so use ui to enable it");
  EXPECT_EQ(Error(R"({"alt_domain": "service.foo"})"),
            "alt_domain cannot start with {service,connect,node,query,addr,dc1}");
  EXPECT_EQ(Error(R"({"ui_content_path": "a b"})"),
            "ui-content-path can only contain alphanumeric, -, _, or /. received: /a b/");
  EXPECT_EQ(Error(R"({"connect": {"ca_provider": "foo"}})"), "foo is not a valid CA provider");
  EXPECT_EQ(Error(R"({"segments": [{"name": "a"}]})"), "Port for segment \"a\" cannot be <= 0");
  EXPECT_EQ(Error(R"({"segments": [{"name": "a", "port": 1234}]})"),
            "Network segments are not supported in this version of Consul");
  EXPECT_EQ(Error(R"({"segment": "x"})"),
            "Network segments are not supported in this version of Consul");
  EXPECT_EQ(Error(R"({"dns_config": {"udp_answer_limit": -1}})"),
            "dns_config.udp_answer_limit cannot be -1. Must be greater than or equal to zero");
}

TEST_F(ValidateTest, DecodeErrorsNameTheFile) {
  std::string path = dir_.Write("typed.json", R"({"data_dir": "/tmp", "server": 1})");
  Status st = ValidateConfigPaths({path}, "", nullptr, HermeticOptions());
  EXPECT_EQ(st.message(), "failed to parse " + path +
                              ": 1 error(s) decoding:\n\n* 'server' expected type 'bool', got "
                              "unconvertible type 'float64'");
}

}  // namespace
}  // namespace consulate::config
