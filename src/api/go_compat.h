// Small helpers that reproduce the wording of Go's standard library, because Consul's CLI prints
// Go's error values verbatim and scripts (and people) match on them.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace consulate::api {

// Go's text for an errno value, e.g. ECONNREFUSED -> "connection refused" (strerror, first letter
// lowered, which is how Go's syscall table reads on Linux).
std::string GoErrnoText(int err);

// Reads a whole file. Errors are worded as Go's os.ReadFile: "open <path>: no such file or
// directory", "read <path>: is a directory".
Result<std::string> ReadFileGoStyle(const std::string& path);

// Go's strconv.Quote for text that is valid UTF-8: wraps in double quotes and escapes '"', '\\' and
// non-printable bytes (\n, \t, \x01, ...). Invalid UTF-8 bytes are written as \xNN.
std::string GoQuote(std::string_view text);

// Go's strings.TrimSpace (ASCII white space only, which covers what Consul trims).
std::string_view TrimSpace(std::string_view text);

}  // namespace consulate::api
