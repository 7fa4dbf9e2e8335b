// The syntax tree of a bexpr filter expression (go-bexpr v0.1.2 as vendored by Consul 1.8, plus
// the `matches` / `not matches` operators that later bexpr versions added).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "filter/regex.h"

namespace consulate::filter {

// bexpr's match operators. `contains` parses to kIn and `not contains` to kNotIn, as in bexpr.
enum class MatchOperator {
  kEqual,
  kNotEqual,
  kIn,
  kNotIn,
  kIsEmpty,
  kIsNotEmpty,
  kMatches,
  kNotMatches,
};

// bexpr's MatchOperator.String(): "Equal", "Not Equal", "In", ..., used in its error texts.
std::string_view MatchOperatorName(MatchOperator op);

struct ExprNode {
  enum class Kind { kAnd, kOr, kNot, kMatch };
  Kind kind = Kind::kMatch;

  // kAnd, kOr: both operands; kNot: `left` is the operand.
  std::shared_ptr<const ExprNode> left;
  std::shared_ptr<const ExprNode> right;

  // kMatch: the selector's path ("Service.Meta[\"env\"]" is {"Service", "Meta", "env"}), the
  // operator and the raw value (absent for is empty / is not empty). A value written as a bare
  // selector keeps its dotted form ("Meta[\"a\"]" as a value is "Meta.a"), as in bexpr.
  std::vector<std::string> selector;
  MatchOperator op = MatchOperator::kEqual;
  std::optional<std::string> value;

  // kMatches / kNotMatches: the value compiled as a Go regexp, or (regex == nullptr) Go's error
  // text for why it does not compile. bexpr reports that error when validating, so Compile does
  // not fail on it; Validate and Evaluate do.
  std::shared_ptr<const Regex> regex;
  std::string regex_error;
};

// A parsed expression. Immutable and cheap to copy (the tree is shared).
class Expression {
 public:
  explicit Expression(std::shared_ptr<const ExprNode> root) : root_(std::move(root)) {}

  const ExprNode& root() const { return *root_; }

  // A compact rendering for tests and logs, e.g. (and (== Service.Port "80") (not (in Tags "x"))).
  std::string DebugString() const;

  // The number of match expressions (bexpr counts these against its optional MaxMatches).
  size_t MatchCount() const;

 private:
  std::shared_ptr<const ExprNode> root_;
};

// Parses `expression` with bexpr's grammar. On failure the InvalidArgument message is the one
// bexpr's generated (pigeon) parser gives, e.g.
//   `1:10 (9): no match found, expected: "and", "or", [ \t\r\n] or EOF`
//   `1:9 (8): rule "number": Invalid number literal`
// (several errors are joined by newlines, as pigeon's error list does).
//
// Nesting deeper than kMaxParseDepth grammar rules (about 250 levels of parentheses, or about
// 1000 terms chained by and/or) is rejected with "expression nests too deeply"; bexpr has no
// such limit, but it keeps the recursive parser and evaluator within a thread's stack.
inline constexpr size_t kMaxParseDepth = 1000;
Result<Expression> Compile(std::string_view expression);

}  // namespace consulate::filter
