#include "cli/kv_impexp.h"

#include <gtest/gtest.h>

namespace consulate::cli {
namespace {

TEST(KvExportTest, FormatMatchesConsul) {
  std::vector<api::KVPair> pairs(2);
  pairs[0].key = "a/b";
  pairs[0].flags = 7;
  pairs[0].value = "val a/b";
  pairs[1].key = "q\"<>&";
  pairs[1].value = "";
  EXPECT_EQ(EncodeKvExport(pairs),
            "[\n"
            "\t{\n"
            "\t\t\"key\": \"a/b\",\n"
            "\t\t\"flags\": 7,\n"
            "\t\t\"value\": \"dmFsIGEvYg==\"\n"
            "\t},\n"
            "\t{\n"
            "\t\t\"key\": \"q\\\"\\u003c\\u003e\\u0026\",\n"
            "\t\t\"flags\": 0,\n"
            "\t\t\"value\": \"\"\n"
            "\t}\n"
            "]");
  EXPECT_EQ(EncodeKvExport({}), "[]");
}

TEST(KvImportTest, RoundTripsAnExport) {
  std::vector<api::KVPair> pairs(1);
  pairs[0].key = "uni/\xc3\xa9";
  pairs[0].flags = 42;
  pairs[0].value = std::string("bin\x00\xff", 5);
  Result<std::vector<KvExportEntry>> entries = DecodeKvImport(EncodeKvExport(pairs));
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].key, "uni/\xc3\xa9");
  EXPECT_EQ((*entries)[0].flags, 42u);
  EXPECT_EQ((*entries)[0].value, "YmluAP8=");
}

TEST(KvImportTest, FieldNamesMatchCaseInsensitivelyAndNullsAreEmpty) {
  Result<std::vector<KvExportEntry>> entries = DecodeKvImport(
      R"([{"KEY":"a","Flags":2,"vAlUe":"aGk=","other":{"x":[1]}}, null,
          {"key":null,"flags":null,"value":null}])");
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].key, "a");
  EXPECT_EQ((*entries)[0].flags, 2u);
  EXPECT_EQ((*entries)[0].value, "aGk=");
  EXPECT_EQ((*entries)[1].key, "");
  EXPECT_EQ((*entries)[2].key, "");
  EXPECT_TRUE(DecodeKvImport("null")->empty());
}

// Each message checked against Consul 1.8.7 (`consul kv import`).
TEST(KvImportTest, TypeErrorsAreGos) {
  const std::pair<std::string, std::string> cases[] = {
      {"[1]", "json: cannot unmarshal number into Go value of type impexp.Entry"},
      {"\"x\"", "json: cannot unmarshal string into Go value of type []*impexp.Entry"},
      {"{\"key\":\"i1\"}", "json: cannot unmarshal object into Go value of type []*impexp.Entry"},
      {"[{\"flags\":-1}]",
       "json: cannot unmarshal number -1 into Go struct field Entry.flags of type uint64"},
      {"[{\"flags\":1.5}]",
       "json: cannot unmarshal number 1.5 into Go struct field Entry.flags of type uint64"},
      {"[{\"flags\":1e2}]",
       "json: cannot unmarshal number 1e2 into Go struct field Entry.flags of type uint64"},
      {"[{\"flags\":18446744073709551616}]",
       "json: cannot unmarshal number 18446744073709551616 into Go struct field Entry.flags of "
       "type uint64"},
      {"[{\"flags\":\"x\"}]",
       "json: cannot unmarshal string into Go struct field Entry.flags of type uint64"},
      {"[{\"key\":5}]",
       "json: cannot unmarshal number into Go struct field Entry.key of type string"},
      {"[{\"key\":[\"x\"]}]",
       "json: cannot unmarshal array into Go struct field Entry.key of type string"},
      {"[{\"key\":true}]",
       "json: cannot unmarshal bool into Go struct field Entry.key of type string"},
      {"[{\"value\":1}]",
       "json: cannot unmarshal number into Go struct field Entry.value of type string"},
      {"garbage", "invalid character 'g' looking for beginning of value"},
  };
  for (const auto& [input, message] : cases) {
    Result<std::vector<KvExportEntry>> entries = DecodeKvImport(input);
    ASSERT_FALSE(entries.ok()) << input;
    EXPECT_EQ(entries.status().message(), message) << input;
  }
}

}  // namespace
}  // namespace consulate::cli
