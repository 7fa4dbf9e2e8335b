#include "checks/check_definition.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace consulate::checks {
namespace {

using namespace std::chrono_literals;

Result<CheckDefinition> Parse(std::string_view text) {
  return ParseCheckDefinition(boost::json::parse(text).as_object());
}

TEST(CheckDefinitionTest, ParsesCamelCaseHttpCheck) {
  auto def = Parse(
      R"({"ID": "web", "Name": "Web", "HTTP": "http://127.0.0.1:8080/health", "Method": "POST",
                       "Header": {"X-A": ["1", "2"]}, "Body": "{}", "TLSSkipVerify": true,
                       "Interval": "10s", "Timeout": "1s", "DeregisterCriticalServiceAfter": "90m",
                       "SuccessBeforePassing": 2, "FailuresBeforeCritical": 3, "OutputMaxSize": 100,
                       "Status": "passing", "Notes": "n", "ServiceID": "web-1"})");
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  EXPECT_EQ(def->id, "web");
  EXPECT_EQ(def->name, "Web");
  EXPECT_EQ(def->http, "http://127.0.0.1:8080/health");
  EXPECT_EQ(def->method, "POST");
  EXPECT_EQ(def->header.at("X-A"), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(def->body, "{}");
  EXPECT_TRUE(def->tls_skip_verify);
  EXPECT_EQ(def->interval, 10s);
  EXPECT_EQ(def->timeout, 1s);
  EXPECT_EQ(def->deregister_critical_service_after, 90min);
  EXPECT_EQ(def->success_before_passing, 2);
  EXPECT_EQ(def->failures_before_critical, 3);
  EXPECT_EQ(def->output_max_size, 100);
  EXPECT_EQ(def->initial_status, "passing");
  EXPECT_EQ(def->notes, "n");
  EXPECT_EQ(def->service_id, "web-1");
  EXPECT_EQ(def->TypeName(), "http");
  EXPECT_EQ(InitialStatus(*def), HealthStatus::kPassing);
}

TEST(CheckDefinitionTest, ParsesSnakeCaseAndLowerCaseKeys) {
  auto def = Parse(R"({"check_id": "c", "tcp": "localhost:22", "interval": "5s",
                       "deregister_critical_service_after": "1m", "tls_skip_verify": true,
                       "success_before_passing": 1, "failures_before_critical": 4,
                       "output_max_size": 8})");
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  EXPECT_EQ(def->id, "c");
  EXPECT_EQ(def->tcp, "localhost:22");
  EXPECT_EQ(def->deregister_critical_service_after, 1min);
  EXPECT_TRUE(def->tls_skip_verify);
  EXPECT_EQ(def->failures_before_critical, 4);
  EXPECT_EQ(def->output_max_size, 8);
  EXPECT_EQ(def->TypeName(), "tcp");
  EXPECT_EQ(InitialStatus(*def), HealthStatus::kCritical);
}

TEST(CheckDefinitionTest, ScriptArgsSpellings) {
  auto def = Parse(R"({"args": ["/bin/check", "-v"], "interval": "10s"})");
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->args, (std::vector<std::string>{"/bin/check", "-v"}));
  EXPECT_EQ(def->TypeName(), "script");
  // ScriptArgs wins over args, whatever the order.
  def = Parse(R"({"Args": ["a"], "ScriptArgs": ["b"], "Interval": "10s"})");
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->args, (std::vector<std::string>{"b"}));
  def = Parse(R"({"script_args": ["c"], "interval": "10s"})");
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->args, (std::vector<std::string>{"c"}));
  def = Parse(R"({"Script": "exit 0", "Interval": "10s"})");
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->script_shell_command, "exit 0");
  EXPECT_EQ(def->TypeName(), "script");
  def = Parse(R"({"args": ["x"], "docker_container_id": "f00", "interval": "10s"})");
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->TypeName(), "docker");
}

TEST(CheckDefinitionTest, TtlAliasAndNumericDurations) {
  auto def = Parse(R"({"TTL": 30000000000})");  // nanoseconds
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->ttl, 30s);
  EXPECT_EQ(def->TypeName(), "ttl");
  def = Parse(R"({"alias_service": "web", "AliasNode": "n1"})");
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->alias_service, "web");
  EXPECT_EQ(def->alias_node, "n1");
  EXPECT_EQ(def->TypeName(), "alias");
  def = Parse(R"({"GRPC": "127.0.0.1:9000", "grpc_use_tls": true, "Interval": "1s"})");
  ASSERT_TRUE(def.ok());
  EXPECT_TRUE(def->grpc_use_tls);
  EXPECT_EQ(def->TypeName(), "grpc");
}

