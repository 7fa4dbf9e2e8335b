// Validation and evaluation against the JSON Consul returns (the samples are the ones in Consul's
// API documentation for the filtering feature and the health/catalog endpoints).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "filter/consul_schemas.h"
#include "filter/filter.h"

namespace consulate::filter {
namespace {
namespace json = boost::json;

// /v1/agent/services, from the "Filtering" page.
const char kAgentServices[] = R"({
  "redis1": {"ID": "redis1", "Service": "redis", "Tags": ["primary", "production"],
             "Meta": {"env": "production", "foo": "bar"}, "Port": 1234, "Address": "",
             "Weights": {"Passing": 1, "Warning": 1}, "EnableTagOverride": false},
  "redis2": {"ID": "redis2", "Service": "redis", "Tags": ["secondary", "production"],
             "Meta": {"env": "production", "foo": "bar"}, "Port": 1235, "Address": "",
             "Weights": {"Passing": 1, "Warning": 1}, "EnableTagOverride": false},
  "redis3": {"ID": "redis3", "Service": "redis", "Tags": ["primary", "qa"],
             "Meta": {"env": "qa"}, "Port": 1234, "Address": "",
             "Weights": {"Passing": 1, "Warning": 1}, "EnableTagOverride": false}
})";

// /v1/catalog/service/api-internal, from the "Filtering" page (plus tagged addresses).
const char kServiceNodes[] = R"([
  {"ID": "b4f64e8c-5c7d-11e9-bf68-8c8590bd0966", "Node": "node-1", "Address": "198.18.0.1",
   "Datacenter": "dc1", "TaggedAddresses": null,
   "NodeMeta": {"agent": "true", "arch": "i386", "os": "darwin"},
   "ServiceKind": "", "ServiceID": "api-internal", "ServiceName": "api-internal",
   "ServiceTags": ["tag"], "ServiceAddress": "", "ServiceWeights": {"Passing": 1, "Warning": 1},
   "ServiceMeta": {"environment": "qa"}, "ServicePort": 9090, "ServiceEnableTagOverride": false,
   "ServiceProxy": {}, "ServiceConnect": {}, "CreateIndex": 30, "ModifyIndex": 30},
  {"ID": "b4faf93a-5c7d-11e9-840d-8c8590bd0966", "Node": "node-2", "Address": "198.18.0.2",
   "Datacenter": "dc1", "TaggedAddresses": {"lan": "198.18.0.2", "wan": "203.0.113.2"},
   "NodeMeta": {"arch": "arm", "os": "linux"},
   "ServiceKind": "", "ServiceID": "api-internal", "ServiceName": "api-internal",
   "ServiceTags": ["test", "tag"], "ServiceAddress": "",
   "ServiceTaggedAddresses": {"wan": {"Address": "198.18.1.2", "Port": 80}},
   "ServiceWeights": {"Passing": 1, "Warning": 1},
   "ServiceMeta": {"environment": "production"}, "ServicePort": 9090,
   "ServiceEnableTagOverride": false, "ServiceProxy": {}, "ServiceConnect": {},
   "CreateIndex": 29, "ModifyIndex": 29},
  {"ID": "b4fbe7f4-5c7d-11e9-ac82-8c8590bd0966", "Node": "node-4", "Address": "198.18.0.4",
   "Datacenter": "dc1", "TaggedAddresses": null, "NodeMeta": {"arch": "i386", "os": "freebsd"},
   "ServiceKind": "", "ServiceID": "api-internal", "ServiceName": "api-internal",
   "ServiceTags": [], "ServiceAddress": "", "ServiceWeights": {"Passing": 1, "Warning": 1},
   "ServiceMeta": {"environment": "qa"}, "ServicePort": 9090, "ServiceEnableTagOverride": true,
   "ServiceProxy": {}, "ServiceConnect": {"Native": true}, "CreateIndex": 28, "ModifyIndex": 28}
])";

