// `consul kv delete [options] KEY_OR_PREFIX`: removes a key, a key by check-and-set, or a prefix.
#include "api/kv.h"
#include "cli/command.h"
#include "cli/command_util.h"
#include "cli/flags.h"
#include "cli/http_flags.h"

namespace consulate::cli {

namespace {

constexpr char kHelp[] = R"(Usage: consul kv delete [options] KEY_OR_PREFIX

  Deletes the key at the given path from the key-value store. Deleting a key
  that does not exist succeeds and changes nothing.

  Delete the key "foo":

      $ consul kv delete foo

  Delete every key that starts with "foo" with -recurse:

      $ consul kv delete -recurse foo

  That removes "foo", "food" and "foo/bar/zip", if they exist.)";

class KvDeleteCommand : public Command {
 public:
  explicit KvDeleteCommand(const Ui* ui) : ui_(ui) {
    http_.AddClientFlags(&flags_);
    http_.AddServerFlags(&flags_);
    http_.AddNamespaceFlag(&flags_);
    flags_.Bool("cas", &cas_,
                "Delete only if the key's ModifyIndex still equals -modify-index (a "
                "check-and-set); -modify-index is then required. The default value is false.");
    flags_.Uint64("modify-index", &modify_index_,
                  "The ModifyIndex the key must have for a -cas delete.");
    flags_.Bool("recurse", &recurse_,
                "Delete every key that starts with the given prefix. The default value is false.");
  }

  std::string Synopsis() const override { return "Removes data from the KV store"; }
  std::string Help() const override { return flags_.Usage(kHelp); }

  int Run(const std::vector<std::string>& args) override {
    if (!flags_.Parse(args, ui_->err)) return 1;
    const std::vector<std::string>& rest = flags_.args();
    if (rest.size() > 1) {
      ui_->Error("Too many arguments (expected 1, got " + std::to_string(rest.size()) + ")");
      return 1;
    }
    std::string key(StripLeadingSlash(rest.empty() ? "" : rest[0]));
    if (key.empty() && !recurse_) {
      ui_->Error("Error! Missing KEY argument");
      return 1;
    }
    if (cas_ && modify_index_ == 0) {
      ui_->Error("Must specify -modify-index with -cas!");
      return 1;
    }
    if (modify_index_ != 0 && !cas_) {
      ui_->Error("Cannot specify -modify-index without -cas!");
      return 1;
    }
    if (cas_ && recurse_) {
      ui_->Error("Cannot specify both -cas and -recurse!");
      return 1;
    }
    std::optional<api::Client> client = http_.NewClientOrReport(*ui_);
    if (!client) return 1;
    api::KV kv(&*client);

    if (recurse_) {
      Status s = kv.DeleteTree(key);
      if (!s.ok()) {
        ui_->Error("Error! Did not delete prefix " + key + ": " + s.message());
        return 1;
      }
      ui_->Output("Success! Deleted keys with prefix: " + key);
      return 0;
    }
    if (cas_) {
      api::KVPair pair;
      pair.key = key;
      pair.modify_index = modify_index_;
      Result<bool> ok = kv.DeleteCAS(pair);
      if (!ok.ok()) {
        ui_->Error("Error! Did not delete key " + key + ": " + ok.status().message());
        return 1;
      }
      if (!*ok) {
        ui_->Error("Error! Did not delete key " + key + ": CAS failed");
        return 1;
      }
      ui_->Output("Success! Deleted key: " + key);
      return 0;
    }
    Status s = kv.Delete(key);
    if (!s.ok()) {
      ui_->Error("Error deleting key " + key + ": " + s.message());
      return 1;
    }
    ui_->Output("Success! Deleted key: " + key);
    return 0;
  }

 private:
  const Ui* ui_;
  Flags flags_;
  HttpFlags http_;
  bool cas_ = false;
  uint64_t modify_index_ = 0;
  bool recurse_ = false;
};

}  // namespace

std::unique_ptr<Command> NewKvDeleteCommand(const Ui* ui) {
  return std::make_unique<KvDeleteCommand>(ui);
}

}  // namespace consulate::cli
