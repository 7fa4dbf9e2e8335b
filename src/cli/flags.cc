#include "cli/flags.h"

#include <algorithm>

#include "api/go_compat.h"
#include "cli/text.h"

namespace consulate::cli {

namespace {

Status InvalidValue(std::string_view value, std::string_view name, std::string_view why) {
  return Status::InvalidArgument("invalid value " + api::GoQuote(value) + " for flag -" +
                                 std::string(name) + ": " + std::string(why));
}

Status InvalidBool(std::string_view value, std::string_view name, std::string_view why) {
  return Status::InvalidArgument("invalid boolean value " + api::GoQuote(value) + " for -" +
                                 std::string(name) + ": " + std::string(why));
}

}  // namespace

bool ParseGoUint64(std::string_view text, uint64_t* out, bool* out_of_range) {
  *out_of_range = false;
  std::string_view s = text;
  if (s.empty()) return false;
  // Base prefix, as strconv accepts it for base 0.
  unsigned base = 10;
  if (s[0] == '0') {
    char p = s.size() >= 3 ? static_cast<char>(s[1] | 0x20) : 0;
    base = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 8;
    s.remove_prefix(p == 'x' || p == 'o' || p == 'b' ? 2 : 1);
  }
  uint64_t value = 0;
  bool underscores = false;
  for (char c : s) {
    if (c == '_') {
      underscores = true;
      continue;
    }
    char lower = static_cast<char>(c | 0x20);
    unsigned digit;
    if (c >= '0' && c <= '9') {
      digit = static_cast<unsigned>(c - '0');
    } else if (lower >= 'a' && lower <= 'z') {
      digit = static_cast<unsigned>(lower - 'a' + 10);
    } else {
      return false;
    }
    if (digit >= base) return false;
    if (value > (UINT64_MAX - digit) / base) {  // Go reports the overflow at once
      *out_of_range = true;
      return false;
    }
    value = value * base + digit;
  }
  if (underscores) {
    // Go's underscoreOK: each '_' sits between digits, or right after a base prefix.
    std::string_view t = text;
    char saw = '^';
    size_t i = 0;
    bool hex = false;
    if (t.size() >= 2 && t[0] == '0') {
      char p = static_cast<char>(t[1] | 0x20);
      if (p == 'b' || p == 'o' || p == 'x') {
        i = 2;
        saw = '0';
        hex = p == 'x';
      }
    }
    for (; i < t.size(); ++i) {
      char c = t[i];
      char lower = static_cast<char>(c | 0x20);
      if ((c >= '0' && c <= '9') || (hex && lower >= 'a' && lower <= 'f')) {
        saw = '0';
        continue;
      }
      if (c == '_') {
        if (saw != '0') return false;
        saw = '_';
        continue;
      }
      if (saw == '_') return false;
      saw = '!';
    }
    if (saw == '_') return false;
  }
  *out = value;
  return true;
}

bool ParseGoInt64(std::string_view text, int64_t* out, bool* out_of_range) {
  *out_of_range = false;
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  uint64_t magnitude = 0;
  if (!ParseGoUint64(digits, &magnitude, out_of_range)) return false;
  constexpr uint64_t kLimit = uint64_t{1} << 63;
  if (negative ? magnitude > kLimit : magnitude >= kLimit) {
    *out_of_range = true;
    return false;
  }
  *out = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
  return true;
}

Flags::Flags() : set_("") {}

void Flags::Record(std::string_view name, std::string type_name, std::string_view usage,
                   std::string default_value, Group group) {
  infos_.push_back(Info{std::string(name), std::move(type_name), std::string(usage),
                        std::move(default_value), group});
}

void Flags::String(std::string_view name, std::string* target, std::string_view usage,
                   Group group) {
  Record(name, "string", usage, target->empty() ? "" : api::GoQuote(*target), group);
  set_.Func(
      name,
      [target](std::string_view v) {
        *target = std::string(v);
        return Status::OK();
      },
      usage);
}

void Flags::Bool(std::string_view name, bool* target, std::string_view usage, Group group) {
  Record(name, "", usage, *target ? "true" : "", group);
  std::string n(name);
  set_.Func(
      name,
      [target, n](std::string_view v) {
        if (!config::ParseGoBool(v, target)) return InvalidBool(v, n, "parse error");
        return Status::OK();
      },
      usage, /*is_bool=*/true);
}

void Flags::Uint64(std::string_view name, uint64_t* target, std::string_view usage, Group group) {
  Record(name, "uint", usage, *target == 0 ? "" : std::to_string(*target), group);
  std::string n(name);
  set_.Func(
      name,
      [target, n](std::string_view v) {
        bool out_of_range = false;
        if (!ParseGoUint64(v, target, &out_of_range)) {
          return InvalidValue(v, n, out_of_range ? "value out of range" : "parse error");
        }
        return Status::OK();
      },
      usage);
}

void Flags::Int(std::string_view name, int64_t* target, std::string_view usage, Group group) {
  Record(name, "int", usage, *target == 0 ? "" : std::to_string(*target), group);
  std::string n(name);
  set_.Func(
      name,
      [target, n](std::string_view v) {
        bool out_of_range = false;
        if (!ParseGoInt64(v, target, &out_of_range)) {
          return InvalidValue(v, n, out_of_range ? "value out of range" : "parse error");
        }
        return Status::OK();
      },
      usage);
}

void Flags::StringList(std::string_view name, std::vector<std::string>* target,
                       std::string_view usage, Group group) {
  Record(name, "value", usage, "", group);
  set_.Func(
      name,
      [target](std::string_view v) {
        target->emplace_back(v);
        return Status::OK();
      },
      usage);
}

void Flags::StringMap(std::string_view name, std::map<std::string, std::string>* target,
                      std::string_view usage, Group group) {
  Record(name, "value", usage, "", group);
  std::string n(name);
  set_.Func(
      name,
      [target, n](std::string_view v) {
        size_t eq = v.find('=');
        if (eq == std::string_view::npos) {
          return InvalidValue(v, n, "Missing \"=\" value in argument: " + std::string(v));
        }
        (*target)[std::string(v.substr(0, eq))] = std::string(v.substr(eq + 1));
        return Status::OK();
      },
      usage);
}

void Flags::OptionalString(std::string_view name, std::optional<std::string>* target,
                           std::string_view usage, Group group) {
  Record(name, "value", usage, "", group);
  set_.Func(
      name,
      [target](std::string_view v) {
        *target = std::string(v);
        return Status::OK();
      },
      usage);
}

void Flags::OptionalBool(std::string_view name, std::optional<bool>* target, std::string_view usage,
                         Group group) {
  Record(name, "", usage, "", group);
  std::string n(name);
  set_.Func(
      name,
      [target, n](std::string_view v) {
        bool b = false;
        if (!config::ParseGoBool(v, &b)) {
          return InvalidBool(v, n,
                             "strconv.ParseBool: parsing " + api::GoQuote(v) + ": invalid syntax");
        }
        *target = b;
        return Status::OK();
      },
      usage, /*is_bool=*/true);
}

bool Flags::Parse(const std::vector<std::string>& args, std::ostream& err,
                  std::string* error_text) {
  Status s = set_.Parse(args);
  if (s.ok()) return true;
  bool help = s.code() == Status::Code::kAborted;  // -h / -help
  if (!help) err << s.message() << "\n";
  if (error_text != nullptr) *error_text = help ? "flag: help requested" : s.message();
  err << "Usage:\n" << GoDefaults();
  return false;
}

std::pair<std::string, std::string> Flags::UnquoteUsage(const Info& info) {
  const std::string& usage = info.usage;
  size_t open = usage.find('`');
  if (open != std::string::npos) {
    size_t close = usage.find('`', open + 1);
    if (close != std::string::npos) {
      std::string name = usage.substr(open + 1, close - open - 1);
      return {name, usage.substr(0, open) + name + usage.substr(close + 1)};
    }
  }
  return {info.type_name, usage};
}

std::string Flags::GoDefaults() const {
  std::vector<const Info*> sorted;
  for (const Info& info : infos_) sorted.push_back(&info);
  std::sort(sorted.begin(), sorted.end(),
            [](const Info* a, const Info* b) { return a->name < b->name; });
  std::string out;
  for (const Info* info : sorted) {
    auto [name, usage] = UnquoteUsage(*info);
    std::string line = "  -" + info->name;
    if (!name.empty()) line += " " + name;
    // One-letter boolean flags keep their usage on the same line.
    line += line.size() <= 4 ? "\t" : "\n    \t";
    for (char c : usage) {
      line += c;
      if (c == '\n') line += "    \t";
    }
    if (!info->default_value.empty()) line += " (default " + info->default_value + ")";
    out += line + "\n";
  }
  return out;
}

std::string Flags::Usage(std::string_view help_text) const {
  std::string out(api::TrimSpace(help_text));
  out += "\n\n";
  for (Group group : {Group::kHttpApi, Group::kCommand}) {
    std::vector<const Info*> members;
    for (const Info& info : infos_) {
      if (info.group == group) members.push_back(&info);
    }
    if (members.empty()) continue;
    std::sort(members.begin(), members.end(),
              [](const Info* a, const Info* b) { return a->name < b->name; });
    out += group == Group::kHttpApi ? "HTTP API Options\n\n" : "Command Options\n\n";
    for (const Info* info : members) {
      std::string placeholder = UnquoteUsage(*info).first;
      out += "  -" + info->name;
      if (!placeholder.empty()) out += "=<" + placeholder + ">";
      out += "\n" + WrapAtLength(info->usage, 5) + "\n\n";
    }
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace consulate::cli
