// Fuzzes the HCL v1 parser, then feeds what it accepts through the config decoder and merge.
// Invariants: no crash or sanitizer report; an accepted document is a JSON object that survives a
// serialize/parse round trip; a rejected one has a message and a sane position.
#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/hcl.h"
#include "config/schema.h"

namespace json = boost::json;
using namespace consulate::config;

namespace {

// Equality, except that doubles may differ in the last bits: Boost 1.81 parses numbers with a
// fast, not correctly rounded, algorithm.
bool SameJson(const json::value& a, const json::value& b) {
  if (a.is_double() && b.is_double()) {
    double x = a.as_double(), y = b.as_double();
    return x == y || std::fabs(x - y) <= 1e-12 * std::max(std::fabs(x), std::fabs(y));
  }
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const auto &x = a.as_array(), &y = b.as_array();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (!SameJson(x[i], y[i])) return false;
    return true;
  }
  if (a.is_object()) {
    const auto &x = a.as_object(), &y = b.as_object();
    if (x.size() != y.size()) return false;
    for (const auto& kv : x) {
      const json::value* other = y.if_contains(kv.key());
      if (other == nullptr || !SameJson(kv.value(), *other)) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  json::value v;
  HclError err;
  if (!ParseHCLDetailed(text, &v, &err)) {
    if (err.message.empty() || err.line < 0 || err.column < 0) std::abort();
    return 0;
  }
  if (!v.is_object()) std::abort();

  // What the parser produced must be plain JSON (bytes of strings may be any, as in Go).
  json::parse_options opts;
  opts.max_depth = 1024;
  opts.allow_invalid_utf8 = true;
  boost::system::error_code ec;
  json::value round = json::parse(json::serialize(v), ec, {}, opts);
  if (ec || !SameJson(round, v)) std::abort();

  DecodeIssues issues;
  json::object decoded = DecodeSource(v.as_object(), /*from_hcl=*/true, &issues);
  json::object merged;
  MergeConfig(&merged, decoded);
  MergeConfig(&merged, decoded);  // merging twice exercises the append/overlay paths
  (void)FormatDecodeIssues(issues);
  return 0;
}
