// `consul rtt [-wan] node1 [node2]`: the round trip time between two nodes estimated from their
// network coordinates (LAN coordinates from the catalog, or the servers' WAN coordinates).
#include <cstdio>
#include <optional>

#include "api/agent.h"
#include "api/coordinate.h"
#include "api/go_compat.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "cli/http_flags.h"
#include "state/coordinate.h"

namespace consulate::cli {

namespace {

constexpr char kHelp[] = R"(Usage: consul rtt [options] node1 [node2]

  Estimates the network round trip time between two nodes from the network
  coordinates Consul keeps for them.

  node1 is required; node2 defaults to the node of the agent this command
  talks to. Both are node names as "consul members" lists them, not
  addresses.

  By default both nodes are in the local datacenter and their LAN
  coordinates are compared. With -wan the servers' WAN coordinates are
  used instead, and each name takes its datacenter as a suffix:

      $ consul rtt -wan server1.dc1 server2.dc2

  LAN and WAN coordinates come from separate gossip pools, so a LAN node
  cannot be compared with a WAN one.)";

bool EqualFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

state::Coordinate ToState(const api::CoordinateValue& c) {
  return state::Coordinate{c.vec, c.error, c.adjustment, c.height};
}

// "<node>.<dc>" split on every '.', as Go's strings.Split; exactly two parts are accepted.
bool SplitNodeDc(const std::string& text, std::string* node, std::string* dc) {
  const size_t dot = text.find('.');
  if (dot == std::string::npos || text.find('.', dot + 1) != std::string::npos) return false;
  *node = text.substr(0, dot);
  *dc = text.substr(dot + 1);
  return true;
}

class RttCommand : public Command {
 public:
  explicit RttCommand(const Ui* ui) : ui_(ui) {
    flags_.Bool("wan", &wan_, "Compare the servers' WAN coordinates rather than LAN ones.");
    http_.AddClientFlags(&flags_);
  }

  std::string Synopsis() const override {
    return "Estimates network round trip time between nodes";
  }
  std::string Help() const override { return flags_.Usage(kHelp); }

  int Run(const std::vector<std::string>& args) override {
    if (!flags_.Parse(args, ui_->err)) return 1;
    std::vector<std::string> nodes = flags_.args();
    if (nodes.empty() || nodes.size() > 2) {
      ui_->Error("One or two node names must be specified");
      ui_->Error("");
      ui_->Error(Help());
      return 1;
    }
    Result<api::Client> client = api::Client::Create(http_.BuildConfig());
    if (!client.ok()) {
      ui_->Error("Error connecting to Consul agent: " + client.status().message());
      return 1;
    }
    std::optional<state::Coordinate> coord1, coord2;
    const char* source = wan_ ? "WAN" : "LAN";
    int rc = wan_ ? FindWan(*client, &nodes, &coord1, &coord2)
                  : FindLan(*client, &nodes, &coord1, &coord2);
    if (rc != 0) return rc;
    if (!coord1 || !coord2) {
      ui_->Error("Could not find a coordinate for node " +
                 api::GoQuote(!coord1 ? nodes[0] : nodes[1]));
      return 1;
    }
    char dist[64];
    std::snprintf(dist, sizeof(dist), "%.3f ms",
                  state::ComputeDistance(&*coord1, &*coord2) * 1000.0);
    ui_->Output("Estimated " + nodes[0] + " <-> " + nodes[1] + " rtt: " + dist + " (using " +
                source + " coordinates)");
    return 0;
  }

 private:
  int FindLan(const api::Client& client, std::vector<std::string>* nodes,
              std::optional<state::Coordinate>* coord1, std::optional<state::Coordinate>* coord2) {
    if (nodes->size() < 2) {
      Result<std::string> self = api::Agent(&client).NodeName();
      if (!self.ok()) {
        ui_->Error("Unable to look up agent info: " + self.status().message());
        return 1;
      }
      nodes->push_back(*self);
    }
    Result<std::vector<api::CoordinateEntry>> entries = api::Coordinate(&client).Nodes();
    if (!entries.ok()) {
      ui_->Error("Error getting coordinates: " + entries.status().message());
      return 1;
    }
    state::CoordinateSet cs1, cs2;
    for (const auto& e : *entries) {
      if (!e.has_coord) continue;
      if (EqualFold(e.node, (*nodes)[0])) cs1[e.segment] = ToState(e.coord);
      if (EqualFold(e.node, (*nodes)[1])) cs2[e.segment] = ToState(e.coord);
    }
    auto [a, b] = state::Intersect(cs1, cs2);
    if (a != nullptr) *coord1 = *a;
    if (b != nullptr) *coord2 = *b;
    return 0;
  }

  int FindWan(const api::Client& client, std::vector<std::string>* nodes,
              std::optional<state::Coordinate>* coord1, std::optional<state::Coordinate>* coord2) {
    if (nodes->size() < 2) {
      Result<boost::json::object> self = api::Agent(&client).Self();
      if (!self.ok()) {
        ui_->Error("Unable to look up agent info: " + self.status().message());
        return 1;
      }
      std::string name, dc;
      if (const auto* config = self->if_contains("Config"); config && config->is_object()) {
        const auto& c = config->as_object();
        if (const auto* v = c.if_contains("NodeName"); v && v->is_string()) name = v->as_string();
        if (const auto* v = c.if_contains("Datacenter"); v && v->is_string()) dc = v->as_string();
      }
      nodes->push_back(name + "." + dc);
    }
    std::string node1, dc1, node2, dc2;
    if (!SplitNodeDc((*nodes)[0], &node1, &dc1) || !SplitNodeDc((*nodes)[1], &node2, &dc2)) {
      ui_->Error("Node names must be specified as <node name>.<datacenter> with -wan");
      return 1;
    }
    Result<std::vector<api::CoordinateDatacenterMap>> dcs = api::Coordinate(&client).Datacenters();
    if (!dcs.ok()) {
      ui_->Error("Error getting coordinates: " + dcs.status().message());
      return 1;
    }
    // Only coordinates of the same area compare; give up (no coordinates) when no area has both.
    std::string area1, area2;
    std::optional<state::Coordinate> c1, c2;
    for (const auto& m : *dcs) {
      for (const auto& e : m.coordinates) {
        if (m.datacenter == dc1 && EqualFold(e.node, node1)) {
          area1 = m.area_id;
          c1 = e.has_coord ? std::optional(ToState(e.coord)) : std::nullopt;
        }
        if (m.datacenter == dc2 && EqualFold(e.node, node2)) {
          area2 = m.area_id;
          c2 = e.has_coord ? std::optional(ToState(e.coord)) : std::nullopt;
        }
        if (area1 == area2 && c1 && c2) {
          *coord1 = std::move(c1);
          *coord2 = std::move(c2);
          return 0;
        }
      }
    }
    return 0;
  }

  const Ui* ui_;
  Flags flags_;
  HttpFlags http_;
  bool wan_ = false;
};

}  // namespace

std::unique_ptr<Command> NewRttCommand(const Ui* ui) { return std::make_unique<RttCommand>(ui); }

}  // namespace consulate::cli
