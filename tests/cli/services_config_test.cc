// Service definition files and flags as `consul services register|deregister` read them. Expected
// registration bodies are the bytes Consul 1.8.7's CLI sent for the same input (captured).
#include "cli/services_config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <fstream>

#include "config/config.h"

namespace consulate::cli {
namespace {

namespace json = boost::json;

// A fresh directory for one test's files, removed afterwards.
class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/services_config_test.XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  std::string Write(const std::string& name, const std::string& text) const {
    std::string file = path_ + "/" + name;
    std::ofstream(file) << text;
    return file;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The definition file from seed 001 (a Chinese blog post), verbatim.
constexpr char kSeedWebJson[] = R"({
    "service":
    {
        "name": "web",
        "tags": ["primary"],
        "address": "192.168.99.112",
        "port": 9000,
        "checks": [
        {
            "http": "http://localhost:9000/health",
            "interval": "10s"
        }]
    }
}
)";

std::string RegistrationOf(const std::string& definition_json) {
  json::value v = json::parse(definition_json);
  Result<json::object> r = ServiceRegistrationFromDefinition(v.as_object());
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? json::serialize(*r) : "";
}

std::string Issues(const std::string& source_json, bool hcl = false) {
  config::DecodeIssues issues;
  CheckServiceDefinitions(json::parse(source_json).as_object(), hcl, &issues);
  return issues.ok() ? "" : config::FormatDecodeIssues(issues);
}

TEST(ServicesFromFilesTest, SeedWebJsonBecomesConsulsRegistration) {
  TempDir dir;
  std::string file = dir.Write("web.json", kSeedWebJson);
  std::vector<std::string> warnings;
  Result<std::vector<json::object>> r = ServicesFromFiles({file}, &warnings);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(json::serialize((*r)[0]),
            R"({"Name":"web","Tags":["primary"],"Port":9000,"Address":"192.168.99.112",)"
            R"("Weights":{"Passing":1,"Warning":1},"Check":null,)"
            R"("Checks":[{"Interval":"10s","HTTP":"http://localhost:9000/health"}]})");
  EXPECT_TRUE(warnings.empty());
}

TEST(ServicesFromFilesTest, ListThenSingleServiceInFileOrder) {
  TempDir dir;
  std::string a = dir.Write("a.json", R"({"services":[{"name":"m1"},{"name":"m2","id":"x"}],
                                          "service":{"name":"m0"}})");
  std::string b = dir.Write("b.hcl", "service {\n  name = \"h\"\n  port = 3\n}\n");
  std::vector<std::string> warnings;
  Result<std::vector<json::object>> r = ServicesFromFiles({b, a}, &warnings);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ(json::serialize((*r)[0]),
            R"({"Name":"h","Port":3,"Weights":{"Passing":1,"Warning":1},"Check":null,)"
            R"("Checks":null})");
  EXPECT_EQ((*r)[1].at("Name").as_string(), "m1");
  EXPECT_EQ((*r)[2].at("ID").as_string(), "x");
  EXPECT_EQ((*r)[3].at("Name").as_string(), "m0");
}

TEST(ServicesFromFilesTest, DirectoryReadsItsConfigFilesAndWarnsAboutOthers) {
  TempDir dir;
  dir.Write("web.json", kSeedWebJson);
  std::string txt = dir.Write("notes.txt", "service { name = \"x\" }");
  std::vector<std::string> warnings;
  Result<std::vector<json::object>> r = ServicesFromFiles({dir.path()}, &warnings);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].at("Name").as_string(), "web");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "skipping file " + txt +
                             ", extension must be .hcl or .json, or config format must be set");
}

