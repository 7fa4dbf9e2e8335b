// `consul operator raft list-peers | remove-peer` (Consul's command/operator/raft/*), and the
// `operator` / `operator raft` parents, which print their help.
#include <tuple>

#include "api/operator.h"
#include "base/duration.h"
#include "cli/command.h"
#include "cli/command_util.h"
#include "cli/flags.h"
#include "cli/http_flags.h"
#include "cli/text.h"

namespace consulate::cli {

namespace {

constexpr char kOperatorHelp[] = R"(Usage: consul operator <subcommand> [options]

  Provides cluster-level tools for Consul operators, such as interacting with
  the Raft subsystem. NOTE: Use this command with extreme caution, as improper
  use could lead to a Consul outage and even loss of data.

  If ACLs are enabled then a token with operator privileges may be required in
  order to use this command. Requests are forwarded internally to the leader
  if required, so this can be run from any Consul node in a cluster.

  Run consul operator <subcommand> with no arguments for help on that
  subcommand.)";

constexpr char kRaftHelp[] = R"(Usage: consul operator raft <subcommand> [options]

  The Raft operator command is used to interact with Consul's Raft subsystem. The
  command can be used to verify Raft peers or in rare cases to recover quorum by
  removing invalid peers.

  List Raft peers:

      $ consul operator raft list-peers

  Remove a Raft peer:

      $ consul operator raft remove-peer -address="IP:port"

  For more examples, ask for subcommand help or view the documentation.)";

constexpr char kListHelp[] = R"(Usage: consul operator raft list-peers [options]

  Displays the current Raft peer configuration.)";

constexpr char kRemoveHelp[] = R"(Usage: consul operator raft remove-peer [options]

  Remove the Consul server with given -address from the Raft configuration.

  There are rare cases where a peer may be left behind in the Raft quorum even
  though the server is no longer present and known to the cluster. This command
  can be used to remove the failed server so that it is no longer affects the Raft
  quorum. If the server still shows in the output of the "consul members" command,
  it is preferable to clean up by simply running "consul force-leave" instead of
  this command.)";

class ParentCommand : public Command {
 public:
  ParentCommand(const char* help, const char* synopsis) : help_(help), synopsis_(synopsis) {}
  std::string Synopsis() const override { return synopsis_; }
  std::string Help() const override { return help_; }
  int Run(const std::vector<std::string>&) override { return kRunResultHelp; }

 private:
  const char* help_;
  const char* synopsis_;
};

class ListPeersCommand : public Command {
 public:
  explicit ListPeersCommand(const Ui* ui) : ui_(ui) {
    http_.AddClientFlags(&flags_);
    http_.AddServerFlags(&flags_);
  }
  std::string Synopsis() const override { return "Display the current Raft peer configuration"; }
  std::string Help() const override { return flags_.Usage(kListHelp); }

  int Run(const std::vector<std::string>& args) override {
    if (!flags_.Parse(args, ui_->err)) return 1;
    std::optional<api::Client> client =
        http_.NewClientOrReport(*ui_, "Error initializing client: ");
    if (!client) return 1;
    auto servers = api::Operator(&*client).RaftGetConfiguration();
    if (!servers.ok()) {
      ui_->Error("Error getting peers: " + servers.status().message());
      return 1;
    }
    std::vector<std::vector<std::string>> rows = {
        {"Node", "ID", "Address", "State", "Voter", "RaftProtocol"}};
    for (const auto& s : *servers) {
      rows.push_back({s.node, s.id, s.address, s.leader ? "leader" : "follower",
                      s.voter ? "true" : "false",
                      s.protocol_version.empty() ? "<=1" : s.protocol_version});
    }
    ui_->Output(Columnize(rows));
    return 0;
  }

 private:
  const Ui* ui_;
  Flags flags_;
  HttpFlags http_;
};

class RemovePeerCommand : public Command {
 public:
  explicit RemovePeerCommand(const Ui* ui) : ui_(ui) {
    http_.AddClientFlags(&flags_);
    http_.AddServerFlags(&flags_);
    flags_.String("address", &address_, "The address to remove from the Raft configuration.");
    flags_.String("id", &id_, "The ID to remove from the Raft configuration.");
  }
  std::string Synopsis() const override {
    return "Remove a Consul server from the Raft configuration";
  }
  std::string Help() const override { return flags_.Usage(kRemoveHelp); }