// /v1/health/node/node-1, from the "Filtering" page.
const char kNodeChecks[] = R"([
  {"Node": "node-1", "CheckID": "node-health", "Name": "Node level check", "Status": "critical",
   "Notes": "", "Output": "", "ServiceID": "", "ServiceName": "", "ServiceTags": [],
   "Definition": {}, "CreateIndex": 13, "ModifyIndex": 13},
  {"Node": "node-1", "CheckID": "svc-web-health", "Name": "Service level check - web",
   "Status": "warning", "Notes": "", "Output": "", "ServiceID": "", "ServiceName": "web",
   "ServiceTags": [], "Definition": {}, "CreateIndex": 18, "ModifyIndex": 18}
])";

// /v1/health/service/redis, from the Health API page.
const char kCheckServiceNode[] = R"({
  "Node": {"ID": "40e4a748-2192-161a-0510-9bf59fe950b5", "Node": "foobar", "Address": "10.1.10.12",
           "Datacenter": "dc1", "TaggedAddresses": {"lan": "10.1.10.12", "wan": "10.1.10.12"},
           "Meta": {"instance_type": "t2.medium"}},
  "Service": {"ID": "redis", "Service": "redis", "Tags": ["primary"], "Address": "10.1.10.12",
              "TaggedAddresses": {"lan": {"Address": "10.1.10.12", "Port": 8000},
                                  "wan": {"Address": "198.18.1.2", "Port": 80}},
              "Meta": {"redis_version": "4.0"}, "Port": 8000, "Weights": {"Passing": 10, "Warning": 1},
              "Proxy": {"Upstreams": [{"DestinationName": "db", "LocalBindPort": 9191}]}},
  "Checks": [
    {"Node": "foobar", "CheckID": "service:redis", "Name": "Service 'redis' check", "Status": "passing",
     "Notes": "", "Output": "", "ServiceID": "redis", "ServiceName": "redis", "ServiceTags": ["primary"]},
    {"Node": "foobar", "CheckID": "serfHealth", "Name": "Serf Health Status", "Status": "critical",
     "Notes": "", "Output": "Agent not live or unreachable", "ServiceID": "", "ServiceName": "",
     "ServiceTags": []}
  ]
})";

// Evaluates with a schema; a failure is returned as "error: <message>".
std::string Eval(std::string_view expression, const json::value& v, const FieldSchema& schema) {
  Result<Expression> e = Compile(expression);
  if (!e.ok()) return "error: " + e.status().message();
  Result<bool> r = Evaluate(*e, v, schema);
  if (!r.ok()) return "error: " + r.status().message();
  return *r ? "true" : "false";
}

std::string EvalUntyped(std::string_view expression, const json::value& v) {
  Result<Expression> e = Compile(expression);
  if (!e.ok()) return "error: " + e.status().message();
  Result<bool> r = Evaluate(*e, v);
  if (!r.ok()) return "error: " + r.status().message();
  return *r ? "true" : "false";
}

std::string ValidateError(std::string_view expression, const FieldSchema& schema) {
  Result<Expression> e = Compile(expression);
  if (!e.ok()) return "parse error: " + e.status().message();
  Status s = Validate(*e, schema);
  if (s.ok()) return "valid";
  EXPECT_TRUE(s.IsInvalidArgument());
  return s.message();
}

// The keys of the map, or the "ID"s of the list elements, that pass `expression`.
std::vector<std::string> Kept(std::string_view expression, SchemaPtr schema,
                              const json::value& data) {
  Result<Filter> f = Filter::Create(expression, std::move(schema));
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  std::vector<std::string> out;
  if (!f.ok()) return out;
  if (data.is_object()) {
    Result<json::object> kept = f->Apply(data.as_object());
    EXPECT_TRUE(kept.ok()) << kept.status().ToString();
    if (kept.ok()) {
      for (const auto& kv : *kept) out.emplace_back(kv.key());
    }
  } else {
    Result<json::array> kept = f->Apply(data.as_array());
    EXPECT_TRUE(kept.ok()) << kept.status().ToString();
    if (kept.ok()) {
      for (const json::value& v : *kept) {
        const json::object& o = v.as_object();
        const json::value* id = o.if_contains("ID");
        if (!id) id = o.if_contains("CheckID");
        out.emplace_back(id->as_string());
      }
    }
  }
  return out;
}

