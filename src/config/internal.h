// Pieces shared by the config module's files; not part of its public API.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "config/config.h"

namespace consulate::config::internal {

// Turns the merged configuration into RuntimeConfig and validates it, as Consul's
// Builder.Build + Builder.Validate do (same checks, order and messages). Appends warnings.
Status BuildRuntimeConfig(const boost::json::object& merged, bool dev_mode,
                          const LoadOptions& options, RuntimeConfig* out,
                          std::vector<std::string>* warnings);

// The value at a dotted path of canonical keys ("ports.http"), or null.
const boost::json::value* Lookup(const boost::json::object& obj, std::string_view path);

// Parses JSON with Go's error messages ("invalid character '}' looking for beginning of object
// key string", "unexpected end of JSON input"). The value must be an object (or null, which
// yields an empty object), as for json.Unmarshal into map[string]interface{}.
bool ParseGoJSONObject(std::string_view text, boost::json::object* out, std::string* error);

// Go's syntax error for invalid JSON `text` (as encoding/json's scanner words it), or "" when
// the text is valid JSON.
std::string GoJSONSyntaxError(std::string_view text);

// Host addresses as Consul's ipaddr package detects them.
std::vector<std::string> HostPrivateIPv4();
std::vector<std::string> HostPublicIPv6();
// The addresses of the named interface, IPv4 first.
std::vector<std::string> HostInterfaceIPs(std::string_view name);
std::string HostName();

}  // namespace consulate::config::internal