  int Run(const std::vector<std::string>& args) override {
    if (!flags_.Parse(args, ui_->err)) return 1;
    std::optional<api::Client> client =
        http_.NewClientOrReport(*ui_, "Error initializing client: ");
    if (!client) return 1;
    Status st;
    if (address_.empty() && id_.empty()) {
      st = Status::InvalidArgument("an address or id is required for the peer to remove");
    } else if (!address_.empty() && !id_.empty()) {
      st = Status::InvalidArgument("cannot give both an address and id");
    } else if (!address_.empty()) {
      st = api::Operator(&*client).RaftRemovePeerByAddress(address_);
    } else {
      st = api::Operator(&*client).RaftRemovePeerByID(id_);
    }
    if (!st.ok()) {
      ui_->Error("Error removing peer: " + st.message());
      return 1;
    }
    if (!address_.empty()) {
      ui_->Output("Removed peer with address \"" + address_ + "\"");
    } else {
      ui_->Output("Removed peer with id \"" + id_ + "\"");
    }
    return 0;
  }

 private:
  const Ui* ui_;
  Flags flags_;
  HttpFlags http_;
  std::string address_, id_;
};

constexpr char kAutopilotHelp[] = R"(Usage: consul operator autopilot <subcommand> [options]

  The Autopilot operator command is used to interact with Consul's Autopilot
  subsystem. The command can be used to view or modify the current configuration.)";

constexpr char kGetConfigHelp[] = R"(Usage: consul operator autopilot get-config [options]

  Displays the current Autopilot configuration.)";

constexpr char kSetConfigHelp[] = R"(Usage: consul operator autopilot set-config [options]

  Modifies the current Autopilot configuration.)";

class AutopilotGetCommand : public Command {
 public:
  explicit AutopilotGetCommand(const Ui* ui) : ui_(ui) {
    http_.AddClientFlags(&flags_);
    http_.AddServerFlags(&flags_);
  }
  std::string Synopsis() const override { return "Display the current Autopilot configuration"; }
  std::string Help() const override { return flags_.Usage(kGetConfigHelp); }

  int Run(const std::vector<std::string>& args) override {
    if (!flags_.Parse(args, ui_->err)) return 1;
    std::optional<api::Client> client =
        http_.NewClientOrReport(*ui_, "Error initializing client: ");
    if (!client) return 1;
    auto c = api::Operator(&*client).AutopilotGetConfiguration();
    if (!c.ok()) {
      ui_->Error("Error querying Autopilot configuration: " + c.status().message());
      return 1;
    }
    ui_->Output("CleanupDeadServers = " + std::string(c->cleanup_dead_servers ? "true" : "false"));
    ui_->Output("LastContactThreshold = " + c->last_contact_threshold);
    ui_->Output("MaxTrailingLogs = " + std::to_string(c->max_trailing_logs));
    ui_->Output("MinQuorum = " + std::to_string(c->min_quorum));
    ui_->Output("ServerStabilizationTime = " + c->server_stabilization_time);
    ui_->Output("RedundancyZoneTag = \"" + c->redundancy_zone_tag + "\"");
    ui_->Output("DisableUpgradeMigration = " +
                std::string(c->disable_upgrade_migration ? "true" : "false"));
    ui_->Output("UpgradeVersionTag = \"" + c->upgrade_version_tag + "\"");
    return 0;
  }

 private:
  const Ui* ui_;
  Flags flags_;
  HttpFlags http_;
};

class AutopilotSetCommand : public Command {
 public:
  explicit AutopilotSetCommand(const Ui* ui) : ui_(ui) {
    http_.AddClientFlags(&flags_);
    http_.AddServerFlags(&flags_);
    flags_.OptionalBool("cleanup-dead-servers", &cleanup_,
                        "Controls whether Consul will automatically remove dead servers when "
                        "new ones are successfully added. Must be one of `true|false`.");
    flags_.OptionalString("max-trailing-logs", &max_trailing_,
                          "Controls the maximum number of log entries that a server can trail the "
                          "leader by before being considered unhealthy.");
    flags_.OptionalString("min-quorum", &min_quorum_,
                          "Sets the minimum number of servers required in a cluster before "
                          "autopilot can prune dead servers.");
    flags_.OptionalString("last-contact-threshold", &last_contact_,
                          "Controls the maximum amount of time a server can go without contact "
                          "from the leader before being considered unhealthy. Must be a duration "
                          "value such as `200ms`.");
    flags_.OptionalString("server-stabilization-time", &stabilization_,
                          "Controls the minimum amount of time a server must be stable in the "
                          "'healthy' state before being added to the cluster. Only takes effect "
                          "if all servers are running Raft protocol version 3 or higher. Must be "
                          "a duration value such as `10s`.");
    flags_.OptionalString("redundancy-zone-tag", &zone_,
                          "(Enterprise-only) Controls the node_meta tag name used for separating "
                          "servers into different redundancy zones.");
    flags_.OptionalBool("disable-upgrade-migration", &disable_upgrade_,
                        "(Enterprise-only) Controls whether Consul will avoid promoting new "
                        "servers until it can perform a migration. Must be one of "
                        "`true|false`.");
    flags_.OptionalString("upgrade-version-tag", &upgrade_tag_,
                          "(Enterprise-only) The node_meta tag to use for version info when "
                          "performing upgrade migrations. If left blank, the Consul version "
                          "will be used.");
  }
  std::string Synopsis() const override { return "Modify the current Autopilot configuration"; }
  std::string Help() const override { return flags_.Usage(kSetConfigHelp); }

