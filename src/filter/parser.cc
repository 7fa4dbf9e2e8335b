// bexpr's grammar, parsed the way the pigeon-generated Go parser parses it, so that error texts
// (positions, rule names, and the sorted "expected" lists) come out the same.
//
// How pigeon reports errors, which this file reproduces:
//  - Every literal, character class and "any character" test calls failAt(fail, pos, want). A
//    failing test outside a negative lookahead (or a succeeding one inside it, then with "!"
//    prepended) is remembered if it is at the farthest offset seen so far; a farther one
//    discards the list.
//  - Actions and `&{...}` predicates may report errors. Those are collected with a prefix
//    "line:col (offset): rule <name>" (the innermost rule being parsed) and are fatal even when
//    another alternative later succeeds.
//  - When the parse fails and no error was collected, the error is "no match found, expected: "
//    and the farthest list: duplicates removed, sorted, "!." (end of input) moved last as "EOF",
//    joined with ", " and a final " or ".
//  - Errors are deduplicated by text and joined by newlines.
// Unlike pigeon this parser memoizes each rule's outcome per (rule, offset, lookahead polarity):
// the outcome includes the rule's failAt bookkeeping, replayed on a hit, so the reported errors are
// unchanged while parsing stays polynomial (pigeon's is exponential in the nesting of parentheses).
#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "filter/ast.h"
#include "filter/go_strconv.h"

namespace consulate::filter {
namespace {

using NodePtr = std::shared_ptr<const ExprNode>;

enum RuleId : int {
  kInput,
  kOrExpression,
  kAndExpression,
  kNotExpression,
  kParenthesizedExpression,
  kMatchExpression,
  kMatchSelectorOpValue,
  kMatchSelectorOp,
  kMatchValueOpSelector,
  kMatchEqual,
  kMatchNotEqual,
  kMatchIsEmpty,
  kMatchIsNotEmpty,
  kMatchIn,
  kMatchNotIn,
  kMatchContains,
  kMatchNotContains,
  kMatchMatches,
  kMatchNotMatches,
  kSelector,
  kIdentifier,
  kSelectorOrIndex,
  kIndexExpression,
  kValue,
  kNumberLiteral,
  kAfterNumbers,
  kIntegerOrFloat,
  kStringLiteral,
  kRawStringChar,
  kDoubleStringChar,
  kWhitespace,
  kEOF,
  kRuleCount,
};

// How errors name each rule: its display name (quoted, as pigeon keeps the quotes) or its name.
constexpr std::string_view kRuleLabels[kRuleCount] = {
    "Input",
    "OrExpression",
    "AndExpression",
    "NotExpression",
    "\"grouping\"",
    "\"match\"",
    "\"match\"",
    "\"match\"",
    "\"match\"",
    "MatchEqual",
    "MatchNotEqual",
    "MatchIsEmpty",
    "MatchIsNotEmpty",
    "MatchIn",
    "MatchNotIn",
    "MatchContains",
    "MatchNotContains",
    "MatchMatches",
    "MatchNotMatches",
    "\"selector\"",
    "Identifier",
    "SelectorOrIndex",
    "\"index\"",
    "\"value\"",
    "\"number\"",
    "AfterNumbers",
    "IntegerOrFloat",
    "\"string\"",
    "RawStringChar",
    "DoubleStringChar",
    "\"whitespace\"",
    "EOF",
};

bool IsWhitespace(char32_t r) { return r == ' ' || r == '\t' || r == '\r' || r == '\n'; }
bool IsLetter(char32_t r) { return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'); }
bool IsIdentChar(char32_t r) { return IsLetter(r) || (r >= '0' && r <= '9') || r == '_'; }
bool IsDigit(char32_t r) { return r >= '0' && r <= '9'; }
bool IsNonZeroDigit(char32_t r) { return r >= '1' && r <= '9'; }

// The class texts as the grammar spells them (they appear verbatim in "expected" lists).
constexpr std::string_view kWhitespaceClass = "[ \\t\\r\\n]";
constexpr std::string_view kLetterClass = "[a-zA-Z]";
constexpr std::string_view kIdentClass = "[a-zA-Z0-9_]";
constexpr std::string_view kDigitClass = "[0-9]";
constexpr std::string_view kNonZeroDigitClass = "[1-9]";

// What a rule produces; each rule fills the member it needs.
struct Val {
  NodePtr node;
  std::vector<std::string> path;
  std::string text;
  MatchOperator op = MatchOperator::kEqual;
};

NodePtr MakeBinary(ExprNode::Kind kind, NodePtr left, NodePtr right) {
  auto n = std::make_shared<ExprNode>();
  n->kind = kind;
  n->left = std::move(left);
  n->right = std::move(right);
  return n;
}

NodePtr MakeMatch(std::vector<std::string> selector, MatchOperator op,
                  std::optional<std::string> value) {
  auto n = std::make_shared<ExprNode>();
  n->kind = ExprNode::Kind::kMatch;
  n->selector = std::move(selector);
  n->op = op;
  n->value = std::move(value);
  if ((op == MatchOperator::kMatches || op == MatchOperator::kNotMatches) && n->value) {
    Result<Regex> re = Regex::Compile(*n->value);
    if (re.ok()) {
      n->regex = std::make_shared<Regex>(std::move(re).value());
    } else {
      n->regex_error = re.status().message();
    }
  }
  return n;
}

std::string JoinPath(const std::vector<std::string>& path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (i) out.push_back('.');
    out += path[i];
  }
  return out;
}

class PegParser {
 public:
  explicit PegParser(std::string_view input) : in_(input) {}

