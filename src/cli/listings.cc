#include "cli/listings.h"

#include <algorithm>

#include "api/go_compat.h"
#include "cli/text.h"

namespace consulate::cli {

namespace {

std::string JoinPairs(const std::map<std::string, std::string>& pairs) {
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) out += ", ";
    out += key + "=" + value;
  }
  return out;
}

}  // namespace

std::string FormatCatalogNodes(const std::vector<api::CatalogNode>& nodes, bool detailed) {
  std::vector<std::vector<std::string>> rows;
  if (detailed) {
    rows.push_back({"Node", "ID", "Address", "DC", "TaggedAddresses", "Meta"});
  } else {
    rows.push_back({"Node", "ID", "Address", "DC"});
  }
  for (const api::CatalogNode& node : nodes) {
    if (detailed) {
      rows.push_back({node.node, node.id, node.address, node.datacenter,
                      JoinPairs(node.tagged_addresses), JoinPairs(node.meta)});
      continue;
    }
    std::string id = node.id;
    size_t dash = id.find('-');
    if (dash != std::string::npos && dash > 0) id.resize(dash);
    rows.push_back({node.node, id, node.address, node.datacenter});
  }
  return Columnize(rows);
}

std::string FormatCatalogServices(const std::map<std::string, std::vector<std::string>>& services,
                                  bool tags) {
  std::string out;
  if (!tags) {
    for (const auto& entry : services) {
      if (!out.empty()) out += '\n';
      out += entry.first;
    }
    return out;
  }
  std::string table;
  for (const auto& [name, service_tags] : services) {
    std::vector<std::string> sorted = service_tags;
    std::sort(sorted.begin(), sorted.end());
    std::string joined;
    for (const std::string& t : sorted) {
      if (!joined.empty()) joined += ',';
      joined += t;
    }
    table += name + "\t" + joined + "\n";
  }
  return std::string(api::TrimSpace(TabFormat(table, 0, 6, ' ')));
}

std::string FormatMaintenance(std::string_view node_name,
                              const std::vector<api::AgentCheck>& checks) {
  constexpr std::string_view kServicePrefix = "_service_maintenance:";
  std::string out;
  for (const api::AgentCheck& check : checks) {
    if (check.check_id == "_node_maintenance") {
      out += "Node:\n  Name:   " + std::string(node_name) + "\n  Reason: " + check.notes + "\n\n";
    } else if (check.check_id.compare(0, kServicePrefix.size(), kServicePrefix) == 0) {
      out += "Service:\n  ID:     " + check.service_id + "\n  Reason: " + check.notes + "\n\n";
    }
  }
  return out;
}

}  // namespace consulate::cli
