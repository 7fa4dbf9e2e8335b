// `consul kv`: the parent of the key-value commands; on its own it prints its help.
#include "cli/command.h"

namespace consulate::cli {

namespace {

constexpr char kHelp[] = R"(Usage: consul kv <subcommand> [options] [args]

  This command groups the subcommands that work with Consul's key-value store.
  A few quick examples follow; each subcommand's help has more.

  Write the value "5" at the key "redis/config/connections":

      $ consul kv put redis/config/connections 5

  Read it back:

      $ consul kv get redis/config/connections

  Show it with its metadata:

      $ consul kv get -detailed redis/config/connections

  Remove it:

      $ consul kv delete redis/config/connections

  Run a subcommand with -h for its options and more examples.)";

class KvCommand : public Command {
 public:
  std::string Synopsis() const override { return "Interact with the key-value store"; }
  std::string Help() const override { return kHelp; }
  int Run(const std::vector<std::string>&) override { return kRunResultHelp; }
};

}  // namespace

std::unique_ptr<Command> NewKvCommand(const Ui*) { return std::make_unique<KvCommand>(); }

}  // namespace consulate::cli
