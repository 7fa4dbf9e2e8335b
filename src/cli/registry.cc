#include "cli/registry.h"

#include <algorithm>

namespace consulate::cli {

namespace {

// Consul 1.8's command tree. Implemented commands name their constructor; the others carry Consul's
// synopsis so that listings and help stay complete, and print that they are not implemented.
std::vector<CommandEntry> BuildRegistry() {
  std::vector<CommandEntry> entries = {
      {"acl", nullptr, "Interact with Consul's ACLs"},
      {"acl auth-method", nullptr, "Manage Consul's ACL auth methods"},
      {"acl auth-method create", nullptr, "Create an ACL auth method"},
      {"acl auth-method delete", nullptr, "Delete an ACL auth method"},
      {"acl auth-method list", nullptr, "Lists ACL auth methods"},
      {"acl auth-method read", nullptr, "Read an ACL auth method"},
      {"acl auth-method update", nullptr, "Update an ACL auth method"},
      {"acl binding-rule", nullptr, "Manage Consul's ACL binding rules"},
      {"acl binding-rule create", nullptr, "Create an ACL binding rule"},
      {"acl binding-rule delete", nullptr, "Delete an ACL binding rule"},
      {"acl binding-rule list", nullptr, "Lists ACL binding rules"},
      {"acl binding-rule read", nullptr, "Read an ACL binding rule"},
      {"acl binding-rule update", nullptr, "Update an ACL binding rule"},
      {"acl bootstrap", nullptr, "Bootstrap Consul's ACL system"},
      {"acl policy", nullptr, "Manage Consul's ACL policies"},
      {"acl policy create", nullptr, "Create an ACL policy"},
      {"acl policy delete", nullptr, "Delete an ACL policy"},
      {"acl policy list", nullptr, "Lists ACL policies"},
      {"acl policy read", nullptr, "Read an ACL policy"},
      {"acl policy update", nullptr, "Update an ACL policy"},
      {"acl role", nullptr, "Manage Consul's ACL roles"},
      {"acl role create", nullptr, "Create an ACL role"},
      {"acl role delete", nullptr, "Delete an ACL role"},
      {"acl role list", nullptr, "Lists ACL roles"},
      {"acl role read", nullptr, "Read an ACL role"},
      {"acl role update", nullptr, "Update an ACL role"},
      {"acl set-agent-token", nullptr, "Assign tokens for the Consul Agent's usage"},
      {"acl token", nullptr, "Manage Consul's ACL tokens"},
      {"acl token clone", nullptr, "Clone an ACL token"},
      {"acl token create", nullptr, "Create an ACL token"},
      {"acl token delete", nullptr, "Delete an ACL token"},
      {"acl token list", nullptr, "List ACL tokens"},
      {"acl token read", nullptr, "Read an ACL token"},
      {"acl token update", nullptr, "Update an ACL token"},
      {"acl translate-rules", nullptr, "Translate the legacy rule syntax into the current syntax"},
      {"agent", NewAgentCommand, ""},
      {"catalog", NewCatalogCommand, ""},
      {"catalog datacenters", NewCatalogDatacentersCommand, ""},
      {"catalog nodes", NewCatalogNodesCommand, ""},
      {"catalog services", NewCatalogServicesCommand, ""},
      {"config", nullptr, "Interact with Consul's Centralized Configurations"},
      {"config delete", nullptr, "Delete a centralized config entry"},
      {"config list", nullptr, "List centralized config entries of a given kind"},
      {"config read", nullptr, "Read a centralized config entry"},
      {"config write", nullptr, "Create or update a centralized config entry"},
      {"connect", nullptr, "Interact with Consul Connect"},
      {"connect ca", nullptr, "Interact with the Consul Connect Certificate Authority (CA)"},
      {"connect ca get-config", nullptr,
       "Display the current Connect Certificate Authority (CA) configuration"},
      {"connect ca set-config", nullptr, "Modify the current Connect CA configuration"},
      {"connect envoy", nullptr, "Runs or Configures Envoy as a Connect proxy"},
      {"connect expose", nullptr, "Expose a Connect-enabled service through an Ingress gateway"},
      {"connect proxy", nullptr, "Runs a Consul Connect proxy"},
      {"debug", nullptr, "Records a debugging archive for operators"},
      {"event", NewEventCommand, ""},
      {"exec", nullptr, "Executes a command on Consul nodes"},
      {"force-leave", NewForceLeaveCommand, ""},
      {"info", NewInfoCommand, ""},
      {"intention", nullptr, "Interact with Connect service intentions"},
      {"intention check", nullptr, "Check whether a connection between two services is allowed."},
      {"intention create", nullptr, "Create intentions for service connections."},
      {"intention delete", nullptr, "Delete an intention."},
      {"intention get", nullptr, "Show information about an intention."},
      {"intention match", nullptr, "Show intentions that match a source or destination."},
      {"join", NewJoinCommand, ""},
      {"keygen", NewKeygenCommand, ""},
      {"keyring", NewKeyringCommand, ""},
      {"kv", NewKvCommand, ""},
      {"kv delete", NewKvDeleteCommand, ""},
      {"kv export", NewKvExportCommand, ""},
      {"kv get", NewKvGetCommand, ""},
      {"kv import", NewKvImportCommand, ""},
      {"kv put", NewKvPutCommand, ""},
      {"leave", NewLeaveCommand, ""},
      {"lock", nullptr, "Execute a command holding a lock"},
      {"login", nullptr, "Login to Consul using an auth method"},
      {"logout", nullptr, "Destroy a Consul token created with login"},
      {"maint", NewMaintCommand, ""},
      {"members", NewMembersCommand, ""},
      {"monitor", nullptr, "Stream logs from a Consul agent"},
      {"operator", NewOperatorCommand, ""},
      {"operator autopilot", NewOperatorAutopilotCommand, ""},
      {"operator autopilot get-config", NewOperatorAutopilotGetCommand, ""},
      {"operator autopilot set-config", NewOperatorAutopilotSetCommand, ""},
      {"operator raft", NewOperatorRaftCommand, ""},
      {"operator raft list-peers", NewOperatorRaftListPeersCommand, ""},
      {"operator raft remove-peer", NewOperatorRaftRemovePeerCommand, ""},
      {"reload", NewReloadCommand, ""},
      {"rtt", NewRttCommand, ""},
      {"services", NewServicesCommand, ""},
      {"services deregister", NewServicesDeregisterCommand, ""},
      {"services register", NewServicesRegisterCommand, ""},
      {"snapshot", nullptr, "Saves, restores and inspects snapshots of Consul server state"},
      {"snapshot inspect", nullptr, "Displays information about a Consul snapshot file"},
      {"snapshot restore", nullptr, "Restores snapshot of Consul server state"},
      {"snapshot save", nullptr, "Saves snapshot of Consul server state"},
      {"tls", nullptr, "Builtin helpers for creating CAs and certificates"},
      {"tls ca", nullptr, "Helpers for CAs"},
      {"tls ca create", nullptr, "Create a new consul CA"},
      {"tls cert", nullptr, "Helpers for certificates"},
      {"tls cert create", nullptr, "Create a new certificate"},
      {"validate", NewValidateCommand, ""},
      {"version", NewVersionCommand, ""},
      {"watch", nullptr, "Watch for changes in Consul"},
  };
  std::sort(entries.begin(), entries.end(),
            [](const CommandEntry& a, const CommandEntry& b) { return a.name < b.name; });
  return entries;
}

}  // namespace

const std::vector<CommandEntry>& Registry() {
  static const std::vector<CommandEntry> registry = BuildRegistry();
  return registry;
}

const CommandEntry* FindCommand(std::string_view name) {
  const auto& registry = Registry();
  auto it = std::lower_bound(registry.begin(), registry.end(), name,
                             [](const CommandEntry& e, std::string_view n) { return e.name < n; });
  if (it == registry.end() || it->name != name) return nullptr;
  return &*it;
}

std::unique_ptr<Command> MakeCommand(const CommandEntry& entry, const Ui* ui) {
  if (entry.factory) return entry.factory(ui);
  const auto& registry = Registry();
  auto next =
      std::upper_bound(registry.begin(), registry.end(), entry.name,
                       [](const std::string& n, const CommandEntry& e) { return n < e.name; });
  bool has_subcommands = next != registry.end() && next->name.size() > entry.name.size() &&
                         next->name.compare(0, entry.name.size() + 1, entry.name + " ") == 0;
  return NewNotImplementedCommand(ui, entry.name, entry.synopsis, has_subcommands);
}

}  // namespace consulate::cli
