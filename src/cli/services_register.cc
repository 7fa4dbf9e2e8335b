// `consul services register [options] [FILE...]`: registers services with the local agent, from
// service definition files (JSON or HCL, read like the agent's configuration) or from flags.
#include "api/agent.h"
#include "api/go_compat.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "cli/http_flags.h"
#include "cli/services_config.h"

namespace consulate::cli {

namespace {

constexpr char kHelp[] = R"(Usage: consul services register [options] [FILE...]

  Registers one or more services with the local agent and returns. Give the
  services as definition files, in the HCL or JSON of the agent's
  configuration ("service" or "services" blocks):

      $ consul services register web.json

  or describe a single service with flags:

      $ consul services register -name=web -port=8080 -tag=v1

  The services stay registered until they are deregistered, for example with
  "consul services deregister".)";

class ServicesRegisterCommand : public Command {
 public:
  explicit ServicesRegisterCommand(const Ui* ui) : ui_(ui) {
    http_.AddClientFlags(&flags_);
    http_.AddServerFlags(&flags_);
    http_.AddNamespaceFlag(&flags_);
    flags_.String("id", &service_.id,
                  "ID of the service registered from flags. The default is the -name value.");
    flags_.String("name", &service_.name, "Name of the service registered from flags.");
    flags_.String("address", &service_.address, "Address of the service registered from flags.");
    flags_.Int("port", &service_.port, "Port of the service registered from flags.");
    flags_.String("kind", &service_.kind, "The kind of the service registered from flags.");
    flags_.StringMap("meta", &service_.meta,
                     "Metadata for the service, as key=value. Repeat the flag to set several "
                     "keys.");
    flags_.StringList("tag", &service_.tags,
                      "A tag for the service. Repeat the flag to add several tags.");
    flags_.StringMap("tagged-address", &service_.tagged_addresses,
                     "A tagged address for the service, as key=host:port. Repeat the flag to set "
                     "several addresses.");
  }

  std::string Synopsis() const override { return "Register services with the local agent"; }
  std::string Help() const override { return flags_.Usage(kHelp); }

  int Run(const std::vector<std::string>& args) override {
    if (!flags_.Parse(args, ui_->err)) return 1;
    Result<boost::json::object> from_flags = ServiceRegistrationFromFlags(service_);
    if (!from_flags.ok()) {
      ui_->Error("Invalid Tagged Address: " + from_flags.status().message());
      return 1;
    }
    const std::vector<std::string>& files = flags_.args();
    if (files.empty() && service_.name.empty()) {
      ui_->Error("Service registration requires at least one argument or flags.");
      return 1;
    }
    if (!files.empty() && !service_.name.empty()) {
      // Consul's wording, though the conflicting flag is -name.
      ui_->Error("Service registration requires arguments or -id, not both.");
      return 1;
    }
    std::vector<boost::json::object> registrations;
    if (files.empty()) {
      registrations.push_back(std::move(from_flags).value());
    } else {
      std::vector<std::string> warnings;
      Result<std::vector<boost::json::object>> loaded = ServicesFromFiles(files, &warnings);
      if (!loaded.ok()) {
        ui_->Error("Error: " + loaded.status().message());
        return 1;
      }
      for (const std::string& w : warnings) ui_->Error(w);
      registrations = std::move(loaded).value();
    }

    api::Config config = http_.BuildConfig();
    config.stale = false;  // writes: -stale is accepted and ignored, as in Consul
    Result<api::Client> client = api::Client::Create(std::move(config));
    if (!client.ok()) {
      ui_->Error("Error connecting to Consul agent: " + client.status().message());
      return 1;
    }
    api::Agent agent(&*client);
    for (const boost::json::object& registration : registrations) {
      std::string name;
      if (const boost::json::value* v = registration.if_contains("Name"); v && v->is_string()) {
        name = std::string(v->as_string());
      }
      Status s = agent.ServiceRegister(registration);
      if (!s.ok()) {
        ui_->Error("Error registering service " + api::GoQuote(name) + ": " + s.message());
        return 1;
      }
      ui_->Output("Registered service: " + name);
    }
    return 0;
  }

 private:
  const Ui* ui_;
  Flags flags_;
  HttpFlags http_;
  ServiceFlags service_;
};

}  // namespace

std::unique_ptr<Command> NewServicesRegisterCommand(const Ui* ui) {
  return std::make_unique<ServicesRegisterCommand>(ui);
}

}  // namespace consulate::cli
