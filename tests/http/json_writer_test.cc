#include "http/json_writer.h"

#include <gtest/gtest.h>

namespace consulate::http {
namespace {

TEST(JsonWriterTest, CompactLikeGo) {
  std::string out;
  JsonWriter w(false, &out);
  w.BeginArray();
  w.BeginObject();
  w.Key("Key");
  w.String("a<b>&\"\\\n\x01");
  w.Key("Value");
  w.Base64("boy");
  w.Key("Empty");
  w.BeginArray();
  w.EndArray();
  w.EndObject();
  w.EndArray();
  EXPECT_EQ(out, R"([{"Key":"a\u003cb\u003e\u0026\"\\\n\u0001","Value":"Ym95","Empty":[]}])");
}

TEST(JsonWriterTest, PrettyLikeMarshalIndent) {
  std::string out;
  JsonWriter w(true, &out);
  w.BeginObject();
  w.Key("A");
  w.BeginArray();
  w.Uint(1);
  w.Null();
  w.EndArray();
  w.Key("B");
  w.BeginObject();
  w.EndObject();
  w.EndObject();
  EXPECT_EQ(out, "{\n    \"A\": [\n        1,\n        null\n    ],\n    \"B\": {}\n}");
}

TEST(JsonWriterTest, InvalidUtf8AndSeparators) {
  std::string out;
  JsonWriter::Escape("ok\xff\xe2\x80\xa8\xc3\xa9", &out);
  EXPECT_EQ(out, "ok\\ufffd\\u2028\xc3\xa9");
}

TEST(JsonWriterTest, Base64Padding) {
  for (auto [in, want] : {std::pair<std::string, std::string>{"", "\"\""},
                          {"a", "\"YQ==\""},
                          {"ab", "\"YWI=\""},
                          {"abc", "\"YWJj\""}}) {
    std::string out;
    JsonWriter w(false, &out);
    w.Base64(in);
    EXPECT_EQ(out, want);
  }
}

}  // namespace
}  // namespace consulate::http
