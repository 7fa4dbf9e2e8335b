// `consul maint`: puts the agent's node, or one of its services, into maintenance mode or takes it
// out again; without -enable or -disable it lists what is in maintenance.
#include "api/agent.h"
#include "api/go_compat.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "cli/http_flags.h"
#include "cli/listings.h"

namespace consulate::cli {

namespace {

constexpr char kHelp[] = R"(Usage: consul maint [options]

  Puts the agent's node, or one of its services, into maintenance mode, or
  takes it out again. While in maintenance a node or service is left out of
  every DNS and HTTP API query: the agent registers an extra critical health
  check for it, whose "Notes" carry the reason given with -reason (or a
  default text).

  Maintenance mode survives agent restarts; it ends only when it is
  disabled.

  The node is the target unless -service names a service ID:

      $ consul maint -enable -reason="kernel upgrade"
      $ consul maint -enable -service=web
      $ consul maint -disable -service=web

  Without -enable or -disable the command lists what is in maintenance, and
  prints nothing when nothing is.)";

class MaintCommand : public Command {
 public:
  explicit MaintCommand(const Ui* ui) : ui_(ui) {
    http_.AddClientFlags(&flags_);
    flags_.Bool("enable", &enable_, "Enable maintenance mode.");
    flags_.Bool("disable", &disable_, "Disable maintenance mode.");
    flags_.String("reason", &reason_, "Why the node or service is in maintenance.");
    flags_.String("service", &service_id_,
                  "Enable or disable maintenance mode for this service ID only.");
  }

  std::string Synopsis() const override { return "Controls node or service maintenance mode"; }
  std::string Help() const override { return flags_.Usage(kHelp); }

  int Run(const std::vector<std::string>& args) override {
    if (!flags_.Parse(args, ui_->err)) return 1;
    if (enable_ && disable_) {
      ui_->Error("Only one of -enable or -disable may be provided");
      return 1;
    }
    if (!enable_ && !reason_.empty()) {
      ui_->Error("Reason may only be provided with -enable");
      return 1;
    }
    if (!enable_ && !disable_ && !service_id_.empty()) {
      ui_->Error("Service requires either -enable or -disable");
      return 1;
    }
    std::optional<api::Client> client = http_.NewClientOrReport(*ui_);
    if (!client) return 1;
    api::Agent agent(&*client);

    if (!enable_ && !disable_) {
      Result<std::string> node_name = agent.NodeName();
      if (!node_name.ok()) {
        ui_->Error("Error querying Consul agent: " + node_name.status().message());
        return 1;
      }
      Result<std::vector<api::AgentCheck>> checks = agent.Checks();
      if (!checks.ok()) {
        ui_->Error("Error getting checks: " + checks.status().message());
        return 1;
      }
      ui_->out << FormatMaintenance(*node_name, *checks);
      return 0;
    }

    if (service_id_.empty()) {
      Status s = enable_ ? agent.EnableNodeMaintenance(reason_) : agent.DisableNodeMaintenance();
      if (!s.ok()) {
        ui_->Error(std::string(enable_ ? "Error enabling" : "Error disabling") +
                   " node maintenance: " + s.message());
        return 1;
      }
      ui_->Output(enable_ ? "Node maintenance is now enabled" : "Node maintenance is now disabled");
      return 0;
    }
    Status s = enable_ ? agent.EnableServiceMaintenance(service_id_, reason_)
                       : agent.DisableServiceMaintenance(service_id_);
    if (!s.ok()) {
      ui_->Error(std::string(enable_ ? "Error enabling" : "Error disabling") +
                 " service maintenance: " + s.message());
      return 1;
    }
    ui_->Output(std::string("Service maintenance is now ") + (enable_ ? "enabled" : "disabled") +
                " for " + api::GoQuote(service_id_));
    return 0;
  }

 private:
  const Ui* ui_;
  Flags flags_;
  HttpFlags http_;
  bool enable_ = false;
  bool disable_ = false;
  std::string reason_;
  std::string service_id_;
};

}  // namespace

std::unique_ptr<Command> NewMaintCommand(const Ui* ui) {
  return std::make_unique<MaintCommand>(ui);
}

}  // namespace consulate::cli
