// Go-style command-line flags, as Consul's commands parse them (Go's "flag" package):
//   -flag  --flag  -flag=value  --flag=value  -flag value (non-boolean)  -bool  -bool=false
// Parsing stops at the first non-flag argument or after "--"; the rest are positional arguments.
// An undefined flag is an error worded as Go's: "flag provided but not defined: -foo".
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace consulate::config {

class FlagSet {
 public:
  explicit FlagSet(std::string name) : name_(std::move(name)) {}

  // Each registration binds a flag to a variable owned by the caller, which must outlive Parse().
  void String(std::string_view name, std::string* target, std::string_view usage);
  void Bool(std::string_view name, bool* target, std::string_view usage);
  void Int(std::string_view name, int* target, std::string_view usage);
  void Uint64(std::string_view name, uint64_t* target, std::string_view usage);
  // A repeatable string flag: every occurrence appends.
  void StringList(std::string_view name, std::vector<std::string>* target, std::string_view usage);
  // A flag with custom parsing; `is_bool` flags take no separate value argument.
  void Func(std::string_view name, std::function<Status(std::string_view)> set,
            std::string_view usage, bool is_bool = false);

  // Parses `args` (without the program/command name). Records which flags were set.
  Status Parse(const std::vector<std::string>& args);
  const std::vector<std::string>& args() const { return positional_; }
  bool WasSet(std::string_view name) const { return set_.count(std::string(name)) > 0; }
  // Consul-style usage lines: "  -name=<value>\n     usage" for every flag, sorted by name.
  std::string Usage() const;

 private:
  struct Flag {
    std::function<Status(std::string_view)> set;
    std::string usage;
    bool is_bool = false;
    std::string value_name;  // e.g. "<string>"
  };
  void Add(std::string_view name, Flag flag);

  std::string name_;
  std::map<std::string, Flag, std::less<>> flags_;
  std::map<std::string, bool> set_;
  std::vector<std::string> positional_;
};

// Parses Go's strconv.ParseBool forms: 1 t T TRUE true True 0 f F FALSE false False.
bool ParseGoBool(std::string_view text, bool* out);

}  // namespace consulate::config
