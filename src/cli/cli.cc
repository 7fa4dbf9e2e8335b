#include "cli/cli.h"

#include <algorithm>
#include <iostream>
#include <sstream>

#include "api/go_compat.h"
#include "cli/command.h"
#include "cli/registry.h"

namespace consulate::cli {

namespace {

bool IsHelpFlag(std::string_view arg) { return arg == "-h" || arg == "-help" || arg == "--help"; }
bool IsVersionFlag(std::string_view arg) {
  return arg == "-v" || arg == "-version" || arg == "--version";
}

std::string Synopsis(const CommandEntry& entry, const Ui* ui) {
  return MakeCommand(entry, ui)->Synopsis();
}

// "    name<pad>    synopsis" lines for `entries`, names shown relative to `prefix`.
std::string ListCommands(const std::vector<const CommandEntry*>& entries, size_t prefix_len,
                         const Ui* ui) {
  size_t width = 0;
  for (const CommandEntry* e : entries) width = std::max(width, e->name.size() - prefix_len);
  std::string out;
  for (const CommandEntry* e : entries) {
    std::string name = e->name.substr(prefix_len);
    out += "    " + name + std::string(width - name.size(), ' ') + "    " + Synopsis(*e, ui) + "\n";
  }
  return out;
}

// The commands one word below `parent` ("" for the top level).
std::vector<const CommandEntry*> Children(std::string_view parent) {
  std::vector<const CommandEntry*> children;
  std::string prefix = parent.empty() ? "" : std::string(parent) + " ";
  for (const CommandEntry& e : Registry()) {
    if (e.name.size() <= prefix.size() || e.name.compare(0, prefix.size(), prefix) != 0) continue;
    if (e.name.find(' ', prefix.size()) != std::string::npos) continue;
    children.push_back(&e);
  }
  return children;
}

// A command's help as `-h` prints it: its help text, then its subcommands if it has any.
std::string CommandHelp(const CommandEntry& entry, const Command& command, const Ui* ui) {
  std::string help(api::TrimSpace(command.Help()));
  std::vector<const CommandEntry*> children = Children(entry.name);
  if (!children.empty()) {
    std::string list = ListCommands(children, entry.name.size() + 1, ui);
    list.pop_back();  // the last line's newline
    help += "\n\nSubcommands:\n" + list;
  }
  return help + "\n";
}

std::string TopLevelHelpWith(const Ui* ui) {
  return "Usage: consul [--version] [--help] <command> [<args>]\n\nAvailable commands are:\n" +
         ListCommands(Children(""), 0, ui);
}

}  // namespace

std::string TopLevelHelp() {
  std::istringstream in;
  std::ostringstream sink;
  Ui ui{in, sink, sink};
  return TopLevelHelpWith(&ui);
}

bool IsKnownCommand(std::string_view name) { return FindCommand(name) != nullptr; }

std::vector<std::string> UnimplementedCommands() {
  std::vector<std::string> names;
  for (const CommandEntry& e : Registry()) {
    if (!e.factory) names.push_back(e.name);
  }
  return names;
}

int Main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  return Main(args, std::cin, out, err);
}

int Main(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
         std::ostream& err) {
  Ui ui{in, out, err};

  // Find the command and the help/version flags the way mitchellh/cli does.
  bool is_help = false;
  bool is_version = false;
  std::string name;
  std::vector<std::string> command_args;
  std::vector<std::string> top_flags;
  bool quoted_words = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") break;
    if (IsHelpFlag(arg)) {
      is_help = true;
      continue;
    }
    if (!name.empty()) continue;
    if (IsVersionFlag(arg)) {
      is_version = true;
      continue;
    }
    if (!arg.empty() && arg[0] == '-') {
      top_flags.push_back(arg);
      continue;
    }
    if (arg.empty()) continue;
    // The longest run of words that names a command ("kv put"). One argument holding several words
    // ("kv put" quoted) names none.
    name = arg;
    quoted_words = arg.find(' ') != std::string::npos;
    size_t last = i;
    while (last + 1 < args.size() && !quoted_words &&
           FindCommand(name + " " + args[last + 1]) != nullptr) {
      name += " " + args[++last];
    }
    command_args.assign(args.begin() + static_cast<std::ptrdiff_t>(last) + 1, args.end());
    i = last;
  }

  if (is_version) return NewVersionCommand(&ui)->Run({});
  if (is_help && name.empty()) {
    out << TopLevelHelpWith(&ui) << "\n";
    return 0;
  }
  const CommandEntry* entry = quoted_words ? nullptr : FindCommand(name);
  if (entry == nullptr) {
    err << TopLevelHelpWith(&ui) << "\n";
    return 127;
  }
  std::unique_ptr<Command> command = MakeCommand(*entry, &ui);
  if (is_help) {
    out << CommandHelp(*entry, *command, &ui);
    return 0;
  }
  if (!top_flags.empty()) {
    err << "Invalid flags before the subcommand. If these flags are for\n"
           "the subcommand, please put them after the subcommand.\n\n"
        << CommandHelp(*entry, *command, &ui);
    return 1;
  }
  int code = command->Run(command_args);
  if (code == kRunResultHelp) {
    err << CommandHelp(*entry, *command, &ui);
    return 1;
  }
  return code;
}

}  // namespace consulate::cli
