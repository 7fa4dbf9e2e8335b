// `consul reload`: asks the agent to reload its configuration files (what SIGHUP does).
#include "api/agent.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "cli/http_flags.h"

namespace consulate::cli {

namespace {

constexpr char kHelp[] = R"(Usage: consul reload

  Makes the agent reload its configuration files, as sending it SIGHUP
  would.)";

class ReloadCommand : public Command {
 public:
  explicit ReloadCommand(const Ui* ui) : ui_(ui) { http_.AddClientFlags(&flags_); }

  std::string Synopsis() const override {
    return "Triggers the agent to reload configuration files";
  }
  std::string Help() const override { return flags_.Usage(kHelp); }

  // Arguments after the flags are ignored, as in Consul.
  int Run(const std::vector<std::string>& args) override {
    if (!flags_.Parse(args, ui_->err)) return 1;
    std::optional<api::Client> client = http_.NewClientOrReport(*ui_);
    if (!client) return 1;
    Status s = api::Agent(&*client).Reload();
    if (!s.ok()) {
      ui_->Error("Error reloading: " + s.message());
      return 1;
    }
    ui_->Output("Configuration reload triggered");
    return 0;
  }

 private:
  const Ui* ui_;
  Flags flags_;
  HttpFlags http_;
};

}  // namespace

std::unique_ptr<Command> NewReloadCommand(const Ui* ui) {
  return std::make_unique<ReloadCommand>(ui);
}

}  // namespace consulate::cli
