// A parser for HCL version 1 (github.com/hashicorp/hcl v1, the dialect Consul 1.8 reads), producing
// a boost::json::value with the shape Consul's decoder sees after hcl.Decode into
// map[string]interface{}, simplified so that it reads like the equivalent JSON config:
//
//   key = value                   -> "key": value
//   key { ... }  /  key = { ... } -> "key": { ... }
//   key "label" "x" { ... }       -> "key": { "label": { "x": { ... } } }
//   a block or list repeated under the same key accumulates, as in hcl v1:
//     service { .. } service { .. }  -> "service": [ {..}, {..} ]
//     tags = ["a"] tags = ["b"]      -> "tags": ["a", "b"]
//   a scalar repeated under the same key: the last one wins.
//
// Values: strings (Go escapes, "${...}" kept verbatim), heredocs (<<EOF, <<-EOF), integers
// (decimal, 0x hex, 0-prefixed octal, as Go's strconv.ParseInt(s, 0, 64)), floats, true/false,
// lists [a, b, ] (trailing and stray commas allowed, as hcl v1 does) and objects. Comments: #, //,
// /* */. Keys are identifiers ([A-Za-z_][A-Za-z0-9_.-]*) or quoted strings.
//
// As hcl.Decode does, input whose first non-blank character is '{' is parsed as JSON instead.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "base/result.h"

namespace consulate::config {

// Where and why a parse failed. line and column are 1-based; column counts bytes. line is 0 for
// a literal that scanned but does not convert ("strconv.ParseInt: parsing \"08\": invalid
// syntax"), which hcl v1 reports without a position.
struct HclError {
  int line = 0;
  int column = 0;
  std::string message;  // e.g. "object expected closing RBRACE got: EOF"
};

// Parses `text`. On failure returns InvalidArgument "<filename>:<line>:<col>: <message>" (or
// "At <line>:<col>: <message>", Consul's wording, when `filename` is empty). The value is always
// an object on success.
Result<boost::json::value> ParseHCL(std::string_view text, std::string_view filename);

// The same, reporting the error's parts separately (the config loader formats them as Consul
// does: "failed to parse x.hcl: At 3:7: ..."). Returns false and fills *error on failure.
// REQUIRES: out and error are not null.
bool ParseHCLDetailed(std::string_view text, boost::json::value* out, HclError* error);

// Parses a JSON document (duplicate keys: the last wins; nesting is bounded), reporting errors
// with line and column. ParseHCLDetailed uses it for .hcl files holding JSON, as hcl.Decode
// does; .json config files go through the Go-compatible parser instead (internal.h).
bool ParseJSONDetailed(std::string_view text, boost::json::value* out, HclError* error);

}  // namespace consulate::config