TEST(CheckDefinitionTest, NullsAndUnknownKeysAreIgnored) {
  auto def = Parse(R"({"TTL": "10s", "HTTP": null, "Definition": {"x": 1}, "whatever": 3})");
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  EXPECT_EQ(def->http, "");
}

TEST(CheckDefinitionTest, TypeErrorsUseGoJsonText) {
  auto def = Parse(R"({"HTTP": 5, "Interval": "1s"})");
  ASSERT_FALSE(def.ok());
  EXPECT_EQ(
      def.status().message(),
      "json: cannot unmarshal number into Go struct field CheckDefinition.HTTP of type string");
  def = Parse(R"({"TTL": "1s", "TLSSkipVerify": "yes"})");
  EXPECT_EQ(def.status().message(),
            "json: cannot unmarshal string into Go struct field CheckDefinition.TLSSkipVerify of "
            "type bool");
  def = Parse(R"({"TTL": "1s", "OutputMaxSize": 1.5})");
  EXPECT_EQ(def.status().message(),
            "json: cannot unmarshal number 1.5 into Go struct field CheckDefinition.OutputMaxSize "
            "of type int");
  def = Parse(R"({"TTL": "1s", "Header": {"X": "single"}})");
  EXPECT_EQ(
      def.status().message(),
      "json: cannot unmarshal string into Go struct field CheckDefinition.Header of type []string");
  def = Parse(R"({"Args": "not-a-list", "Interval": "1s"})");
  EXPECT_EQ(def.status().message(),
            "json: cannot unmarshal string into Go struct field CheckDefinition.ScriptArgs of type "
            "[]string");
}

TEST(CheckDefinitionTest, BadDurationsAndStatus) {
  auto def = Parse(R"({"TTL": "ten seconds"})");
  ASSERT_FALSE(def.ok());
  EXPECT_EQ(def.status().message(), "time: invalid duration \"ten seconds\"");
  def = Parse(R"({"TTL": "10"})");
  EXPECT_EQ(def.status().message(), "time: missing unit in duration \"10\"");
  def = Parse(R"({"TTL": "10s", "Status": "ok"})");
  EXPECT_EQ(def.status().message(), "Bad check status");
  def = Parse(R"({"TTL": "10s", "Status": "Passing"})");  // case-sensitive, as Consul
  EXPECT_EQ(def.status().message(), "Bad check status");
}

TEST(CheckDefinitionTest, ValidationMessagesAreConsuls) {
  auto message = [](std::string_view text) { return Parse(text).status().message(); };
  EXPECT_EQ(message(R"({"HTTP": "http://x", "Interval": "10s", "TTL": "10s"})"),
            "Interval and TTL cannot both be specified");
  EXPECT_EQ(message(R"({"HTTP": "http://x"})"),
            "Interval must be > 0 for Script, HTTP, or TCP checks");
  EXPECT_EQ(message(R"({"TCP": "x:1", "Interval": "0s"})"),
            "Interval must be > 0 for Script, HTTP, or TCP checks");
  EXPECT_EQ(message(R"({"Args": ["x"]})"), "Interval must be > 0 for Script, HTTP, or TCP checks");
  EXPECT_EQ(message(R"({"HTTP": "http://x", "Interval": "10s", "AliasService": "web"})"),
            "Interval cannot be set for Alias checks");
  EXPECT_EQ(message(R"({"AliasService": "web", "TTL": "10s"})"),
            "TTL must be not be set for Alias checks");
  EXPECT_EQ(message(R"({"Name": "nothing"})"), "TTL must be > 0 for TTL checks");
  EXPECT_EQ(message(R"({"TTL": "10s", "OutputMaxSize": -1})"), "MaxOutputMaxSize must be positive");
}

TEST(CheckDefinitionTest, StatusNames) {
  EXPECT_EQ(HealthStatusName(HealthStatus::kPassing), "passing");
  EXPECT_EQ(HealthStatusName(HealthStatus::kWarning), "warning");
  EXPECT_EQ(HealthStatusName(HealthStatus::kCritical), "critical");
  HealthStatus status;
  EXPECT_TRUE(ParseHealthStatus("warning", &status));
  EXPECT_EQ(status, HealthStatus::kWarning);
  EXPECT_FALSE(ParseHealthStatus("maintenance", &status));
}

}  // namespace
}  // namespace consulate::checks
