// Reading Consul's JSON answers the way Go's decoder fills structs: a missing or mistyped field
// reads as the zero value.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace consulate::api {

// The body as JSON; Corruption with the parser's message when it is not.
Result<boost::json::value> ParseBody(std::string_view body);

std::string StringField(const boost::json::object& o, std::string_view key);
bool BoolField(const boost::json::object& o, std::string_view key);
uint64_t UintField(const boost::json::object& o, std::string_view key);

}  // namespace consulate::api
