// Stand-ins: `consul agent`, which the program's main runs before reaching the CLI, and the Consul
// commands that this version does not implement yet.
#include "cli/command.h"

namespace consulate::cli {

namespace {

class AgentCommand : public Command {
 public:
  std::string Synopsis() const override { return "Runs a Consul agent"; }
  std::string Help() const override {
    return "Usage: consul agent [options]\n\n"
           "  Starts an agent, which runs until it is interrupted or leaves the cluster.\n"
           "  Run \"consul agent -h\" for its options.";
  }
  // main() dispatches "agent" itself; reaching this means it was not given as the first word.
  int Run(const std::vector<std::string>&) override { return 1; }
};

class NotImplementedCommand : public Command {
 public:
  NotImplementedCommand(const Ui* ui, std::string name, std::string synopsis, bool has_subcommands)
      : ui_(ui),
        name_(std::move(name)),
        synopsis_(std::move(synopsis)),
        has_subcommands_(has_subcommands) {}

  std::string Synopsis() const override { return synopsis_; }
  std::string Help() const override {
    return "Usage: consul " + name_ +
           (has_subcommands_ ? " <subcommand> [options] [args]" : " [options]") + "\n\n  " +
           synopsis_ + "\n\n  This command is not implemented in this version of Consulate.";
  }
  int Run(const std::vector<std::string>&) override {
    ui_->Error("Error: \"" + name_ + "\" is not implemented in this version of Consulate");
    return 1;
  }

 private:
  const Ui* ui_;
  std::string name_;
  std::string synopsis_;
  bool has_subcommands_;
};

}  // namespace

std::unique_ptr<Command> NewAgentCommand(const Ui*) { return std::make_unique<AgentCommand>(); }

std::unique_ptr<Command> NewNotImplementedCommand(const Ui* ui, std::string name,
                                                  std::string synopsis, bool has_subcommands) {
  return std::make_unique<NotImplementedCommand>(ui, std::move(name), std::move(synopsis),
                                                 has_subcommands);
}

}  // namespace consulate::cli
