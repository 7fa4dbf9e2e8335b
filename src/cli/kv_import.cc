// `consul kv import [DATA]`: writes the pairs of a `kv export` document.
#include "api/kv.h"
#include "base/base64.h"
#include "cli/command.h"
#include "cli/command_util.h"
#include "cli/flags.h"
#include "cli/http_flags.h"
#include "cli/kv_impexp.h"

namespace consulate::cli {

namespace {

constexpr char kHelp[] = R"(Usage: consul kv import [DATA]

  Writes the key-value pairs of a JSON document produced by "consul kv export"
  into the key-value store.

  Prefix DATA with "@" to read the document from a file:

      $ consul kv import @filename.json

  or give "-" to read it from stdin:

      $ cat filename.json | consul kv import -

  DATA may also be the document itself, quoted as the shell requires.

  The options below list the remaining flags.)";

class KvImportCommand : public Command {
 public:
  explicit KvImportCommand(const Ui* ui) : ui_(ui) {
    http_.AddClientFlags(&flags_);
    http_.AddServerFlags(&flags_);
    http_.AddNamespaceFlag(&flags_);
  }

  std::string Synopsis() const override { return "Imports a tree stored as JSON to the KV store"; }
  std::string Help() const override { return flags_.Usage(kHelp); }

  int Run(const std::vector<std::string>& args) override {
    if (!flags_.Parse(args, ui_->err)) return 1;
    const std::vector<std::string>& rest = flags_.args();
    if (rest.empty()) {
      ui_->Error("Error! Missing DATA argument");
      return 1;
    }
    if (rest.size() > 1) {
      ui_->Error("Error! Too many arguments (expected 1, got " + std::to_string(rest.size()) + ")");
      return 1;
    }
    if (rest[0].empty()) {
      ui_->Error("Error! Empty DATA argument");
      return 1;
    }
    Result<std::string> data = ReadDataArgument(rest[0], ui_->in);
    if (!data.ok()) {
      ui_->Error("Error! " + data.status().message());
      return 1;
    }
    std::optional<api::Client> client = http_.NewClientOrReport(*ui_);
    if (!client) return 1;
    Result<std::vector<KvExportEntry>> entries = DecodeKvImport(*data);
    if (!entries.ok()) {
      ui_->Error("Cannot unmarshal data: " + entries.status().message());
      return 1;
    }
    api::KV kv(&*client);
    for (const KvExportEntry& entry : *entries) {
      Result<std::string> value = Base64Decode(entry.value);
      if (!value.ok()) {
        ui_->Error("Error base 64 decoding value for key " + entry.key + ": " +
                   value.status().message());
        return 1;
      }
      api::KVPair pair;
      pair.key = entry.key;
      pair.flags = entry.flags;
      pair.value = std::move(value).value();
      Status s = kv.Put(pair);
      if (!s.ok()) {
        ui_->Error("Error! Failed writing data for key " + entry.key + ": " + s.message());
        return 1;
      }
      ui_->Output("Imported: " + entry.key);
    }
    return 0;
  }

 private:
  const Ui* ui_;
  Flags flags_;
  HttpFlags http_;
};

}  // namespace

std::unique_ptr<Command> NewKvImportCommand(const Ui* ui) {
  return std::make_unique<KvImportCommand>(ui);
}

}  // namespace consulate::cli
