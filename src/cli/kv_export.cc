// `consul kv export [KEY_OR_PREFIX]`: prints the pairs under a prefix as the JSON `kv import`
// reads.
#include "api/kv.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "cli/http_flags.h"
#include "cli/kv_impexp.h"

namespace consulate::cli {

namespace {

constexpr char kHelp[] = R"(Usage: consul kv export [KEY_OR_PREFIX]

  Prints the key-value pairs under the given prefix as JSON on stdout. The
  output is what "consul kv import" reads, so whole trees can be copied from
  one cluster to another:

      $ consul kv export vault

  The options below list the remaining flags.)";

class KvExportCommand : public Command {
 public:
  explicit KvExportCommand(const Ui* ui) : ui_(ui) {
    http_.AddClientFlags(&flags_);
    http_.AddServerFlags(&flags_);
    http_.AddNamespaceFlag(&flags_);
  }

  std::string Synopsis() const override { return "Exports a tree from the KV store as JSON"; }
  std::string Help() const override { return flags_.Usage(kHelp); }

  int Run(const std::vector<std::string>& args) override {
    if (!flags_.Parse(args, ui_->err)) return 1;
    const std::vector<std::string>& rest = flags_.args();
    if (rest.size() > 1) {
      ui_->Error("Too many arguments (expected 1, got " + std::to_string(rest.size()) + ")");
      return 1;
    }
    std::string prefix = rest.empty() ? "" : rest[0];
    std::optional<api::Client> client = http_.NewClientOrReport(*ui_);
    if (!client) return 1;
    Result<std::vector<api::KVPair>> pairs = api::KV(&*client).List(prefix);
    if (!pairs.ok()) {
      ui_->Error("Error querying Consul agent: " + pairs.status().message());
      return 1;
    }
    ui_->Output(EncodeKvExport(*pairs));
    return 0;
  }

 private:
  const Ui* ui_;
  Flags flags_;
  HttpFlags http_;
};

}  // namespace

std::unique_ptr<Command> NewKvExportCommand(const Ui* ui) {
  return std::make_unique<KvExportCommand>(ui);
}

}  // namespace consulate::cli