TEST(ServicesFromFilesTest, ErrorsReadAsConsuls) {
  TempDir dir;
  std::vector<std::string> warnings;
  std::string missing = dir.path() + "/nonexist.json";
  Result<std::vector<json::object>> r = ServicesFromFiles({missing}, &warnings);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "config: Open failed on " + missing + ". open " + missing +
                                      ": no such file or directory");

  std::string bad = dir.Write("bad.json", "garbage{");
  r = ServicesFromFiles({bad}, &warnings);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "failed to parse " + bad + ": invalid character 'g' looking for beginning of value");

  // A missing file wins over a parse error in an earlier one: Consul reads all files first.
  r = ServicesFromFiles({bad, missing}, &warnings);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("config: Open failed on ", 0), 0u);

  std::string mixed = dir.Write("mixbad.json", R"({"bogus":1,"service":{"zz":1,"check":{"yy":2}},
                                                   "services":[{"aa":1}]})");
  r = ServicesFromFiles({mixed}, &warnings);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "failed to parse " + mixed +
                                      ": 4 errors occurred:\n"
                                      "\t* invalid config key service.check.yy\n"
                                      "\t* invalid config key service.zz\n"
                                      "\t* invalid config key services[0].aa\n"
                                      "\t* invalid config key bogus\n\n");

  std::string dur = dir.Write("dur.json", R"({"service":{"name":"x","check":{"interval":"abc"},
                                              "checks":[{"id":"cid","ttl":"zz"}]}})");
  r = ServicesFromFiles({dur}, &warnings);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "1 error occurred:\n\t* check[].interval: invalid duration: \"abc\": time: invalid "
            "duration \"abc\"\n\n");
  EXPECT_TRUE(warnings.empty());  // warnings only come with success
}

TEST(ServicesFromFilesTest, DeprecatedKeysWarnAndEmptyFilesRegisterNothing) {
  TempDir dir;
  std::string dep = dir.Write("dep.json", R"({"acl_datacenter":"dc1","service":{"name":"w2"}})");
  std::string empty = dir.Write("empty.json", "{}");
  std::vector<std::string> warnings;
  Result<std::vector<json::object>> r = ServicesFromFiles({empty, dep}, &warnings);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 1u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0],
            "The 'acl_datacenter' field is deprecated. Use the 'primary_datacenter' field "
            "instead.");
}

TEST(CheckServiceDefinitionsTest, KeysMatchSnakeCaseInAnyCaseOrLegacySpelling) {
  EXPECT_EQ(Issues(R"({"service":{"Name":"x","ID":"i","TAGS":["a"],"Weights":{"Passing":2}}})"),
            "");
  EXPECT_EQ(Issues(R"({"service":{"name":"x","check":{"DeregisterCriticalServiceAfter":"1s",
               "ServiceID":"s","ScriptArgs":["a"],"tlsskipverify":true,"DockerContainerID":"d"}}})"),
            "");
  EXPECT_EQ(Issues(R"({"service":{"name":"x","EnableTagOverride":true}})"),
            "1 error occurred:\n\t* invalid config key service.EnableTagOverride\n\n");
  EXPECT_EQ(Issues(R"({"service":{"check":{"CheckID":"c"}}})"),
            "1 error occurred:\n\t* invalid config key service.check.CheckID\n\n");
  EXPECT_EQ(Issues(R"({"service":{"checks":[{"bogus":1},{"x":2}]}})"),
            "2 errors occurred:\n\t* invalid config key service.checks[0].bogus\n"
            "\t* invalid config key service.checks[1].x\n\n");
  EXPECT_EQ(Issues(R"({"service":{"proxy":{"DestinationServiceName":"x"}}})"),
            "1 error occurred:\n\t* invalid config key service.proxy.DestinationServiceName\n\n");
  EXPECT_EQ(Issues(R"({"service":{"connect":{"sidecar_service":{"bogus":1}}}})"),
            "1 error occurred:\n\t* invalid config key service.connect.sidecar_service.bogus\n\n");
}

