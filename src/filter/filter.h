// Consul's `?filter=` expressions: go-bexpr (v0.1.2, as Consul 1.8 vendors it, plus `matches`)
// over the JSON shapes Consul returns.
//
//   Result<Expression> e = Compile(R"(Service.Meta["env"] == prod and "web" in Service.Tags)");
//   Status s = Validate(*e, *CheckServiceNodeSchema());      // selector/operator/value checks
//   Result<bool> hit = Evaluate(*e, node_json, *CheckServiceNodeSchema());
//
// or, as an HTTP endpoint does it (parse + validate once, then run over a result list):
//
//   Result<Filter> f = Filter::Create(request.filter, ServiceNodeSchema());
//   if (!f.ok()) return BadRequest(f.status().message());   // bexpr's text, see Filter::Create
//   Result<boost::json::array> kept = f->Apply(nodes);
//
// Semantics, as bexpr's: strings compare case-sensitively; `in`/`contains` test substrings of a
// string, elements of a list and keys of a map; a selector that crosses a list matches when any
// element matches; a missing map key makes ==, in, is not empty and matches false and their
// negations true; the value is converted to the selected field's type before comparing (so
// `Port == "0x50"` is 80 and `Port == abc` is an error). Absent or null JSON fields read as Go's
// zero value (bexpr sees Go structs, where every field exists).
#pragma once

#include <boost/json.hpp>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "filter/ast.h"
#include "filter/schema.h"

namespace consulate::filter {

// Checks `expression` against `root` as bexpr's validation pass does: every selector must exist,
// the operator must suit the selected field, the value must convert to the field's type, and a
// `matches` pattern must compile. InvalidArgument messages are bexpr's, e.g.
//   Selector "Foo" is not valid
//   Invalid match operator "Equal" for selector "ServiceTags"
//   Failed to coerce value "abc" for selector "ServicePort": strconv.ParseInt: parsing "abc":
//   invalid syntax Failed to compile regular expression "(": error parsing regexp: missing closing
//   ): `(`
Status Validate(const Expression& expression, const FieldSchema& root);

// Evaluates against `object` following `root` (runs Validate first, so a bad expression is an
// error rather than a quiet false).
Result<bool> Evaluate(const Expression& expression, const boost::json::value& object,
                      const FieldSchema& root);

// Evaluates without a schema, taking types from the JSON itself: objects behave as maps, arrays as
// lists, and the value is converted to the JSON kind it is compared with (int64, uint64, double,
// bool; strings as they are). Errors (a value that does not convert, an operator a JSON kind does
// not support, a selector that runs into a scalar) use bexpr's texts. Unlike bexpr with a Go
// type, an unknown key is not an error but a missing one. `is empty` also works on strings here.
Result<bool> Evaluate(const Expression& expression, const boost::json::value& object);

// A compiled and validated filter bound to the schema of the elements it filters (bexpr's
// CreateFilter + Execute). An empty expression gives a filter that keeps everything.
class Filter {
 public:
  // Errors carry bexpr.CreateFilter's text: "Failed to create boolean expression evaluator: "
  // followed by the parse or validation error. Consul answers such a request with 500; Consulate
  // answers 400 with the same text.
  static Result<Filter> Create(std::string_view expression, SchemaPtr element_schema);

  bool empty() const { return !expression_.has_value(); }
  const Expression* expression() const { return expression_ ? &*expression_ : nullptr; }

  // Whether `element` passes. An error is possible only for data bexpr could not have held
  // (Filter::Create already validated the expression against the schema).
  Result<bool> Matches(const boost::json::value& element) const;

  // The elements of a list (catalog/health endpoints) or the values of a map (agent endpoints,
  // keyed by ID) that pass, in their original order.
  Result<boost::json::array> Apply(const boost::json::array& elements) const;
  Result<boost::json::object> Apply(const boost::json::object& elements) const;

 private:
  Filter() = default;
  std::optional<Expression> expression_;
  SchemaPtr schema_;
};

// Keeps the items whose JSON form (to_json(item) -> boost::json::value) passes `filter`.
template <typename T, typename ToJson>
Result<std::vector<T>> FilterList(const Filter& filter, std::vector<T> items, ToJson&& to_json) {
  if (filter.empty()) return items;
  std::vector<T> kept;
  for (T& item : items) {
    Result<bool> pass = filter.Matches(to_json(item));
    if (!pass.ok()) return pass.status();
    if (*pass) kept.push_back(std::move(item));
  }
  return kept;
}

}  // namespace consulate::filter
