// `services register|deregister`, `catalog *`, `maint` and `reload` run through cli::Main against a
// fake agent: the requests they send (compared with what Consul 1.8.7's CLI sends), their output,
// messages and exit codes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "cli/cli.h"
#include "cli/flags.h"
#include "fake_agent.h"

namespace consulate::cli {
namespace {

using testing::FakeAgent;

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

Outcome RunCli(std::vector<std::string> args) {
  std::istringstream in;
  std::ostringstream out, err;
  int code = Main(args, in, out, err);
  return {code, out.str(), err.str()};
}

// Runs `args` with -http-addr pointing at `agent`, inserted after the command words.
Outcome RunAt(const FakeAgent& agent, std::vector<std::string> words,
              std::vector<std::string> args) {
  words.push_back("-http-addr=" + agent.address());
  words.insert(words.end(), args.begin(), args.end());
  return RunCli(words);
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  std::string path = "/tmp/services_cli_test_" + std::to_string(::getpid()) + "_" + name;
  std::ofstream(path) << text;
  return path;
}

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

TEST(ServicesRegisterTest, SeedFileRegistersWeb) {
  FakeAgent agent;
  agent.On("PUT /v1/agent/service/register", 200, "");
  std::string file = WriteTemp("web.json", kSeedWebJson);
  Outcome o = RunAt(agent, {"services", "register"}, {file});
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(o.out, "Registered service: web\n");
  EXPECT_EQ(o.err, "");
  auto requests = agent.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(requests[0].target, "/v1/agent/service/register");
  EXPECT_EQ(requests[0].body,
            R"({"Name":"web","Tags":["primary"],"Port":9000,"Address":"192.168.99.112",)"
            R"("Weights":{"Passing":1,"Warning":1},"Check":null,)"
            R"("Checks":[{"Interval":"10s","HTTP":"http://localhost:9000/health"}]})"
            "\n");
  std::remove(file.c_str());
}

TEST(ServicesRegisterTest, FromFlags) {
  FakeAgent agent;
  agent.On("PUT /v1/agent/service/register", 200, "");
  Outcome o = RunAt(agent, {"services", "register"},
                    {"-name", "db",    "-port", "5432",  "-tag",   "a",           "-tag",
                     "b",     "-meta", "x=y",   "-meta", "a=b",    "-address",    "1.2.3.4",
                     "-kind", "k",     "-id",   "dbid",  "-stale", "-datacenter", "dc9"});
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(o.out, "Registered service: db\n");
  auto requests = agent.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/v1/agent/service/register?dc=dc9");
  EXPECT_EQ(requests[0].body,
            R"({"Kind":"k","ID":"dbid","Name":"db","Tags":["a","b"],"Port":5432,)"
            R"("Address":"1.2.3.4","Meta":{"a":"b","x":"y"},"Check":null,"Checks":null})"
            "\n");
}

TEST(ServicesRegisterTest, ArgumentErrors) {
  Outcome o = RunCli({"services", "register"});
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "Service registration requires at least one argument or flags.\n");
  o = RunCli({"services", "register", "-id", "x", "-port", "80"});
  EXPECT_EQ(o.err, "Service registration requires at least one argument or flags.\n");
  o = RunCli({"services", "register", "-name", "foo", "web.json"});
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "Service registration requires arguments or -id, not both.\n");
  // Tagged addresses are checked first, even without -name.
  o = RunCli({"services", "register", "-tagged-address", "lan=1.2.3.4"});
  EXPECT_EQ(o.err, "Invalid Tagged Address: address 1.2.3.4: missing port in address\n");
  o = RunCli({"services", "register", "-name", "t", "-tagged-address", "lan=1.2.3.4:x"});
  EXPECT_EQ(o.err, "Invalid Tagged Address: strconv.Atoi: parsing \"x\": invalid syntax\n");
  o = RunCli({"services", "register", "-port", "abc", "-name", "z"});
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err.rfind("invalid value \"abc\" for flag -port: parse error\nUsage:\n", 0), 0u);
  EXPECT_NE(o.err.find("\n  -port int\n"), std::string::npos);
  EXPECT_NE(o.err.find("\n  -meta value\n"), std::string::npos);
  EXPECT_NE(o.err.find("\n  -tag value\n"), std::string::npos);
  o = RunCli({"services", "register", "-meta", "novalue", "-name", "z"});
  EXPECT_EQ(o.err.rfind("invalid value \"novalue\" for flag -meta: Missing \"=\" value in "
                        "argument: novalue\n",
                        0),
            0u);
  o = RunCli({"services", "register", "/nonexistent/dir/web.json"});
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err,
            "Error: config: Open failed on /nonexistent/dir/web.json. open "
            "/nonexistent/dir/web.json: no such file or directory\n");
}

