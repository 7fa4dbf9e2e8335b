// `consul version`: the Consul version this program is compatible with, this program's own version
// as the revision, and the protocol range, in Consul's shape so that scripts parsing it keep
// working.
#include "cli/command.h"
#include "cli/flags.h"
#include "cli/go_json.h"

namespace consulate::cli {

namespace {

// The Consul release whose CLI, HTTP API and protocols Consulate implements.
constexpr char kConsulVersion[] = "1.8.7";
constexpr char kRevision[] = "consulate-" CONSULATE_VERSION;
constexpr int kProtocolDefault = 2;
constexpr int kProtocolMin = 2;
constexpr int kProtocolMax = 3;

constexpr char kHelp[] = "Usage: consul version [options]";

class VersionCommand : public Command {
 public:
  explicit VersionCommand(const Ui* ui) : ui_(ui) {
    flags_.String("format", &format_, "Output format {pretty|json}");
  }

  std::string Synopsis() const override { return "Prints the Consul version"; }
  std::string Help() const override { return flags_.Usage(kHelp); }

  int Run(const std::vector<std::string>& args) override {
    if (!flags_.Parse(args, ui_->err)) return 1;
    if (format_ == "pretty") {
      ui_->Output(std::string("Consul v") + kConsulVersion);
      ui_->Output(std::string("Revision ") + kRevision);
      ui_->Output("Protocol " + std::to_string(kProtocolDefault) +
                  " spoken by default, understands " + std::to_string(kProtocolMin) + " to " +
                  std::to_string(kProtocolMax) + " (agent will automatically use protocol >" +
                  std::to_string(kProtocolDefault) + " when speaking to compatible agents)\n");
      return 0;
    }
    if (format_ == "json") {
      // Go's json.MarshalIndent with a three-space indent.
      std::string out = "{\n";
      out += "   \"Version\": " + GoJsonQuote(kConsulVersion) + ",\n";
      out += "   \"Revision\": " + GoJsonQuote(kRevision) + ",\n";
      out += "   \"Prerelease\": \"\",\n";
      out += "   \"RPC\": {\n";
      out += "      \"Default\": " + std::to_string(kProtocolDefault) + ",\n";
      out += "      \"Min\": " + std::to_string(kProtocolMin) + ",\n";
      out += "      \"Max\": " + std::to_string(kProtocolMax) + "\n";
      out += "   }\n}";
      ui_->Output(out);
      return 0;
    }
    ui_->Error("Unknown format: " + format_);
    return 1;
  }

 private:
  const Ui* ui_;
  Flags flags_;
  std::string format_ = "pretty";
};

}  // namespace

std::unique_ptr<Command> NewVersionCommand(const Ui* ui) {
  return std::make_unique<VersionCommand>(ui);
}

}  // namespace consulate::cli
