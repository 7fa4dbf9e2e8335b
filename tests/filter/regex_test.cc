#include "filter/regex.h"

#include <gtest/gtest.h>

#include <string>

namespace consulate::filter {
namespace {

bool Matches(std::string_view pattern, std::string_view text) {
  Result<Regex> re = Regex::Compile(pattern);
  EXPECT_TRUE(re.ok()) << pattern << ": " << re.status().ToString();
  return re.ok() && re->Search(text);
}

std::string CompileError(std::string_view pattern) {
  Result<Regex> re = Regex::Compile(pattern);
  if (re.ok()) return "compiled";
  return re.status().message();
}

TEST(FilterRegexTest, LiteralsSearchAnywhere) {
  EXPECT_TRUE(Matches("abc", "xxabcxx"));
  EXPECT_FALSE(Matches("abd", "xxabcxx"));
  EXPECT_TRUE(Matches("", "anything"));
  EXPECT_TRUE(Matches("", ""));
  EXPECT_TRUE(Matches("a.c", "abc"));
  EXPECT_FALSE(Matches("a.c", "a\nc"));
  EXPECT_TRUE(Matches("(?s)a.c", "a\nc"));
  EXPECT_TRUE(Matches("caf\xC3\xA9", "un caf\xC3\xA9"));
  EXPECT_TRUE(Matches("^.$", "\xC3\xA9"));  // . is one code point, not one byte
}

TEST(FilterRegexTest, Anchors) {
  EXPECT_TRUE(Matches("^api-", "api-internal"));
  EXPECT_FALSE(Matches("^api-", "my-api-internal"));
  EXPECT_TRUE(Matches("internal$", "api-internal"));
  EXPECT_FALSE(Matches("internal$", "api-internal\n"));  // Go's $ is \z outside (?m)
  EXPECT_TRUE(Matches("(?m)^b$", "a\nb\nc"));
  EXPECT_FALSE(Matches("^b$", "a\nb\nc"));
  EXPECT_TRUE(Matches("\\Aab\\z", "ab"));
  EXPECT_TRUE(Matches("\\bweb\\b", "a web server"));
  EXPECT_FALSE(Matches("\\bweb\\b", "webserver"));
  EXPECT_TRUE(Matches("web\\B", "webserver"));
}

TEST(FilterRegexTest, ClassesAndEscapes) {
  EXPECT_TRUE(Matches("^[a-z0-9-]+$", "redis-01"));
  EXPECT_FALSE(Matches("^[a-z0-9-]+$", "Redis"));
  EXPECT_TRUE(Matches("[^a-z]", "abC"));
  EXPECT_FALSE(Matches("^[^a-z]+$", "abc"));
  EXPECT_TRUE(Matches("[]a]", "]"));
  EXPECT_TRUE(Matches("[a-]", "-"));
  EXPECT_TRUE(Matches("^\\d{3}$", "123"));
  EXPECT_FALSE(Matches("^\\d{3}$", "12a"));
  EXPECT_TRUE(Matches("^\\w+\\s\\W$", "ab_1 !"));
  EXPECT_TRUE(Matches("^[\\d\\s]+$", "1 2"));
  EXPECT_TRUE(Matches("^[[:alpha:]]+[[:digit:]]$", "abc1"));
  EXPECT_TRUE(Matches("^[[:^space:]]+$", "abc"));
  EXPECT_TRUE(Matches("\\x41\\x{42}\\103", "ABC"));
  EXPECT_TRUE(Matches("\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\\\", ".*+?()[]{}|^$\\"));
  EXPECT_TRUE(Matches("\\Qa.b*\\E$", "xa.b*"));
  EXPECT_FALSE(Matches("\\Qa.b\\E", "axb"));
  EXPECT_TRUE(Matches("\\p{Any}", "x"));
  EXPECT_TRUE(Matches("\\t\\n", "\t\n"));
}

TEST(FilterRegexTest, RepetitionAndAlternation) {
  EXPECT_TRUE(Matches("^a{2,3}$", "aaa"));
  EXPECT_FALSE(Matches("^a{2,3}$", "aaaa"));
  EXPECT_FALSE(Matches("^a{2,3}$", "a"));
  EXPECT_TRUE(Matches("^a{2}$", "aa"));
  EXPECT_TRUE(Matches("^a{2,}$", "aaaaa"));
  EXPECT_FALSE(Matches("^a{2,}$", "a"));
  EXPECT_TRUE(Matches("^(ab)+$", "ababab"));
  EXPECT_FALSE(Matches("^(ab)+$", ""));
  EXPECT_TRUE(Matches("^(ab)*$", ""));
  EXPECT_TRUE(Matches("^colou?r$", "color"));
  EXPECT_TRUE(Matches("^(web|api|db)-\\d+$", "api-12"));
  EXPECT_FALSE(Matches("^(web|api|db)-\\d+$", "cache-12"));
  EXPECT_TRUE(Matches("^a*?b+?$", "aabb"));  // non-greedy forms accepted
  EXPECT_TRUE(Matches("a{,2}", "a{,2}"));    // not a repeat: a literal brace
  EXPECT_TRUE(Matches("^(?:x|)$", ""));
  EXPECT_TRUE(Matches("^(?P<name>\\w+)$", "abc"));
}

TEST(FilterRegexTest, Flags) {
  EXPECT_TRUE(Matches("(?i)API", "my-api"));
  EXPECT_FALSE(Matches("API", "my-api"));
  EXPECT_TRUE(Matches("(?i:a)B", "AB"));
  EXPECT_FALSE(Matches("(?i:a)B", "Ab"));
  EXPECT_TRUE(Matches("(?i)[a-c]+", "ABC"));
  EXPECT_TRUE(Matches("(?i)k", "\xE2\x84\xAA"));  // KELVIN SIGN folds to k, as in Go
  EXPECT_TRUE(Matches("(?i)a(?-i)b", "Ab"));
  EXPECT_FALSE(Matches("(?i)a(?-i)b", "AB"));
  EXPECT_TRUE(Matches("(?U)a+", "aaa"));
}

TEST(FilterRegexTest, GoErrorTexts) {
  EXPECT_EQ(CompileError("("), "error parsing regexp: missing closing ): `(`");
  EXPECT_EQ(CompileError("a(b"), "error parsing regexp: missing closing ): `a(b`");
  EXPECT_EQ(CompileError("a)"), "error parsing regexp: unexpected ): `a)`");
  EXPECT_EQ(CompileError("a**"), "error parsing regexp: invalid nested repetition operator: `**`");
  EXPECT_EQ(CompileError("a+*?"),
            "error parsing regexp: invalid nested repetition operator: `+*?`");
  EXPECT_EQ(CompileError("*a"),
            "error parsing regexp: missing argument to repetition operator: `*`");
  EXPECT_EQ(CompileError("(+)"),
            "error parsing regexp: missing argument to repetition operator: `+`");
  EXPECT_EQ(CompileError("a|?"),
            "error parsing regexp: missing argument to repetition operator: `?`");
  EXPECT_EQ(CompileError("a{1001}"), "error parsing regexp: invalid repeat count: `{1001}`");
  EXPECT_EQ(CompileError("a{3,2}"), "error parsing regexp: invalid repeat count: `{3,2}`");
  EXPECT_EQ(CompileError("[a"), "error parsing regexp: missing closing ]: `[a`");
  EXPECT_EQ(CompileError("x[z-a]"), "error parsing regexp: invalid character class range: `z-a`");
  EXPECT_EQ(CompileError("\\q"), "error parsing regexp: invalid escape sequence: `\\q`");
  EXPECT_EQ(CompileError("\\1"), "error parsing regexp: invalid escape sequence: `\\1`");
  EXPECT_EQ(CompileError("\\C"), "error parsing regexp: invalid escape sequence: `\\C`");
  EXPECT_EQ(CompileError("a\\"),
            "error parsing regexp: trailing backslash at end of expression: ``");
  EXPECT_EQ(CompileError("(?P<>a)"), "error parsing regexp: invalid named capture: `(?P<>`");
  EXPECT_EQ(CompileError("(?P<a"), "error parsing regexp: invalid named capture: `(?P<a`");
  EXPECT_EQ(CompileError("(?z)"),
            "error parsing regexp: invalid or unsupported Perl syntax: `(?z`");
  EXPECT_EQ(CompileError("(?i-)"),
            "error parsing regexp: invalid or unsupported Perl syntax: `(?i-)`");
  EXPECT_EQ(CompileError("[[:foo:]]"),
            "error parsing regexp: invalid character class range: `[:foo:]`");
  EXPECT_EQ(CompileError("a\xff"), "error parsing regexp: invalid UTF-8: `a\xff`");
  // A documented difference: Go knows the Unicode tables, this engine only \p{Any}.
  EXPECT_EQ(CompileError("\\pL"), "error parsing regexp: invalid character class range: `\\pL`");
}

TEST(FilterRegexTest, ProgramSizeIsCapped) {
  EXPECT_EQ(CompileError("(x{1000}){1000}"),
            "error parsing regexp: expression too large: `(x{1000}){1000}`");
  EXPECT_EQ(CompileError("x{1000}"), "compiled");
}

TEST(FilterRegexTest, NoCatastrophicBacktracking) {
  std::string text(20000, 'a');
  EXPECT_FALSE(Matches("(a*)*b", text));
  EXPECT_FALSE(Matches("^(a|aa)+$", text + "b"));
  EXPECT_TRUE(Matches("(a+)+$", text));
}

TEST(FilterRegexTest, InvalidUtf8InTextIsReplacementCharacters) {
  EXPECT_TRUE(Matches("^a.b$",
                      "a\xff"
                      "b"));
  EXPECT_TRUE(Matches("\xEF\xBF\xBD", "\xff"));  // U+FFFD matches an invalid byte, as in Go
}

}  // namespace
}  // namespace consulate::filter