using Strings = std::vector<std::string>;

TEST(FilterEvaluateTest, DocumentationExamples) {
  EXPECT_EQ(Kept("Meta.env == qa", AgentServiceSchema(), json::parse(kAgentServices)),
            Strings{"redis3"});
  EXPECT_EQ(Kept("NodeMeta.os == linux", ServiceNodeSchema(), json::parse(kServiceNodes)),
            Strings{"b4faf93a-5c7d-11e9-840d-8c8590bd0966"});
  EXPECT_EQ(Kept(R"(ServiceName != "")", HealthCheckSchema(), json::parse(kNodeChecks)),
            Strings{"svc-web-health"});
}

TEST(FilterEvaluateTest, AgentServices) {
  json::value services = json::parse(kAgentServices);
  SchemaPtr s = AgentServiceSchema();
  EXPECT_EQ(Kept("primary in Tags", s, services), (Strings{"redis1", "redis3"}));
  EXPECT_EQ(Kept("Tags contains production and Port == 1235", s, services), Strings{"redis2"});
  EXPECT_EQ(Kept("Tags not contains primary", s, services), Strings{"redis2"});
  EXPECT_EQ(Kept(R"("foo" in Meta)", s, services), (Strings{"redis1", "redis2"}));
  EXPECT_EQ(Kept(R"(Meta["foo"] != bar)", s, services),
            Strings{"redis3"});  // a missing key is never equal
  EXPECT_EQ(Kept("Meta.foo == bar", s, services), (Strings{"redis1", "redis2"}));
  EXPECT_EQ(Kept("Weights.Passing == 1 and not EnableTagOverride == true", s, services),
            (Strings{"redis1", "redis2", "redis3"}));
  EXPECT_EQ(Kept("ID matches `^redis[12]$`", s, services), (Strings{"redis1", "redis2"}));
  EXPECT_EQ(Kept("ID not matches `^redis[12]$`", s, services), Strings{"redis3"});
  EXPECT_EQ(Kept("Service contains dis", s, services), (Strings{"redis1", "redis2", "redis3"}));
  EXPECT_EQ(Kept("", s, services), (Strings{"redis1", "redis2", "redis3"}));
  // Absent objects read as zero values: no proxy means no upstreams and an empty name.
  EXPECT_EQ(Kept("Proxy.Upstreams is empty", s, services), (Strings{"redis1", "redis2", "redis3"}));
  EXPECT_EQ(Kept(R"(Proxy.DestinationServiceName == "")", s, services),
            (Strings{"redis1", "redis2", "redis3"}));
}

