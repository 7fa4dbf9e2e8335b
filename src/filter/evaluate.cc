// Validation and evaluation of bexpr expressions (go-bexpr's validate.go and evaluate.go, over
// JSON instead of Go reflection).
#include <cmath>
#include <cstdint>
#include <limits>

#include "filter/filter.h"
#include "filter/go_strconv.h"

namespace consulate::filter {
namespace json = boost::json;
namespace {

using Kind = FieldSchema::Kind;

std::string SelectorText(const std::vector<std::string>& selector, size_t count) {
  std::string out;
  for (size_t i = 0; i < count && i < selector.size(); ++i) {
    if (i) out.push_back('.');
    out += selector[i];
  }
  return out;
}
std::string SelectorText(const std::vector<std::string>& selector) {
  return SelectorText(selector, selector.size());
}

bool NeedsValue(MatchOperator op) {
  return op != MatchOperator::kIsEmpty && op != MatchOperator::kIsNotEmpty;
}

// The operators bexpr allows on a field of this shape (field_config.go).
bool Supports(const FieldSchema& s, MatchOperator op) {
  using Op = MatchOperator;
  switch (s.kind()) {
    case Kind::kString:
      return op == Op::kEqual || op == Op::kNotEqual || op == Op::kIn || op == Op::kNotIn ||
             op == Op::kMatches || op == Op::kNotMatches;
    case Kind::kBool:
    case Kind::kInt:
    case Kind::kUint:
    case Kind::kFloat:
      return op == Op::kEqual || op == Op::kNotEqual;
    case Kind::kList:
      if (op == Op::kIsEmpty || op == Op::kIsNotEmpty) return true;
      return s.element().IsPrimitive() && (op == Op::kIn || op == Op::kNotIn);
    case Kind::kMap:
      return op == Op::kIsEmpty || op == Op::kIsNotEmpty || op == Op::kIn || op == Op::kNotIn;
    case Kind::kStruct:
      return false;
  }
  return false;
}

// The schema whose type the expression's value is converted to (bexpr's CoerceFn), or nullptr
// when the value is kept as written.
const FieldSchema* CoercionSchema(const FieldSchema& s) {
  if (s.IsPrimitive()) return &s;
  if (s.kind() == Kind::kList && s.element().IsPrimitive()) return &s.element();
  return nullptr;  // maps coerce to string, which is the raw text
}

// A value converted to a primitive kind.
struct Typed {
  Kind kind = Kind::kString;
  std::string_view str;
  bool b = false;
  int64_t i = 0;
  uint64_t u = 0;
  double f = 0;
};

bool Coerce(Kind kind, int bits, std::string_view raw, Typed* out, std::string* err) {
  out->kind = kind;
  switch (kind) {
    case Kind::kString:
      out->str = raw;
      return true;
    case Kind::kBool:
      return GoParseBool(raw, &out->b, err);
    case Kind::kInt:
      return GoParseInt(raw, bits, &out->i, err);
    case Kind::kUint:
      return GoParseUint(raw, bits, &out->u, err);
    case Kind::kFloat:
      return GoParseFloat(raw, bits, &out->f, err);
    default:
      out->kind = Kind::kString;
      out->str = raw;
      return true;
  }
}

std::string CoerceError(const ExprNode& n, const std::string& err) {
  return "Failed to coerce value " + GoQuote(*n.value) + " for selector " +
         GoQuote(SelectorText(n.selector)) + ": " + err;
}

std::string InvalidOperator(const ExprNode& n) {
  return "Invalid match operator " + GoQuote(MatchOperatorName(n.op)) + " for selector " +
         GoQuote(SelectorText(n.selector));
}

Status RegexStatus(const ExprNode& n) {
  return Status::InvalidArgument("Failed to compile regular expression " + GoQuote(*n.value) +
                                 ": " + n.regex_error);
}

// The result for a selector that names a missing map key (or, schema-less, a missing or null
// value): nothing equals, contains or matches it, and everything is empty.
bool MissingResult(MatchOperator op) {
  switch (op) {
    case MatchOperator::kEqual:
    case MatchOperator::kIsNotEmpty:
    case MatchOperator::kIn:
    case MatchOperator::kMatches:
      return false;
    default:
      return true;
  }
}

bool Negated(MatchOperator op) {
  return op == MatchOperator::kNotEqual || op == MatchOperator::kNotIn ||
         op == MatchOperator::kIsNotEmpty || op == MatchOperator::kNotMatches;
}

// ---- JSON as Go values ------------------------------------------------------------------------

std::string_view JsonString(const json::value* v) {
  if (v && v->is_string()) return std::string_view(v->get_string());
  return {};
}

int64_t JsonInt(const json::value* v) {
  if (!v) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  if (v->is_double()) {
    double d = v->get_double();
    if (std::isfinite(d) && d >= -9.2e18 && d <= 9.2e18) return static_cast<int64_t>(d);
  }
  return 0;
}

uint64_t JsonUint(const json::value* v) {
  if (!v) return 0;
  if (v->is_uint64()) return v->get_uint64();
  if (v->is_int64()) return static_cast<uint64_t>(v->get_int64());
  if (v->is_double()) {
    double d = v->get_double();
    if (std::isfinite(d) && d >= 0 && d <= 1.8e19) return static_cast<uint64_t>(d);
  }
  return 0;
}

double JsonDouble(const json::value* v) {
  if (!v) return 0;
  if (v->is_double()) return v->get_double();
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  if (v->is_uint64()) return static_cast<double>(v->get_uint64());
  return 0;
}

// Equality of a field holding `v` (read as `kind`) with the converted value.
bool EqualAs(Kind kind, int bits, const json::value* v, const Typed& t) {
  switch (kind) {
    case Kind::kString:
      return JsonString(v) == t.str;
    case Kind::kBool:
      return (v && v->is_bool() && v->get_bool()) == t.b;
    case Kind::kInt:
      return JsonInt(v) == t.i;
    case Kind::kUint:
      return JsonUint(v) == t.u;
    case Kind::kFloat:
      if (bits == 32) return static_cast<float>(JsonDouble(v)) == static_cast<float>(t.f);
      return JsonDouble(v) == t.f;
    default:
      return false;
  }
}

size_t JsonSize(const json::value* v) {
  if (!v) return 0;
  if (v->is_array()) return v->get_array().size();
  if (v->is_object()) return v->get_object().size();
  if (v->is_string()) return v->get_string().size();
  return 0;
}

const char* JsonKindName(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string:
      return "string";
    case json::kind::int64:
      return "int64";
    case json::kind::uint64:
      return "uint64";
    case json::kind::double_:
      return "float64";
    case json::kind::bool_:
      return "bool";
    case json::kind::array:
      return "slice";
    case json::kind::object:
      return "map";
    case json::kind::null:
      return "invalid";
  }
  return "invalid";
}

// ---- validation -------------------------------------------------------------------------------

Status ValidateMatch(const ExprNode& n, const FieldSchema& root) {
  const FieldSchema* s = &root;
  for (size_t i = 0; i < n.selector.size(); ++i) {
    s = s->Step(n.selector[i]);
    if (s == nullptr) {
      return Status::InvalidArgument("Selector " + GoQuote(SelectorText(n.selector, i + 1)) +
                                     " is not valid");
    }
  }
  if (!Supports(*s, n.op)) return Status::InvalidArgument(InvalidOperator(n));
  if (!n.value) {
    if (NeedsValue(n.op)) {
      return Status::InvalidArgument("Match operator " + GoQuote(MatchOperatorName(n.op)) +
                                     " requires a non-nil value");
    }
    return Status::OK();
  }
  if (const FieldSchema* c = CoercionSchema(*s)) {
    Typed t;
    std::string err;
    if (!Coerce(c->kind(), c->bits(), *n.value, &t, &err))
      return Status::InvalidArgument(CoerceError(n, err));
  }
  if ((n.op == MatchOperator::kMatches || n.op == MatchOperator::kNotMatches) && !n.regex)
    return RegexStatus(n);
  return Status::OK();
}

Status ValidateNode(const ExprNode& n, const FieldSchema& root) {
  switch (n.kind) {
    case ExprNode::Kind::kAnd:
    case ExprNode::Kind::kOr:
      CONSULATE_RETURN_IF_ERROR(ValidateNode(*n.left, root));
      return ValidateNode(*n.right, root);
    case ExprNode::Kind::kNot:
      return ValidateNode(*n.left, root);
    case ExprNode::Kind::kMatch:
      return ValidateMatch(n, root);
  }
  return Status::Internal("Cannot validate: Invalid AST");
}

// ---- evaluation with a schema -------------------------------------------------------------------

// The operator applied at the end of the selector, to `v` (nullptr: absent) of shape `s`.
Result<bool> TypedLeaf(const ExprNode& n, const json::value* v, const FieldSchema& s) {
  using Op = MatchOperator;
  if (v && v->is_null()) v = nullptr;  // null reads as the zero value
  bool result = false;
  switch (n.op) {
    case Op::kEqual:
    case Op::kNotEqual: {
      Typed t;
      std::string err;
      if (!s.IsPrimitive() || !Coerce(s.kind(), s.bits(), *n.value, &t, &err)) {
        return Status::InvalidArgument(err.empty() ? InvalidOperator(n) : CoerceError(n, err));
      }
      result = EqualAs(s.kind(), s.bits(), v, t);
      break;
    }
    case Op::kIn:
    case Op::kNotIn:
      if (s.kind() == Kind::kString) {
        result = JsonString(v).find(*n.value) != std::string_view::npos;
      } else if (s.kind() == Kind::kMap) {
        result = v && v->is_object() && v->get_object().contains(*n.value);
      } else if (s.kind() == Kind::kList && s.element().IsPrimitive()) {
        const FieldSchema& e = s.element();
        Typed t;
        std::string err;
        if (!Coerce(e.kind(), e.bits(), *n.value, &t, &err))
          return Status::InvalidArgument(CoerceError(n, err));
        if (v && v->is_array()) {
          for (const json::value& item : v->get_array()) {
            if (EqualAs(e.kind(), e.bits(), item.is_null() ? nullptr : &item, t)) {
              result = true;
              break;
            }
          }
        }
      } else {
        return Status::InvalidArgument(InvalidOperator(n));
      }
      break;
    case Op::kIsEmpty:
    case Op::kIsNotEmpty:
      if (s.kind() != Kind::kList && s.kind() != Kind::kMap)
        return Status::InvalidArgument(InvalidOperator(n));
      result = JsonSize(v) == 0;
      break;
    case Op::kMatches:
    case Op::kNotMatches:
      if (s.kind() != Kind::kString) return Status::InvalidArgument(InvalidOperator(n));
      if (!n.regex) return RegexStatus(n);
      result = n.regex->Search(JsonString(v));
      break;
  }
  return Negated(n.op) ? !result : result;
}

Result<bool> TypedMatch(const ExprNode& n, const json::value* v, const FieldSchema& s,
                        size_t depth) {
  if (depth == n.selector.size()) return TypedLeaf(n, v, s);
  const std::string& name = n.selector[depth];
  switch (s.kind()) {
    case Kind::kStruct: {
      const FieldSchema::Field* f = s.FindField(name);
      if (!f)
        return Status::InvalidArgument("Selector " + GoQuote(SelectorText(n.selector, depth + 1)) +
                                       " is not valid");
      const json::value* child =
          (v && v->is_object()) ? v->get_object().if_contains(f->json_key) : nullptr;
      return TypedMatch(n, child, *f->schema, depth + 1);
    }
    case Kind::kMap: {
      const json::value* child =
          (v && v->is_object()) ? v->get_object().if_contains(name) : nullptr;
      if (!child) return MissingResult(n.op);
      return TypedMatch(n, child, s.element(), depth + 1);
    }
    case Kind::kList: {
      // Any element: the selector continues into each element at the same depth.
      if (!v || !v->is_array()) return false;
      for (const json::value& item : v->get_array()) {
        Result<bool> r = TypedMatch(n, &item, s.element(), depth);
        if (!r.ok() || *r) return r;
      }
      return false;
    }
    default:
      return Status::InvalidArgument("Selector " + GoQuote(SelectorText(n.selector, depth + 1)) +
                                     " is not valid");
  }
}

// ---- evaluation without a schema --------------------------------------------------------------

// Converts the expression's value to the kind of the JSON scalar `v` and compares.
Result<bool> UntypedEquals(const ExprNode& n, const json::value& v) {
  Typed t;
  std::string err;
  bool ok = true;
  switch (v.kind()) {
    case json::kind::string:
      return std::string_view(v.get_string()) == *n.value;
    case json::kind::bool_:
      ok = Coerce(Kind::kBool, 0, *n.value, &t, &err);
      break;
    case json::kind::int64:
      ok = Coerce(Kind::kInt, 64, *n.value, &t, &err);
      break;
    case json::kind::uint64:
      ok = Coerce(Kind::kUint, 64, *n.value, &t, &err);
      break;
    case json::kind::double_:
      ok = Coerce(Kind::kFloat, 64, *n.value, &t, &err);
      break;
    default:
      return Status::InvalidArgument(InvalidOperator(n));
  }
  if (!ok) return Status::InvalidArgument(CoerceError(n, err));
  return EqualAs(t.kind, 64, &v, t);
}

Result<bool> UntypedLeaf(const ExprNode& n, const json::value* v) {
  using Op = MatchOperator;
  if (!v || v->is_null()) return MissingResult(n.op);
  bool result = false;
  switch (n.op) {
    case Op::kEqual:
    case Op::kNotEqual: {
      if (v->is_array() || v->is_object()) return Status::InvalidArgument(InvalidOperator(n));
      Result<bool> r = UntypedEquals(n, *v);
      if (!r.ok()) return r;
      result = *r;
      break;
    }
    case Op::kIn:
    case Op::kNotIn:
      if (v->is_string()) {
        result = std::string_view(v->get_string()).find(*n.value) != std::string_view::npos;
      } else if (v->is_object()) {
        result = v->get_object().contains(*n.value);
      } else if (v->is_array()) {
        for (const json::value& item : v->get_array()) {
          if (item.is_null() || item.is_array() || item.is_object()) continue;
          Result<bool> r = UntypedEquals(n, item);
          if (r.ok() && *r) {  // an element the value does not convert to is simply not equal
            result = true;
            break;
          }
        }
      } else {
        return Status::InvalidArgument(InvalidOperator(n));
      }
      break;
    case Op::kIsEmpty:
    case Op::kIsNotEmpty:
      if (!v->is_array() && !v->is_object() && !v->is_string())
        return Status::InvalidArgument(InvalidOperator(n));
      result = JsonSize(v) == 0;
      break;
    case Op::kMatches:
    case Op::kNotMatches:
      if (!v->is_string()) return Status::InvalidArgument(InvalidOperator(n));
      if (!n.regex) return RegexStatus(n);
      result = n.regex->Search(v->get_string());
      break;
  }
  return Negated(n.op) ? !result : result;
}

Result<bool> UntypedMatch(const ExprNode& n, const json::value* v, size_t depth) {
  if (depth == n.selector.size()) return UntypedLeaf(n, v);
  if (!v || v->is_null()) return MissingResult(n.op);
  if (v->is_object())
    return UntypedMatch(n, v->get_object().if_contains(n.selector[depth]), depth + 1);
  if (v->is_array()) {
    for (const json::value& item : v->get_array()) {
      Result<bool> r = UntypedMatch(n, &item, depth);
      if (!r.ok() || *r) return r;
    }
    return false;
  }
  return Status::InvalidArgument("Value at selector " + GoQuote(SelectorText(n.selector, depth)) +
                                 " with type " + JsonKindName(*v) +
                                 " does not support nested field selection");
}

// Walks and/or/not with short-circuiting; `match` evaluates one match expression.
template <typename MatchFn>
Result<bool> EvaluateNode(const ExprNode& n, const MatchFn& match) {
  switch (n.kind) {
    case ExprNode::Kind::kAnd: {
      Result<bool> left = EvaluateNode(*n.left, match);
      if (!left.ok() || !*left) return left;
      return EvaluateNode(*n.right, match);
    }
    case ExprNode::Kind::kOr: {
      Result<bool> left = EvaluateNode(*n.left, match);
      if (!left.ok() || *left) return left;
      return EvaluateNode(*n.right, match);
    }
    case ExprNode::Kind::kNot: {
      Result<bool> operand = EvaluateNode(*n.left, match);
      if (!operand.ok()) return operand;
      return !*operand;
    }
    case ExprNode::Kind::kMatch:
      return match(n);
  }
  return Status::Internal("Invalid AST node");
}

}  // namespace

