// `consul kv put [options] KEY [DATA]`: writes one key, optionally as a check-and-set or while
// acquiring or releasing a session's lock.
#include "api/kv.h"
#include "base/base64.h"
#include "cli/command.h"
#include "cli/command_util.h"
#include "cli/flags.h"
#include "cli/http_flags.h"

namespace consulate::cli {

namespace {

constexpr char kHelp[] = R"(Usage: consul kv put [options] KEY [DATA]

  Writes DATA at KEY in the key-value store, creating the key when it does not
  exist. DATA may be any bytes:

      $ consul kv put config/redis/maxconns 5

  Prefix DATA with "@" to read it from a file:

      $ consul kv put config/program/license @license.lic

  or give "-" to read it from stdin:

      $ echo "abcd1234" | consul kv put config/program/license -

  Without DATA, the key is written with an empty value:

      $ consul kv put webapp/beta/active

  With -base64, DATA is decoded from base 64 before it is written.

  For a check-and-set write, give -cas and the -modify-index the key must still
  have; the write fails if the key has changed since:

      $ consul kv put -cas -modify-index=844 config/redis/maxconns 5

  The options below cover flags, sessions and locks.)";

class KvPutCommand : public Command {
 public:
  explicit KvPutCommand(const Ui* ui) : ui_(ui) {
    http_.AddClientFlags(&flags_);
    http_.AddServerFlags(&flags_);
    http_.AddNamespaceFlag(&flags_);
    flags_.Bool("cas", &cas_,
                "Write only if the key's ModifyIndex still equals -modify-index (a "
                "check-and-set); -modify-index is then required. The default value is false.");
    flags_.Uint64("flags", &kv_flags_,
                  "Unsigned integer stored with the key for clients to use as they like; Consul "
                  "does not interpret it. The default value is 0 (no flags).");
    flags_.Uint64("modify-index", &modify_index_,
                  "The ModifyIndex the key must have for a -cas write.");
    flags_.Bool("base64", &base64_,
                "Decode DATA from base 64 before writing it. The default value is false.");
    flags_.Bool("acquire", &acquire_,
                "Acquire the key's lock for the session given with -session, creating the key "
                "if it does not exist. The session must already exist. The default value is "
                "false.");
    flags_.Bool("release", &release_,
                "Release the key's lock held by the session given with -session. The default "
                "value is false.");
    flags_.String("session", &session_,
                  "Session to tie to the key, as -acquire and -release need. The default value "
                  "is empty (no session).");
  }

  std::string Synopsis() const override { return "Sets or updates data in the KV store"; }
  std::string Help() const override { return flags_.Usage(kHelp); }

  int Run(const std::vector<std::string>& args) override {
    if (!flags_.Parse(args, ui_->err)) return 1;
    const std::vector<std::string>& rest = flags_.args();
    if (rest.empty()) {
      ui_->Error("Error! Missing KEY argument");
      return 1;
    }
    if (rest.size() > 2) {
      ui_->Error("Error! Too many arguments (expected 1 or 2, got " + std::to_string(rest.size()) +
                 ")");
      return 1;
    }
    const std::string& key = rest[0];
    std::string data;
    if (rest.size() == 2) {
      Result<std::string> read = ReadDataArgument(rest[1], ui_->in);
      if (!read.ok()) {
        ui_->Error("Error! " + read.status().message());
        return 1;
      }
      data = std::move(read).value();
    }
    if (base64_) {
      // Like Consul, a decoding error is reported but what decoded before it is still written.
      std::string decoded;
      Status s = Base64Decode(data, &decoded);
      if (!s.ok()) ui_->Error("Error! Cannot base 64 decode data: " + s.message());
      data = std::move(decoded);
    }
    if ((acquire_ || release_) && session_.empty()) {
      ui_->Error("Error! Missing -session (required with -acquire and -release)");
      return 1;
    }
    if (cas_ && modify_index_ == 0) {
      ui_->Error("Must specify -modify-index with -cas!");
      return 1;
    }
    std::optional<api::Client> client = http_.NewClientOrReport(*ui_);
    if (!client) return 1;
    api::KV kv(&*client);
    api::KVPair pair;
    pair.key = key;
    pair.modify_index = modify_index_;
    pair.flags = kv_flags_;
    pair.value = std::move(data);
    pair.session = session_;

    if (cas_) {
      Result<bool> ok = kv.CAS(pair);
      if (!ok.ok()) {
        ui_->Error("Error! Did not write to " + key + ": " + ok.status().message());
        return 1;
      }
      if (!*ok) {
        ui_->Error("Error! Did not write to " + key + ": CAS failed");
        return 1;
      }
      ui_->Output("Success! Data written to: " + key);
      return 0;
    }
    if (acquire_) {
      Result<bool> ok = kv.Acquire(pair);
      if (!ok.ok()) {
        ui_->Error("Error! Failed writing data: " + ok.status().message());
        return 1;
      }
      if (!*ok) {
        ui_->Error("Error! Did not acquire lock");
        return 1;
      }
      ui_->Output("Success! Lock acquired on: " + key);
      return 0;
    }
    if (release_) {
      Result<bool> ok = kv.Release(pair);
      if (!ok.ok()) {
        // Consul 1.8 prints the key here, not the error; kept for identical output.
        ui_->Error("Error! Failed writing data: " + key);
        return 1;
      }
      if (!*ok) {
        ui_->Error("Error! Did not release lock");
        return 1;
      }
      ui_->Output("Success! Lock released on: " + key);
      return 0;
    }
    Status s = kv.Put(pair);
    if (!s.ok()) {
      ui_->Error("Error! Failed writing data: " + s.message());
      return 1;
    }
    ui_->Output("Success! Data written to: " + key);
    return 0;
  }

 private:
  const Ui* ui_;
  Flags flags_;
  HttpFlags http_;
  bool cas_ = false;
  uint64_t kv_flags_ = 0;
  uint64_t modify_index_ = 0;
  bool base64_ = false;
  bool acquire_ = false;
  bool release_ = false;
  std::string session_;
};

}  // namespace

std::unique_ptr<Command> NewKvPutCommand(const Ui* ui) {
  return std::make_unique<KvPutCommand>(ui);
}

}  // namespace consulate::cli
