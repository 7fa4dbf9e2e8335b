// `consul operator raft list-peers | remove-peer` (Consul's command/operator/raft/*), and the
// `operator` / `operator raft` parents, which print their help.
#include "api/operator.h"
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
    Result<api::Client> client = http_.NewClient();
    if (!client.ok()) {
      ui_->Error("Error initializing client: " + client.status().message());
      return 1;
    }
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
    Result<api::Client> client = http_.NewClient();
    if (!client.ok()) {
      ui_->Error("Error initializing client: " + client.status().message());
      return 1;
    }
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

}  // namespace

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
