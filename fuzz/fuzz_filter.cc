// Fuzzes the ?filter= module: the bexpr parser, validation against Consul's schemas, typed and
// schema-less evaluation, and the regexp engine (the input is also tried as a pattern).
// Invariants: no crash or sanitizer report; a rejected expression has a message; an accepted one
// renders back to bexpr syntax that parses to the same tree.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "filter/consul_schemas.h"
#include "filter/filter.h"
#include "filter/go_strconv.h"
#include "filter/regex.h"

namespace json = boost::json;
using namespace consulate::filter;
using consulate::Result;
using consulate::Status;

namespace {

const char kSample[] = R"({
  "Node": {"ID": "n1", "Node": "foobar", "Address": "10.1.10.12", "Datacenter": "dc1",
           "TaggedAddresses": {"lan": "10.1.10.12"}, "Meta": {"instance_type": "t2.medium"}},
  "Service": {"ID": "redis", "Service": "redis", "Tags": ["primary", ""], "Address": "",
              "TaggedAddresses": {"wan": {"Address": "198.18.1.2", "Port": 80}},
              "Meta": {"v": "4.0"}, "Port": 8000, "Weights": {"Passing": 10, "Warning": 1},
              "EnableTagOverride": true, "Proxy": {"Upstreams": [{"DestinationName": "db"}]}},
  "Checks": [{"Node": "foobar", "CheckID": "serfHealth", "Status": "passing", "ServiceTags": []},
             {"Node": "foobar", "CheckID": "c2", "Status": "critical", "Output": "x\ny",
              "ServiceTags": null}],
  "Port": 1.5, "Flag": false, "Big": 18446744073709551615, "Neg": -1, "Null": null
})";

bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    DecodedRune d = DecodeRune(s, i);
    if (d.rune == kRuneError && d.width == 1) return false;
    i += static_cast<size_t>(d.width);
  }
  return true;
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  }
  return true;
}

// A raw string literal for `s`, or false when bexpr's grammar cannot spell it that way.
bool RawLiteral(std::string_view s, std::string* out) {
  if (s.find('`') != std::string_view::npos || s.find('\r') != std::string_view::npos ||
      !ValidUtf8(s))
    return false;
  *out += '`';
  out->append(s);
  *out += '`';
  return true;
}

bool Render(const ExprNode& n, std::string* out) {
  switch (n.kind) {
    case ExprNode::Kind::kAnd:
    case ExprNode::Kind::kOr:
      *out += "(";
      if (!Render(*n.left, out)) return false;
      *out += n.kind == ExprNode::Kind::kAnd ? " and " : " or ";
      if (!Render(*n.right, out)) return false;
      *out += ")";
      return true;
    case ExprNode::Kind::kNot:
      *out += "not (";
      if (!Render(*n.left, out)) return false;
      *out += ")";
      return true;
    case ExprNode::Kind::kMatch: {
      std::string selector = n.selector[0];
      for (size_t i = 1; i < n.selector.size(); ++i) {
        if (IsIdentifier(n.selector[i])) {
          selector += "." + n.selector[i];
        } else {
          selector += "[";
          if (!RawLiteral(n.selector[i], &selector)) return false;
          selector += "]";
        }
      }
      std::string value;
      if (n.value && !RawLiteral(*n.value, &value)) return false;
      switch (n.op) {
        case MatchOperator::kEqual:
          *out += selector + " == " + value;
          break;
        case MatchOperator::kNotEqual:
          *out += selector + " != " + value;
          break;
        case MatchOperator::kIn:
          *out += value + " in " + selector;
          break;
        case MatchOperator::kNotIn:
          *out += value + " not in " + selector;
          break;
        case MatchOperator::kIsEmpty:
          *out += selector + " is empty";
          break;
        case MatchOperator::kIsNotEmpty:
          *out += selector + " is not empty";
          break;
        case MatchOperator::kMatches:
          *out += selector + " matches " + value;
          break;
        case MatchOperator::kNotMatches:
          *out += selector + " not matches " + value;
          break;
      }
      return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  static const json::value sample = json::parse(kSample);

  // The input as a regexp pattern, searched in itself.
  Result<Regex> re = Regex::Compile(text);
  if (re.ok()) {
    (void)re->Search(text);
  } else if (re.status().message().rfind("error parsing regexp: ", 0) != 0) {
    std::abort();
  }

  Result<Expression> e = Compile(text);
  if (!e.ok()) {
    if (e.status().message().empty()) std::abort();
    return 0;
  }
  std::string debug = e->DebugString();
  if (debug.empty() || e->MatchCount() == 0) std::abort();

  std::string rendered;
  if (e->MatchCount() < 200 && Render(e->root(), &rendered)) {
    Result<Expression> again = Compile(rendered);
    if (!again.ok() || again->DebugString() != debug) std::abort();
  }

  for (const SchemaPtr& schema : {CheckServiceNodeSchema(), ServiceNodeSchema(), NodeSchema()}) {
    Status valid = Validate(*e, *schema);
    Result<bool> typed = Evaluate(*e, sample, *schema);
    if (valid.ok() != typed.ok() && valid.ok()) std::abort();  // validated expressions evaluate
    Result<Filter> f = Filter::Create(text, schema);
    if (f.ok() != valid.ok()) std::abort();
    if (f.ok()) {
      Result<json::array> kept = f->Apply(sample.at("Checks").as_array());
      (void)kept;
    }
  }
  (void)Evaluate(*e, sample);
  return 0;
}
