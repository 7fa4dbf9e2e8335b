// Command flags as Consul's commands declare them: parsed with Go's flag rules (config::FlagSet),
// and described twice, like Consul does:
//  * in `-h` help, grouped under "HTTP API Options" and "Command Options" as "-name=<placeholder>"
//    with the usage wrapped to 72 columns (Usage());
//  * after a parse error, in Go's PrintDefaults shape ("  -name type\n    \tusage (default ...)"),
//    preceded by the error and "Usage:" (printed by Parse()).
// The placeholder is the first `backquoted` word of the usage text, else the Go type name
// ("string", "uint", "value" for Consul's optional values); boolean flags have none.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "config/flags.h"

namespace consulate::cli {

class Flags {
 public:
  enum class Group { kHttpApi, kCommand };

  Flags();
  Flags(const Flags&) = delete;
  Flags& operator=(const Flags&) = delete;

  // Each registration binds a flag to a variable owned by the caller, which must outlive Parse().
  // The current value of the variable is the default (shown as Go shows non-zero defaults).
  void String(std::string_view name, std::string* target, std::string_view usage,
              Group group = Group::kCommand);
  void Bool(std::string_view name, bool* target, std::string_view usage,
            Group group = Group::kCommand);
  // Go's strconv.ParseUint(s, 0, 64): decimal, 0x.., 0o.., 0b.., leading-0 octal, '_' separators.
  void Uint64(std::string_view name, uint64_t* target, std::string_view usage,
              Group group = Group::kCommand);
  // An optional string (Consul's StringValue): unset stays nullopt. Go type name "value".
  void OptionalString(std::string_view name, std::optional<std::string>* target,
                      std::string_view usage, Group group = Group::kCommand);
  // Go's flag.Int (64-bit): strconv.ParseInt(s, 0, 64) forms, negative values allowed.
  void Int(std::string_view name, int64_t* target, std::string_view usage,
           Group group = Group::kCommand);
  // A repeatable string (Consul's AppendSliceValue): each occurrence appends. Go type name "value".
  void StringList(std::string_view name, std::vector<std::string>* target, std::string_view usage,
                  Group group = Group::kCommand);
  // A repeatable "key=value" (Consul's FlagMapValue): each occurrence sets one key, split at the
  // first '='; a later occurrence of a key wins. Go type name "value". Without '=' the error is
  // `Missing "=" value in argument: <arg>`.
  void StringMap(std::string_view name, std::map<std::string, std::string>* target,
                 std::string_view usage, Group group = Group::kCommand);
  // An optional boolean (Consul's BoolValue); its parse error carries strconv's wording.
  void OptionalBool(std::string_view name, std::optional<bool>* target, std::string_view usage,
                    Group group = Group::kCommand);

  // Parses `args`. On error writes Go's message, "Usage:" and GoDefaults() to `err` and returns
  // false (the command then exits 1). "-h"/"-help" print only the usage and also return false. When
  // `error_text` is given it receives the error alone ("flag: help requested" for -h).
  bool Parse(const std::vector<std::string>& args, std::ostream& err,
             std::string* error_text = nullptr);
  // Positional arguments left after the flags.
  const std::vector<std::string>& args() const { return set_.args(); }

  // Consul's help: the trimmed `help_text`, a blank line, then the option sections.
  std::string Usage(std::string_view help_text) const;
  // Go's FlagSet.PrintDefaults output for all flags, sorted by name.
  std::string GoDefaults() const;

 private:
  struct Info {
    std::string name;
    std::string type_name;  // Go's: "" for booleans, "string", "uint", "value"
    std::string usage;
    std::string default_value;  // as Go prints it after "(default ", already quoted if needed
    Group group;
  };
  void Record(std::string_view name, std::string type_name, std::string_view usage,
              std::string default_value, Group group);
  // Go's flag.UnquoteUsage: (placeholder, usage without the backquotes).
  static std::pair<std::string, std::string> UnquoteUsage(const Info& info);

  config::FlagSet set_;
  std::vector<Info> infos_;  // sorted by name on output
};

// Go's strconv.ParseInt(text, 0, 64). Sets `*out_of_range` like ParseGoUint64.
bool ParseGoInt64(std::string_view text, int64_t* out, bool* out_of_range);
// Go's strconv.ParseUint(text, 0, 64). Sets `*out_of_range` when the digits are fine but too large.
bool ParseGoUint64(std::string_view text, uint64_t* out, bool* out_of_range);

}  // namespace consulate::cli
