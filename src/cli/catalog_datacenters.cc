// `consul catalog datacenters`: the datacenters the servers know, nearest first.
#include "api/catalog.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "cli/http_flags.h"

namespace consulate::cli {

namespace {

constexpr char kHelp[] = R"(Usage: consul catalog datacenters [options]

  Lists every datacenter the servers know about, sorted by the estimated
  median round trip time from this datacenter's servers to theirs, nearest
  first:

      $ consul catalog datacenters)";

class CatalogDatacentersCommand : public Command {
 public:
  explicit CatalogDatacentersCommand(const Ui* ui) : ui_(ui) {
    http_.AddClientFlags(&flags_);
    http_.AddServerFlags(&flags_);
  }

  std::string Synopsis() const override { return "Lists all known datacenters"; }
  std::string Help() const override { return flags_.Usage(kHelp); }

  int Run(const std::vector<std::string>& args) override {
    if (!flags_.Parse(args, ui_->err)) return 1;
    if (!flags_.args().empty()) {
      ui_->Error("Too many arguments (expected 0, got " + std::to_string(flags_.args().size()) +
                 ")");
      return 1;
    }
    api::Config config = http_.BuildConfig();
    config.stale = false;  // Consul's command does not pass -stale on
    Result<api::Client> client = api::Client::Create(std::move(config));
    if (!client.ok()) {
      ui_->Error("Error connecting to Consul agent: " + client.status().message());
      return 1;
    }
    Result<std::vector<std::string>> datacenters = api::Catalog(&*client).Datacenters();
    if (!datacenters.ok()) {
      ui_->Error("Error listing datacenters: " + datacenters.status().message());
      return 1;
    }
    for (const std::string& dc : *datacenters) ui_->Output(dc);
    return 0;
  }

 private:
  const Ui* ui_;
  Flags flags_;
  HttpFlags http_;
};

}  // namespace

std::unique_ptr<Command> NewCatalogDatacentersCommand(const Ui* ui) {
  return std::make_unique<CatalogDatacentersCommand>(ui);
}

}  // namespace consulate::cli
