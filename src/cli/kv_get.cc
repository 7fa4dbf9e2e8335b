// `consul kv get [options] [KEY_OR_PREFIX]`: prints a value, a listing of pairs, or key names.
#include "api/kv.h"
#include "base/base64.h"
#include "cli/command.h"
#include "cli/command_util.h"
#include "cli/flags.h"
#include "cli/http_flags.h"
#include "cli/kv_format.h"

namespace consulate::cli {

namespace {

constexpr char kHelp[] = R"(Usage: consul kv get [options] [KEY_OR_PREFIX]

  Prints the value stored at the given key. It is an error if the key does not
  exist; a key with an empty value prints an empty line. The key or prefix may
  be left out with -recurse or -keys, meaning the root of the store.

  Print the value of the key "foo":

      $ consul kv get foo

  The value is printed as stored. To see the key's metadata as well, such as
  its ModifyIndex and flags, add -detailed:

      $ consul kv get -detailed foo

  To print every key-value pair whose key starts with a prefix, use -recurse:

      $ consul kv get -recurse foo

  To print only the key names under a prefix, use -keys:

      $ consul kv get -keys foo

  The options below list the remaining flags.)";

class KvGetCommand : public Command {
 public:
  explicit KvGetCommand(const Ui* ui) : ui_(ui) {
    http_.AddClientFlags(&flags_);
    http_.AddServerFlags(&flags_);
    http_.AddNamespaceFlag(&flags_);
    flags_.Bool("base64", &base64_, "Print values encoded in base 64. The default value is false.");
    flags_.Bool("detailed", &detailed_,
                "Print the key's metadata (indexes, flags and session) along with its value. "
                "The default value is false.");
    flags_.Bool("keys", &keys_,
                "Print the names of the keys under the prefix instead of values, rolled up at "
                "the -separator. The default value is false.");
    flags_.Bool("recurse", &recurse_,
                "Print every key-value pair whose key starts with the given prefix. The default "
                "value is false.");
    flags_.String("separator", &separator_,
                  "Where -keys rolls names up: keys are listed only up to the first separator "
                  "after the prefix. An empty separator lists every key. The default value is "
                  "\"/\".");
  }

  std::string Synopsis() const override { return "Retrieves or lists data from the KV store"; }
  std::string Help() const override { return flags_.Usage(kHelp); }

  int Run(const std::vector<std::string>& args) override {
    if (!flags_.Parse(args, ui_->err)) return 1;
    const std::vector<std::string>& rest = flags_.args();
    if (rest.size() > 1) {
      ui_->Error("Too many arguments (expected 1, got " + std::to_string(rest.size()) + ")");
      return 1;
    }
    std::string key(StripLeadingSlash(rest.empty() ? "" : rest[0]));
    if (key.empty() && !recurse_ && !keys_) {
      ui_->Error("Error! Missing KEY argument");
      return 1;
    }
    std::optional<api::Client> client = http_.NewClientOrReport(*ui_);
    if (!client) return 1;
    api::KV kv(&*client);

    if (keys_) {
      Result<std::vector<std::string>> names = kv.Keys(key, separator_);
      if (!names.ok()) return QueryError(names.status());
      for (const std::string& name : *names) ui_->Output(name);
      return 0;
    }
    if (recurse_) {
      Result<std::vector<api::KVPair>> pairs = kv.List(key);
      if (!pairs.ok()) return QueryError(pairs.status());
      for (size_t i = 0; i < pairs->size(); ++i) {
        const api::KVPair& pair = (*pairs)[i];
        if (detailed_) {
          ui_->Output(FormatKVPairDetailed(pair, base64_));
          if (i + 1 < pairs->size()) ui_->Output("");
        } else {
          ui_->Output(pair.key + ":" + (base64_ ? Base64Encode(pair.value) : pair.value));
        }
      }
      return 0;
    }
    Result<std::optional<api::KVPair>> pair = kv.Get(key);
    if (!pair.ok()) return QueryError(pair.status());
    if (!pair->has_value()) {
      ui_->Error("Error! No key exists at: " + key);
      return 1;
    }
    const api::KVPair& found = **pair;
    if (detailed_) {
      ui_->Output(FormatKVPairDetailed(found, base64_));
    } else {
      ui_->Output(base64_ ? Base64Encode(found.value) : found.value);
    }
    return 0;
  }

 private:
  int QueryError(const Status& s) {
    ui_->Error("Error querying Consul agent: " + s.message());
    return 1;
  }

  const Ui* ui_;
  Flags flags_;
  HttpFlags http_;
  bool base64_ = false;
  bool detailed_ = false;
  bool keys_ = false;
  bool recurse_ = false;
  std::string separator_ = "/";
};

}  // namespace

std::unique_ptr<Command> NewKvGetCommand(const Ui* ui) {
  return std::make_unique<KvGetCommand>(ui);
}

}  // namespace consulate::cli
