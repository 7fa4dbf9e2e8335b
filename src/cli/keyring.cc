// `consul keyring` (Consul's command/keyring): lists, installs, switches and removes gossip
// encryption keys across the cluster through /v1/operator/keyring.
#include "api/operator_keyring.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "cli/http_flags.h"

namespace consulate::cli {

namespace {

constexpr char kKeyringHelp[] = R"(Usage: consul keyring [options]

  Manages encryption keys used for gossip messages. Gossip encryption is
  optional. When enabled, this command may be used to examine active encryption
  keys in the cluster, add new keys, and remove old ones. When combined, this
  functionality provides the ability to perform key rotation cluster-wide,
  without disrupting the cluster.

  All operations performed by this command can only be run against server nodes,
  and affect both the LAN and WAN keyrings in lock-step.

  All variations of the keyring command return 0 if all nodes reply and there
  are no errors. If any node fails to reply or reports failure, the exit code
  will be 1.)";

class KeyringCommand : public Command {
 public:
  explicit KeyringCommand(const Ui* ui) : ui_(ui) {
    http_.AddClientFlags(&flags_);
    flags_.String("install", &install_,
                  "Install a new encryption key. This will broadcast the new key to "
                  "all members in the cluster.");
    flags_.String("use", &use_,
                  "Change the primary encryption key, which is used to encrypt "
                  "messages. The key must already be installed before this operation "
                  "can succeed.");
    flags_.String("remove", &remove_,
                  "Remove the given key from the cluster. This operation may only be "
                  "performed on keys which are not currently the primary key.");
    flags_.Bool("list", &list_, "List all keys currently in use within the cluster.");
    flags_.Bool("list-primary", &list_primary_,
                "List all primary keys currently in use within the cluster.");
    flags_.Bool("local-only", &local_only_,
                "Setting this to true will force the keyring query to only hit "
                "local servers (no WAN traffic). This flag can only be set for list "
                "queries.");
    flags_.Int("relay-factor", &relay_,
               "Setting this to a non-zero value will cause nodes to relay their response "
               "to the operation through this many randomly-chosen other nodes in the "
               "cluster. The maximum allowed value is 5.");
  }
  std::string Synopsis() const override { return "Manages gossip layer encryption keys"; }
  std::string Help() const override { return flags_.Usage(kKeyringHelp); }

  int Run(const std::vector<std::string>& args) override {
    if (!flags_.Parse(args, ui_->err)) return 1;
    const int actions = int{list_} + int{list_primary_} + int{!install_.empty()} +
                        int{!use_.empty()} + int{!remove_.empty()};
    if (actions > 1) {
      ui_->Error("Only a single action is allowed");
      return 1;
    }
    const bool found = actions == 1;
    if (!found) {
      ui_->Error(Help());
      return 1;
    }
    if (relay_ < 0 || relay_ > 5) {
      ui_->Error("Error parsing relay factor: Relay factor must be in range: [0, 5]");
      return 1;
    }
    if (local_only_ && !list_) {
      ui_->Error("Error validating local-only: local-only can only be set for list requests");
      return 1;
    }
    std::optional<api::Client> client = http_.NewClientOrReport(*ui_);
    if (!client) return 1;
    api::OperatorKeyring keyring(&*client);
    api::KeyringOptions opts;
    opts.relay_factor = static_cast<int>(relay_);
    if (list_ || list_primary_) {
      ui_->Output(list_ ? "==> Gathering installed encryption keys..."
                        : "==> Gathering installed primary encryption keys...");
      opts.local_only = local_only_;
      auto responses = keyring.List(opts);
      if (!responses.ok()) {
        ui_->Error("error: " + responses.status().message());
        return 1;
      }
      for (const auto& r : *responses) {
        std::string pool = r.datacenter + " (LAN)";
        if (!r.segment.empty()) pool += " [" + r.segment + "]";
        if (r.wan) pool = "WAN";
        ui_->Output("");
        ui_->Output(pool + ":");
        for (const auto& [key, num] : list_ ? r.keys : r.primary_keys) {
          ui_->Output("  " + key + " [" + std::to_string(num) + "/" + std::to_string(r.num_nodes) +
                      "]");
        }
      }
      return 0;
    }
    Status st;
    if (!install_.empty()) {
      ui_->Output("==> Installing new gossip encryption key...");
      st = keyring.Install(install_, opts);
    } else if (!use_.empty()) {
      ui_->Output("==> Changing primary gossip encryption key...");
      st = keyring.Use(use_, opts);
    } else {
      ui_->Output("==> Removing gossip encryption key...");
      st = keyring.Remove(remove_, opts);
    }
    if (!st.ok()) {
      ui_->Error("error: " + st.message());
      return 1;
    }
    return 0;
  }

 private:
  const Ui* ui_;
  Flags flags_;
  HttpFlags http_;
  std::string install_, use_, remove_;
  bool list_ = false, list_primary_ = false, local_only_ = false;
  int64_t relay_ = 0;
};

}  // namespace

std::unique_ptr<Command> NewKeyringCommand(const Ui* ui) {
  return std::make_unique<KeyringCommand>(ui);
}

}  // namespace consulate::cli