  Result<Expression> Parse() {
    Read();  // to the first rune
    Val v;
    bool ok = Input(&v);
    if (!ok && errors_.empty()) {
      std::set<std::string> unique(fail_.expected.begin(), fail_.expected.end());
      bool eof = unique.erase("!.") > 0;
      std::vector<std::string> expected(unique.begin(), unique.end());  // std::set sorts bytewise
      if (eof) expected.push_back("EOF");
      std::string list;
      for (size_t i = 0; i < expected.size(); ++i) {
        if (i > 0) list += (i + 1 == expected.size()) ? " or " : ", ";
        list += expected[i];
      }
      Position pos = fail_.offset < 0 ? Position{1, 1, 0} : fail_.pos;
      AddErrAt("no match found, expected: " + list, pos);
    }
    if (!errors_.empty()) {
      std::string message;
      for (const std::string& e : errors_) {
        if (!message.empty()) message.push_back('\n');
        message += e;
      }
      return Status::InvalidArgument(message);
    }
    return Expression(v.node);
  }

 private:
  struct Position {
    int line = 1;
    int col = 0;
    int offset = 0;
  };
  struct Point {
    Position pos;
    char32_t rune = kRuneError;
    int width = 0;
  };
  // The farthest failure: its position and what was expected there. offset -1: none yet.
  struct FailState {
    int offset = -1;
    Position pos;
    std::vector<std::string> expected;
  };
  // A rule's outcome at one (offset, polarity). The errors it reported are not kept: they were
  // recorded when it ran and errors are never dropped, so replaying them would change nothing.
  struct Memo {
    bool ok = false;
    Point end;
    Val value;
    FailState fail;
  };

  // ---- pigeon's machinery ----------------------------------------------------------------

  void Read() {
    pt_.pos.offset += pt_.width;
    DecodedRune d = DecodeRune(in_, static_cast<size_t>(pt_.pos.offset));
    pt_.rune = d.rune;
    pt_.width = d.width;
    pt_.pos.col++;
    if (d.rune == '\n') {
      pt_.pos.line++;
      pt_.pos.col = 0;
    }
    if (d.rune == kRuneError && d.width == 1) AddErr("invalid encoding");
  }

  bool AtEnd() const { return pt_.rune == kRuneError && pt_.width == 0; }

  void FailAt(bool fail, const Position& pos, std::string_view want) {
    if (fail != invert_) return;
    if (pos.offset < fail_.offset) return;
    if (pos.offset > fail_.offset) {
      fail_.offset = pos.offset;
      fail_.pos = pos;
      fail_.expected.clear();
    }
    AddExpected(&fail_, invert_ ? "!" + std::string(want) : std::string(want));
  }

  // The expected list is a set (pigeon dedupes it when reporting); keeping it one here stops
  // memo replays from multiplying entries.
  static void AddExpected(FailState* state, std::string want) {
    if (std::find(state->expected.begin(), state->expected.end(), want) == state->expected.end()) {
      state->expected.push_back(std::move(want));
    }
  }

