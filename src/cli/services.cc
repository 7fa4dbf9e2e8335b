// `consul services`: the parent of the commands that register and deregister services with the
// local agent; on its own it prints its help.
#include "cli/command.h"

namespace consulate::cli {

namespace {

constexpr char kHelp[] = R"(Usage: consul services <subcommand> [options] [args]

  This command groups the subcommands that manage the services registered
  with the local agent. For the services of the whole datacenter, see
  "consul catalog".

  Run a subcommand with -h for its options and examples.)";

class ServicesCommand : public Command {
 public:
  std::string Synopsis() const override { return "Interact with services"; }
  std::string Help() const override { return kHelp; }
  int Run(const std::vector<std::string>&) override { return kRunResultHelp; }
};

}  // namespace

std::unique_ptr<Command> NewServicesCommand(const Ui*) {
  return std::make_unique<ServicesCommand>();
}

}  // namespace consulate::cli
