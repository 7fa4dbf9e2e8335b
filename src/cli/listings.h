// The text layouts of the listing commands, kept apart from their HTTP calls so they can be tested:
// `catalog nodes`, `catalog services` and `maint` without flags.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/agent.h"
#include "api/catalog.h"

namespace consulate::cli {

// Consul's node table (columnize): "Node  ID  Address  DC", and with `detailed` the full ID plus
// "TaggedAddresses" and "Meta" columns of sorted "k=v" pairs joined by ", ". Without `detailed`
// the ID is cut at its first '-' (a UUID's first group). No final newline.
std::string FormatCatalogNodes(const std::vector<api::CatalogNode>& nodes, bool detailed);

// One service name per line in name order; with `tags`, each name padded into a column followed by
// its sorted tags joined by ',' (Go's tabwriter with padding 6, then the whole text trimmed, so
// the last line has no trailing blanks). No final newline.
std::string FormatCatalogServices(const std::map<std::string, std::vector<std::string>>& services,
                                  bool tags);

// What `consul maint` lists: a "Node:" block for the check "_node_maintenance" and a "Service:"
// block for each "_service_maintenance:<id>" check, each followed by a blank line, in check-ID
// order (Consul walks an unordered map). Every line ends in '\n'; empty when nothing is in
// maintenance.
std::string FormatMaintenance(std::string_view node_name,
                              const std::vector<api::AgentCheck>& checks);

}  // namespace consulate::cli