  void MergeFail(const FailState& other) {
    if (other.offset < 0 || other.offset < fail_.offset) return;
    if (other.offset > fail_.offset) {
      fail_ = other;
      return;
    }
    for (const std::string& want : other.expected) AddExpected(&fail_, want);
  }

  void AddErrAt(std::string_view message, const Position& pos) {
    std::string e = std::to_string(pos.line) + ":" + std::to_string(pos.col) + " (" +
                    std::to_string(pos.offset) + ")";
    if (!rstack_.empty()) {
      e += ": rule ";
      e += kRuleLabels[rstack_.back()];
    }
    e += ": ";
    e += message;
    // Deduplicated as pigeon's error list is when reported; the first occurrence keeps its place.
    if (error_set_.insert(e).second) errors_.push_back(std::move(e));
  }
  void AddErr(std::string_view message) { AddErrAt(message, pt_.pos); }

  bool Lit(std::string_view lit) {
    if (aborted_) return false;
    std::string want = GoQuote(lit);
    Point start = pt_;
    for (char c : lit) {
      if (pt_.width == 0 || pt_.rune != static_cast<unsigned char>(c)) {
        FailAt(false, start.pos, want);
        pt_ = start;
        return false;
      }
      Read();
    }
    FailAt(true, start.pos, want);
    return true;
  }

  bool Class(bool (*pred)(char32_t), std::string_view want) {
    if (aborted_) return false;
    Point start = pt_;
    if (!AtEnd() && pred(pt_.rune)) {
      Read();
      FailAt(true, start.pos, want);
      return true;
    }
    FailAt(false, start.pos, want);
    return false;
  }

  bool AnyChar() {
    if (aborted_) return false;
    if (AtEnd()) {
      FailAt(false, pt_.pos, ".");
      return false;
    }
    Point start = pt_;
    Read();
    FailAt(true, start.pos, ".");
    return true;
  }

  // !e: never consumes; the failAt bookkeeping inside counts successes instead of failures.
  template <typename F>
  bool Not(F&& f) {
    Point start = pt_;
    invert_ = !invert_;
    bool ok = f();
    invert_ = !invert_;
    pt_ = start;
    return !ok;
  }

  // &e: never consumes.
  template <typename F>
  bool And(F&& f) {
    Point start = pt_;
    bool ok = f();
    pt_ = start;
    return ok;
  }

  // &{ return false, errors.New(message) }: records the error and fails.
  bool Predicate(std::string_view message) {
    if (aborted_) return false;
    AddErr(message);
    return false;
  }

  std::string_view TextFrom(const Point& start) const {
    return in_.substr(static_cast<size_t>(start.pos.offset),
                      static_cast<size_t>(pt_.pos.offset - start.pos.offset));
  }

  // Parses rule `id` at the current point with `body`, memoized.
  template <typename F>
  bool Rule(RuleId id, Val* out, F&& body) {
    if (aborted_) return false;
    const uint64_t key =
        ((static_cast<uint64_t>(pt_.pos.offset) * kRuleCount + id) << 1) | (invert_ ? 1 : 0);
    if (auto it = memo_.find(key); it != memo_.end()) {
      const Memo& m = it->second;
      MergeFail(m.fail);
      if (m.ok) {
        pt_ = m.end;
        if (out) *out = m.value;
      }
      return m.ok;
    }
    if (rstack_.size() >= kMaxParseDepth) {
      AddErr("expression nests too deeply");
      aborted_ = true;
      return false;
    }
    FailState outer = std::move(fail_);
    fail_ = FailState{};
    rstack_.push_back(id);
    Val v;
    bool ok = body(&v);
    rstack_.pop_back();
    FailState mine = std::move(fail_);
    fail_ = std::move(outer);
    MergeFail(mine);
    if (!aborted_) {
      Memo& m = memo_[key];
      m.ok = ok;
      m.end = pt_;
      m.fail = std::move(mine);
      if (ok) m.value = v;
    }
    if (ok && out) *out = std::move(v);
    return ok;
  }

  // ---- the grammar -------------------------------------------------------------------------

  bool Ws() {
    return Rule(kWhitespace, nullptr, [&](Val*) {
      if (!Class(IsWhitespace, kWhitespaceClass)) return false;
      while (Class(IsWhitespace, kWhitespaceClass)) {
      }
      return true;
    });
  }
  bool OptWs() {
    Ws();
    return true;
  }

