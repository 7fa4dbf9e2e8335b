// FlagSet follows Go's flag package: every accepted form, the stop rules and the error wording.
#include "config/flags.h"

#include <gtest/gtest.h>

namespace consulate::config {
namespace {

struct Vars {
  std::string s;
  bool b = false;
  int i = 0;
  uint64_t u = 0;
  std::vector<std::string> list;
  std::string func_seen;
};

FlagSet MakeSet(Vars* v) {
  FlagSet fs("test");
  fs.String("name", &v->s, "a string");
  fs.Bool("flag", &v->b, "a bool");
  fs.Int("n", &v->i, "an int");
  fs.Uint64("u", &v->u, "a uint");
  fs.StringList("item", &v->list, "repeatable");
  fs.Func(
      "func",
      [v](std::string_view x) {
        v->func_seen = std::string(x);
        return Status::OK();
      },
      "custom");
  return fs;
}

TEST(FlagSetTest, SingleAndDoubleDashWithEqualsOrSeparateValue) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"-name=x"}, {"--name=x"}, {"-name", "x"}, {"--name", "x"}}) {
    Vars v;
    FlagSet fs = MakeSet(&v);
    ASSERT_TRUE(fs.Parse(args).ok()) << args[0];
    EXPECT_EQ(v.s, "x") << args[0];
    EXPECT_TRUE(fs.WasSet("name"));
    EXPECT_FALSE(fs.WasSet("n"));
  }
}

TEST(FlagSetTest, BoolForms) {
  Vars v;
  FlagSet fs = MakeSet(&v);
  ASSERT_TRUE(fs.Parse({"-flag"}).ok());
  EXPECT_TRUE(v.b);
  ASSERT_TRUE(fs.Parse({"--flag=false"}).ok());
  EXPECT_FALSE(v.b);
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) {
    v.b = false;
    ASSERT_TRUE(fs.Parse({std::string("-flag=") + t}).ok()) << t;
    EXPECT_TRUE(v.b) << t;
  }
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"}) {
    v.b = true;
    ASSERT_TRUE(fs.Parse({std::string("-flag=") + f}).ok()) << f;
    EXPECT_FALSE(v.b) << f;
  }
  // A bool never takes the next argument as its value: "false" is positional here.
  v.b = false;
  ASSERT_TRUE(fs.Parse({"-flag", "false"}).ok());
  EXPECT_TRUE(v.b);
  EXPECT_EQ(fs.args(), std::vector<std::string>{"false"});
}

TEST(FlagSetTest, BadBoolIsGoError) {
  Vars v;
  FlagSet fs = MakeSet(&v);
  Status st = fs.Parse({"-flag=maybe"});
  ASSERT_TRUE(st.IsInvalidArgument());
  EXPECT_EQ(st.message(), "invalid boolean value \"maybe\" for -flag: parse error");
}

TEST(FlagSetTest, IntegersAcceptGoBasePrefixes) {
  Vars v;
  FlagSet fs = MakeSet(&v);
  ASSERT_TRUE(fs.Parse({"-n=0x10"}).ok());
  EXPECT_EQ(v.i, 16);
  ASSERT_TRUE(fs.Parse({"-n=010"}).ok());
  EXPECT_EQ(v.i, 8);
  ASSERT_TRUE(fs.Parse({"-n", "-42"}).ok());
  EXPECT_EQ(v.i, -42);
  ASSERT_TRUE(fs.Parse({"-n=+7"}).ok());
  EXPECT_EQ(v.i, 7);
  ASSERT_TRUE(fs.Parse({"-u=18446744073709551615"}).ok());
  EXPECT_EQ(v.u, UINT64_MAX);
}

