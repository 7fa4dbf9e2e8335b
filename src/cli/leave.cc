// `consul leave`: asks the agent to leave the cluster gracefully and shut down.
#include "api/agent.h"
#include "cli/command.h"
#include "cli/command_util.h"
#include "cli/flags.h"
#include "cli/http_flags.h"

namespace consulate::cli {

namespace {

constexpr char kHelp[] = R"(Usage: consul leave [options]

  Makes the agent leave the cluster gracefully and then shut down.)";

class LeaveCommand : public Command {
 public:
  explicit LeaveCommand(const Ui* ui) : ui_(ui) { http_.AddClientFlags(&flags_); }

  std::string Synopsis() const override {
    return "Gracefully leaves the Consul cluster and shuts down";
  }
  std::string Help() const override { return flags_.Usage(kHelp); }

  int Run(const std::vector<std::string>& args) override {
    if (!flags_.Parse(args, ui_->err)) return 1;
    if (!flags_.args().empty()) {
      ui_->Error("Error found unexpected args: " + GoFormatList(flags_.args()));
      ui_->Output(Help());
      return 1;
    }
    std::optional<api::Client> client = http_.NewClientOrReport(*ui_);
    if (!client) return 1;
    Status s = api::Agent(&*client).Leave();
    if (!s.ok()) {
      ui_->Error("Error leaving: " + s.message());
      return 1;
    }
    ui_->Output("Graceful leave complete");
    return 0;
  }

 private:
  const Ui* ui_;
  Flags flags_;
  HttpFlags http_;
};

}  // namespace

std::unique_ptr<Command> NewLeaveCommand(const Ui* ui) {
  return std::make_unique<LeaveCommand>(ui);
}

}  // namespace consulate::cli