TEST(ServicesRegisterTest, AgentErrorsNameTheService) {
  FakeAgent agent;
  agent.On("PUT /v1/agent/service/register", 400,
           "Invalid Service Meta: Couldn't load metadata pair ('', 'v'): Key cannot be blank");
  Outcome o = RunAt(agent, {"services", "register"}, {"-meta", "=v", "-name", "z"});
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(o.err,
            "Error registering service \"z\": Unexpected response code: 400 (Invalid Service "
            "Meta: Couldn't load metadata pair ('', 'v'): Key cannot be blank)\n");
}

TEST(ServicesRegisterTest, SkippedFilesWarnOnStderr) {
  FakeAgent agent;
  std::string file = WriteTemp("h.txt", "service { name = \"x\" }");
  Outcome o = RunAt(agent, {"services", "register"}, {file});
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(o.err, "skipping file " + file +
                       ", extension must be .hcl or .json, or config format must be set\n");
  EXPECT_TRUE(agent.requests().empty());
  std::remove(file.c_str());
}

TEST(ServicesDeregisterTest, ByFileAndById) {
  FakeAgent agent;
  agent.On("PUT /v1/agent/service/deregister/a1", 200, "");
  agent.On("PUT /v1/agent/service/deregister/a2x", 200, "");
  agent.On("PUT /v1/agent/service/deregister/a b/c?d%", 200, "");
  std::string file = WriteTemp(
      "multi.json", R"({"services":[{"name":"a1"},{"name":"a2","id":"a2x"},{"port":1}]})");
  Outcome o = RunAt(agent, {"services", "deregister"}, {file});
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(o.out, "Deregistered service: a1\nDeregistered service: a2x\n");
  o = RunAt(agent, {"services", "deregister"}, {"-id", "a b/c?d%"});
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(o.out, "Deregistered service: a b/c?d%\n");
  EXPECT_EQ(agent.request_lines(),
            (std::vector<std::string>{"PUT /v1/agent/service/deregister/a1",
                                      "PUT /v1/agent/service/deregister/a2x",
                                      "PUT /v1/agent/service/deregister/a%20b/c%3Fd%25"}));
  std::remove(file.c_str());
}

TEST(ServicesDeregisterTest, ErrorsKeepConsulsWording) {
  Outcome o = RunCli({"services", "deregister"});
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "Service deregistration requires at least one argument or -id.\n");
  o = RunCli({"services", "deregister", "-id", "x", "web.json"});
  EXPECT_EQ(o.err, "Service deregistration requires arguments or -id, not both.\n");
  o = RunCli({"services", "deregister", "-name", "q"});
  EXPECT_EQ(o.err.rfind("flag provided but not defined: -name\n", 0), 0u);

  FakeAgent agent;
  agent.On("PUT /v1/agent/service/deregister/web", 500, "boom");
  o = RunAt(agent, {"services", "deregister"}, {"-id", "web"});
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "Error registering service \"\": Unexpected response code: 500 (boom)\n");
}

TEST(CatalogDatacentersTest, OnePerLine) {
  FakeAgent agent;
  agent.On("GET /v1/catalog/datacenters", 200, R"(["dc1","dc2"])");
  Outcome o = RunAt(agent, {"catalog", "datacenters"}, {"-stale"});
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(o.out, "dc1\ndc2\n");
  // -stale is accepted but not sent, as in Consul.
  EXPECT_EQ(agent.request_lines(), std::vector<std::string>{"GET /v1/catalog/datacenters"});
  o = RunAt(agent, {"catalog", "datacenters"}, {"extra"});
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "Too many arguments (expected 0, got 1)\n");
}