TEST(FilterEvaluateTest, CatalogServiceNodes) {
  json::value nodes = json::parse(kServiceNodes);
  SchemaPtr s = ServiceNodeSchema();
  const std::string n1 = "b4f64e8c-5c7d-11e9-bf68-8c8590bd0966";
  const std::string n2 = "b4faf93a-5c7d-11e9-840d-8c8590bd0966";
  const std::string n4 = "b4fbe7f4-5c7d-11e9-ac82-8c8590bd0966";
  EXPECT_EQ(Kept("ServiceTags is empty", s, nodes), Strings{n4});
  EXPECT_EQ(Kept("ServiceTags is not empty and test not in ServiceTags", s, nodes), Strings{n1});
  EXPECT_EQ(Kept("TaggedAddresses is empty", s, nodes), (Strings{n1, n4}));  // null is empty
  EXPECT_EQ(Kept("TaggedAddresses.wan == `203.0.113.2`", s, nodes), Strings{n2});
  EXPECT_EQ(Kept("ServiceTaggedAddresses.wan.Port == 80", s, nodes), Strings{n2});
  EXPECT_EQ(Kept("ServiceTaggedAddresses.lan.Port != 80", s, nodes), (Strings{n1, n2, n4}));
  EXPECT_EQ(Kept("ServiceMeta.environment == qa or NodeMeta.arch == arm", s, nodes),
            (Strings{n1, n2, n4}));
  EXPECT_EQ(Kept("ServiceMeta.environment == qa and not NodeMeta.os == darwin", s, nodes),
            Strings{n4});
  EXPECT_EQ(Kept("(NodeMeta.os == darwin or NodeMeta.os == linux) and ServiceTags contains tag", s,
                 nodes),
            (Strings{n1, n2}));
  EXPECT_EQ(Kept("ServiceConnect.Native == true", s, nodes), Strings{n4});
  EXPECT_EQ(Kept("ServiceEnableTagOverride == 1", s, nodes),
            Strings{n4});  // Go's ParseBool accepts 1
  EXPECT_EQ(Kept(R"(ServicePort == "0x2382")", s, nodes),
            (Strings{n1, n2, n4}));  // 9090, base prefix
  EXPECT_EQ(Kept(R"(ServicePort == "9_090")", s, nodes), (Strings{n1, n2, n4}));
  EXPECT_EQ(Kept("Address matches `^198\\.18\\.0\\.[24]$`", s, nodes), (Strings{n2, n4}));
  EXPECT_EQ(Kept("Node contains NODE", s, nodes), Strings{});  // case-sensitive
  EXPECT_EQ(Kept(R"("node-" in Node and Datacenter == dc1)", s, nodes), (Strings{n1, n2, n4}));
}

TEST(FilterEvaluateTest, HealthServiceListsMatchAnyElement) {
  json::value csn = json::parse(kCheckServiceNode);
  const FieldSchema& s = *CheckServiceNodeSchema();
  EXPECT_EQ(Eval("Checks.Status == passing", csn, s), "true");
  EXPECT_EQ(Eval("Checks.Status == critical", csn, s), "true");
  EXPECT_EQ(Eval("Checks.Status == warning", csn, s), "false");
  // "!=" over a list is "some element differs", not "no element equals" (bexpr's any-semantics).
  EXPECT_EQ(Eval("Checks.Status != passing", csn, s), "true");
  EXPECT_EQ(Eval("not Checks.Status == critical", csn, s), "false");
  EXPECT_EQ(Eval("Checks.ServiceTags is empty", csn, s), "true");
  EXPECT_EQ(Eval("Checks.ServiceTags contains primary", csn, s), "true");
  EXPECT_EQ(Eval("Checks.Output contains unreachable", csn, s), "true");
  EXPECT_EQ(Eval("Checks is not empty", csn, s), "true");
  EXPECT_EQ(
      Eval(R"(Node.Meta.instance_type == "t2.medium" and Service.Tags contains primary)", csn, s),
      "true");
  EXPECT_EQ(Eval("Service.TaggedAddresses.wan.Port == 80", csn, s), "true");
  EXPECT_EQ(Eval("Service.Weights.Passing == 10", csn, s), "true");
  EXPECT_EQ(Eval("Service.Proxy.Upstreams.DestinationName == db", csn, s), "true");
  EXPECT_EQ(Eval("Service.Proxy.Upstreams.LocalBindPort == 9192", csn, s), "false");
  EXPECT_EQ(Eval("Service.Meta.missing == x", csn, s), "false");
  EXPECT_EQ(Eval("Service.Meta.missing != x", csn, s), "true");
  EXPECT_EQ(Eval("Service.Meta.missing not matches x", csn, s), "true");
  EXPECT_EQ(Eval("Service.TaggedAddresses.missing.Port == 0", csn, s), "false");
  EXPECT_EQ(Eval("Service.Connect.Native == false", csn, s), "true");  // absent reads as false
}

TEST(FilterEvaluateTest, ShortCircuitSkipsErrorsOnTheOtherSide) {
  json::value v = json::parse(R"({"Port": 1, "Name": "x"})");
  EXPECT_EQ(EvalUntyped("Name == x or Port == abc", v), "true");
  EXPECT_EQ(EvalUntyped("Name == y and Port == abc", v), "false");
  EXPECT_EQ(
      EvalUntyped("Name == x and Port == abc", v),
      R"(error: Failed to coerce value "abc" for selector "Port": strconv.ParseInt: parsing "abc": invalid syntax)");
}

