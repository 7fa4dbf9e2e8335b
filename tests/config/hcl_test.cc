// HCL v1 parsing: structure, values and error positions, compared with what hcl v1 (as used by
// Consul 1.8) produces for the same input.
#include "config/hcl.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace consulate::config {
namespace {

namespace json = boost::json;

json::value Parse(std::string_view text) {
  auto r = ParseHCL(text, "test.hcl");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : json::value();
}

HclError ParseError(std::string_view text) {
  json::value v;
  HclError e;
  EXPECT_FALSE(ParseHCLDetailed(text, &v, &e)) << "parsed: " << json::serialize(v);
  return e;
}

TEST(HclTest, AssignmentsAndScalars) {
  json::value v = Parse(R"(
datacenter = "dc1"
server = true
other = false
bootstrap_expect = 3
ratio = 1.5
neg = -12
hex = 0x1F
octal = 017
exp = 1e3
)");
  EXPECT_EQ(v, json::parse(R"({"datacenter":"dc1","server":true,"other":false,
      "bootstrap_expect":3,"ratio":1.5,"neg":-12,"hex":31,"octal":15,"exp":1000.0})"));
  EXPECT_TRUE(v.at("bootstrap_expect").is_int64());
  EXPECT_TRUE(v.at("exp").is_double());
}

TEST(HclTest, BlocksWithAndWithoutEquals) {
  json::value v = Parse(R"(
ports {
  http = 8080
  dns = -1
}
limits = {
  http_max_conns_per_client = 10
}
)");
  EXPECT_EQ(v, json::parse(R"({"ports":{"http":8080,"dns":-1},
      "limits":{"http_max_conns_per_client":10}})"));
}

TEST(HclTest, LabelledBlocksNest) {
  json::value v = Parse(R"(service "web" "v2" { port = 80 })");
  EXPECT_EQ(v, json::parse(R"({"service":{"web":{"v2":{"port":80}}}})"));
}

TEST(HclTest, RepeatedBlocksBecomeAList) {
  json::value v = Parse(R"(
service {
  name = "web"
}
service {
  name = "db"
}
service {
  name = "cache"
}
)");
  EXPECT_EQ(v, json::parse(R"({"service":[{"name":"web"},{"name":"db"},{"name":"cache"}]})"));
}

TEST(HclTest, RepeatedListsAppendAndScalarsReplace) {
  json::value v = Parse(R"(
retry_join = ["a"]
retry_join = ["b", "c"]
datacenter = "one"
datacenter = "two"
)");
  EXPECT_EQ(v, json::parse(R"({"retry_join":["a","b","c"],"datacenter":"two"})"));
}

TEST(HclTest, ListsWithObjectsNestingAndTrailingCommas) {
  json::value v = Parse(R"(
a = [1, "two", true, 4.5, ]
b = [
  { name = "x", port = 1 },
  { name = "y" },
]
c = [[1, 2], ["z"]]
d = []
e = [1,,2]
)");
  EXPECT_EQ(v, json::parse(R"({"a":[1,"two",true,4.5],
      "b":[{"name":"x","port":1},{"name":"y"}],
      "c":[[1,2],["z"]], "d":[], "e":[1,2]})"));
}

TEST(HclTest, StringEscapesFollowGo) {
  json::value v = Parse(R"(s = "tab\tnl\nq\"bs\\u\u00e9U\U0001F600x\x41o\101")");
  EXPECT_EQ(v.at("s").as_string(), "tab\tnl\nq\"bs\\u\xC3\xA9U\xF0\x9F\x98\x80xAoA");
}

TEST(HclTest, InterpolationIsKeptVerbatim) {
  json::value v = Parse(R"(s = "a ${lookup("x", "y")} b")");
  EXPECT_EQ(v.at("s").as_string(), R"(a ${lookup("x", "y")} b)");
}

TEST(HclTest, QuotedKeys) {
  json::value v = Parse(R"("node_meta" { "rack-1" = "a" })");
  EXPECT_EQ(v, json::parse(R"({"node_meta":{"rack-1":"a"}})"));
}

TEST(HclTest, IdentifiersMayContainDashesAndDots) {
  json::value v = Parse("a-b.c = 1\n");
  EXPECT_EQ(v, json::parse(R"({"a-b.c":1})"));
}

TEST(HclTest, Heredoc) {
  json::value v = Parse("script = <<EOF\n#!/bin/sh\necho \"hi\"\nEOF\nafter = 1\n");
  EXPECT_EQ(v.at("script").as_string(), "#!/bin/sh\necho \"hi\"\n");
  EXPECT_EQ(v.at("after").as_int64(), 1);
}

TEST(HclTest, PlainHeredocKeepsAnIndentedMarkersIndentation) {
  // hcl v1 (and so Consul 1.8.7) leaves the closing line's leading blanks in the value.
  json::value v = Parse("s = <<EOF\nline1\n  EOF\n");
  EXPECT_EQ(v.at("s").as_string(), "line1\n  ");
}

TEST(HclTest, IndentedHeredocStripsTheMarkersIndentation) {
  json::value v = Parse("x {\n  s = <<-EOT\n    line one\n      line two\n    EOT\n}\n");
  EXPECT_EQ(v.at("x").at("s").as_string(), "line one\n  line two\n");
}

TEST(HclTest, IndentedHeredocLeftAloneWhenALineIsLessIndented) {
  json::value v = Parse("s = <<-EOT\n    a\n  b\n    EOT\n");
  EXPECT_EQ(v.at("s").as_string(), "    a\n  b\n");
}

TEST(HclTest, HeredocAtEndOfInputWithoutNewline) {
  json::value v = Parse("s = <<EOF\nabc\nEOF");
  EXPECT_EQ(v.at("s").as_string(), "abc\n");
}

TEST(HclTest, EmptyHeredocAndListOfHeredocs) {
  json::value v = Parse("s = <<EOF\nEOF\nl = [<<A\nx\nA\n, \"y\"]\n");
  EXPECT_EQ(v.at("s").as_string(), "");
  EXPECT_EQ(v.at("l"), json::parse(R"(["x\n","y"])"));
}

TEST(HclTest, Comments) {
  json::value v = Parse(R"(
# hash comment
// slash comment
a = 1 # trailing
/* block
   comment */ b = /* inline */ 2
c = "# not a comment"
)");
  EXPECT_EQ(v, json::parse(R"({"a":1,"b":2,"c":"# not a comment"})"));
}

TEST(HclTest, CommaSeparatedObjectItems) {
  json::value v = Parse("x { a = 1, b = 2 }\n");
  EXPECT_EQ(v, json::parse(R"({"x":{"a":1,"b":2}})"));
}

TEST(HclTest, EmptyInputIsAnEmptyObject) {
  EXPECT_EQ(Parse(""), json::object());
  EXPECT_EQ(Parse("  \n# only a comment\n"), json::object());
}

TEST(HclTest, JsonInputIsParsedAsJson) {
  json::value v = Parse(R"(  {"server": true, "ports": {"http": 1}})");
  EXPECT_EQ(v, json::parse(R"({"server":true,"ports":{"http":1}})"));
}

TEST(HclTest, ErrorsCarryHclWordingAndPosition) {
  // Each message and position below is what Consul 1.8.7 reports for the same file.
  HclError e = ParseError("data_dir = \"/tmp/x\"\na b = 1\n");
  EXPECT_EQ(e.message, "nested object expected: LBRACE got: ASSIGN");
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.column, 5);

  e = ParseError("ports {\n  http = 1,\n  dns = [1 2]\n}\n");
  EXPECT_EQ(e.message, "error parsing list, expected comma or list end, got: NUMBER");
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.column, 12);

  e = ParseError("x = \"abc\\q\"\n");
  EXPECT_EQ(e.message, "illegal char escape");
  EXPECT_EQ(e.line, 1);
  EXPECT_EQ(e.column, 10);

  e = ParseError("a = 1\n= 5\n");
  EXPECT_EQ(e.message, "no object keys found!");
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.column, 1);