  bool Eof() {
    return Rule(kEOF, nullptr, [&](Val*) { return Not([&] { return AnyChar(); }); });
  }

  // Input <- _? "(" _? OrExpression _? ")" _? EOF / _? OrExpression _? EOF
  bool Input(Val* out) {
    return Rule(kInput, out, [&](Val* v) {
      Point start = pt_;
      Val expr;
      if (OptWs() && Lit("(") && OptWs() && OrExpression(&expr) && OptWs() && Lit(")") && OptWs() &&
          Eof()) {
        v->node = expr.node;
        return true;
      }
      pt_ = start;
      if (OptWs() && OrExpression(&expr) && OptWs() && Eof()) {
        v->node = expr.node;
        return true;
      }
      pt_ = start;
      return false;
    });
  }

  // OrExpression <- AndExpression _ "or" _ OrExpression / AndExpression
  bool OrExpression(Val* out) {
    return Rule(kOrExpression, out, [&](Val* v) {
      Point start = pt_;
      Val left, right;
      if (AndExpression(&left) && Ws() && Lit("or") && Ws() && OrExpression(&right)) {
        v->node = MakeBinary(ExprNode::Kind::kOr, left.node, right.node);
        return true;
      }
      pt_ = start;
      if (AndExpression(&left)) {
        v->node = left.node;
        return true;
      }
      return false;
    });
  }

  // AndExpression <- NotExpression _ "and" _ AndExpression / NotExpression
  bool AndExpression(Val* out) {
    return Rule(kAndExpression, out, [&](Val* v) {
      Point start = pt_;
      Val left, right;
      if (NotExpression(&left) && Ws() && Lit("and") && Ws() && AndExpression(&right)) {
        v->node = MakeBinary(ExprNode::Kind::kAnd, left.node, right.node);
        return true;
      }
      pt_ = start;
      if (NotExpression(&left)) {
        v->node = left.node;
        return true;
      }
      return false;
    });
  }

  // NotExpression <- "not" _ NotExpression / ParenthesizedExpression; "not not x" is x.
  bool NotExpression(Val* out) {
    return Rule(kNotExpression, out, [&](Val* v) {
      Point start = pt_;
      Val expr;
      if (Lit("not") && Ws() && NotExpression(&expr)) {
        if (expr.node->kind == ExprNode::Kind::kNot) {
          v->node = expr.node->left;
        } else {
          v->node = MakeBinary(ExprNode::Kind::kNot, expr.node, nullptr);
        }
        return true;
      }
      pt_ = start;
      if (ParenthesizedExpression(&expr)) {
        v->node = expr.node;
        return true;
      }
      return false;
    });
  }

  // "grouping" <- "(" _? OrExpression _? ")" / MatchExpression
  //             / "(" _? OrExpression _? !")" &{Unmatched parentheses}
  bool ParenthesizedExpression(Val* out) {
    return Rule(kParenthesizedExpression, out, [&](Val* v) {
      Point start = pt_;
      Val expr;
      if (Lit("(") && OptWs() && OrExpression(&expr) && OptWs() && Lit(")")) {
        v->node = expr.node;
        return true;
      }
      pt_ = start;
      if (MatchExpression(&expr)) {
        v->node = expr.node;
        return true;
      }
      if (Lit("(") && OptWs() && OrExpression(&expr) && OptWs() && Not([&] { return Lit(")"); }) &&
          Predicate("Unmatched parentheses")) {
        return true;
      }
      pt_ = start;
      return false;
    });
  }

  // "match" <- MatchSelectorOpValue / MatchSelectorOp / MatchValueOpSelector
  bool MatchExpression(Val* out) {
    return Rule(kMatchExpression, out, [&](Val* v) {
      return MatchSelectorOpValue(v) || MatchSelectorOp(v) || MatchValueOpSelector(v);
    });
  }

  bool MatchSelectorOpValue(Val* out) {
    return Rule(kMatchSelectorOpValue, out, [&](Val* v) {
      Point start = pt_;
      Val sel, op, value;
      if (Selector(&sel) &&
          (MatchEqual(&op) || MatchNotEqual(&op) || MatchContains(&op) || MatchNotContains(&op) ||
           MatchMatches(&op) || MatchNotMatches(&op)) &&
          Value(&value)) {
        v->node = MakeMatch(std::move(sel.path), op.op, std::move(value.text));
        return true;
      }
      pt_ = start;
      return false;
    });
  }

