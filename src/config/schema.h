// The set of configuration keys Consul 1.8 accepts (agent/config/config.go, struct Config and its
// nested structs), with each key's type, and the two operations Consul's loader performs with it:
//
//  * Decode: what mapstructure does to a parsed file. Keys are matched exactly, else
//    case-insensitively; a one-element list is unwrapped where a single value is expected (HCL's
//    blocks are lists); values are type-checked ("'server' expected type 'bool', got unconvertible
//    type 'string'"); unknown keys are collected ("invalid config key ports.foo").
//  * Merge: what agent/config/merge.go does between sources. Lists append, maps overlay key by key,
//    nested structs merge field by field, scalars (and pointer-to-struct fields) are replaced.
//
// service/check blocks stay raw JSON objects (their keys are accepted in any case and not checked);
// a source's `service` and `check` values are moved into `services` and `checks`, as Consul's
// builder does, so a merged config only has the list forms.
#pragma once

#include <boost/json/object.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace consulate::config {

enum class KeyKind : unsigned char {
  kBool,
  kInt,
  kUint,
  kFloat,
  kString,         // also durations, which stay Go duration strings in the merged config
  kStringList,     // []string
  kStringMap,      // map[string]string
  kObject,         // a struct: known keys in `children`; merged field by field
  kObjectReplace,  // a *struct: known keys; a later source replaces it whole
  kObjectList,     // []struct with known keys
  kRawMap,         // map[string]interface{}: any keys, merged key by key
  kRawMapList,     // []map[string]interface{}: appended
  kService,        // a service definition (raw), collected into `services`
  kServiceList,
  kCheck,  // a check definition (raw), collected into `checks`
  kCheckList,
};

struct KeyDef {
  std::string_view name;
  KeyKind kind;
  std::span<const KeyDef> children = {};
  // Consul Enterprise keys are accepted with a warning and dropped. Non-zero: the key's place in
  // Consul's warning order (validateEnterpriseConfigKeys checks them in a fixed order).
  int enterprise_rank = 0;
};

// The top-level keys of a Consul 1.8 agent configuration.
std::span<const KeyDef> AgentConfigSchema();

// Finds the definition for `key` among `defs`: an exact match, else a case-insensitive one.
const KeyDef* FindKey(std::span<const KeyDef> defs, std::string_view key);

// What went wrong while decoding one source, in Consul's two error classes.
struct DecodeIssues {
  std::vector<std::string> decode_errors;  // type mismatches, mapstructure wording
  std::vector<std::string> unused_keys;    // "ports.foo", "services_x"
  std::vector<std::string> warnings;       // deprecated and Enterprise-only keys
  bool ok() const { return decode_errors.empty() && unused_keys.empty(); }
};

// Decodes one parsed source (JSON or HCL) into a canonical object: canonical key names, checked
// and normalised values (integers as int64/uint64, lists as arrays), `service`/`check` folded into
// `services`/`checks`, JSON nulls dropped. `from_hcl` only changes the Go type names quoted in
// errors ("int" vs "float64"). Problems are appended to *issues.
boost::json::object DecodeSource(const boost::json::object& raw, bool from_hcl,
                                 DecodeIssues* issues);

// Merges `src` (canonical) into `dst` (canonical) with Consul's rules.
void MergeConfig(boost::json::object* dst, const boost::json::object& src);

// Consul's formatting of a source's decode problems (after "failed to parse <source>: "):
// mapstructure's "N error(s) decoding:\n\n* ..." when values are mistyped, otherwise
// go-multierror's "N error(s) occurred:\n\t* invalid config key ...\n\n".
std::string FormatDecodeIssues(const DecodeIssues& issues);

}  // namespace consulate::config