TEST(CatalogNodesTest, TableAndQueryParameters) {
  FakeAgent agent;
  agent.On("GET /v1/catalog/nodes", 200,
           R"([{"ID":"6f6f3706-fd78-e848-db06-59e8ee82319c","Node":"vm","Address":"127.0.0.1",
                "Datacenter":"dc1","TaggedAddresses":{"lan":"127.0.0.1"},"Meta":{"k":"v"}}])");
  Outcome o = RunAt(
      agent, {"catalog", "nodes"},
      {"-near", "_agent", "-node-meta", "a=b", "-node-meta", "c=d", "-filter", "Node == \"vm\""});
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(o.out, "Node  ID        Address    DC\nvm    6f6f3706  127.0.0.1  dc1\n");
  EXPECT_EQ(agent.request_lines(),
            std::vector<std::string>{"GET /v1/catalog/nodes?filter=Node+%3D%3D+%22vm%22&"
                                     "near=_agent&node-meta=a%3Ab&node-meta=c%3Ad"});
  o = RunAt(agent, {"catalog", "nodes"}, {"-detailed"});
  EXPECT_EQ(o.out,
            "Node  ID                                    Address    DC   TaggedAddresses  Meta\n"
            "vm    6f6f3706-fd78-e848-db06-59e8ee82319c  127.0.0.1  dc1  lan=127.0.0.1    k=v\n");
}

TEST(CatalogNodesTest, ByServiceAndEmptyResults) {
  FakeAgent agent;
  agent.On("GET /v1/catalog/service/we b", 200,
           R"([{"ID":"","Node":"ext","Address":"10.0.0.1","Datacenter":"dc1",
                "TaggedAddresses":null,"NodeMeta":null,"ServiceID":"w"}])");
  agent.On("GET /v1/catalog/service/none", 200, "[]");
  Outcome o = RunAt(agent, {"catalog", "nodes"}, {"-service", "we b", "-near", "n"});
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(o.out, "Node  ID  Address   DC\next       10.0.0.1  dc1\n");
  o = RunAt(agent, {"catalog", "nodes"}, {"-service", "none"});
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(o.err, "No nodes match the given query - try expanding your search.\n");
  EXPECT_EQ(agent.request_lines(),
            (std::vector<std::string>{"GET /v1/catalog/service/we%20b?near=n",
                                      "GET /v1/catalog/service/none"}));
  agent.On("GET /v1/catalog/nodes", 500, "Failed to create boolean expression evaluator");
  o = RunAt(agent, {"catalog", "nodes"}, {"-filter", "bad"});
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err,
            "Error listing nodes: Unexpected response code: 500 (Failed to create boolean "
            "expression evaluator)\n");
}

TEST(CatalogServicesTest, NamesTagsAndNode) {
  FakeAgent agent;
  agent.On("GET /v1/catalog/services", 200, R"({"web":["primary"],"db":["b","a"],"consul":[]})");
  agent.On("GET /v1/catalog/node/vm", 200,
           R"({"Node":{"Node":"vm"},"Services":{"web2":{"ID":"web2","Service":"web","Tags":["z"]},
                "web1":{"ID":"web1","Service":"web","Tags":["y"]}}})");
  agent.On("GET /v1/catalog/node/nonode", 200, "null");
  Outcome o = RunAt(agent, {"catalog", "services"}, {});
  EXPECT_EQ(o.out, "consul\ndb\nweb\n");
  o = RunAt(agent, {"catalog", "services"}, {"-tags", "-node-meta", "a=b=c"});
  EXPECT_EQ(o.out, "consul      \ndb          a,b\nweb         primary\n");
  o = RunAt(agent, {"catalog", "services"}, {"-node", "vm", "-tags"});
  EXPECT_EQ(o.out, "web      y,z\n");
  o = RunAt(agent, {"catalog", "services"}, {"-node", "nonode"});
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(o.err, "No services match the given query - try expanding your search.\n");
  EXPECT_EQ(agent.request_lines(),
            (std::vector<std::string>{"GET /v1/catalog/services",
                                      "GET /v1/catalog/services?node-meta=a%3Ab%3Dc",
                                      "GET /v1/catalog/node/vm", "GET /v1/catalog/node/nonode"}));
}