TEST(FlagSetTest, IntegerErrorsAreGoErrors) {
  Vars v;
  FlagSet fs = MakeSet(&v);
  Status st = fs.Parse({"-n=abc"});
  EXPECT_EQ(st.message(), "invalid value \"abc\" for flag -n: parse error");
  st = fs.Parse({"-n=99999999999"});
  EXPECT_EQ(st.message(), "invalid value \"99999999999\" for flag -n: value out of range");
  st = fs.Parse({"-u=-1"});
  EXPECT_EQ(st.message(), "invalid value \"-1\" for flag -u: parse error");
  st = fs.Parse({"-n=08"});
  EXPECT_EQ(st.message(), "invalid value \"08\" for flag -n: parse error");
}

TEST(FlagSetTest, StopsAtFirstNonFlagAndAfterDoubleDash) {
  Vars v;
  FlagSet fs = MakeSet(&v);
  ASSERT_TRUE(fs.Parse({"-name=a", "pos", "-n=3"}).ok());
  EXPECT_EQ(v.s, "a");
  EXPECT_EQ(v.i, 0);
  EXPECT_EQ(fs.args(), (std::vector<std::string>{"pos", "-n=3"}));

  ASSERT_TRUE(fs.Parse({"-n=1", "--", "-name=b"}).ok());
  EXPECT_EQ(v.i, 1);
  EXPECT_EQ(v.s, "a");
  EXPECT_EQ(fs.args(), std::vector<std::string>{"-name=b"});

  // A lone "-" is an argument, not a flag.
  ASSERT_TRUE(fs.Parse({"-", "-n=2"}).ok());
  EXPECT_EQ(fs.args(), (std::vector<std::string>{"-", "-n=2"}));
}

TEST(FlagSetTest, ValueMayLookLikeAFlag) {
  Vars v;
  FlagSet fs = MakeSet(&v);
  ASSERT_TRUE(fs.Parse({"-name", "-flag"}).ok());
  EXPECT_EQ(v.s, "-flag");
  EXPECT_FALSE(v.b);
}

TEST(FlagSetTest, RepeatableAndCustomFlags) {
  Vars v;
  FlagSet fs = MakeSet(&v);
  ASSERT_TRUE(fs.Parse({"-item=a", "--item", "b", "-item=", "-func=z"}).ok());
  EXPECT_EQ(v.list, (std::vector<std::string>{"a", "b", ""}));
  EXPECT_EQ(v.func_seen, "z");
}

TEST(FlagSetTest, Errors) {
  Vars v;
  FlagSet fs = MakeSet(&v);
  EXPECT_EQ(fs.Parse({"-nope"}).message(), "flag provided but not defined: -nope");
  EXPECT_EQ(fs.Parse({"--nope=1"}).message(), "flag provided but not defined: -nope");
  EXPECT_EQ(fs.Parse({"-name"}).message(), "flag needs an argument: -name");
  EXPECT_EQ(fs.Parse({"---name=x"}).message(), "bad flag syntax: ---name=x");
  EXPECT_EQ(fs.Parse({"-=x"}).message(), "bad flag syntax: -=x");
  EXPECT_TRUE(fs.Parse({"-h"}).code() == Status::Code::kAborted);
  EXPECT_TRUE(fs.Parse({"--help"}).code() == Status::Code::kAborted);
}

TEST(FlagSetTest, UsageListsFlagsSortedWithValueNames) {
  Vars v;
  FlagSet fs = MakeSet(&v);
  std::string u = fs.Usage();
  EXPECT_NE(u.find("  -flag\n     a bool\n"), std::string::npos);
  EXPECT_NE(u.find("  -n=<int>\n     an int\n"), std::string::npos);
  EXPECT_LT(u.find("-flag"), u.find("-name"));
  EXPECT_LT(u.find("-item"), u.find("-n=<int>"));
}

TEST(ParseGoBoolTest, RejectsOtherSpellings) {
  bool b;
  EXPECT_FALSE(ParseGoBool("yes", &b));
  EXPECT_FALSE(ParseGoBool("tRUE", &b));
  EXPECT_FALSE(ParseGoBool("", &b));
}

}  // namespace
}  // namespace consulate::config
