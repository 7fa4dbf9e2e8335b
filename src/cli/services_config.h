// Service definitions read from files, as `consul services register FILE...` and
// `consul services deregister FILE...` read them (Consul 1.8's command/services/config.go).
//
// Consul loads the files with the agent's own configuration loader in dev mode, so a file may hold
// any agent configuration besides its `service` / `services`, and everything in it is checked as
// the agent would: unknown keys, mistyped values, deprecated keys (a warning). Each definition is
// then turned into the body of PUT /v1/agent/service/register (Go's api.AgentServiceRegistration)
// by a generic struct conversion, whose quirks this reproduces because they decide what the agent
// receives:
//  * a `check` joins the end of `checks`, and "Check" is sent as null ({} inside a sidecar);
//  * "Weights" is always sent, defaulting each of passing/warning to 1;
//  * durations are sent in Go's form ("90m" -> "1h30m0s");
//  * keys with no counterpart in the API struct are dropped: the service `token`, and a check's
//    `args`, `service_id`, `token` and `output_max_size` (so a script check loses its arguments,
//    and the agent then rejects it, exactly as with Consul 1.8).
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "config/schema.h"

namespace consulate::cli {

// Loads the service definitions in `paths` (files, or directories whose files are read in name
// order; files not named .json or .hcl are skipped with a warning). Returns one registration per
// definition, in load order. Warnings are appended to *warnings only on success (as Consul prints
// them). Errors carry Consul's text, which the commands print after "Error: ", e.g.
//   config: Open failed on web.json. open web.json: no such file or directory
//   failed to parse web.json: 1 error occurred:\n\t* invalid config key service.bogus\n\n
Result<std::vector<boost::json::object>> ServicesFromFiles(const std::vector<std::string>& paths,
                                                           std::vector<std::string>* warnings);

// Checks the `service` and `services` definitions of one parsed source (as config::ParseConfigFile
// returns it) like Consul's decoder: keys match their snake_case name in any case (plus the legacy
// check spellings "serviceid", "scriptargs", "dockercontainerid", "tlsskipverify",
// "deregistercriticalserviceafter"); unknown keys are appended to issues->unused_keys
// ("service.check.bogus", "services[1].x") and mistyped values to issues->decode_errors in
// mapstructure's words. `from_hcl` only changes the Go type names quoted.
void CheckServiceDefinitions(const boost::json::object& source, bool from_hcl,
                             config::DecodeIssues* issues);

// Converts one definition (as checked above) to its registration JSON, with Consul's field names
// and order. A malformed duration fails as Consul's builder words it:
//   check[<id>].interval: invalid duration: "abc": time: invalid duration "abc"
Result<boost::json::object> ServiceRegistrationFromDefinition(
    const boost::json::object& definition);

// Go's api.ParseServiceAddr: "host:port" split like net.SplitHostPort ("[::1]:80" gives "::1"),
// the port read by strconv.Atoi. Errors are Go's text, e.g.
//   address 1.2.3.4: missing port in address
//   strconv.Atoi: parsing "x": invalid syntax
Status ParseServiceAddress(std::string_view text, std::string* address, int64_t* port);

// The registration `consul services register -name ...` sends: only the fields given (and
// "Check"/"Checks" as null), in Consul's field order; map fields sorted by key.
struct ServiceFlags {
  std::string kind;
  std::string id;
  std::string name;
  std::string address;
  int64_t port = 0;
  std::vector<std::string> tags;
  std::map<std::string, std::string> meta;
  std::map<std::string, std::string> tagged_addresses;  // "lan" -> "10.0.0.1:80"
};
// Fails on the first malformed tagged address (in key order) with ParseServiceAddress's error.
Result<boost::json::object> ServiceRegistrationFromFlags(const ServiceFlags& flags);

}  // namespace consulate::cli
