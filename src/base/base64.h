// Base64 as Go's encoding/base64.StdEncoding: the standard alphabet with '=' padding.
//
// Decoding follows Go exactly, because Consul's CLI prints Go's errors and the data a Go program
// would have decoded: '\r' and '\n' anywhere in the input are ignored, padding is required, and the
// first bad byte is reported as "illegal base64 data at input byte N" (N is an offset into the
// input).
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "base/status.h"

namespace consulate {

std::string Base64Encode(std::string_view data);

// Decodes `text`. On error returns InvalidArgument("illegal base64 data at input byte N") and
// leaves in
// `*out` the bytes decoded before the bad 4-character group, as Go's DecodeString does (some Consul
// commands act on that prefix). REQUIRES: out != nullptr.
Status Base64Decode(std::string_view text, std::string* out);

// Decodes `text`, or fails on any malformed input.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace consulate
