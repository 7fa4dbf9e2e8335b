// The shape of a CLI command, as Consul's (mitchellh/cli) commands have it: a one-line synopsis for
// listings, a help text for `-h`, and Run(), which returns the process exit code.
#pragma once

#include <istream>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace consulate::cli {

// Where a command reads and writes. Output() goes to stdout and Error() to stderr, each followed by
// a newline, like Consul's UI.
struct Ui {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;

  void Output(std::string_view text) const { out << text << '\n'; }
  void Error(std::string_view text) const { err << text << '\n'; }
};

// Run() returns this to ask for its help to be printed to stderr; the process then exits 1.
inline constexpr int kRunResultHelp = -18511;

class Command {
 public:
  virtual ~Command() = default;
  virtual std::string Synopsis() const = 0;
  // The full help, without a trailing newline.
  virtual std::string Help() const = 0;
  // `args` excludes the command name. Returns the exit code, or kRunResultHelp.
  virtual int Run(const std::vector<std::string>& args) = 0;
};

// Every command's constructor, for the registry (registry.cc). `ui` outlives the command.
std::unique_ptr<Command> NewKvCommand(const Ui* ui);
std::unique_ptr<Command> NewKvPutCommand(const Ui* ui);
std::unique_ptr<Command> NewKvGetCommand(const Ui* ui);
std::unique_ptr<Command> NewKvDeleteCommand(const Ui* ui);
std::unique_ptr<Command> NewKvExportCommand(const Ui* ui);
std::unique_ptr<Command> NewKvImportCommand(const Ui* ui);
std::unique_ptr<Command> NewInfoCommand(const Ui* ui);
std::unique_ptr<Command> NewVersionCommand(const Ui* ui);
std::unique_ptr<Command> NewKeygenCommand(const Ui* ui);
std::unique_ptr<Command> NewLeaveCommand(const Ui* ui);
std::unique_ptr<Command> NewValidateCommand(const Ui* ui);
std::unique_ptr<Command> NewServicesCommand(const Ui* ui);
std::unique_ptr<Command> NewServicesRegisterCommand(const Ui* ui);
std::unique_ptr<Command> NewServicesDeregisterCommand(const Ui* ui);
std::unique_ptr<Command> NewCatalogCommand(const Ui* ui);
std::unique_ptr<Command> NewCatalogDatacentersCommand(const Ui* ui);
std::unique_ptr<Command> NewCatalogNodesCommand(const Ui* ui);
std::unique_ptr<Command> NewCatalogServicesCommand(const Ui* ui);
std::unique_ptr<Command> NewMaintCommand(const Ui* ui);
std::unique_ptr<Command> NewReloadCommand(const Ui* ui);
std::unique_ptr<Command> NewOperatorCommand(const Ui* ui);
std::unique_ptr<Command> NewOperatorAutopilotCommand(const Ui* ui);
std::unique_ptr<Command> NewOperatorAutopilotGetCommand(const Ui* ui);
std::unique_ptr<Command> NewOperatorAutopilotSetCommand(const Ui* ui);
std::unique_ptr<Command> NewMembersCommand(const Ui* ui);
std::unique_ptr<Command> NewJoinCommand(const Ui* ui);
std::unique_ptr<Command> NewForceLeaveCommand(const Ui* ui);
std::unique_ptr<Command> NewEventCommand(const Ui* ui);
std::unique_ptr<Command> NewKeyringCommand(const Ui* ui);
std::unique_ptr<Command> NewOperatorRaftCommand(const Ui* ui);
std::unique_ptr<Command> NewOperatorRaftListPeersCommand(const Ui* ui);
std::unique_ptr<Command> NewOperatorRaftRemovePeerCommand(const Ui* ui);
std::unique_ptr<Command> NewRttCommand(const Ui* ui);
// The agent runs from the program's main; this entry only lists it and returns 1 if reached.
std::unique_ptr<Command> NewAgentCommand(const Ui* ui);
// A Consul command this version does not have yet: says so on stderr and exits 1.
// `has_subcommands` selects the usage line of a parent ("consul acl <subcommand> ...").
std::unique_ptr<Command> NewNotImplementedCommand(const Ui* ui, std::string name,
                                                  std::string synopsis, bool has_subcommands);

}  // namespace consulate::cli