  bool MatchSelectorOp(Val* out) {
    return Rule(kMatchSelectorOp, out, [&](Val* v) {
      Point start = pt_;
      Val sel, op;
      if (Selector(&sel) && (MatchIsEmpty(&op) || MatchIsNotEmpty(&op))) {
        v->node = MakeMatch(std::move(sel.path), op.op, std::nullopt);
        return true;
      }
      pt_ = start;
      return false;
    });
  }

  bool MatchValueOpSelector(Val* out) {
    return Rule(kMatchValueOpSelector, out, [&](Val* v) {
      Point start = pt_;
      Val value, op, sel;
      if (Value(&value) && (MatchIn(&op) || MatchNotIn(&op)) && Selector(&sel)) {
        v->node = MakeMatch(std::move(sel.path), op.op, std::move(value.text));
        return true;
      }
      pt_ = start;
      if (Value(&value) && (MatchIn(&op) || MatchNotIn(&op)) &&
          Not([&] { return Selector(nullptr); }) && Predicate("Invalid selector")) {
        return true;
      }
      pt_ = start;
      return false;
    });
  }

  // An operator rule: a sequence of whitespace (`_` required, `?` optional) and keywords.
  template <size_t N>
  bool Operator(RuleId id, Val* out, MatchOperator op, const std::string_view (&parts)[N]) {
    return Rule(id, out, [&](Val* v) {
      Point start = pt_;
      for (std::string_view part : parts) {
        bool ok;
        if (part == "_") {
          ok = Ws();
        } else if (part == "_?") {
          ok = OptWs();
        } else {
          ok = Lit(part);
        }
        if (!ok) {
          pt_ = start;
          return false;
        }
      }
      v->op = op;
      return true;
    });
  }
  static constexpr std::string_view kEqualParts[] = {"_?", "==", "_?"};
  static constexpr std::string_view kNotEqualParts[] = {"_?", "!=", "_?"};
  static constexpr std::string_view kIsEmptyParts[] = {"_", "is", "_", "empty"};
  static constexpr std::string_view kIsNotEmptyParts[] = {"_", "is", "_", "not", "_", "empty"};
  static constexpr std::string_view kInParts[] = {"_", "in", "_"};
  static constexpr std::string_view kNotInParts[] = {"_", "not", "_", "in", "_"};
  static constexpr std::string_view kContainsParts[] = {"_", "contains", "_"};
  static constexpr std::string_view kNotContainsParts[] = {"_", "not", "_", "contains", "_"};
  static constexpr std::string_view kMatchesParts[] = {"_", "matches", "_"};
  static constexpr std::string_view kNotMatchesParts[] = {"_", "not", "_", "matches", "_"};

  bool MatchEqual(Val* v) { return Operator(kMatchEqual, v, MatchOperator::kEqual, kEqualParts); }
  bool MatchNotEqual(Val* v) {
    return Operator(kMatchNotEqual, v, MatchOperator::kNotEqual, kNotEqualParts);
  }
  bool MatchIsEmpty(Val* v) {
    return Operator(kMatchIsEmpty, v, MatchOperator::kIsEmpty, kIsEmptyParts);
  }
  bool MatchIsNotEmpty(Val* v) {
    return Operator(kMatchIsNotEmpty, v, MatchOperator::kIsNotEmpty, kIsNotEmptyParts);
  }
  bool MatchIn(Val* v) { return Operator(kMatchIn, v, MatchOperator::kIn, kInParts); }
  bool MatchNotIn(Val* v) { return Operator(kMatchNotIn, v, MatchOperator::kNotIn, kNotInParts); }
  bool MatchContains(Val* v) {
    return Operator(kMatchContains, v, MatchOperator::kIn, kContainsParts);
  }
  bool MatchNotContains(Val* v) {
    return Operator(kMatchNotContains, v, MatchOperator::kNotIn, kNotContainsParts);
  }
  bool MatchMatches(Val* v) {
    return Operator(kMatchMatches, v, MatchOperator::kMatches, kMatchesParts);
  }
  bool MatchNotMatches(Val* v) {
    return Operator(kMatchNotMatches, v, MatchOperator::kNotMatches, kNotMatchesParts);
  }

