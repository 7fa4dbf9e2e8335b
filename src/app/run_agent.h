// The `consulate agent` command: loads the configuration, starts the server's write path and the
// HTTP API, and runs until a signal or a leave request. SIGINT/SIGTERM shut down cleanly; SIGHUP
// reloads the configuration (log level for now; services and checks with their issue).
#pragma once

#include <string>
#include <vector>

namespace consulate::app {

// `args` are the arguments after "agent". Returns the process exit code.
int RunAgent(const std::vector<std::string>& args);

}  // namespace consulate::app
