#include "config/flags.h"

#include <charconv>
#include <cstdint>
#include <string>

namespace consulate::config {

bool ParseGoBool(std::string_view s, bool* out) {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") {
    *out = true;
    return true;
  }
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") {
    *out = false;
    return true;
  }
  return false;
}

void FlagSet::Add(std::string_view name, Flag flag) { flags_[std::string(name)] = std::move(flag); }

void FlagSet::String(std::string_view name, std::string* target, std::string_view usage) {
  Add(name, Flag{[target](std::string_view v) {
                   *target = std::string(v);
                   return Status::OK();
                 },
                 std::string(usage), false, "<string>"});
}

void FlagSet::Bool(std::string_view name, bool* target, std::string_view usage) {
  std::string n(name);
  Add(name, Flag{[target, n](std::string_view v) {
                   if (!ParseGoBool(v, target))
                     return Status::InvalidArgument("invalid boolean value \"" + std::string(v) +
                                                    "\" for -" + n + ": parse error");
                   return Status::OK();
                 },
                 std::string(usage), true, ""});
}

namespace {

// Go's strconv.ParseUint(s, 0, 64) / ParseInt(s, 0, 64) as the flag package calls them: an
// optional sign (signed only), then a 0x/0o/0b/0 base prefix, digits and '_' separators only
// after a prefix. Returns "" or the flag package's reason: "parse error" / "value out of range".
std::string ParseGoUint(std::string_view s, uint64_t* out) {
  int base = 10;
  if (s.size() > 1 && s[0] == '0') {
    char p = static_cast<char>(s[1] | 0x20);
    if (p == 'x' || p == 'o' || p == 'b') {
      base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
    // Underscores may separate digits once a base prefix is present.
    std::string digits;
    for (char c : s)
      if (c != '_') digits.push_back(c);
    if (digits.empty()) {
      if (base == 8) {  // "0" followed by nothing but underscores
        *out = 0;
        return s.empty() ? "" : "parse error";
      }
      return "parse error";
    }
    uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
    if (ec == std::errc::result_out_of_range) return "value out of range";
    if (ec != std::errc() || ptr != digits.data() + digits.size()) return "parse error";
    *out = v;
    return "";
  }
  if (s.empty()) return "parse error";
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec == std::errc::result_out_of_range) return "value out of range";
  if (ec != std::errc() || ptr != s.data() + s.size()) return "parse error";
  *out = v;
  return "";
}

std::string ParseGoInt(std::string_view s, int64_t min, int64_t max, int64_t* out) {
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  uint64_t mag = 0;
  std::string err = ParseGoUint(s, &mag);
  if (!err.empty()) return err;
  if (neg) {
    // -min can exceed max by one; anything larger is out of range.
    if (mag > static_cast<uint64_t>(max) + 1) return "value out of range";
    int64_t v = mag == 0 ? 0 : -static_cast<int64_t>(mag - 1) - 1;
    if (v < min) return "value out of range";
    *out = v;
  } else {
    if (mag > static_cast<uint64_t>(max)) return "value out of range";
    *out = static_cast<int64_t>(mag);
  }
  return "";
}

}  // namespace

void FlagSet::Int(std::string_view name, int* target, std::string_view usage) {
  std::string n(name);
  Add(name, Flag{[target, n](std::string_view v) {
                   int64_t x = 0;
                   std::string err = ParseGoInt(v, INT32_MIN, INT32_MAX, &x);
                   if (!err.empty())
                     return Status::InvalidArgument("invalid value \"" + std::string(v) +
                                                    "\" for flag -" + n + ": " + err);
                   *target = static_cast<int>(x);
                   return Status::OK();
                 },
                 std::string(usage), false, "<int>"});
}

void FlagSet::Uint64(std::string_view name, uint64_t* target, std::string_view usage) {
  std::string n(name);
  Add(name, Flag{[target, n](std::string_view v) {
                   uint64_t x = 0;
                   std::string err = ParseGoUint(v, &x);
                   if (!err.empty())
                     return Status::InvalidArgument("invalid value \"" + std::string(v) +
                                                    "\" for flag -" + n + ": " + err);
                   *target = x;
                   return Status::OK();
                 },
                 std::string(usage), false, "<uint>"});
}

void FlagSet::StringList(std::string_view name, std::vector<std::string>* target,
                         std::string_view usage) {
  Add(name, Flag{[target](std::string_view v) {
                   target->emplace_back(v);
                   return Status::OK();
                 },
                 std::string(usage), false, "<value>"});
}

void FlagSet::Func(std::string_view name, std::function<Status(std::string_view)> set,
                   std::string_view usage, bool is_bool) {
  Add(name, Flag{std::move(set), std::string(usage), is_bool, is_bool ? "" : "<value>"});
}

Status FlagSet::Parse(const std::vector<std::string>& args) {
  positional_.clear();
  size_t i = 0;
  for (; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a.size() < 2 || a[0] != '-') break;
    size_t dashes = a[1] == '-' ? 2 : 1;
    if (dashes == 2 && a.size() == 2) {  // "--" ends the flags
      ++i;
      break;
    }
    std::string_view body = a.substr(dashes);
    if (body.empty() || body[0] == '-' || body[0] == '=')
      return Status::InvalidArgument("bad flag syntax: " + std::string(a));
    std::string_view name = body, value;
    bool has_value = false;
    if (auto eq = body.find('='); eq != std::string_view::npos) {
      name = body.substr(0, eq);
      value = body.substr(eq + 1);
      has_value = true;
    }
    auto it = flags_.find(name);
    if (it == flags_.end()) {
      if (name == "help" || name == "h") return Status::Aborted("help requested");
      return Status::InvalidArgument("flag provided but not defined: -" + std::string(name));
    }
    const Flag& f = it->second;
    if (f.is_bool) {
      if (!has_value) value = "true";
    } else if (!has_value) {
      if (i + 1 >= args.size())
        return Status::InvalidArgument("flag needs an argument: -" + std::string(name));
      value = args[++i];
    }
    CONSULATE_RETURN_IF_ERROR(f.set(value));
    set_[std::string(name)] = true;
  }
  for (; i < args.size(); ++i) positional_.push_back(args[i]);
  return Status::OK();
}

std::string FlagSet::Usage() const {
  std::string out;
  for (const auto& [name, f] : flags_) {
    out += "  -" + name;
    if (!f.value_name.empty()) out += "=" + f.value_name;
    out += "\n";
    // Indent the usage text like Consul's flag help.
    std::string_view u = f.usage;
    while (!u.empty()) {
      auto nl = u.find('\n');
      out += "     ";
      out += u.substr(0, nl);
      out += "\n";
      if (nl == std::string_view::npos) break;
      u.remove_prefix(nl + 1);
    }
    out += "\n";
  }
  return out;
}

}  // namespace consulate::config