TEST(FilterEvaluateTest, SelectorValidation) {
  const FieldSchema& sn = *ServiceNodeSchema();
  EXPECT_EQ(ValidateError("ServiceName == web", sn), "valid");
  EXPECT_EQ(ValidateError("Foo == bar", sn), R"(Selector "Foo" is not valid)");
  EXPECT_EQ(ValidateError("servicename == web", sn),
            R"(Selector "servicename" is not valid)");  // case-sensitive
  EXPECT_EQ(ValidateError("ServiceMeta.env.x == 1", sn),
            R"(Selector "ServiceMeta.env.x" is not valid)");
  EXPECT_EQ(ValidateError("ServiceTags.x == 1", sn), R"(Selector "ServiceTags.x" is not valid)");
  EXPECT_EQ(ValidateError("ServiceWeights.Critical == 1", sn),
            R"(Selector "ServiceWeights.Critical" is not valid)");
  EXPECT_EQ(ValidateError("CreateIndex == 1", sn),
            R"(Selector "CreateIndex" is not valid)");  // bexpr:"-"
  EXPECT_EQ(ValidateError("ServiceName == web and Bogus is empty", sn),
            R"(Selector "Bogus" is not valid)");
  const FieldSchema& csn = *CheckServiceNodeSchema();
  EXPECT_EQ(ValidateError("Checks.Foo == x", csn), R"(Selector "Checks.Foo" is not valid)");
  EXPECT_EQ(ValidateError("Checks.Definition.HTTP == x", csn),
            R"(Selector "Checks.Definition" is not valid)");
  EXPECT_EQ(ValidateError("Service.Meta.anything == x", csn), "valid");
}

TEST(FilterEvaluateTest, OperatorValidation) {
  const FieldSchema& sn = *ServiceNodeSchema();
  EXPECT_EQ(ValidateError("ServiceTags == web", sn),
            R"(Invalid match operator "Equal" for selector "ServiceTags")");
  EXPECT_EQ(ValidateError("ServicePort is empty", sn),
            R"(Invalid match operator "Is Empty" for selector "ServicePort")");
  EXPECT_EQ(ValidateError("Node is not empty", sn),
            R"(Invalid match operator "Is Not Empty" for selector "Node")");
  EXPECT_EQ(ValidateError("ServiceWeights == 1", sn),
            R"(Invalid match operator "Equal" for selector "ServiceWeights")");
  EXPECT_EQ(ValidateError("ServicePort contains 9", sn),
            R"(Invalid match operator "In" for selector "ServicePort")");
  EXPECT_EQ(ValidateError("ServiceMeta matches x", sn),
            R"(Invalid match operator "Matches" for selector "ServiceMeta")");
  EXPECT_EQ(ValidateError("ServiceTags not matches x", sn),
            R"(Invalid match operator "Not Matches" for selector "ServiceTags")");
  const FieldSchema& csn = *CheckServiceNodeSchema();
  EXPECT_EQ(ValidateError("web in Checks", csn),
            R"(Invalid match operator "In" for selector "Checks")");
}

