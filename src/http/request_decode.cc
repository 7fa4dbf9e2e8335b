#include "http/request_decode.h"

#include <boost/json.hpp>

#include "config/config.h"

namespace consulate::http {

namespace {
using config::DefinitionField;

std::string Str(const boost::json::object& o, std::string_view name) {
  const boost::json::value* v = DefinitionField(o, name);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

state::StringMap StrMap(const boost::json::object& o, std::string_view name) {
  state::StringMap m;
  const boost::json::value* v = DefinitionField(o, name);
  if (v && v->is_object())
    for (const auto& kv : v->as_object())
      if (kv.value().is_string()) m[std::string(kv.key())] = std::string(kv.value().as_string());
  return m;
}

int Int(const boost::json::object& o, std::string_view name, int dflt = 0) {
  const boost::json::value* v = DefinitionField(o, name);
  return v && v->is_number() ? v->to_number<int>() : dflt;
}

state::HealthCheck DecodeCheck(const boost::json::object& o) {
  state::HealthCheck c;
  c.node = Str(o, "Node");
  c.check_id = Str(o, "CheckID");
  if (c.check_id.empty()) c.check_id = Str(o, "ID");
  c.name = Str(o, "Name");
  c.status = Str(o, "Status");
  c.notes = Str(o, "Notes");
  c.output = Str(o, "Output");
  c.service_id = Str(o, "ServiceID");
  c.type = Str(o, "Type");
  return c;
}
}  // namespace

std::string NearNode(const Call& call) {
  std::string_view near = call.req.Query("near");
  if (near.empty()) return {};
  if (call.req.Has("dc") && !call.req.Query("dc").empty() &&
      call.req.Query("dc") != call.api.datacenter)
    return {};
  return near == "_agent" ? call.api.node_name : std::string(near);
}

std::vector<double> DistancesFrom(const state::StateStore& store, std::string_view near,
                                  const std::vector<std::string_view>& nodes) {
  state::CoordinateSet source;
  store.NodeCoordinates(near, &source, nullptr);
  if (source.empty()) return {};
  std::vector<double> out;
  out.reserve(nodes.size());
  state::CoordinateSet other;
  for (std::string_view node : nodes) {
    other.clear();
    store.NodeCoordinates(node, &other, nullptr);
    auto [a, b] = state::Intersect(source, other);
    out.push_back(state::ComputeDistance(a, b));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseNodeMetaFilter(const Request& req) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto v : req.QueryAll("node-meta")) {
    auto colon = v.find(':');
    out.emplace_back(std::string(v.substr(0, colon)), colon == std::string_view::npos
                                                          ? std::string()
                                                          : std::string(v.substr(colon + 1)));
  }
  return out;
}

bool NodeMetaMatches(const state::Node& n,
                     const std::vector<std::pair<std::string, std::string>>& want) {
  for (const auto& [k, v] : want) {
    auto it = n.meta.find(k);
    if (it == n.meta.end() || it->second != v) return false;
  }
  return true;
}

bool TagsMatch(const state::NodeService& s, const std::vector<std::string_view>& tags) {
  for (auto t : tags) {
    bool found = false;
    for (const auto& have : s.tags) {
      // Consul compares tags case-insensitively (strings.EqualFold).
      if (have.size() == t.size() &&
          std::equal(have.begin(), have.end(), t.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
          })) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

Result<state::RegisterRequest> DecodeCatalogRegister(std::string_view body) {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object())
    return Status::InvalidArgument("Request decode failed: " +
                                   (ec ? ec.message() : std::string("not an object")));
  const auto& o = v.as_object();
  state::RegisterRequest r;
  r.node.id = Str(o, "ID");
  r.node.node = Str(o, "Node");
  r.node.address = Str(o, "Address");
  r.node.datacenter = Str(o, "Datacenter");
  r.node.tagged_addresses = StrMap(o, "TaggedAddresses");
  r.node.meta = StrMap(o, "NodeMeta");
  if (const auto* s = DefinitionField(o, "SkipNodeUpdate"); s && s->is_bool())
    r.skip_node_update = s->as_bool();
  if (r.node.node.empty()) return Status::InvalidArgument("Missing node name");
  if (r.node.address.empty() && !r.skip_node_update)
    return Status::InvalidArgument("Missing node address");
  if (const auto* s = DefinitionField(o, "Service"); s && s->is_object()) {
    const auto& so = s->as_object();
    state::NodeService svc;
    svc.kind = Str(so, "Kind");
    svc.id = Str(so, "ID");
    svc.service = Str(so, "Service");
    if (svc.service.empty()) svc.service = Str(so, "Name");
    if (svc.id.empty()) svc.id = svc.service;
    if (svc.service.empty()) return Status::InvalidArgument("Must provide service name with ID");
    if (const auto* t = DefinitionField(so, "Tags"); t && t->is_array())
      for (const auto& x : t->as_array())
        if (x.is_string()) svc.tags.emplace_back(x.as_string());
    svc.address = Str(so, "Address");
    svc.port = Int(so, "Port");
    svc.meta = StrMap(so, "Meta");
    if (const auto* w = DefinitionField(so, "Weights"); w && w->is_object()) {
      svc.weights.passing = Int(w->as_object(), "Passing", 1);
      svc.weights.warning = Int(w->as_object(), "Warning", 1);
    }
    if (const auto* e = DefinitionField(so, "EnableTagOverride"); e && e->is_bool())
      svc.enable_tag_override = e->as_bool();
    r.service = std::move(svc);
  }
  std::vector<const boost::json::object*> checks;
  if (const auto* c = DefinitionField(o, "Check"); c && c->is_object())
    checks.push_back(&c->as_object());
  if (const auto* cs = DefinitionField(o, "Checks"); cs && cs->is_array())
    for (const auto& c : cs->as_array())
      if (c.is_object()) checks.push_back(&c.as_object());
  for (const auto* c : checks) {
    state::HealthCheck h = DecodeCheck(*c);
    if (h.check_id.empty()) h.check_id = h.name;
    if (h.check_id.empty()) return Status::InvalidArgument("Missing check ID");
    if (h.status.empty()) h.status = std::string(state::kCritical);
    if (h.status != state::kPassing && h.status != state::kWarning &&
        h.status != state::kCritical && h.status != state::kMaintenance)
      return Status::InvalidArgument("Invalid check status: '" + h.status + "'");
    r.checks.push_back(std::move(h));
  }
  return r;
}

Result<state::DeregisterRequest> DecodeCatalogDeregister(std::string_view body) {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object())
    return Status::InvalidArgument("Request decode failed: " +
                                   (ec ? ec.message() : std::string("not an object")));
  const auto& o = v.as_object();
  state::DeregisterRequest r{Str(o, "Node"), Str(o, "ServiceID"), Str(o, "CheckID")};
  if (r.node.empty()) return Status::InvalidArgument("Missing node name");
  return r;
}

}  // namespace consulate::http