  e = ParseError("a = 1\n@\n");
  EXPECT_EQ(e.message, "illegal char");
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.column, 1);

  e = ParseError("foo {\n  a = 1\n");
  EXPECT_EQ(e.message, "object expected closing RBRACE got: EOF");
  EXPECT_EQ(e.line, 3);
}

TEST(HclTest, MoreErrors) {
  EXPECT_EQ(ParseError("a = \"unterminated\n").message, "literal not terminated");
  EXPECT_EQ(ParseError("a = <<EOF\nnever ends\n").message, "heredoc not terminated");
  EXPECT_EQ(ParseError("a = <<EOF x\n").message, "invalid characters in heredoc anchor");
  EXPECT_EQ(ParseError("a = /* open\n").message, "comment not terminated");
  EXPECT_EQ(ParseError("a b\n").message,
            "key 'a b' expected start of object ('{') or assignment ('=')");
  EXPECT_EQ(ParseError("a = [1\n").message,
            "error parsing list, expected comma or list end, got: EOF");
  EXPECT_EQ(ParseError("a = ]\n").message, "Unknown token: 1:5 RBRACK ]");
  EXPECT_EQ(ParseError("a = -\n").message, "Unknown token: 1:5 SUB -");
  // hcl v1 silently drops a trailing "key =" at end of input; that is reported here.
  EXPECT_EQ(ParseError("a =\n").message, "Unknown token: 2:1 EOF ");
  EXPECT_EQ(ParseError("{ a = 1 }").message.empty(), false);  // JSON: missing quotes
  // Literals that scan but do not convert carry no position (line 0), as in hcl v1.
  HclError e = ParseError("a = 99999999999999999999\n");
  EXPECT_EQ(e.message, "strconv.ParseInt: parsing \"99999999999999999999\": value out of range");
  EXPECT_EQ(e.line, 0);
  EXPECT_EQ(ParseError("a = 08\n").message, "strconv.ParseInt: parsing \"08\": invalid syntax");
  EXPECT_EQ(ParseError("a = 1e\n").message, "strconv.ParseFloat: parsing \"1e\": invalid syntax");
  e = ParseError("a = 0x\n");
  EXPECT_EQ(e.message, "illegal hexadecimal number");
  EXPECT_EQ(e.column, 7);  // scanner errors point where scanning stopped, as hcl's do
  e = ParseError("a = \"abc\n");
  EXPECT_EQ(e.message, "literal not terminated");
  EXPECT_EQ(e.column, 9);
  EXPECT_EQ(ParseError("a = 1.5.6").message,
            "expected: IDENT | STRING | ASSIGN | LBRACE got: FLOAT");
}