Status Validate(const Expression& expression, const FieldSchema& root) {
  return ValidateNode(expression.root(), root);
}

Result<bool> Evaluate(const Expression& expression, const json::value& object,
                      const FieldSchema& root) {
  CONSULATE_RETURN_IF_ERROR(Validate(expression, root));
  return EvaluateNode(expression.root(),
                      [&](const ExprNode& n) { return TypedMatch(n, &object, root, 0); });
}

Result<bool> Evaluate(const Expression& expression, const json::value& object) {
  return EvaluateNode(expression.root(),
                      [&](const ExprNode& n) { return UntypedMatch(n, &object, 0); });
}

Result<Filter> Filter::Create(std::string_view expression, SchemaPtr element_schema) {
  Filter f;
  f.schema_ = std::move(element_schema);
  if (expression.empty()) return f;
  constexpr std::string_view kPrefix = "Failed to create boolean expression evaluator: ";
  Result<Expression> parsed = Compile(expression);
  if (!parsed.ok())
    return Status::InvalidArgument(std::string(kPrefix) + parsed.status().message());
  Status valid = Validate(*parsed, *f.schema_);
  if (!valid.ok()) return Status::InvalidArgument(std::string(kPrefix) + valid.message());
  f.expression_ = std::move(parsed).value();
  return f;
}

Result<bool> Filter::Matches(const json::value& element) const {
  if (!expression_) return true;
  return EvaluateNode(expression_->root(),
                      [&](const ExprNode& n) { return TypedMatch(n, &element, *schema_, 0); });
}

Result<json::array> Filter::Apply(const json::array& elements) const {
  json::array kept;
  for (const json::value& e : elements) {
    Result<bool> pass = Matches(e);
    if (!pass.ok()) return pass.status();
    if (*pass) kept.push_back(e);
  }
  return kept;
}

Result<json::object> Filter::Apply(const json::object& elements) const {
  json::object kept;
  for (const auto& kv : elements) {
    Result<bool> pass = Matches(kv.value());
    if (!pass.ok()) return pass.status();
    if (*pass) kept.emplace(kv.key(), kv.value());
  }
  return kept;
}

}  // namespace consulate::filter