TEST(MaintTest, ListEnableDisable) {
  FakeAgent agent;
  agent.On("GET /v1/agent/self", 200, R"({"Config":{"NodeName":"vm"}})");
  agent.On("GET /v1/agent/checks", 200,
           R"({"_service_maintenance:web":{"CheckID":"_service_maintenance:web",
                 "ServiceID":"web","Notes":"kernel upgrade"},
               "_node_maintenance":{"CheckID":"_node_maintenance","Notes":"why"},
               "serfHealth":{"CheckID":"serfHealth"}})");
  agent.On("PUT /v1/agent/maintenance", 200, "");
  agent.On("PUT /v1/agent/service/maintenance/web", 200, "");
  agent.On("PUT /v1/agent/service/maintenance/nonexist", 404,
           "No service registered with ID \"nonexist\"");
  Outcome o = RunAt(agent, {"maint"}, {});
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(o.out,
            "Node:\n  Name:   vm\n  Reason: why\n\n"
            "Service:\n  ID:     web\n  Reason: kernel upgrade\n\n");
  o = RunAt(agent, {"maint"}, {"-enable", "-reason", "a b&c"});
  EXPECT_EQ(o.out, "Node maintenance is now enabled\n");
  o = RunAt(agent, {"maint"}, {"-disable"});
  EXPECT_EQ(o.out, "Node maintenance is now disabled\n");
  o = RunAt(agent, {"maint"}, {"-enable", "-service", "web"});
  EXPECT_EQ(o.out, "Service maintenance is now enabled for \"web\"\n");
  o = RunAt(agent, {"maint"}, {"-disable", "-service", "web"});
  EXPECT_EQ(o.out, "Service maintenance is now disabled for \"web\"\n");
  o = RunAt(agent, {"maint"}, {"-enable", "-service", "nonexist"});
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err,
            "Error enabling service maintenance: Unexpected response code: 404 (No service "
            "registered with ID \"nonexist\")\n");
  EXPECT_EQ(agent.request_lines(),
            (std::vector<std::string>{"GET /v1/agent/self", "GET /v1/agent/checks",
                                      "PUT /v1/agent/maintenance?enable=true&reason=a+b%26c",
                                      "PUT /v1/agent/maintenance?enable=false",
                                      "PUT /v1/agent/service/maintenance/web?enable=true&reason=",
                                      "PUT /v1/agent/service/maintenance/web?enable=false",
                                      "PUT /v1/agent/service/maintenance/nonexist?enable=true&"
                                      "reason="}));
}

TEST(MaintTest, FlagConflicts) {
  Outcome o = RunCli({"maint", "-enable", "-disable"});
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "Only one of -enable or -disable may be provided\n");
  o = RunCli({"maint", "-reason", "x"});
  EXPECT_EQ(o.err, "Reason may only be provided with -enable\n");
  o = RunCli({"maint", "-disable", "-reason", "x"});
  EXPECT_EQ(o.err, "Reason may only be provided with -enable\n");
  o = RunCli({"maint", "-service", "web"});
  EXPECT_EQ(o.err, "Service requires either -enable or -disable\n");
}

TEST(ReloadTest, TriggersReload) {
  FakeAgent agent;
  agent.On("PUT /v1/agent/reload", 200, "");
  Outcome o = RunAt(agent, {"reload"}, {"extra"});
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(o.out, "Configuration reload triggered\n");
  EXPECT_EQ(agent.request_lines(), std::vector<std::string>{"PUT /v1/agent/reload"});
}

TEST(ConnectionErrorsTest, EachCommandsPrefix) {
  FakeAgent* none = nullptr;
  (void)none;
  std::string addr;
  {
    FakeAgent agent;  // bound then closed: nothing listens on its port afterwards
    addr = agent.address();
  }
  auto err = [&](std::vector<std::string> args) {
    args.insert(args.begin() + (args[0] == "maint" || args[0] == "reload" ? 1 : 2),
                "-http-addr=" + addr);
    Outcome o = RunCli(args);
    EXPECT_EQ(o.code, 1);
    return o.err;
  };
  std::string refused = ": dial tcp " + addr + ": connect: connection refused\n";
  EXPECT_EQ(err({"catalog", "datacenters"}), "Error listing datacenters: Get \"http://" + addr +
                                                 "/v1/catalog/datacenters\"" + refused);
  EXPECT_EQ(
      err({"catalog", "services", "-node", "x"}),
      "Error listing services for node: Get \"http://" + addr + "/v1/catalog/node/x\"" + refused);
  EXPECT_EQ(err({"maint"}),
            "Error querying Consul agent: Get \"http://" + addr + "/v1/agent/self\"" + refused);
  EXPECT_EQ(err({"maint", "-disable"}), "Error disabling node maintenance: Put \"http://" + addr +
                                            "/v1/agent/maintenance?enable=false\"" + refused);
  EXPECT_EQ(err({"reload"}),
            "Error reloading: Put \"http://" + addr + "/v1/agent/reload\"" + refused);
  EXPECT_EQ(err({"services", "deregister", "-id", "web"}),
            "Error registering service \"\": Put \"http://" + addr +
                "/v1/agent/service/deregister/web\"" + refused);
}

