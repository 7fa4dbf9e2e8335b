// `consul catalog`: the parent of the commands that read the datacenter's catalog; on its own it
// prints its help.
#include "cli/command.h"

namespace consulate::cli {

namespace {

constexpr char kHelp[] = R"(Usage: consul catalog <subcommand> [options] [args]

  This command groups the subcommands that read Consul's catalog: the
  datacenters, nodes and services the servers know about. (The agent's own
  view of its services lives elsewhere, under "consul services".)

  List the known datacenters:

      $ consul catalog datacenters

  List the nodes:

      $ consul catalog nodes

  List the services:

      $ consul catalog services

  Run a subcommand with -h for its options and more examples.)";

class CatalogCommand : public Command {
 public:
  std::string Synopsis() const override { return "Interact with the catalog"; }
  std::string Help() const override { return kHelp; }
  int Run(const std::vector<std::string>&) override { return kRunResultHelp; }
};

}  // namespace

std::unique_ptr<Command> NewCatalogCommand(const Ui*) { return std::make_unique<CatalogCommand>(); }

}  // namespace consulate::cli
