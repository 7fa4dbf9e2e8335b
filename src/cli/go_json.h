// JSON the way Go's encoding/json reads and writes it, for the commands whose output or error text
// scripts depend on (kv export / kv import, version -format=json).
//  * GoJsonQuote: Go's string encoding (HTML-safe escapes, U+2028/9 escaped, bad UTF-8 -> \ufffd).
//  * ParseGoJson: a strict parser whose syntax errors are Go's, word for word:
//      invalid character '}' looking for beginning of object key string
//      unexpected end of JSON input
//    and whose strings are decoded like Go's (bad UTF-8 and lone surrogates become U+FFFD).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace consulate::cli {

struct GoJsonValue {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  std::string text;                // kString: decoded value; kNumber: the literal as written
  std::vector<GoJsonValue> items;  // kArray
  std::vector<std::pair<std::string, GoJsonValue>> members;  // kObject, in document order

  // Go's name for the kind in "cannot unmarshal <kind> into ...": object, array, string, number,
  // bool.
  const char* KindName() const;
};

// Parses one JSON document (surrounding white space allowed). Errors are InvalidArgument with Go's
// SyntaxError text.
Result<GoJsonValue> ParseGoJson(std::string_view text);

// Go's json.Marshal for a string, quotes included.
std::string GoJsonQuote(std::string_view text);

}  // namespace consulate::cli
