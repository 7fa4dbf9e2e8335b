// `consul event` (Consul's command/event): fires a user event through the local agent.
#include "api/event.h"

#include "api/agent.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "cli/http_flags.h"
#include "filter/regex.h"

namespace consulate::cli {

namespace {

constexpr char kEventHelp[] = R"(Usage: consul event [options] [payload]

  Dispatches a custom user event across a datacenter. An event must provide
  a name, but a payload is optional. Events support filtering using
  regular expressions on node name, service, and tag definitions.)";

class EventCommand : public Command {
 public:
  explicit EventCommand(const Ui* ui) : ui_(ui) {
    flags_.String("name", &name_, "Name of the event.");
    flags_.String("node", &node_, "Regular expression to filter on node names.");
    flags_.String("service", &service_, "Regular expression to filter on service instances.");
    flags_.String("tag", &tag_,
                  "Regular expression to filter on service tags. Must be used with -service.");
    http_.AddClientFlags(&flags_);
  }
  std::string Synopsis() const override { return "Fire a new event"; }
  std::string Help() const override { return flags_.Usage(kEventHelp); }

  int Run(const std::vector<std::string>& args) override {
    if (!flags_.Parse(args, ui_->err)) return 1;
    if (name_.empty()) {
      ui_->Error("Event name must be specified");
      ui_->Error("");
      ui_->Error(Help());
      return 1;
    }
    const std::pair<const std::string*, const char*> filters[] = {
        {&node_, "node"}, {&service_, "service"}, {&tag_, "tag"}};
    for (const auto& [expr, what] : filters) {
      if (expr->empty()) continue;
      auto re = filter::Regex::Compile(*expr);
      if (!re.ok()) {
        ui_->Error(std::string("Failed to compile ") + what +
                   " filter regexp: " + re.status().message());
        return 1;
      }
    }
    if (!tag_.empty() && service_.empty()) {
      ui_->Error("Cannot provide tag filter without service filter.");
      return 1;
    }
    api::UserEventParams params;
    const auto& rest = flags_.args();
    if (rest.size() == 1) {
      params.payload = rest[0];
    } else if (rest.size() > 1) {
      ui_->Error("Too many command line arguments.");
      ui_->Error("");
      ui_->Error(Help());
      return 1;
    }
    std::optional<api::Client> client = http_.NewClientOrReport(*ui_);
    if (!client) return 1;
    if (auto self = api::Agent(&*client).NodeName(); !self.ok()) {
      ui_->Error("Error querying Consul agent: " + self.status().message());
      return 1;
    }
    params.name = name_;
    params.node_filter = node_;
    params.service_filter = service_;
    params.tag_filter = tag_;
    auto id = api::Event(&*client).Fire(params);
    if (!id.ok()) {
      ui_->Error("Error firing event: " + id.status().message());
      return 1;
    }
    ui_->Output("Event ID: " + *id);
    return 0;
  }

 private:
  const Ui* ui_;
  Flags flags_;
  HttpFlags http_;
  std::string name_, node_, service_, tag_;
};

}  // namespace

std::unique_ptr<Command> NewEventCommand(const Ui* ui) {
  return std::make_unique<EventCommand>(ui);
}

}  // namespace consulate::cli