TEST(CheckServiceDefinitionsTest, TypeErrorsInMapstructureWords) {
  EXPECT_EQ(Issues(R"({"service":{"name":"x","port":"1","meta":{"a":1},"tags":[1]}})"),
            "3 error(s) decoding:\n\n"
            "* 'service.meta[a]' expected type 'string', got unconvertible type 'float64'\n"
            "* 'service.port' expected type 'int', got unconvertible type 'string'\n"
            "* 'service.tags[0]' expected type 'string', got unconvertible type 'float64'");
  EXPECT_EQ(Issues(R"({"service":{"tags":"a"}})"),
            "1 error(s) decoding:\n\n* 'service.tags': source data must be an array or slice, "
            "got string");
  EXPECT_EQ(Issues(R"({"service":{"enable_tag_override":"true"}})"),
            "1 error(s) decoding:\n\n* 'service.enable_tag_override' expected type 'bool', got "
            "unconvertible type 'string'");
  EXPECT_EQ(Issues(R"({"service":{"check":{"header":{"a":"b"}}}})"),
            "1 error(s) decoding:\n\n* 'service.check.header[a]': source data must be an array "
            "or slice, got string");
  EXPECT_EQ(Issues(R"({"service":{"check":{"interval":5}}})"),
            "1 error(s) decoding:\n\n* 'service.check.interval' expected type 'string', got "
            "unconvertible type 'float64'");
  EXPECT_EQ(Issues(R"({"service":{"port":8.5}})"), "");  // floats truncate, as in Go
}

TEST(ServiceRegistrationTest, EveryFieldInConsulsOrderAndDroppedOnes) {
  EXPECT_EQ(
      RegistrationOf(R"({"kind":"connect-proxy","id":"fid","name":"full","tags":["x"],
        "address":"a","port":1,"token":"tok","meta":{"K":"v"},
        "tagged_addresses":{"lan":{"address":"1.1.1.1","port":2}},"enable_tag_override":true,
        "weights":{"passing":5,"warning":2},
        "check":{"id":"c1","name":"cn","notes":"nn","service_id":"sid","token":"ct",
          "status":"passing","args":["a","b"],"http":"h","header":{"A":["1"]},"method":"GET",
          "body":"bd","tcp":"t","interval":"1m","timeout":"2s","ttl":"3s",
          "docker_container_id":"d","shell":"sh","grpc":"g","grpc_use_tls":true,
          "tls_skip_verify":true,"alias_node":"an","alias_service":"as",
          "deregister_critical_service_after":"4m","output_max_size":5,
          "success_before_passing":2,"failures_before_critical":3},
        "proxy":{"destination_service_name":"dsn","destination_service_id":"dsi",
          "local_service_address":"lsa","local_service_port":7,"config":{"Foo_bar":{"x_y":1}},
          "upstreams":[{"destination_type":"service","destination_namespace":"",
            "destination_name":"up","datacenter":"dc2","local_bind_address":"lba",
            "local_bind_port":8,"config":{"a_b":1},"mesh_gateway":{"mode":"local"}}],
          "mesh_gateway":{"mode":"remote"},
          "expose":{"checks":true,"paths":[{"path":"/p","local_path_port":9,
            "listener_port":10,"protocol":"http"}]}},
        "connect":{"native":false,"sidecar_service":{"name":"side","port":11,
          "checks":[{"ttl":"1s"}]}}})"),
      R"({"Kind":"connect-proxy","ID":"fid","Name":"full","Tags":["x"],"Port":1,"Address":"a",)"
      R"("TaggedAddresses":{"lan":{"Address":"1.1.1.1","Port":2}},"EnableTagOverride":true,)"
      R"("Meta":{"K":"v"},"Weights":{"Passing":5,"Warning":2},"Check":null,)"
      R"("Checks":[{"CheckID":"c1","Name":"cn","DockerContainerID":"d","Shell":"sh",)"
      R"("Interval":"1m0s","Timeout":"2s","TTL":"3s","HTTP":"h","Header":{"A":["1"]},)"
      R"("Method":"GET","Body":"bd","TCP":"t","Status":"passing","Notes":"nn",)"
      R"("TLSSkipVerify":true,"GRPC":"g","GRPCUseTLS":true,"AliasNode":"an",)"
      R"("AliasService":"as","SuccessBeforePassing":2,"FailuresBeforeCritical":3,)"
      R"("DeregisterCriticalServiceAfter":"4m0s"}],)"
      R"("Proxy":{"DestinationServiceName":"dsn","DestinationServiceID":"dsi",)"
      R"("LocalServiceAddress":"lsa","LocalServicePort":7,"Config":{"Foo_bar":{"x_y":1}},)"
      R"("Upstreams":[{"DestinationType":"service","DestinationName":"up","Datacenter":"dc2",)"
      R"("LocalBindAddress":"lba","LocalBindPort":8,"Config":{"a_b":1},)"
      R"("MeshGateway":{"Mode":"local"}}],"MeshGateway":{"Mode":"remote"},)"
      R"("Expose":{"Checks":true,"Paths":[{"ListenerPort":10,"Path":"/p","LocalPathPort":9,)"
      R"("Protocol":"http","ParsedFromCheck":false}]}},)"
      R"("Connect":{"SidecarService":{"Name":"side","Port":11,)"
      R"("Weights":{"Passing":1,"Warning":1},"Check":{},"Checks":[{"TTL":"1s"}]}}})");
}

