// `consul services deregister [options] [FILE...]`: removes services from the local agent, named by
// the definition files they were registered from or by -id.
#include "api/agent.h"
#include "api/go_compat.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "cli/http_flags.h"
#include "cli/services_config.h"

namespace consulate::cli {

namespace {

constexpr char kHelp[] = R"(Usage: consul services deregister [options] [FILE...]

  Deregisters services from the local agent. Name them by the definition
  files they were registered from:

      $ consul services deregister web.json db.json

  or give the ID of one service:

      $ consul services deregister -id=web

  Only the agent the services were registered with can deregister them, so
  run this against that agent.)";

class ServicesDeregisterCommand : public Command {
 public:
  explicit ServicesDeregisterCommand(const Ui* ui) : ui_(ui) {
    http_.AddClientFlags(&flags_);
    http_.AddServerFlags(&flags_);
    http_.AddNamespaceFlag(&flags_);
    flags_.String("id", &id_,
                  "ID of the service to deregister. Not allowed together with FILE arguments.");
  }

  std::string Synopsis() const override { return "Deregister services with the local agent"; }
  std::string Help() const override { return flags_.Usage(kHelp); }

  int Run(const std::vector<std::string>& args) override {
    if (!flags_.Parse(args, ui_->err)) return 1;
    const std::vector<std::string>& files = flags_.args();
    if (files.empty() && id_.empty()) {
      ui_->Error("Service deregistration requires at least one argument or -id.");
      return 1;
    }
    if (!files.empty() && !id_.empty()) {
      ui_->Error("Service deregistration requires arguments or -id, not both.");
      return 1;
    }
    // (ID, name) of each service; the name only appears in error messages.
    std::vector<std::pair<std::string, std::string>> services;
    if (files.empty()) {
      services.emplace_back(id_, "");
    } else {
      std::vector<std::string> warnings;
      Result<std::vector<boost::json::object>> loaded = ServicesFromFiles(files, &warnings);
      if (!loaded.ok()) {
        ui_->Error("Error: " + loaded.status().message());
        return 1;
      }
      for (const std::string& w : warnings) ui_->Error(w);
      for (const boost::json::object& registration : *loaded) {
        auto field = [&](std::string_view key) {
          const boost::json::value* v = registration.if_contains(key);
          return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
        };
        services.emplace_back(field("ID"), field("Name"));
      }
    }

    api::Config config = http_.BuildConfig();
    config.stale = false;  // writes: -stale is accepted and ignored, as in Consul
    Result<api::Client> client = api::Client::Create(std::move(config));
    if (!client.ok()) {
      ui_->Error("Error connecting to Consul agent: " + client.status().message());
      return 1;
    }
    api::Agent agent(&*client);
    for (const auto& [service_id, name] : services) {
      // A definition without an ID is registered under its name; one with neither is skipped.
      const std::string& id = service_id.empty() ? name : service_id;
      if (id.empty()) continue;
      Status s = agent.ServiceDeregister(id);
      if (!s.ok()) {
        // Consul 1.8 says "registering" here, and quotes the name (empty for -id).
        ui_->Error("Error registering service " + api::GoQuote(name) + ": " + s.message());
        return 1;
      }
      ui_->Output("Deregistered service: " + id);
    }
    return 0;
  }

 private:
  const Ui* ui_;
  Flags flags_;
  HttpFlags http_;
  std::string id_;
};

}  // namespace

std::unique_ptr<Command> NewServicesDeregisterCommand(const Ui* ui) {
  return std::make_unique<ServicesDeregisterCommand>(ui);
}

}  // namespace consulate::cli
