// `consul catalog nodes`: the nodes of a datacenter as a table, optionally only those running a
// service or carrying node metadata, sorted by distance from a node, or filtered by an expression.
#include "api/catalog.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "cli/http_flags.h"
#include "cli/listings.h"

namespace consulate::cli {

namespace {

constexpr char kHelp[] = R"(Usage: consul catalog nodes [options]

  Lists the nodes registered in a datacenter, by default the datacenter of
  the agent being asked:

      $ consul catalog nodes

  Show full node IDs, tagged addresses and metadata:

      $ consul catalog nodes -detailed

  Only the nodes that run the service "web":

      $ consul catalog nodes -service=web

  Only the nodes with the metadata foo=bar:

      $ consul catalog nodes -node-meta="foo=bar"

  Sort by estimated round trip time from the node "node-web":

      $ consul catalog nodes -near=node-web)";

class CatalogNodesCommand : public Command {
 public:
  explicit CatalogNodesCommand(const Ui* ui) : ui_(ui) {
    http_.AddClientFlags(&flags_);
    http_.AddServerFlags(&flags_);
    flags_.String("filter", &query_.filter, "Filter expression for the request.");
    flags_.Bool("detailed", &detailed_,
                "Show the full node IDs, and the nodes' tagged addresses and metadata.");
    flags_.String("near", &query_.near,
                  "Sort the nodes by estimated round trip time from this node, nearest first. "
                  "\"_agent\" means the node of the agent being asked.");
    flags_.StringMap("node-meta", &query_.node_meta,
                     "Only list nodes whose metadata has these `key=value` pairs. Repeat the "
                     "flag to require several pairs.");
    flags_.String("service", &service_,
                  "Only list the nodes that provide this service (`id or name`).");
  }

  std::string Synopsis() const override { return "Lists all nodes in the given datacenter"; }
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
    std::vector<api::CatalogNode> nodes;
    if (!service_.empty()) {
      Result<std::vector<api::CatalogService>> instances = catalog.Service(service_, "", query_);
      if (!instances.ok()) {
        ui_->Error("Error listing nodes for service: " + instances.status().message());
        return 1;
      }
      for (const api::CatalogService& s : *instances) {
        nodes.push_back(api::CatalogNode{s.id, s.node, s.address, s.datacenter, s.tagged_addresses,
                                         s.node_meta});
      }
    } else {
      Result<std::vector<api::CatalogNode>> listed = catalog.Nodes(query_);
      if (!listed.ok()) {
        ui_->Error("Error listing nodes: " + listed.status().message());
        return 1;
      }
      nodes = std::move(listed).value();
    }
    if (nodes.empty()) {
      ui_->Error("No nodes match the given query - try expanding your search.");
      return 0;
    }
    ui_->Output(FormatCatalogNodes(nodes, detailed_));
    return 0;
  }

 private:
  const Ui* ui_;
  Flags flags_;
  HttpFlags http_;
  api::CatalogQuery query_;
  bool detailed_ = false;
  std::string service_;
};

}  // namespace

std::unique_ptr<Command> NewCatalogNodesCommand(const Ui* ui) {
  return std::make_unique<CatalogNodesCommand>(ui);
}

}  // namespace consulate::cli