TEST(FilterEvaluateTest, ValueCoercion) {
  const FieldSchema& sn = *ServiceNodeSchema();
  EXPECT_EQ(
      ValidateError("ServicePort == abc", sn),
      R"(Failed to coerce value "abc" for selector "ServicePort": strconv.ParseInt: parsing "abc": invalid syntax)");
  EXPECT_EQ(
      ValidateError("ServicePort == 80.5", sn),
      R"(Failed to coerce value "80.5" for selector "ServicePort": strconv.ParseInt: parsing "80.5": invalid syntax)");
  EXPECT_EQ(
      ValidateError("ServicePort == 99999999999999999999", sn),
      R"(Failed to coerce value "99999999999999999999" for selector "ServicePort": strconv.ParseInt: )"
      R"(parsing "99999999999999999999": value out of range)");
  EXPECT_EQ(
      ValidateError("ServiceEnableTagOverride == yes", sn),
      R"(Failed to coerce value "yes" for selector "ServiceEnableTagOverride": strconv.ParseBool: )"
      R"(parsing "yes": invalid syntax)");
  EXPECT_EQ(ValidateError("ServiceWeights.Passing == -1", sn), "valid");
  EXPECT_EQ(ValidateError(R"(ServiceName == "9")", sn), "valid");
  EXPECT_EQ(ValidateError(R"(ServiceTags contains "a\tb")", sn), "valid");
  EXPECT_EQ(
      ValidateError("ServiceName matches `(`", sn),
      "Failed to compile regular expression \"(\": error parsing regexp: missing closing ): `(`");
  EXPECT_EQ(ValidateError("ServiceName matches `a**`", sn),
            "Failed to compile regular expression \"a**\": error parsing regexp: invalid nested "
            "repetition operator: `**`");

  // Custom schemas: the other primitive kinds coerce as Go's strconv does.
  SchemaPtr custom = FieldSchema::Struct({
      {"Small", "", FieldSchema::Int(8)},
      {"Count", "", FieldSchema::Uint(64)},
      {"Ratio", "", FieldSchema::Float(64)},
      {"Labels", "", FieldSchema::List(FieldSchema::Int())},
  });
  EXPECT_EQ(
      ValidateError("Small == 128", *custom),
      R"(Failed to coerce value "128" for selector "Small": strconv.ParseInt: parsing "128": value out of range)");
  EXPECT_EQ(
      ValidateError("Count == -1", *custom),
      R"(Failed to coerce value "-1" for selector "Count": strconv.ParseUint: parsing "-1": invalid syntax)");
  EXPECT_EQ(ValidateError("Ratio == 1e400", *custom),
            R"(parse error: 1:11 (10): rule "number": Invalid number literal)");
  EXPECT_EQ(
      ValidateError(R"(Ratio == "1e400")", *custom),
      R"(Failed to coerce value "1e400" for selector "Ratio": strconv.ParseFloat: parsing "1e400": value out of range)");
  EXPECT_EQ(
      ValidateError("x in Labels", *custom),
      R"(Failed to coerce value "x" for selector "Labels": strconv.ParseInt: parsing "x": invalid syntax)");
  json::value v = json::parse(
      R"({"Small": -3, "Count": 18446744073709551615, "Ratio": 0.5, "Labels": [1, 2, 3]})");
  EXPECT_EQ(Eval("Small == -3", v, *custom), "true");
  EXPECT_EQ(Eval("Count == 18446744073709551615", v, *custom), "true");
  EXPECT_EQ(Eval("Ratio == 0.5 and Ratio != 0.25", v, *custom), "true");
  EXPECT_EQ(Eval("2 in Labels and 4 not in Labels", v, *custom), "true");
}

TEST(FilterEvaluateTest, FilterCreateUsesBexprsWrapper) {
  Result<Filter> bad_selector = Filter::Create("Foo == bar", ServiceNodeSchema());
  ASSERT_FALSE(bad_selector.ok());
  EXPECT_TRUE(bad_selector.status().IsInvalidArgument());
  EXPECT_EQ(bad_selector.status().message(),
            R"(Failed to create boolean expression evaluator: Selector "Foo" is not valid)");
  Result<Filter> bad_syntax = Filter::Create("Node ==", NodeSchema());
  ASSERT_FALSE(bad_syntax.ok());
  EXPECT_EQ(bad_syntax.status().message(),
            "Failed to create boolean expression evaluator: 1:8 (7): no match found, expected: "
            R"("-", "0", "\"", "`", [ \t\r\n], [1-9] or [a-zA-Z])");
  Result<Filter> empty = Filter::Create("", NodeSchema());
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_TRUE(*empty->Matches(json::value(nullptr)));
}