  // "selector" <- Identifier SelectorOrIndex*
  bool Selector(Val* out) {
    return Rule(kSelector, out, [&](Val* v) {
      Val first;
      if (!Identifier(&first)) return false;
      v->path.push_back(std::move(first.text));
      Val next;
      while (SelectorOrIndex(&next)) v->path.push_back(std::move(next.text));
      return true;
    });
  }

  // Identifier <- [a-zA-Z] [a-zA-Z0-9_]*
  bool Identifier(Val* out) {
    return Rule(kIdentifier, out, [&](Val* v) {
      Point start = pt_;
      if (!Class(IsLetter, kLetterClass)) return false;
      while (Class(IsIdentChar, kIdentClass)) {
      }
      v->text = std::string(TextFrom(start));
      return true;
    });
  }

  // SelectorOrIndex <- "." Identifier / IndexExpression
  bool SelectorOrIndex(Val* out) {
    return Rule(kSelectorOrIndex, out, [&](Val* v) {
      Point start = pt_;
      Val ident;
      if (Lit(".") && Identifier(&ident)) {
        v->text = std::move(ident.text);
        return true;
      }
      pt_ = start;
      return IndexExpression(v);
    });
  }

  // "index" <- "[" _? StringLiteral _? "]" / "[" _? !StringLiteral &{Invalid index}
  //          / "[" _? StringLiteral _? !"]" &{Unclosed index expression}
  bool IndexExpression(Val* out) {
    return Rule(kIndexExpression, out, [&](Val* v) {
      Point start = pt_;
      Val lit;
      if (Lit("[") && OptWs() && StringLiteral(&lit) && OptWs() && Lit("]")) {
        v->text = std::move(lit.text);
        return true;
      }
      pt_ = start;
      if (Lit("[") && OptWs() && Not([&] { return StringLiteral(nullptr); }) &&
          Predicate("Invalid index")) {
        return true;
      }
      pt_ = start;
      if (Lit("[") && OptWs() && StringLiteral(nullptr) && OptWs() &&
          Not([&] { return Lit("]"); }) && Predicate("Unclosed index expression")) {
        return true;
      }
      pt_ = start;
      return false;
    });
  }

  // "value" <- Selector / NumberLiteral / StringLiteral
  bool Value(Val* out) {
    return Rule(kValue, out, [&](Val* v) {
      Val x;
      if (Selector(&x)) {
        v->text = JoinPath(x.path);
        return true;
      }
      if (NumberLiteral(&x) || StringLiteral(&x)) {
        v->text = std::move(x.text);
        return true;
      }
      return false;
    });
  }

  // "number" <- "-"? IntegerOrFloat &AfterNumbers / "-"? IntegerOrFloat !AfterNumbers &{...}
  bool NumberLiteral(Val* out) {
    return Rule(kNumberLiteral, out, [&](Val* v) {
      Point start = pt_;
      Lit("-");
      if (IntegerOrFloat() && And([&] { return AfterNumbers(); })) {
        v->text = std::string(TextFrom(start));
        return true;
      }
      pt_ = start;
      Lit("-");
      if (IntegerOrFloat() && Not([&] { return AfterNumbers(); }) &&
          Predicate("Invalid number literal")) {
        return true;
      }
      pt_ = start;
      return false;
    });
  }

  // AfterNumbers <- &(_ / EOF / ")")
  bool AfterNumbers() {
    return Rule(kAfterNumbers, nullptr,
                [&](Val*) { return And([&] { return Ws() || Eof() || Lit(")"); }); });
  }

  // IntegerOrFloat <- ("0" / [1-9][0-9]*) ("." [0-9]+)?
  bool IntegerOrFloat() {
    return Rule(kIntegerOrFloat, nullptr, [&](Val*) {
      if (!Lit("0")) {
        if (!Class(IsNonZeroDigit, kNonZeroDigitClass)) return false;
        while (Class(IsDigit, kDigitClass)) {
        }
      }
      Point dot = pt_;
      if (Lit(".")) {
        if (Class(IsDigit, kDigitClass)) {
          while (Class(IsDigit, kDigitClass)) {
          }
        } else {
          pt_ = dot;
        }
      }
      return true;
    });
  }