  int Run(const std::vector<std::string>& args) override {
    if (!flags_.Parse(args, ui_->err)) return 1;
    std::optional<api::Client> client =
        http_.NewClientOrReport(*ui_, "Error initializing client: ");
    if (!client) return 1;
    api::Operator op(&*client);
    auto conf = op.AutopilotGetConfiguration();
    if (!conf.ok()) {
      ui_->Error("Error querying Autopilot configuration: " + conf.status().message());
      return 1;
    }
    api::AutopilotConfiguration c = *conf;
    if (cleanup_) c.cleanup_dead_servers = *cleanup_;
    if (disable_upgrade_) c.disable_upgrade_migration = *disable_upgrade_;
    if (zone_) c.redundancy_zone_tag = *zone_;
    if (upgrade_tag_) c.upgrade_version_tag = *upgrade_tag_;
    for (auto [text, target, name] :
         {std::tuple{&max_trailing_, &c.max_trailing_logs, "max-trailing-logs"},
          std::tuple{&min_quorum_, &c.min_quorum, "min-quorum"}}) {
      if (!*text) continue;
      try {
        size_t used = 0;
        const uint64_t v = std::stoull(**text, &used, 10);
        if (used != (*text)->size()) throw std::invalid_argument("");
        *target = v;
      } catch (const std::exception&) {
        ui_->Error(std::string("Error parsing ") + name + ": strconv.ParseUint: parsing \"" +
                   **text + "\": invalid syntax");
        return 1;
      }
    }
    for (auto [text, target] : {std::pair{&last_contact_, &c.last_contact_threshold},
                                std::pair{&stabilization_, &c.server_stabilization_time}}) {
      if (!*text) continue;
      auto d = ParseGoDuration(**text);
      if (!d.ok()) {
        ui_->Error("Error parsing duration: " + d.status().message());
        return 1;
      }
      *target = FormatGoDuration(*d);
    }
    auto ok = op.AutopilotCASConfiguration(c);
    if (!ok.ok()) {
      ui_->Error("Error setting Autopilot configuration: " + ok.status().message());
      return 1;
    }
    if (*ok) {
      ui_->Output("Configuration updated!");
      return 0;
    }
    ui_->Output("Configuration could not be atomically updated, please try again");
    return 1;
  }

 private:
  const Ui* ui_;
  Flags flags_;
  HttpFlags http_;
  std::optional<bool> cleanup_, disable_upgrade_;
  std::optional<std::string> max_trailing_, min_quorum_, last_contact_, stabilization_, zone_,
      upgrade_tag_;
};

}  // namespace

std::unique_ptr<Command> NewOperatorAutopilotCommand(const Ui*) {
  return std::make_unique<ParentCommand>(kAutopilotHelp,
                                         "Provides tools for modifying Autopilot configuration");
}
std::unique_ptr<Command> NewOperatorAutopilotGetCommand(const Ui* ui) {
  return std::make_unique<AutopilotGetCommand>(ui);
}
std::unique_ptr<Command> NewOperatorAutopilotSetCommand(const Ui* ui) {
  return std::make_unique<AutopilotSetCommand>(ui);
}

std::unique_ptr<Command> NewOperatorCommand(const Ui*) {
  return std::make_unique<ParentCommand>(kOperatorHelp,
                                         "Provides cluster-level tools for Consul operators");
}
std::unique_ptr<Command> NewOperatorRaftCommand(const Ui*) {
  return std::make_unique<ParentCommand>(kRaftHelp,
                                         "Provides cluster-level tools for Consul operators");
}
std::unique_ptr<Command> NewOperatorRaftListPeersCommand(const Ui* ui) {
  return std::make_unique<ListPeersCommand>(ui);
}
std::unique_ptr<Command> NewOperatorRaftRemovePeerCommand(const Ui* ui) {
  return std::make_unique<RemovePeerCommand>(ui);
}

}  // namespace consulate::cli
