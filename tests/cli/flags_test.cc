#include "cli/flags.h"

#include <gtest/gtest.h>

#include <sstream>

namespace consulate::cli {
namespace {

TEST(ParseGoUint64Test, AcceptsStrconvBaseZeroForms) {
  const std::pair<const char*, uint64_t> ok[] = {
      {"0", 0},       {"42", 42},
      {"0x10", 16},   {"0X1f", 31},
      {"0b11", 3},    {"0o17", 15},
      {"010", 8},     {"1_000", 1000},
      {"0x_ff", 255}, {"18446744073709551615", UINT64_MAX},
  };
  for (const auto& [text, want] : ok) {
    uint64_t v = 0;
    bool range = false;
    EXPECT_TRUE(ParseGoUint64(text, &v, &range)) << text;
    EXPECT_EQ(v, want) << text;
  }
}

TEST(ParseGoUint64Test, RejectsLikeStrconv) {
  for (const char* bad : {"", "-1", "+1", "abc", "1__0", "_1", "1_", "0x", "09", "1.5", " 1"}) {
    uint64_t v = 0;
    bool range = false;
    EXPECT_FALSE(ParseGoUint64(bad, &v, &range)) << bad;
    EXPECT_FALSE(range) << bad;
  }
  uint64_t v = 0;
  bool range = false;
  EXPECT_FALSE(ParseGoUint64("18446744073709551616", &v, &range));
  EXPECT_TRUE(range);
}

class FlagsTest : public ::testing::Test {
 protected:
  FlagsTest() {
    flags_.Bool("cas", &cas_, "Check and set. The default value is false.");
    flags_.Uint64("flags", &number_, "A number.");
    flags_.String("separator", &separator_, "Separator for `keys`.");
    flags_.OptionalString("http-addr", &address_, "The `address` of the agent.",
                          Flags::Group::kHttpApi);
    flags_.OptionalBool("stale", &stale_, "Allow stale reads.", Flags::Group::kHttpApi);
    flags_.Bool("x", &short_, "One letter.");
  }

  std::string ParseError(std::vector<std::string> args) {
    std::ostringstream err;
    if (flags_.Parse(args, err)) return "OK";
    std::string text = err.str();
    return text.substr(0, text.find('\n'));
  }

  Flags flags_;
  bool cas_ = false;
  uint64_t number_ = 0;
  std::string separator_ = "/";
  std::optional<std::string> address_;
  std::optional<bool> stale_;
  bool short_ = false;
};

TEST_F(FlagsTest, ParsesGoStyle) {
  std::ostringstream err;
  ASSERT_TRUE(
      flags_.Parse({"-cas", "--flags=0x10", "-separator", "", "-stale=false", "key", "-x"}, err));
  EXPECT_TRUE(cas_);
  EXPECT_EQ(number_, 16u);
  EXPECT_EQ(separator_, "");
  ASSERT_TRUE(stale_.has_value());
  EXPECT_FALSE(*stale_);
  EXPECT_FALSE(address_.has_value());
  EXPECT_EQ(flags_.args(), (std::vector<std::string>{"key", "-x"}));
}

TEST_F(FlagsTest, ErrorsReadAsGos) {
  EXPECT_EQ(ParseError({"-nope"}), "flag provided but not defined: -nope");
  EXPECT_EQ(ParseError({"-flags=abc"}), "invalid value \"abc\" for flag -flags: parse error");
  EXPECT_EQ(ParseError({"-flags=99999999999999999999"}),
            "invalid value \"99999999999999999999\" for flag -flags: value out of range");
  EXPECT_EQ(ParseError({"-flags"}), "flag needs an argument: -flags");
  EXPECT_EQ(ParseError({"-cas=maybe"}), "invalid boolean value \"maybe\" for -cas: parse error");
  EXPECT_EQ(ParseError({"-stale=x"}),
            "invalid boolean value \"x\" for -stale: strconv.ParseBool: parsing \"x\": invalid "
            "syntax");
  EXPECT_EQ(ParseError({"---x"}), "bad flag syntax: ---x");
  EXPECT_EQ(ParseError({"-h"}), "Usage:");  // help: the usage alone
}

TEST_F(FlagsTest, GoDefaultsAfterAnError) {
  std::ostringstream err;
  EXPECT_FALSE(flags_.Parse({"-nope"}, err));
  EXPECT_EQ(err.str(),
            "flag provided but not defined: -nope\n"
            "Usage:\n"
            "  -cas\n"
            "    \tCheck and set. The default value is false.\n"
            "  -flags uint\n"
            "    \tA number.\n"
            "  -http-addr address\n"
            "    \tThe address of the agent.\n"
            "  -separator keys\n"
            "    \tSeparator for keys. (default \"/\")\n"
            "  -stale\n"
            "    \tAllow stale reads.\n"
            "  -x\tOne letter.\n");
}

TEST_F(FlagsTest, ConsulUsageGroupsAndWraps) {
  EXPECT_EQ(flags_.Usage("\nUsage: consul thing [options]\n\n  Does a thing.\n"),
            "Usage: consul thing [options]\n\n  Does a thing.\n\n"
            "HTTP API Options\n\n"
            "  -http-addr=<address>\n     The `address` of the agent.\n\n"
            "  -stale\n     Allow stale reads.\n\n"
            "Command Options\n\n"
            "  -cas\n     Check and set. The default value is false.\n\n"
            "  -flags=<uint>\n     A number.\n\n"
            "  -separator=<keys>\n     Separator for `keys`.\n\n"
            "  -x\n     One letter.");
}

TEST(FlagsNoneTest, UsageWithoutFlagsIsTheText) {
  Flags flags;
  EXPECT_EQ(flags.Usage("  Usage: consul keygen\n"), "Usage: consul keygen");
  std::ostringstream err;
  EXPECT_FALSE(flags.Parse({"-x"}, err));
  EXPECT_EQ(err.str(), "flag provided but not defined: -x\nUsage:\n");
}

}  // namespace
}  // namespace consulate::cli
