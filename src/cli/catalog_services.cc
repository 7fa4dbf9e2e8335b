// `consul catalog services`: the services registered in a datacenter, optionally with their tags,
// only those on one node, or only those on nodes with given metadata.
#include "api/catalog.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "cli/http_flags.h"
#include "cli/listings.h"

namespace consulate::cli {

namespace {

constexpr char kHelp[] = R"(Usage: consul catalog services [options]

  Lists the services registered in a datacenter, by default the datacenter of
  the agent being asked:

      $ consul catalog services

  Show each service's tags too:

      $ consul catalog services -tags

  Only the services running on the node "web":

      $ consul catalog services -node=web

  Only the services on nodes with the metadata foo=bar:

      $ consul catalog services -node-meta="foo=bar")";

class CatalogServicesCommand : public Command {
 public:
  explicit CatalogServicesCommand(const Ui* ui) : ui_(ui) {
    http_.AddClientFlags(&flags_);
    http_.AddServerFlags(&flags_);
    http_.AddNamespaceFlag(&flags_);
    flags_.String("node", &node_, "Only list the services of this node (`id or name`).");
    flags_.StringMap("node-meta", &query_.node_meta,
                     "Only list services running on nodes whose metadata has these `key=value` "
                     "pairs. Repeat the flag to require several pairs.");
    flags_.Bool("tags", &tags_, "Show each service's tags, comma-separated, beside its name.");
  }

  std::string Synopsis() const override { return "Lists all registered services in a datacenter"; }
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
    api::Catalog catalog(&*client);
    std::map<std::string, std::vector<std::string>> services;
    if (!node_.empty()) {
      Result<std::optional<api::CatalogNodeServices>> node = catalog.Node(node_, query_);
      if (!node.ok()) {
        ui_->Error("Error listing services for node: " + node.status().message());
        return 1;
      }
      if (node->has_value()) {
        // Instances of one service are merged, their tags kept as given (duplicates too).
        for (const api::CatalogNodeService& s : (*node)->services) {
          std::vector<std::string>& tags = services[s.service];
          tags.insert(tags.end(), s.tags.begin(), s.tags.end());
        }
      }
    } else {
      Result<std::map<std::string, std::vector<std::string>>> listed = catalog.Services(query_);
      if (!listed.ok()) {
        ui_->Error("Error listing services: " + listed.status().message());
        return 1;
      }
      services = std::move(listed).value();
    }
    if (services.empty()) {
      ui_->Error("No services match the given query - try expanding your search.");
      return 0;
    }
    ui_->Output(FormatCatalogServices(services, tags_));
    return 0;
  }

 private:
  const Ui* ui_;
  Flags flags_;
  HttpFlags http_;
  api::CatalogQuery query_;
  std::string node_;
  bool tags_ = false;
};

}  // namespace

std::unique_ptr<Command> NewCatalogServicesCommand(const Ui* ui) {
  return std::make_unique<CatalogServicesCommand>(ui);
}

}  // namespace consulate::cli
