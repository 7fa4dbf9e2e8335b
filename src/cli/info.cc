// `consul info`: the agent's statistics (GET /v1/agent/self, "Stats"), one section per subsystem.
#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <cmath>

#include "api/agent.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "cli/http_flags.h"

namespace consulate::cli {

namespace {

constexpr char kHelp[] = R"(Usage: consul info [options]

  Prints statistics of the agent and its subsystems, to help operators
  debug.)";

// Go's %v of a float64: the shortest digits that round-trip, in exponent form when the decimal
// exponent is below -4 or at least 6 (strconv's 'g' with shortest precision).
std::string GoFloat(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto sci = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string s(buf, sci.ptr);
  int exp = std::stoi(s.substr(s.find('e') + 1));
  if (exp < -4 || exp >= 6) return s;
  auto fixed = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  return std::string(buf, fixed.ptr);
}

// How Go's fmt prints a decoded JSON value with the %s verb.
std::string GoPercentS(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_null()) return "%!s(<nil>)";
  if (v.is_bool()) return std::string("%!s(bool=") + (v.as_bool() ? "true" : "false") + ")";
  if (v.is_int64()) return "%!s(float64=" + GoFloat(static_cast<double>(v.as_int64())) + ")";
  if (v.is_uint64()) return "%!s(float64=" + GoFloat(static_cast<double>(v.as_uint64())) + ")";
  if (v.is_double()) return "%!s(float64=" + GoFloat(v.as_double()) + ")";
  return boost::json::serialize(v);
}

template <typename Object>
std::vector<std::string> SortedKeys(const Object& o) {
  std::vector<std::string> keys;
  for (const auto& kv : o) keys.emplace_back(kv.key());
  std::sort(keys.begin(), keys.end());
  return keys;
}

class InfoCommand : public Command {
 public:
  explicit InfoCommand(const Ui* ui) : ui_(ui) { http_.AddClientFlags(&flags_); }

  std::string Synopsis() const override { return "Provides debugging information for operators."; }
  std::string Help() const override { return flags_.Usage(kHelp); }

  int Run(const std::vector<std::string>& args) override {
    if (!flags_.Parse(args, ui_->err)) return 1;
    std::optional<api::Client> client = http_.NewClientOrReport(*ui_);
    if (!client) return 1;
    Result<boost::json::object> self = api::Agent(&*client).Self();
    if (!self.ok()) {
      ui_->Error("Error querying agent: " + self.status().message());
      return 1;
    }
    const boost::json::value* stats = self->if_contains("Stats");
    if (stats == nullptr || !stats->is_object()) {
      ui_->Error("Agent response did not contain 'Stats' key: " + boost::json::serialize(*self));
      return 1;
    }
    const boost::json::object& sections = stats->as_object();
    for (const std::string& name : SortedKeys(sections)) {
      ui_->Output(name + ":");
      const boost::json::value& section = sections.at(name);
      if (!section.is_object()) {
        ui_->Error("Got invalid subkey in stats: map[]");
        return 1;
      }
      const boost::json::object& values = section.as_object();
      for (const std::string& key : SortedKeys(values)) {
        ui_->Output("\t" + key + " = " + GoPercentS(values.at(key)));
      }
    }
    return 0;
  }

 private:
  const Ui* ui_;
  Flags flags_;
  HttpFlags http_;
};

}  // namespace

std::unique_ptr<Command> NewInfoCommand(const Ui* ui) { return std::make_unique<InfoCommand>(ui); }

}  // namespace consulate::cli
