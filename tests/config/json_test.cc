// JSON config files: Go's encoding/json error wording, as Consul prints it.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "config/internal.h"

namespace consulate::config::internal {
namespace {

namespace json = boost::json;

std::string Err(std::string_view text) {
  json::object out;
  std::string err;
  EXPECT_FALSE(ParseGoJSONObject(text, &out, &err)) << text;
  return err;
}

TEST(GoJsonTest, ParsesObjects) {
  json::object out;
  std::string err;
  ASSERT_TRUE(ParseGoJSONObject(R"( {"a": [1, 2.5, "x", true, null, {"b": {}}]} )", &out, &err))
      << err;
  EXPECT_EQ(json::value(out), json::parse(R"({"a":[1,2.5,"x",true,null,{"b":{}}]})"));
}

TEST(GoJsonTest, DuplicateKeysLastWins) {
  json::object out;
  std::string err;
  ASSERT_TRUE(ParseGoJSONObject(R"({"a": 1, "a": 2})", &out, &err));
  EXPECT_EQ(out.at("a").as_int64(), 2);
}

TEST(GoJsonTest, NullIsAnEmptyObject) {
  json::object out{{"stale", 1}};
  std::string err;
  ASSERT_TRUE(ParseGoJSONObject("null", &out, &err));
  EXPECT_TRUE(out.empty());
}

TEST(GoJsonTest, SyntaxErrorsReadLikeGo) {
  // Messages checked against Consul 1.8.7 ("failed to parse x.json: <message>").
  EXPECT_EQ(Err(""), "unexpected end of JSON input");
  EXPECT_EQ(Err(R"({"data_dir": })"), "invalid character '}' looking for beginning of value");
  EXPECT_EQ(Err(R"({"data_dir":"/tmp/x",})"),
            "invalid character '}' looking for beginning of object key string");
  EXPECT_EQ(Err(R"({"a" 1})"), "invalid character '1' after object key");
  EXPECT_EQ(Err(R"({"a": 1 "b": 2})"), "invalid character '\"' after object key:value pair");
  EXPECT_EQ(Err(R"({"a": [1 2]})"), "invalid character '2' after array element");
  EXPECT_EQ(Err(R"({"a": 1} x)"), "invalid character 'x' after top-level value");
  EXPECT_EQ(Err(R"({"a": tru})"), "invalid character '}' in literal true (expecting 'e')");
  EXPECT_EQ(Err(R"({"a": nul})"), "invalid character '}' in literal null (expecting 'l')");
  EXPECT_EQ(Err(R"({"a": -x})"), "invalid character 'x' in numeric literal");
  EXPECT_EQ(Err(R"({"a": 1.})"), "invalid character '}' after decimal point in numeric literal");
  EXPECT_EQ(Err(R"({"a": 1e})"), "invalid character '}' in exponent of numeric literal");
  EXPECT_EQ(Err("{\"a\": \"x\ny\"}"), "invalid character '\\n' in string literal");
  EXPECT_EQ(Err(R"({"a": "\q"})"), "invalid character 'q' in string escape code");
  EXPECT_EQ(Err(R"({"a": "\u12x4"})"), "invalid character 'x' in \\u hexadecimal character escape");
  EXPECT_EQ(Err(R"({'a': 1})"),
            "invalid character '\\'' looking for beginning of object key string");
  EXPECT_EQ(Err(R"({"a": 1)"), "unexpected end of JSON input");
  EXPECT_EQ(Err("// comment\n{}"), "invalid character '/' looking for beginning of value");
}

TEST(GoJsonTest, TopLevelMustBeAnObject) {
  EXPECT_EQ(Err("[]"),
            "json: cannot unmarshal array into Go value of type map[string]interface {}");
  EXPECT_EQ(Err("\"x\""),
            "json: cannot unmarshal string into Go value of type map[string]interface {}");
  EXPECT_EQ(Err("3"),
            "json: cannot unmarshal number into Go value of type map[string]interface {}");
}

TEST(GoJsonTest, DepthIsBounded) {
  std::string deep = "{\"a\":" + std::string(2000, '[') + std::string(2000, ']') + "}";
  EXPECT_EQ(Err(deep), "invalid character '[' exceeded max depth");
}

}  // namespace
}  // namespace consulate::config::internal