TEST(HclTest, ParseHclFormatsFileLineColumn) {
  auto r = ParseHCL("a = 1\nb c = 2\n", "/etc/consul.d/x.hcl");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_EQ(r.status().message(),
            "/etc/consul.d/x.hcl:2:5: nested object expected: LBRACE got: ASSIGN");
  r = ParseHCL("a = 1\nb c = 2\n", "");
  EXPECT_EQ(r.status().message(), "At 2:5: nested object expected: LBRACE got: ASSIGN");
}

TEST(HclTest, NestingIsBounded) {
  std::string deep;
  for (int i = 0; i < 300; ++i) deep += "a {";
  for (int i = 0; i < 300; ++i) deep += "}";
  EXPECT_EQ(ParseError(deep).message, "nesting too deep");
  std::string deep_list = "a = " + std::string(300, '[') + std::string(300, ']');
  EXPECT_EQ(ParseError(deep_list).message, "nesting too deep");
}

TEST(HclTest, ConsulServerConfig) {
  json::value v = Parse(R"(
datacenter = "dc1"
data_dir = "/opt/consul"
log_level = "INFO"
node_name = "ts-test-38"
server = true
bootstrap_expect = 3
bind_addr = "0.0.0.0"
client_addr = "0.0.0.0"
ui = true
retry_join = ["10.0.0.1"]
performance {
  raft_multiplier = 1
}
service {
  name = "web"
  tags = ["rails"]
  port = 80
  check {
    args = ["curl", "localhost"]
    interval = "10s"
  }
}
)");
  EXPECT_EQ(v.at("service"), json::parse(R"({"name":"web","tags":["rails"],"port":80,
      "check":{"args":["curl","localhost"],"interval":"10s"}})"));
  EXPECT_EQ(v.at("performance").at("raft_multiplier").as_int64(), 1);
  EXPECT_EQ(v.at("retry_join"), json::parse(R"(["10.0.0.1"])"));
}

}  // namespace
}  // namespace consulate::config
