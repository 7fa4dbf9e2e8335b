#include "filter/go_strconv.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace consulate::filter {
namespace {

TEST(FilterGoStrconvTest, QuoteLikeGo) {
  EXPECT_EQ(GoQuote("abc"), "\"abc\"");
  EXPECT_EQ(GoQuote("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(GoQuote("\t\n\r\a\b\f\v"), R"("\t\n\r\a\b\f\v")");
  EXPECT_EQ(GoQuote(std::string("\x01\x7f", 2)), R"("\x01\x7f")");
  EXPECT_EQ(GoQuote("\xff"), R"("\xff")");
  EXPECT_EQ(GoQuote("caf\xC3\xA9"), "\"caf\xC3\xA9\"");
  EXPECT_EQ(GoQuote("\xC2\xA0"), R"("\u00a0")");
  EXPECT_EQ(GoQuote("`"), "\"`\"");
}

TEST(FilterGoStrconvTest, Unquote) {
  std::string out;
  ASSERT_TRUE(GoUnquote(R"("a\x41\u00e9\101\\")", &out));
  EXPECT_EQ(out,
            "aA\xC3\xA9"
            "A\\");
  ASSERT_TRUE(GoUnquote("`a\\n\rb`", &out));
  EXPECT_EQ(out, "a\\nb");
  EXPECT_FALSE(GoUnquote(R"("\")", &out));
  EXPECT_FALSE(GoUnquote(R"("\z")", &out));
  EXPECT_FALSE(GoUnquote(R"("\x4")", &out));
  EXPECT_FALSE(GoUnquote("\"a\nb\"", &out));
  EXPECT_FALSE(GoUnquote(R"("\U00110000")", &out));
}

TEST(FilterGoStrconvTest, ParseIntBaseZero) {
  int64_t v = 0;
  std::string err;
  ASSERT_TRUE(GoParseInt("0x1F", 64, &v, &err));
  EXPECT_EQ(v, 31);
  ASSERT_TRUE(GoParseInt("0o17", 64, &v, &err));
  EXPECT_EQ(v, 15);
  ASSERT_TRUE(GoParseInt("017", 64, &v, &err));
  EXPECT_EQ(v, 15);
  ASSERT_TRUE(GoParseInt("-0b101", 64, &v, &err));
  EXPECT_EQ(v, -5);
  ASSERT_TRUE(GoParseInt("1_000", 64, &v, &err));
  EXPECT_EQ(v, 1000);
  ASSERT_TRUE(GoParseInt("0", 64, &v, &err));
  EXPECT_EQ(v, 0);
  ASSERT_TRUE(GoParseInt("-9223372036854775808", 64, &v, &err));
  EXPECT_EQ(v, INT64_MIN);
  EXPECT_FALSE(GoParseInt("9223372036854775808", 64, &v, &err));
  EXPECT_EQ(err, R"(strconv.ParseInt: parsing "9223372036854775808": value out of range)");
  EXPECT_FALSE(GoParseInt("08", 64, &v, &err));
  EXPECT_EQ(err, R"(strconv.ParseInt: parsing "08": invalid syntax)");
  EXPECT_FALSE(GoParseInt("_1", 64, &v, &err));
  EXPECT_FALSE(GoParseInt("1__0", 64, &v, &err));
  EXPECT_FALSE(GoParseInt("", 64, &v, &err));
  EXPECT_EQ(err, R"(strconv.ParseInt: parsing "": invalid syntax)");
  EXPECT_FALSE(GoParseInt("0x", 64, &v, &err));
  EXPECT_FALSE(GoParseInt("300", 8, &v, &err));
  EXPECT_EQ(err, R"(strconv.ParseInt: parsing "300": value out of range)");
}

TEST(FilterGoStrconvTest, ParseUintFloatBool) {
  uint64_t u = 0;
  double f = 0;
  bool b = false;
  std::string err;
  ASSERT_TRUE(GoParseUint("18446744073709551615", 64, &u, &err));
  EXPECT_EQ(u, UINT64_MAX);
  EXPECT_FALSE(GoParseUint("+1", 64, &u, &err));
  EXPECT_EQ(err, R"(strconv.ParseUint: parsing "+1": invalid syntax)");
  ASSERT_TRUE(GoParseFloat("1.5e3", 64, &f, &err));
  EXPECT_EQ(f, 1500);
  ASSERT_TRUE(GoParseFloat("-Infinity", 64, &f, &err));
  EXPECT_TRUE(std::isinf(f) && f < 0);
  ASSERT_TRUE(GoParseFloat("NaN", 64, &f, &err));
  EXPECT_TRUE(std::isnan(f));
  ASSERT_TRUE(GoParseFloat("0x1p-2", 64, &f, &err));
  EXPECT_EQ(f, 0.25);
  ASSERT_TRUE(GoParseFloat(".5", 64, &f, &err));
  EXPECT_EQ(f, 0.5);
  EXPECT_FALSE(GoParseFloat("0x1", 64, &f, &err));  // hex mantissa needs an exponent
  EXPECT_FALSE(GoParseFloat("1e", 64, &f, &err));
  EXPECT_FALSE(GoParseFloat("+nan", 64, &f, &err));
  EXPECT_FALSE(GoParseFloat("1e400", 64, &f, &err));
  EXPECT_EQ(err, R"(strconv.ParseFloat: parsing "1e400": value out of range)");
  EXPECT_FALSE(GoParseFloat("1e39", 32, &f, &err));
  ASSERT_TRUE(GoParseBool("T", &b, &err));
  EXPECT_TRUE(b);
  ASSERT_TRUE(GoParseBool("0", &b, &err));
  EXPECT_FALSE(b);
  EXPECT_FALSE(GoParseBool("yes", &b, &err));
  EXPECT_EQ(err, R"(strconv.ParseBool: parsing "yes": invalid syntax)");
}

TEST(FilterGoStrconvTest, DecodeRuneRejectsWhatGoRejects) {
  EXPECT_EQ(DecodeRune("\xC3\xA9", 0).rune, 0xE9u);
  EXPECT_EQ(DecodeRune("\xC0\x80", 0).width, 1);                  // overlong
  EXPECT_EQ(DecodeRune("\xED\xA0\x80", 0).rune, kRuneError);      // surrogate
  EXPECT_EQ(DecodeRune("\xF4\x90\x80\x80", 0).rune, kRuneError);  // past U+10FFFF
  EXPECT_EQ(DecodeRune("\xF0\x9F\x98\x80", 0).rune, 0x1F600u);
  EXPECT_EQ(DecodeRune("", 0).width, 0);
}

}  // namespace
}  // namespace consulate::filter
