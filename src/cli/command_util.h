// Pieces shared by several commands.
#pragma once

#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace consulate::cli {

// The DATA argument of `kv put` and `kv import`: "@path" reads a file, "-" reads all of `in`,
// anything else is the data itself. Errors: "Failed to read file: open x: no such file or
// directory", "Failed to read stdin: ...".
Result<std::string> ReadDataArgument(const std::string& data, std::istream& in);

// Go's %v of a []string: "[a b c]".
std::string GoFormatList(const std::vector<std::string>& items);

// Keys may be given with a leading '/', which Consul's kv commands drop.
std::string_view StripLeadingSlash(std::string_view key);

}  // namespace consulate::cli
