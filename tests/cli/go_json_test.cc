#include "cli/go_json.h"

#include <gtest/gtest.h>

namespace consulate::cli {
namespace {

std::string SyntaxError(std::string_view text) {
  Result<GoJsonValue> v = ParseGoJson(text);
  return v.ok() ? "OK" : v.status().message();
}

// Each message checked against Consul 1.8.7 (`consul kv import`).
TEST(GoJsonTest, SyntaxErrorsAreGos) {
  const std::pair<std::string, std::string> cases[] = {
      {"[", "unexpected end of JSON input"},
      {"", "unexpected end of JSON input"},
      {"   ", "unexpected end of JSON input"},
      {"[{\"key\":\"a\"", "unexpected end of JSON input"},
      {"garbage", "invalid character 'g' looking for beginning of value"},
      {"[{\"key\":\"a\",}]", "invalid character '}' looking for beginning of object key string"},
      {"[{\"key\":\"a\" \"b\"}]", "invalid character '\"' after object key:value pair"},
      {"[{key:1}]", "invalid character 'k' looking for beginning of object key string"},
      {"[{\"key\" 1}]", "invalid character '1' after object key"},
      {"[{\"key\":\"a\\q\"}]", "invalid character 'q' in string escape code"},
      {"[{\"key\":\"a\\u12\"}]", "invalid character '\"' in \\u hexadecimal character escape"},
      {"[tru]", "invalid character ']' in literal true (expecting 'e')"},
      {"nul", "invalid character ' ' in literal null (expecting 'l')"},
      {"[fals]", "invalid character ']' in literal false (expecting 'e')"},
      {"[1.]", "invalid character ']' after decimal point in numeric literal"},
      {"[1e]", "invalid character ']' in exponent of numeric literal"},
      {"[-]", "invalid character ']' in numeric literal"},
      {"[01]", "invalid character '1' after array element"},
      {"[1,]", "invalid character ']' looking for beginning of value"},
      {"[{\"key\":\"a\"}]]", "invalid character ']' after top-level value"},
      {"[{'key':1}]", "invalid character '\\'' looking for beginning of object key string"},
      {"[{\"key\":\"a\nb\"}]", "invalid character '\\n' in string literal"},
      {"[{\"key\":\"tab\tx\"}]", "invalid character '\\t' in string literal"},
      {"[NaN]", "invalid character 'N' looking for beginning of value"},
      {"[\x01]", "invalid character '\\x01' looking for beginning of value"},
      {"[\x7f]", "invalid character '\\u007f' looking for beginning of value"},
      {"[\xc3\xa9]", "invalid character '\xc3\x83' looking for beginning of value"},
      {"[\xa0]", "invalid character '\\u00a0' looking for beginning of value"},
      {"[\x80]", "invalid character '\\u0080' looking for beginning of value"},
  };
  for (const auto& [input, message] : cases) EXPECT_EQ(SyntaxError(input), message) << input;
}

TEST(GoJsonTest, AcceptsValidDocuments) {
  for (const char* ok : {"[]", " [ ] ", "null", "{}", "[1, -0, 2.5e+3, 1E2, true, false, null]",
                         "{\"a\":{\"b\":[{}]}}", "\"s\\u00e9\\/\""}) {
    EXPECT_EQ(SyntaxError(ok), "OK") << ok;
  }
}

TEST(GoJsonTest, BuildsValues) {
  Result<GoJsonValue> v = ParseGoJson(R"([{"key":"a\"b","flags":7,"x":[true,null]}, 1.5])");
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->kind, GoJsonValue::Kind::kArray);
  ASSERT_EQ(v->items.size(), 2u);
  const GoJsonValue& obj = v->items[0];
  ASSERT_EQ(obj.members.size(), 3u);
  EXPECT_EQ(obj.members[0].first, "key");
  EXPECT_EQ(obj.members[0].second.text, "a\"b");
  EXPECT_EQ(obj.members[1].second.kind, GoJsonValue::Kind::kNumber);
  EXPECT_EQ(obj.members[1].second.text, "7");
  EXPECT_EQ(obj.members[2].second.items[0].boolean, true);
  EXPECT_EQ(v->items[1].text, "1.5");
  EXPECT_STREQ(obj.KindName(), "object");
}

TEST(GoJsonTest, DecodesStringsLikeGo) {
  auto str = [](std::string_view json) {
    Result<GoJsonValue> v = ParseGoJson(json);
    return v.ok() ? v->text : "ERROR";
  };
  EXPECT_EQ(str(R"("\ud83d\ude00")"), "\xf0\x9f\x98\x80");  // a surrogate pair
  EXPECT_EQ(str(R"("a\ud800")"), "a\xef\xbf\xbd");          // a lone surrogate: U+FFFD
  EXPECT_EQ(str("\"bad\xff\""), "bad\xef\xbf\xbd");         // invalid UTF-8: U+FFFD
  EXPECT_EQ(str(R"("\b\f\n\r\t\/\\")"), "\b\f\n\r\t/\\");
}

TEST(GoJsonQuoteTest, EscapesAsGoMarshal) {
  EXPECT_EQ(GoJsonQuote("plain"), "\"plain\"");
  EXPECT_EQ(GoJsonQuote("q\"<>&"), "\"q\\\"\\u003c\\u003e\\u0026\"");
  EXPECT_EQ(GoJsonQuote("a\nb\tc\x01"), "\"a\\nb\\tc\\u0001\"");
  EXPECT_EQ(GoJsonQuote("\xc3\xa9"), "\"\xc3\xa9\"");
  EXPECT_EQ(GoJsonQuote("\xe2\x80\xa8"), "\"\\u2028\"");
  EXPECT_EQ(GoJsonQuote("x\xff"), "\"x\\ufffd\"");
}

}  // namespace
}  // namespace consulate::cli