TEST(ServiceRegistrationTest, DefaultsEmptyValuesAndCheckOrder) {
  EXPECT_EQ(
      RegistrationOf(R"({"name":"p","check":{},"checks":[{}],"tagged_addresses":{"lan":{}}})"),
      R"({"Name":"p","TaggedAddresses":{"lan":{"Address":"","Port":0}},)"
      R"("Weights":{"Passing":1,"Warning":1},"Check":null,"Checks":[{},{}]})");
  EXPECT_EQ(RegistrationOf(R"({"name":"p","weights":{},"meta":{},"tags":[]})"),
            R"({"Name":"p","Weights":{"Passing":1,"Warning":1},"Check":null,"Checks":null})");
  EXPECT_EQ(RegistrationOf(R"({"name":"sc","check":{"args":["/bin/true"],"interval":"10s"},
                               "checks":[{"ttl":"5s","name":"second"}]})"),
            R"({"Name":"sc","Weights":{"Passing":1,"Warning":1},"Check":null,)"
            R"("Checks":[{"Name":"second","TTL":"5s"},{"Interval":"10s"}]})");
  EXPECT_EQ(RegistrationOf(R"({"name":"p","connect":{},"proxy":{"destination_service_name":"d",
                               "upstreams":[{"destination_name":"u"}],
                               "expose":{"paths":[{"path":"/x"}]}}})"),
            R"({"Name":"p","Weights":{"Passing":1,"Warning":1},"Check":null,"Checks":null,)"
            R"("Proxy":{"DestinationServiceName":"d","Upstreams":[{"DestinationType":"service",)"
            R"("DestinationName":"u","MeshGateway":{}}],"MeshGateway":{},)"
            R"("Expose":{"Paths":[{"Path":"/x","ParsedFromCheck":false}]}},"Connect":{}})");
  EXPECT_EQ(RegistrationOf(R"({"name":"p","connect":{"native":true,
                               "sidecar_service":{"proxy":{"upstreams":[]}}}})"),
            R"({"Name":"p","Weights":{"Passing":1,"Warning":1},"Check":null,"Checks":null,)"
            R"("Connect":{"Native":true,"SidecarService":{"Weights":{"Passing":1,"Warning":1},)"
            R"("Check":{},"Checks":null,"Proxy":{"MeshGateway":{},"Expose":{}}}}})");
}

TEST(ServiceRegistrationTest, HclBlocksAreUnwrapped) {
  TempDir dir;
  std::string file =
      dir.Write("hs.hcl",
                "service {\n name = \"hs\"\n check { ttl = \"3s\" }\n"
                " checks = [{ http = \"h\", interval = \"5s\", header { A = [\"b\"] } }]\n"
                " meta { k = \"v\" }\n"
                " tagged_addresses { lan { address = \"x\" port = 1 } }\n}\n");
  std::vector<std::string> warnings;
  Result<std::vector<json::object>> r = ServicesFromFiles({file}, &warnings);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(json::serialize((*r)[0]),
            R"({"Name":"hs","TaggedAddresses":{"lan":{"Address":"x","Port":1}},)"
            R"("Meta":{"k":"v"},"Weights":{"Passing":1,"Warning":1},"Check":null,)"
            R"("Checks":[{"Interval":"5s","HTTP":"h","Header":{"A":["b"]}},{"TTL":"3s"}]})");
}

