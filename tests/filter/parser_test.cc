// Grammar tests. The error texts marked "bexpr" are the ones go-bexpr's own grammar tests expect
// from its pigeon parser (adjusted only where Consul 1.8's bexpr grammar, which this follows, adds
// the `matches` operators to an "expected" list).
#include <gtest/gtest.h>

#include <string>

#include "filter/ast.h"

namespace consulate::filter {
namespace {

std::string Parse(std::string_view input) {
  Result<Expression> e = Compile(input);
  if (!e.ok()) return "error: " + e.status().message();
  return e->DebugString();
}

std::string ParseError(std::string_view input) {
  Result<Expression> e = Compile(input);
  if (e.ok()) return "parsed: " + e->DebugString();
  EXPECT_TRUE(e.status().IsInvalidArgument());
  return e.status().message();
}

TEST(FilterParserTest, EveryMatchOperator) {
  EXPECT_EQ(Parse("foo == 3"), R"((== foo "3"))");
  EXPECT_EQ(Parse("foo != xyz"), R"((!= foo "xyz"))");
  EXPECT_EQ(Parse("list is empty"), "(is-empty list)");
  EXPECT_EQ(Parse("list is not empty"), "(is-not-empty list)");
  EXPECT_EQ(Parse("foo in bar"), R"((in bar "foo"))");
  EXPECT_EQ(Parse("foo not in bar"), R"((not-in bar "foo"))");
  EXPECT_EQ(Parse("bar contains foo"), R"((in bar "foo"))");
  EXPECT_EQ(Parse("bar not contains foo"), R"((not-in bar "foo"))");
  EXPECT_EQ(Parse(R"(Name matches "^web-[0-9]+$")"), R"((matches Name "^web-[0-9]+$"))");
  EXPECT_EQ(Parse("Name not matches `^db`"), R"((not-matches Name "^db"))");
}

TEST(FilterParserTest, OperatorsNeedNoSpaceOnlyAroundEqualitySigns) {
  EXPECT_EQ(Parse("foo==3"), R"((== foo "3"))");
  EXPECT_EQ(Parse("foo!=`x`"), R"((!= foo "x"))");
  EXPECT_EQ(Parse("\t\r\n  foo \t\r\n in \t\r\n x \t\r\n"), R"((in x "foo"))");
  EXPECT_EQ(Parse("\t\r\n  foo \t\r\n is \t\r\n not \t\r\n empty \t\r\n"), "(is-not-empty foo)");
}

TEST(FilterParserTest, LogicalOperatorsAndPrecedence) {
  EXPECT_EQ(Parse("not prod in tags"), R"((not (in tags "prod")))");
  EXPECT_EQ(Parse("port != 80 and port != 8080"), R"((and (!= port "80") (!= port "8080")))");
  EXPECT_EQ(Parse("port == 80 or port == 443"), R"((or (== port "80") (== port "443")))");
  // not binds tightest, then and, then or (bexpr's "Logical Operator Precedence").
  EXPECT_EQ(Parse("x in foo and not str == something or list is empty"),
            R"((or (and (in foo "x") (not (== str "something"))) (is-empty list)))");
  EXPECT_EQ(Parse("a == 1 or b == 2 and c == 3"), R"((or (== a "1") (and (== b "2") (== c "3"))))");
  // and/or chains nest to the right.
  EXPECT_EQ(Parse("a == 1 and b == 2 and c == 3"),
            R"((and (== a "1") (and (== b "2") (== c "3"))))");
}

TEST(FilterParserTest, Parentheses) {
  EXPECT_EQ(Parse("x in foo and not (str == something or list is empty)"),
            R"((and (in foo "x") (not (or (== str "something") (is-empty list)))))");
  EXPECT_EQ(Parse("(a == 1 or b == 2) and c == 3"),
            R"((and (or (== a "1") (== b "2")) (== c "3")))");
  EXPECT_EQ(Parse("\t\r\n ( \t\r\n foo \t\r\n == \t\r\n x \t\r\n ) \t\r\n"), R"((== foo "x"))");
  EXPECT_EQ(Parse("((((a == 1))))"), R"((== a "1"))");
  // Consul 1.8's grammar lets a number end at ")".
  EXPECT_EQ(Parse("(Port == 80)"), R"((== Port "80"))");
  EXPECT_EQ(Parse("not (a == 1)"), R"((not (== a "1")))");
}

TEST(FilterParserTest, DoubleNotCancels) {
  EXPECT_EQ(Parse("not not foo == 3"), R"((== foo "3"))");
  EXPECT_EQ(Parse("not not not foo == 3"), R"((not (== foo "3")))");
}

TEST(FilterParserTest, Values) {
  EXPECT_EQ(Parse(R"(foo == "bar")"), R"((== foo "bar"))");
  EXPECT_EQ(Parse("foo == `bar`"), R"((== foo "bar"))");
  EXPECT_EQ(Parse(R"("foo" not in bar)"), R"((not-in bar "foo"))");
  EXPECT_EQ(Parse("foo == 0.2"), R"((== foo "0.2"))");
  EXPECT_EQ(Parse("foo == -0.2"), R"((== foo "-0.2"))");
  EXPECT_EQ(Parse("foo == 11.11"), R"((== foo "11.11"))");
  EXPECT_EQ(Parse("foo == true"), R"((== foo "true"))");
  // A bare selector as a value keeps its dotted form, index keys included.
  EXPECT_EQ(Parse(R"(foo == a.b["c d"])"), R"((== foo "a.b.c d"))");
  EXPECT_EQ(Parse(R"(foo == "")"), R"((== foo ""))");
}

TEST(FilterParserTest, StringEscapes) {
  EXPECT_EQ(Parse(R"(foo == "a\tb\n\\\u00e9\x41\101")"), R"((== foo "a\tb\n\\éAA"))");
  EXPECT_EQ(Parse(R"(foo == "\U0001F600")"), "(== foo \"\xF0\x9F\x98\x80\")");
  // Raw strings keep backslashes and drop carriage returns, as Go's strconv.Unquote does.
  EXPECT_EQ(Parse(R"(foo == `a\nb`)"), R"((== foo "a\\nb"))");
  EXPECT_EQ(Parse("foo == `a\r\nb`"), R"((== foo "a\nb"))");
  EXPECT_EQ(Parse("foo == \"caf\xC3\xA9\""), "(== foo \"caf\xC3\xA9\")");
}

TEST(FilterParserTest, BadEscapesAreUnquoteErrors) {
  // bexpr's grammar ends a double-quoted string at the first '"', so \" cannot be written; the
  // literal `"a\"` then fails strconv.Unquote.
  EXPECT_EQ(ParseError(R"(Name == "a\"b")"), R"(1:9 (8): rule "string": invalid syntax)");
  EXPECT_EQ(ParseError(R"(Name == "\q")"), R"(1:9 (8): rule "string": invalid syntax)");
  EXPECT_EQ(ParseError(R"(Name == "\'")"), R"(1:9 (8): rule "string": invalid syntax)");
  EXPECT_EQ(ParseError(R"(Name == "\400")"), R"(1:9 (8): rule "string": invalid syntax)");
  EXPECT_EQ(ParseError(R"(Name == "\uD800")"), R"(1:9 (8): rule "string": invalid syntax)");
  EXPECT_EQ(ParseError("Name == \"a\nb\""), R"(1:9 (8): rule "string": invalid syntax)");
}

TEST(FilterParserTest, Selectors) {
  EXPECT_EQ(Parse("`environment` in foo.bar[\"meta\"].tags[\t`ENV` ]"),
            R"((in foo.bar.meta.tags.ENV "environment"))");
  EXPECT_EQ(Parse(R"(environment in foo["bar"]["meta"]["tags"]["ENV"])"),
            R"((in foo.bar.meta.tags.ENV "environment"))");
  EXPECT_EQ(Parse("environment in foo.bar.meta.tags.ENV"),
            R"((in foo.bar.meta.tags.ENV "environment"))");
  EXPECT_EQ(Parse("environment in foo[\"abc-def ghi \xC3\xA5\xC3\x9F\"]"),
            "(in foo.abc-def ghi \xC3\xA5\xC3\x9F \"environment\")");
  EXPECT_EQ(Parse(R"(Service.Meta["env"] == prod)"), R"((== Service.Meta.env "prod"))");
  EXPECT_EQ(Parse("snake_case1.X2 == 1"), R"((== snake_case1.X2 "1"))");
  // Keywords are only keywords where the grammar expects them.
  EXPECT_EQ(Parse("notify == 1"), R"((== notify "1"))");
  EXPECT_EQ(Parse("in in is"), R"((in is "in"))");
  EXPECT_EQ(Parse("order == 1 or android == 2"), R"((or (== order "1") (== android "2")))");
}

// bexpr's own parse-error cases.
TEST(FilterParserTest, BexprParseErrors) {
  EXPECT_EQ(ParseError("foo == \"12x"), R"(1:12 (11): rule "string": Unterminated string literal)");
  EXPECT_EQ(ParseError("foo == `12x"), R"(1:12 (11): rule "string": Unterminated string literal)");
  EXPECT_EQ(ParseError("foo == 3x"), R"(1:9 (8): rule "number": Invalid number literal)");
  EXPECT_EQ(ParseError("foo[3] == abc"), R"(1:5 (4): rule "index": Invalid index)");
  EXPECT_EQ(ParseError("x in foo[\"abc\""),
            R"(1:15 (14): rule "index": Unclosed index expression)");
  EXPECT_EQ(ParseError("foo[\"abc\" == 3"),
            R"(1:11 (10): rule "index": Unclosed index expression)");
  EXPECT_EQ(ParseError("x in 32"), R"(1:6 (5): rule "match": Invalid selector)");
  EXPECT_EQ(ParseError("32 == 32"),
            R"(1:4 (3): no match found, expected: "in", "not" or [ \t\r\n])");
  EXPECT_EQ(ParseError("32 is empty"),
            R"(1:4 (3): no match found, expected: "in", "not" or [ \t\r\n])");
  EXPECT_EQ(ParseError("x in foo abc"),
            R"(1:10 (9): no match found, expected: "and", "or", [ \t\r\n] or EOF)");
  EXPECT_EQ(
      ParseError("x in foo and "),
      R"(1:14 (13): no match found, expected: "(", "-", "0", "\"", "`", "not", [ \t\r\n], [1-9] or [a-zA-Z])");
  EXPECT_EQ(
      ParseError("x in foo or "),
      R"(1:13 (12): no match found, expected: "(", "-", "0", "\"", "`", "not", [ \t\r\n], [1-9] or [a-zA-Z])");
  EXPECT_EQ(
      ParseError("x in foo or not "),
      R"(1:17 (16): no match found, expected: "!=", "(", "-", "0", "==", "\"", "`", "contains", "in", )"
      R"("is", "matches", "not", [ \t\r\n], [1-9] or [a-zA-Z])");
  EXPECT_EQ(ParseError("(foo == 4"), R"(1:10 (9): rule "grouping": Unmatched parentheses)");
}

TEST(FilterParserTest, MoreParseErrors) {
  // The binding-rule example in Consul's tests, with 1.8's identifier class.
  EXPECT_EQ(
      ParseError("group-name in list.groups"),
      R"(1:6 (5): no match found, expected: "!=", ".", "==", "[", [ \t\r\n] or [a-zA-Z0-9_])");
  EXPECT_EQ(
      ParseError(""),
      R"(1:1 (0): no match found, expected: "(", "-", "0", "\"", "`", "not", [ \t\r\n], [1-9] or [a-zA-Z])");
  EXPECT_EQ(
      ParseError("foo =="),
      R"(1:7 (6): no match found, expected: "-", "0", "\"", "`", [ \t\r\n], [1-9] or [a-zA-Z])");
  EXPECT_EQ(ParseError("((a == 1)"), R"(1:10 (9): rule "grouping": Unmatched parentheses)");
  // After a number the parser also tried "." and more digits at the same place.
  EXPECT_EQ(ParseError("a == 1)"),
            R"(1:7 (6): no match found, expected: ".", [ \t\r\n], [0-9] or EOF)");
  EXPECT_EQ(ParseError("a == 01"), R"(1:7 (6): rule "number": Invalid number literal)");
  EXPECT_EQ(ParseError("foo is"), R"(1:7 (6): no match found, expected: [ \t\r\n])");
  // "and" needs whitespace on both sides.
  EXPECT_EQ(ParseError("a == 1 and(b == 2)"), R"(1:11 (10): no match found, expected: [ \t\r\n])");
}

TEST(FilterParserTest, LinesAndColumnsFollowNewlines) {
  EXPECT_EQ(ParseError("a == 1 and\n  b == 2x"),
            R"(2:9 (19): rule "number": Invalid number literal)");
}

TEST(FilterParserTest, InvalidUtf8IsAnEncodingError) {
  EXPECT_EQ(ParseError("Name == \"\xff\""), R"(1:10 (9): rule "string": invalid encoding)");
  EXPECT_EQ(ParseError("\xff"), "1:1 (0): invalid encoding");
}

TEST(FilterParserTest, MatchesKeepsRegexError) {
  Result<Expression> e = Compile(R"(Name matches "(")");
  ASSERT_TRUE(e.ok()) << e.status().ToString();  // bexpr reports bad patterns when validating
  EXPECT_EQ(e->root().regex, nullptr);
  EXPECT_EQ(e->root().regex_error, "error parsing regexp: missing closing ): `(`");
}

TEST(FilterParserTest, DeepNestingIsBoundedNotFatal) {
  std::string deep(200, '(');
  deep += "a == 1";
  deep += std::string(200, ')');
  EXPECT_EQ(Parse(deep), R"((== a "1"))");

  std::string too_deep(5000, '(');
  too_deep += "a == 1";
  too_deep += std::string(5000, ')');
  EXPECT_NE(ParseError(too_deep).find("expression nests too deeply"), std::string::npos);

  std::string long_chain = "a == 1";
  for (int i = 0; i < 300; ++i) long_chain += " and a == 1";
  Result<Expression> chain = Compile(long_chain);
  ASSERT_TRUE(chain.ok()) << chain.status().ToString();
  EXPECT_EQ(chain->MatchCount(), 301u);
}

TEST(FilterParserTest, ErrorsInsideNestedGroupsDoNotMultiply) {
  // Found by fuzzing: memoized rules once re-reported their errors on every reuse, doubling the
  // error list per level of parentheses.
  std::string input = std::string(40, '(') + "N == \"a\xff\"";
  std::string error = ParseError(input);
  // Pigeon reads onto the bad byte while consuming "a" (rule DoubleStringChar); the unclosed
  // groups are reported too, each error once.
  EXPECT_EQ(error,
            "1:48 (47): rule DoubleStringChar: invalid encoding\n"
            R"(1:50 (49): rule "grouping": Unmatched parentheses)");
}

TEST(FilterParserTest, NestedParenthesesParseInPolynomialTime) {
  // Without memoization bexpr's grammar re-parses each level about four times (4^30 here).
  std::string nested;
  for (int i = 0; i < 30; ++i) nested += "(a == 1 or ";
  nested += "b == 2";
  nested += std::string(30, ')');
  Result<Expression> e = Compile(nested);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->MatchCount(), 31u);
}

}  // namespace
}  // namespace consulate::filter
