// consulate: one binary for the agent and every CLI command, like `consul`.
#include <iostream>
#include <string>
#include <vector>

#include "app/run_agent.h"
#include "cli/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "agent") {
    return consulate::app::RunAgent(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  return consulate::cli::Main(args, std::cout, std::cerr);
}