TEST(ParseServiceAddressTest, SplitsLikeGo) {
  std::string address;
  int64_t port = 0;
  ASSERT_TRUE(ParseServiceAddress("1.2.3.4:80", &address, &port).ok());
  EXPECT_EQ(address, "1.2.3.4");
  EXPECT_EQ(port, 80);
  ASSERT_TRUE(ParseServiceAddress("[::1]:90", &address, &port).ok());
  EXPECT_EQ(address, "::1");
  EXPECT_EQ(port, 90);
  ASSERT_TRUE(ParseServiceAddress(":-5", &address, &port).ok());
  EXPECT_EQ(address, "");
  EXPECT_EQ(port, -5);

  auto error = [&](std::string_view text) {
    Status s = ParseServiceAddress(text, &address, &port);
    return s.ok() ? std::string("ok") : s.message();
  };
  EXPECT_EQ(error("1.2.3.4"), "address 1.2.3.4: missing port in address");
  EXPECT_EQ(error(""), "missing port in address");
  EXPECT_EQ(error("a:b:c"), "address a:b:c: too many colons in address");
  EXPECT_EQ(error("[::1"), "address [::1: missing ']' in address");
  EXPECT_EQ(error("[::1]"), "address [::1]: missing port in address");
  EXPECT_EQ(error("[::1]x:1"), "address [::1]x:1: missing port in address");
  EXPECT_EQ(error("[::1]:1:2"), "address [::1]:1:2: too many colons in address");
  EXPECT_EQ(error("a[b:1"), "address a[b:1: unexpected '[' in address");
  EXPECT_EQ(error("a]b:1"), "address a]b:1: unexpected ']' in address");
  EXPECT_EQ(error("1.2.3.4:x"), "strconv.Atoi: parsing \"x\": invalid syntax");
  EXPECT_EQ(error("h:"), "strconv.Atoi: parsing \"\": invalid syntax");
  EXPECT_EQ(error("h:0x10"), "strconv.Atoi: parsing \"0x10\": invalid syntax");
  EXPECT_EQ(error("h:99999999999999999999"),
            "strconv.Atoi: parsing \"99999999999999999999\": value out of range");
}

TEST(ServiceRegistrationFromFlagsTest, OnlyGivenFieldsWithNullChecks) {
  ServiceFlags flags;
  flags.name = "db";
  Result<json::object> r = ServiceRegistrationFromFlags(flags);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(json::serialize(*r), R"({"Name":"db","Check":null,"Checks":null})");

  flags.kind = "k";
  flags.id = "dbid";
  flags.port = 5432;
  flags.address = "1.2.3.4";
  flags.tags = {"a", "b"};
  flags.meta = {{"x", "y"}, {"a", "b"}};
  flags.tagged_addresses = {{"wan", "[::1]:90"}, {"lan", "1.2.3.4:80"}};
  r = ServiceRegistrationFromFlags(flags);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(json::serialize(*r),
            R"({"Kind":"k","ID":"dbid","Name":"db","Tags":["a","b"],"Port":5432,)"
            R"("Address":"1.2.3.4","TaggedAddresses":{"lan":{"Address":"1.2.3.4","Port":80},)"
            R"("wan":{"Address":"::1","Port":90}},"Meta":{"a":"b","x":"y"},"Check":null,)"
            R"("Checks":null})");

  flags.tagged_addresses = {{"lan", "1.2.3.4"}};
  r = ServiceRegistrationFromFlags(flags);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "address 1.2.3.4: missing port in address");
}

}  // namespace
}  // namespace consulate::cli