TEST(ParentCommandsTest, HelpListsSubcommands) {
  Outcome o = RunCli({"services"});
  EXPECT_EQ(o.code, 1);
  EXPECT_NE(o.err.find("Subcommands:\n    deregister    Deregister services with the local agent\n"
                       "    register      Register services with the local agent\n"),
            std::string::npos);
  o = RunCli({"catalog", "-h"});
  EXPECT_EQ(o.code, 0);
  EXPECT_NE(o.out.find("Subcommands:\n    datacenters    Lists all known datacenters\n"
                       "    nodes          Lists all nodes in the given datacenter\n"
                       "    services       Lists all registered services in a datacenter\n"),
            std::string::npos);
}

TEST(RepeatableFlagsTest, IntListAndMapFlags) {
  Flags flags;
  int64_t port = 0;
  std::vector<std::string> tags;
  std::map<std::string, std::string> meta;
  flags.Int("port", &port, "Port.");
  flags.StringList("tag", &tags, "Tag.");
  flags.StringMap("meta", &meta, "Metadata as `key=value`.");
  std::ostringstream err;
  ASSERT_TRUE(flags.Parse(
      {"-port", "-0x10", "-tag", "a", "-tag=b", "-meta", "k=v=w", "-meta", "k2=", "rest"}, err));
  EXPECT_EQ(port, -16);
  EXPECT_EQ(tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(meta, (std::map<std::string, std::string>{{"k", "v=w"}, {"k2", ""}}));
  EXPECT_EQ(flags.args(), std::vector<std::string>{"rest"});
  EXPECT_EQ(flags.GoDefaults(),
            "  -meta key=value\n    \tMetadata as key=value.\n"
            "  -port int\n    \tPort.\n"
            "  -tag value\n    \tTag.\n");
  EXPECT_NE(flags.Usage("Usage: x").find("  -meta=<key=value>\n"), std::string::npos);
  EXPECT_NE(flags.Usage("Usage: x").find("  -port=<int>\n"), std::string::npos);
}

TEST(RepeatableFlagsTest, IntRangeAndSyntax) {
  int64_t v = 0;
  bool out_of_range = false;
  EXPECT_TRUE(ParseGoInt64("9223372036854775807", &v, &out_of_range));
  EXPECT_EQ(v, INT64_MAX);
  EXPECT_TRUE(ParseGoInt64("-9223372036854775808", &v, &out_of_range));
  EXPECT_EQ(v, INT64_MIN);
  EXPECT_FALSE(ParseGoInt64("9223372036854775808", &v, &out_of_range));
  EXPECT_TRUE(out_of_range);
  EXPECT_FALSE(ParseGoInt64("99999999999999999999", &v, &out_of_range));
  EXPECT_TRUE(out_of_range);
  EXPECT_FALSE(ParseGoInt64("1_", &v, &out_of_range));
  EXPECT_FALSE(out_of_range);
  EXPECT_TRUE(ParseGoInt64("+1_000", &v, &out_of_range));
  EXPECT_EQ(v, 1000);
  EXPECT_FALSE(ParseGoInt64("", &v, &out_of_range));
  EXPECT_FALSE(ParseGoInt64("-", &v, &out_of_range));

  Flags flags;
  int64_t port = 0;
  flags.Int("port", &port, "Port.");
  std::ostringstream err;
  EXPECT_FALSE(flags.Parse({"-port", "99999999999999999999"}, err));
  EXPECT_EQ(err.str().rfind(
                "invalid value \"99999999999999999999\" for flag -port: value out of range\n", 0),
            0u);
}

}  // namespace
}  // namespace consulate::cli
