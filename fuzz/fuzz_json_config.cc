// Fuzzes a JSON config file through the whole agent config pipeline: Go-compatible JSON syntax
// checking, decoding against Consul's keys, merging with the defaults, the typed build and the
// semantic validation. The host is faked so runs are deterministic.
// Invariants: no crash or sanitizer report; every failure carries a message; Go's scanner and
// Boost.JSON agree on which documents are well-formed.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "config/config.h"
#include "config/internal.h"

namespace json = boost::json;
using namespace consulate::config;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the mode, the rest is the file.
  bool dev = data[0] & 1;
  bool as_hcl = data[0] & 2;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);

  std::string syntax = internal::GoJSONSyntaxError(text);
  json::parse_options opts;
  opts.max_depth = 2000;
  opts.allow_invalid_utf8 = true;
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec, {}, opts);
  // Both accept or both reject. Boost may reject numbers Go's scanner allows (1e999), and the
  // two count nesting limits differently.
  bool depth =
      ec == json::error::too_deep || syntax.find("exceeded max depth") != std::string::npos;
  if (!depth && syntax.empty() && ec && ec != json::error::exponent_overflow) std::abort();
  if (!depth && !syntax.empty() && !ec) std::abort();

  LoadOptions options;
  options.private_ipv4 = [] { return std::vector<std::string>{"10.0.0.1"}; };
  options.public_ipv6 = [] { return std::vector<std::string>{}; };
  options.hostname = [] { return std::string("fuzz"); };
  std::vector<std::string> warnings;
  auto rt =
      BuildFromSources({{"fuzz.json", as_hcl ? "hcl" : "json", text}}, dev, &warnings, options);
  if (!rt.ok()) {
    if (rt.status().message().empty()) std::abort();
    return 0;
  }
  json::object self = AgentSelfDebugConfig(*rt, "id");
  (void)json::serialize(self);
  return 0;
}