  // "string" <- ('`' RawStringChar* '`' / '"' DoubleStringChar* '"') {strconv.Unquote}
  //           / ('`' RawStringChar* / '"' DoubleStringChar*) EOF &{Unterminated string literal}
  bool StringLiteral(Val* out) {
    return Rule(kStringLiteral, out, [&](Val* v) {
      Point start = pt_;
      if (QuotedBody(/*closed=*/true)) {
        // pigeon runs the action even when Unquote fails; the error is recorded, the match stands.
        if (!GoUnquote(TextFrom(start), &v->text)) {
          v->text.clear();
          AddErrAt("invalid syntax", start.pos);
        }
        return true;
      }
      if (QuotedBody(/*closed=*/false) && Eof() && Predicate("Unterminated string literal"))
        return true;
      pt_ = start;
      return false;
    });
  }
  bool QuotedBody(bool closed) {
    Point start = pt_;
    if (Lit("`")) {
      while (CharUntil(kRawStringChar, "`")) {
      }
      if (!closed || Lit("`")) return true;
      pt_ = start;
    }
    if (Lit("\"")) {
      while (CharUntil(kDoubleStringChar, "\"")) {
      }
      if (!closed || Lit("\"")) return true;
      pt_ = start;
    }
    return false;
  }
  // RawStringChar <- !'`' .   DoubleStringChar <- !'"' .
  bool CharUntil(RuleId id, std::string_view quote) {
    return Rule(id, nullptr, [&](Val*) {
      Point start = pt_;
      if (Not([&] { return Lit(quote); }) && AnyChar()) return true;
      pt_ = start;
      return false;
    });
  }

  std::string_view in_;
  Point pt_;
  bool invert_ = false;
  bool aborted_ = false;
  FailState fail_{0, Position{1, 1, 0}, {}};
  std::vector<std::string> errors_;  // in the order first reported, without duplicates
  std::unordered_set<std::string> error_set_;
  std::vector<RuleId> rstack_;
  std::unordered_map<uint64_t, Memo> memo_;
};

void AppendDebug(const ExprNode& n, std::string* out) {
  switch (n.kind) {
    case ExprNode::Kind::kAnd:
    case ExprNode::Kind::kOr:
      *out += n.kind == ExprNode::Kind::kAnd ? "(and " : "(or ";
      AppendDebug(*n.left, out);
      out->push_back(' ');
      AppendDebug(*n.right, out);
      out->push_back(')');
      return;
    case ExprNode::Kind::kNot:
      *out += "(not ";
      AppendDebug(*n.left, out);
      out->push_back(')');
      return;
    case ExprNode::Kind::kMatch: {
      static constexpr std::string_view kSymbols[] = {
          "==", "!=", "in", "not-in", "is-empty", "is-not-empty", "matches", "not-matches"};
      *out += "(";
      out->append(kSymbols[static_cast<int>(n.op)]);
      *out += " ";
      *out += JoinPath(n.selector);
      if (n.value) {
        out->push_back(' ');
        *out += GoQuote(*n.value);
      }
      out->push_back(')');
      return;
    }
  }
}

size_t CountMatches(const ExprNode& n) {
  switch (n.kind) {
    case ExprNode::Kind::kAnd:
    case ExprNode::Kind::kOr:
      return CountMatches(*n.left) + CountMatches(*n.right);
    case ExprNode::Kind::kNot:
      return CountMatches(*n.left);
    case ExprNode::Kind::kMatch:
      return 1;
  }
  return 0;
}

}  // namespace

std::string_view MatchOperatorName(MatchOperator op) {
  switch (op) {
    case MatchOperator::kEqual:
      return "Equal";
    case MatchOperator::kNotEqual:
      return "Not Equal";
    case MatchOperator::kIn:
      return "In";
    case MatchOperator::kNotIn:
      return "Not In";
    case MatchOperator::kIsEmpty:
      return "Is Empty";
    case MatchOperator::kIsNotEmpty:
      return "Is Not Empty";
    case MatchOperator::kMatches:
      return "Matches";
    case MatchOperator::kNotMatches:
      return "Not Matches";
  }
  return "UNKNOWN";
}

std::string Expression::DebugString() const {
  std::string out;
  AppendDebug(*root_, &out);
  return out;
}

size_t Expression::MatchCount() const { return CountMatches(*root_); }

Result<Expression> Compile(std::string_view expression) { return PegParser(expression).Parse(); }

}  // namespace consulate::filter