TEST(FilterEvaluateTest, NodesAndChecksSchemas) {
  json::value node = json::parse(R"({"ID": "40e4a748-2192-161a-0510-9bf59fe950b5", "Node": "baz",
      "Address": "10.1.10.11", "Datacenter": "dc1",
      "TaggedAddresses": {"lan": "10.1.10.11", "wan": "10.1.10.11"},
      "Meta": {"instance_type": "t2.medium"}, "CreateIndex": 5, "ModifyIndex": 5})");
  EXPECT_EQ(Eval("Meta.instance_type matches `^t2\\.`", node, *NodeSchema()), "true");
  EXPECT_EQ(Eval(R"(TaggedAddresses["lan"] == "10.1.10.11")", node, *NodeSchema()), "true");
  EXPECT_EQ(Eval("wan in TaggedAddresses and Datacenter != dc2", node, *NodeSchema()), "true");
  json::value check = json::parse(R"({"Node": "n1", "CheckID": "service:web", "Name": "web check",
      "Status": "passing", "Type": "http", "ServiceTags": ["v1"], "Definition": {"HTTP": "x"}})");
  EXPECT_EQ(Eval("Type == http and ServiceTags contains v1", check, *AgentCheckSchema()), "true");
  EXPECT_EQ(Eval("CheckID matches `^service:`", check, *HealthCheckSchema()), "true");
}

TEST(FilterEvaluateTest, FilterListOverTypedItems) {
  struct Svc {
    std::string id;
    int port;
  };
  Result<Filter> f = Filter::Create("Port != 80", NodeServiceSchema());
  ASSERT_TRUE(f.ok());
  Result<std::vector<Svc>> kept =
      FilterList(*f, std::vector<Svc>{{"a", 80}, {"b", 81}, {"c", 82}}, [](const Svc& s) {
        return json::value{{"ID", s.id}, {"Port", s.port}};
      });
  ASSERT_TRUE(kept.ok());
  ASSERT_EQ(kept->size(), 2u);
  EXPECT_EQ((*kept)[0].id, "b");
  EXPECT_EQ((*kept)[1].id, "c");
}

TEST(FilterEvaluateTest, SchemalessEvaluation) {
  json::value svc = json::parse(kAgentServices).as_object().at("redis1");
  EXPECT_EQ(EvalUntyped("Meta.env == production", svc), "true");
  EXPECT_EQ(EvalUntyped("Port == 1234 and Weights.Warning == 1", svc), "true");
  EXPECT_EQ(EvalUntyped("EnableTagOverride == false", svc), "true");
  EXPECT_EQ(EvalUntyped("Tags contains primary", svc), "true");
  EXPECT_EQ(EvalUntyped("env in Meta", svc), "true");
  EXPECT_EQ(EvalUntyped("Address is empty", svc), "true");  // strings too, without a schema
  EXPECT_EQ(EvalUntyped("Foo == bar", svc), "false");       // unknown keys are missing ones
  EXPECT_EQ(EvalUntyped("Foo != bar", svc), "true");
  EXPECT_EQ(
      EvalUntyped("Port == abc", svc),
      R"(error: Failed to coerce value "abc" for selector "Port": strconv.ParseInt: parsing "abc": invalid syntax)");
  EXPECT_EQ(EvalUntyped("Tags == primary", svc),
            R"(error: Invalid match operator "Equal" for selector "Tags")");
  EXPECT_EQ(
      EvalUntyped("Port.x == 1", svc),
      R"(error: Value at selector "Port" with type int64 does not support nested field selection)");
  EXPECT_EQ(EvalUntyped("ID matches `(`", svc),
            "error: Failed to compile regular expression \"(\": error parsing regexp: missing "
            "closing ): `(`");
  json::value csn = json::parse(kCheckServiceNode);
  EXPECT_EQ(EvalUntyped("Checks.Status == critical", csn), "true");
  EXPECT_EQ(EvalUntyped("Checks.CheckID == serfHealth and Checks.ServiceTags is empty", csn),
            "true");
}

}  // namespace
}  // namespace consulate::filter
