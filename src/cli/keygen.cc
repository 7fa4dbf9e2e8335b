// `consul keygen`: a new 32-byte gossip encryption key, base64-encoded.
#include <sys/random.h>

#include <cerrno>

#include "api/go_compat.h"
#include "base/base64.h"
#include "cli/command.h"
#include "cli/flags.h"

namespace consulate::cli {

namespace {

constexpr size_t kKeyBytes = 32;

constexpr char kHelp[] = R"(Usage: consul keygen

  Prints a new random 32-byte key for encrypting the agents' gossip traffic,
  already in the form the agent's "encrypt" setting takes.)";

class KeygenCommand : public Command {
 public:
  explicit KeygenCommand(const Ui* ui) : ui_(ui) {}

  std::string Synopsis() const override { return "Generates a new encryption key"; }
  std::string Help() const override { return flags_.Usage(kHelp); }

  int Run(const std::vector<std::string>& args) override {
    if (!flags_.Parse(args, ui_->err)) return 1;
    char key[kKeyBytes];
    size_t filled = 0;
    while (filled < kKeyBytes) {
      ssize_t n = ::getrandom(key + filled, kKeyBytes - filled, 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        ui_->Error("Error reading random data: " + api::GoErrnoText(errno));
        return 1;
      }
      if (n == 0) break;
      filled += static_cast<size_t>(n);
    }
    if (filled != kKeyBytes) {
      ui_->Error("Couldn't read enough entropy. Generate more entropy!");
      return 1;
    }
    ui_->Output(Base64Encode(std::string_view(key, kKeyBytes)));
    return 0;
  }

 private:
  const Ui* ui_;
  Flags flags_;  // none, but "-x" must still fail the way Go's flag package does
};

}  // namespace

std::unique_ptr<Command> NewKeygenCommand(const Ui* ui) {
  return std::make_unique<KeygenCommand>(ui);
}

}  // namespace consulate::cli
