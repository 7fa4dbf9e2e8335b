// The `consul` command line (everything but `agent`, which the program's main runs itself).
//
// Dispatch follows Consul 1.8 (mitchellh/cli): the longest run of words naming a command selects it
// ("kv put"); -h/-help/--help anywhere before "--" prints help (to stdout, exit 0); -v/-version/
// --version before the command prints the version; no or an unknown command prints the command list
// to stderr with exit 127; flags before the command are an error (exit 1).
#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace consulate::cli {

// Runs the command line `args` (without the program name); returns the exit code.
int Main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// As above, with stdin injectable (`kv put KEY -`, `kv import -`).
int Main(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
         std::ostream& err);

// True when `name` ("kv", "kv put", "agent", ...) is a command of Consul 1.8, implemented or not.
bool IsKnownCommand(std::string_view name);

// The top-level usage text listing every command (what `consul --help` prints, minus the final
// blank line).
std::string TopLevelHelp();

// Commands that Consul 1.8 has and this version does not implement yet ("members", "acl token
// create", ...), sorted.
std::vector<std::string> UnimplementedCommands();

}  // namespace consulate::cli
