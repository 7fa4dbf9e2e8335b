// `consul members`, `consul join` and `consul force-leave` (Consul's command/members, join,
// forceleave): the gossip pool as the agent sees it, and asking it to join or evict members.
#include <algorithm>
#include <regex>

#include "api/agent.h"
#include "cli/command.h"
#include "cli/command_util.h"
#include "cli/flags.h"
#include "cli/http_flags.h"
#include "cli/text.h"

namespace consulate::cli {

namespace {

namespace json = boost::json;

constexpr char kMembersHelp[] = R"(Usage: consul members [options]

  Outputs the members of a running Consul agent.)";

constexpr char kJoinHelp[] = R"(Usage: consul join [options] address ...

  Tells a running Consul agent (with "consul agent") to join the cluster
  by specifying at least one existing member.)";

constexpr char kForceLeaveHelp[] = R"(Usage: consul force-leave [options] name

  Forces a member of a Consul cluster to enter the "left" state. Note
  that if the member is still actually alive, it will eventually rejoin
  the cluster. This command is most useful for cleaning out "failed" nodes
  that are never coming back. If you do not force leave a failed node,
  Consul will attempt to reconnect to those failed nodes for some period of
  time before eventually reaping them.)";

std::string Str(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::string Tag(const json::object& o, std::string_view k) {
  const json::value* t = o.if_contains("Tags");
  if (!t || !t->is_object()) return "";
  return Str(t->as_object(), k);
}

std::string StatusName(int64_t s) {
  switch (s) {
    case 0:
      return "none";
    case 1:
      return "alive";
    case 2:
      return "leaving";
    case 3:
      return "left";
    case 4:
      return "failed";
  }
  return "unknown";
}

class MembersCommand : public Command {
 public:
  explicit MembersCommand(const Ui* ui) : ui_(ui) {
    http_.AddClientFlags(&flags_);
    flags_.Bool("detailed", &detailed_, "Provides detailed information about nodes.");
    flags_.Bool("wan", &wan_,
                "If the agent is in server mode, this can be used to return the "
                "other peers in the WAN pool.");
    flags_.String("status", &status_,
                  "If provided, output is filtered to only nodes matching the regular "
                  "expression for status.");
    flags_.String("segment", &segment_,
                  "(Enterprise-only) If provided, output is filtered to only nodes in"
                  "the given segment.");
  }
  std::string Synopsis() const override { return "Lists the members of a Consul cluster"; }
  std::string Help() const override { return flags_.Usage(kMembersHelp); }

  int Run(const std::vector<std::string>& args) override {
    if (!flags_.Parse(args, ui_->err)) return 1;
    std::regex status_re;
    try {
      status_re = std::regex(status_.empty() ? ".*" : status_);
    } catch (const std::regex_error&) {
      ui_->Error("Failed to compile status regexp: " + status_);
      return 1;
    }
    std::optional<api::Client> client = http_.NewClientOrReport(*ui_);
    if (!client) return 1;
    auto members = api::Agent(&*client).Members(wan_);
    if (!members.ok()) {
      ui_->Error("Error retrieving members: " + members.status().message());
      return 1;
    }
    std::vector<json::object> list;
    for (const auto& m : *members) {
      if (!m.is_object()) continue;
      const json::object& o = m.as_object();
      const json::value* st = o.if_contains("Status");
      const std::string status = StatusName(st && st->is_int64() ? st->as_int64() : -1);
      if (!std::regex_search(status, status_re)) continue;
      list.push_back(o);
    }
    if (list.empty()) return 2;
    std::sort(list.begin(), list.end(), [](const json::object& a, const json::object& b) {
      const std::string sa = Tag(a, "segment"), sb = Tag(b, "segment");
      if (sa != sb) return sa < sb;
      return Str(a, "Name") < Str(b, "Name");
    });
    std::vector<std::vector<std::string>> rows;
    if (detailed_) {
      rows.push_back({"Node", "Address", "Status", "Tags"});
    } else {
      rows.push_back({"Node", "Address", "Status", "Type", "Build", "Protocol", "DC", "Segment"});
    }
    for (const auto& o : list) {
      const json::value* st = o.if_contains("Status");
      const std::string status = StatusName(st && st->is_int64() ? st->as_int64() : -1);
      const json::value* port = o.if_contains("Port");
      const std::string addr =
          Str(o, "Addr") + ":" +
          std::to_string(
              port && port->is_int64()
                  ? port->as_int64()
                  : (port && port->is_uint64() ? static_cast<int64_t>(port->as_uint64()) : 0));
      if (detailed_) {
        std::vector<std::string> tags;
        if (const json::value* t = o.if_contains("Tags"); t && t->is_object()) {
          for (const auto& kv : t->as_object()) {
            tags.push_back(std::string(kv.key()) + "=" +
                           (kv.value().is_string() ? std::string(kv.value().as_string()) : ""));
          }
        }
        std::sort(tags.begin(), tags.end());
        std::string joined;
        for (const auto& t : tags) joined += (joined.empty() ? "" : ",") + t;
        rows.push_back({Str(o, "Name"), addr, status, joined});
        continue;
      }
      std::string build = Tag(o, "build");
      if (build.empty()) {
        build = "< 0.3";
      } else if (auto i = build.find(':'); i != std::string::npos) {
        build = build.substr(0, i);
      }
      const std::string role = Tag(o, "role");
      std::string segment = Tag(o, "segment");
      if (role == "node") {
        rows.push_back({Str(o, "Name"), addr, status, "client", build, Tag(o, "vsn"), Tag(o, "dc"),
                        segment.empty() ? "<default>" : segment});
      } else if (role == "consul") {
        rows.push_back({Str(o, "Name"), addr, status, "server", build, Tag(o, "vsn"), Tag(o, "dc"),
                        segment.empty() ? "<all>" : segment});
      } else {
        rows.push_back({Str(o, "Name"), addr, status, "unknown", "", "", "", ""});
      }
    }
    ui_->Output(Columnize(rows));
    return 0;
  }

 private:
  const Ui* ui_;
  Flags flags_;
  HttpFlags http_;
  bool detailed_ = false, wan_ = false;
  std::string status_ = ".*", segment_;
};

class JoinCommand : public Command {
 public:
  explicit JoinCommand(const Ui* ui) : ui_(ui) {
    http_.AddClientFlags(&flags_);
    flags_.Bool("wan", &wan_, "Joins a server to another server in the WAN pool.");
  }
  std::string Synopsis() const override { return "Tell Consul agent to join cluster"; }
  std::string Help() const override { return flags_.Usage(kJoinHelp); }

  int Run(const std::vector<std::string>& args) override {
    if (!flags_.Parse(args, ui_->err)) return 1;
    const auto& addrs = flags_.args();
    if (addrs.empty()) {
      ui_->Error("At least one address to join must be specified.");
      ui_->Error("");
      ui_->Error(Help());
      return 1;
    }
    std::optional<api::Client> client = http_.NewClientOrReport(*ui_);
    if (!client) return 1;
    int joins = 0;
    for (const auto& a : addrs) {
      Status st = api::Agent(&*client).Join(a, wan_);
      if (!st.ok()) {
        ui_->Error("Error joining address '" + a + "': " + st.message());
      } else {
        ++joins;
      }
    }
    if (joins == 0) {
      ui_->Error("Failed to join any nodes.");
      return 1;
    }
    ui_->Output("Successfully joined cluster by contacting " + std::to_string(joins) + " nodes.");
    return 0;
  }

 private:
  const Ui* ui_;
  Flags flags_;
  HttpFlags http_;
  bool wan_ = false;
};

class ForceLeaveCommand : public Command {
 public:
  explicit ForceLeaveCommand(const Ui* ui) : ui_(ui) {
    http_.AddClientFlags(&flags_);
    flags_.Bool("prune", &prune_, "Remove agent forcibly from list of members");
  }
  std::string Synopsis() const override {
    return "Forces a member of the cluster to enter the \"left\" state";
  }
  std::string Help() const override { return flags_.Usage(kForceLeaveHelp); }

  int Run(const std::vector<std::string>& args) override {
    if (!flags_.Parse(args, ui_->err)) return 1;
    if (flags_.args().size() != 1) {
      ui_->Error("A single node name must be specified to force leave.");
      ui_->Error("");
      ui_->Error(Help());
      return 1;
    }
    std::optional<api::Client> client = http_.NewClientOrReport(*ui_);
    if (!client) return 1;
    Status st = api::Agent(&*client).ForceLeave(flags_.args()[0], prune_);
    if (!st.ok()) {
      ui_->Error("Error force leaving: " + st.message());
      return 1;
    }
    return 0;
  }

 private:
  const Ui* ui_;
  Flags flags_;
  HttpFlags http_;
  bool prune_ = false;
};

}  // namespace

std::unique_ptr<Command> NewMembersCommand(const Ui* ui) {
  return std::make_unique<MembersCommand>(ui);
}
std::unique_ptr<Command> NewJoinCommand(const Ui* ui) { return std::make_unique<JoinCommand>(ui); }
std::unique_ptr<Command> NewForceLeaveCommand(const Ui* ui) {
  return std::make_unique<ForceLeaveCommand>(ui);
}

}  // namespace consulate::cli
