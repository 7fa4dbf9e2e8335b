// The one table of commands (house rule 9): every command name of Consul 1.8, mapped to its
// constructor. Names are words joined by single spaces ("kv put"); parents ("kv") are commands too.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command.h"

namespace consulate::cli {

struct CommandEntry {
  std::string name;
  // Constructor of an implemented command, which knows its own synopsis; null when not implemented.
  std::function<std::unique_ptr<Command>(const Ui*)> factory;
  // The synopsis of a command that is not implemented (Consul 1.8's, for the listings).
  std::string synopsis;
};

// All entries, sorted by name.
const std::vector<CommandEntry>& Registry();
// The entry named exactly `name`, or nullptr.
const CommandEntry* FindCommand(std::string_view name);
// Builds the command for `entry` (a not-implemented stand-in when it has no factory).
std::unique_ptr<Command> MakeCommand(const CommandEntry& entry, const Ui* ui);

}  // namespace consulate::cli
