// /v1/coordinate/*: Consul's agent/coordinate_endpoint.go (and the server side in
// agent/consul/coordinate_endpoint.go): the LAN coordinates in the catalog, the WAN coordinates of
// the servers as our WAN pool sees them, and updates from agents.
#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <optional>

#include "fsm/command.h"
#include "http/endpoints.h"

namespace consulate::http {

namespace {
constexpr std::string_view kPrefixNode = "/v1/coordinate/node/";

bool RequireGet(Call& call) {
  if (call.req.method == "GET") return true;
  MethodNotAllowed(call, "OPTIONS,GET");
  return false;
}

// Go's encoding/json float64: shortest form, plain notation between 1e-6 and 1e21, else
// exponent notation with at least one exponent digit ("1e-7", not "1e-07").
void WriteGoFloat(JsonWriter& w, double v) {
  if (!std::isfinite(v)) {
    w.Null();
    return;
  }
  char buf[64];
  const double abs = std::fabs(v);
  const bool exp = abs != 0 && (abs < 1e-6 || abs >= 1e21);
  auto r = std::to_chars(buf, buf + sizeof(buf), v,
                         exp ? std::chars_format::scientific : std::chars_format::fixed);
  std::string s(buf, r.ptr);
  if (exp) {
    const size_t n = s.size();
    if (n >= 4 && s[n - 4] == 'e' && s[n - 3] == '-' && s[n - 2] == '0') s.erase(n - 2, 1);
  }
  w.Raw(s);
}

void WriteCoord(JsonWriter& w, const state::Coordinate& c) {
  w.BeginObject();
  w.Key("Vec");
  w.BeginArray();
  for (double v : c.vec) WriteGoFloat(w, v);
  w.EndArray();
  w.Key("Error");
  WriteGoFloat(w, c.error);
  w.Key("Adjustment");
  WriteGoFloat(w, c.adjustment);
  w.Key("Height");
  WriteGoFloat(w, c.height);
  w.EndObject();
}

void WriteEntry(JsonWriter& w, std::string_view node, std::string_view segment,
                const state::Coordinate& c) {
  w.BeginObject();
  w.Key("Node");
  w.String(node);
  w.Key("Segment");
  w.String(segment);
  w.Key("Coord");
  WriteCoord(w, c);
  w.EndObject();
}

// Consul's filterCoordinates: with ?segment (even empty) only that segment's entries.
bool SegmentMatches(const Call& call, std::string_view segment) {
  return !call.req.Has("segment") || call.req.Query("segment") == segment;
}

struct CoordinatesQuery {
  state::StateStore* store;
  std::vector<state::CoordinateEntry> out;
  uint64_t Run(state::WatchSet* ws) {
    out.clear();
    return store->Coordinates(&out, ws);
  }
};

struct NodeCoordinatesQuery {
  state::StateStore* store;
  std::string node;
  state::CoordinateSet out;
  uint64_t Run(state::WatchSet* ws) {
    out.clear();
    return store->NodeCoordinates(node, &out, ws);
  }
};

// Rendering stays out of the coroutines, whose frames keep every local while parked.
void RenderCoordinates(Call& call, const std::vector<state::CoordinateEntry>& entries) {
  std::string body;
  JsonWriter w(call.pretty(), &body);
  w.BeginArray();
  for (const auto& e : entries)
    if (SegmentMatches(call, e.segment)) WriteEntry(w, e.node, e.segment, e.coord);
  w.EndArray();
  call.SetJsonBody(std::move(body));
}

void RenderNodeCoordinates(Call& call, uint64_t index, const std::string& node,
                           const state::CoordinateSet& set) {
  std::string body;
  JsonWriter w(call.pretty(), &body);
  w.BeginArray();
  size_t n = 0;
  for (const auto& [segment, coord] : set) {
    if (!SegmentMatches(call, segment)) continue;
    WriteEntry(w, node, segment, coord);
    ++n;
  }
  w.EndArray();
  if (n == 0) {
    // Consul writes the 404 status before its deferred meta headers, so none are sent.
    call.resp.status = 404;
    call.resp.content_type = "";
    call.resp.body.clear();
    return;
  }
  call.SetMeta(index);
  call.SetJsonBody(std::move(body));
}

// The servers of each datacenter in the WAN pool with the coordinates we hold for them (Consul's
// Router.GetDatacenterMaps over serf's coordinate cache), datacenter suffix stripped from names.
// A server we hold no coordinate for yet (not pinged since it joined) is left out, as in Consul.
void RenderDatacenters(Call& call) {
  std::map<std::string, std::vector<std::pair<std::string, state::Coordinate>>> by_dc;
  if (gossip::Serf* wan = call.api.wan) {
    for (const gossip::Member& m : wan->Members()) {
      auto role = m.tags.find("role");
      auto dc = m.tags.find("dc");
      if (role == m.tags.end() || role->second != "consul" || dc == m.tags.end()) continue;
      if (m.status == gossip::MemberStatus::kLeft) continue;
      std::string name = m.name;
      const std::string suffix = "." + dc->second;
      if (name.size() > suffix.size() &&
          name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
        name.resize(name.size() - suffix.size());
      std::optional<std::vector<double>> cached = wan->CachedCoordinate(m.name);
      if (!cached || cached->size() < 4) continue;
      const std::vector<double>& v = *cached;
      state::Coordinate c;
      c.vec.assign(v.begin(), v.end() - 3);
      c.error = v[v.size() - 3];
      c.adjustment = v[v.size() - 2];
      c.height = v[v.size() - 1];
      by_dc[dc->second].emplace_back(std::move(name), std::move(c));
    }
  }
  std::string body;
  JsonWriter w(call.pretty(), &body);
  w.BeginArray();
  for (auto& [dc, coords] : by_dc) {
    std::sort(coords.begin(), coords.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    w.BeginObject();
    w.Key("Datacenter");
    w.String(dc);
    w.Key("AreaID");
    w.String("wan");
    w.Key("Coordinates");
    w.BeginArray();
    for (const auto& [name, c] : coords) WriteEntry(w, name, "", c);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  call.SetJsonBody(std::move(body));
}

// The value of `key` in `o`, matched case-insensitively as Go's decoder does; null if absent.
const boost::json::value* Field(const boost::json::object& o, std::string_view key) {
  for (const auto& kv : o) {
    std::string_view k = kv.key();
    if (k.size() == key.size() && std::equal(k.begin(), k.end(), key.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        }))
      return &kv.value();
  }
  return nullptr;
}

std::string GoKind(const boost::json::value& v) {
  if (v.is_string()) return "string";
  if (v.is_number()) return "number";
  if (v.is_bool()) return "bool";
  if (v.is_array()) return "array";
  if (v.is_object()) return "object";
  return "null";
}

Status TypeError(const boost::json::value& v, std::string_view field, std::string_view type) {
  return Status::InvalidArgument("Request decode failed: json: cannot unmarshal " + GoKind(v) +
                                 " into Go struct field " + std::string(field) + " of type " +
                                 std::string(type));
}

Status DecodeDouble(const boost::json::value* v, std::string_view field, double* out) {
  if (v == nullptr || v->is_null()) return Status::OK();
  if (!v->is_number()) return TypeError(*v, field, "float64");
  *out = v->to_number<double>();
  return Status::OK();
}

// structs.CoordinateUpdateRequest. `has_coord` is false when "Coord" is absent or null.
Status DecodeCoordinateUpdate(std::string_view body, state::CoordinateEntry* out, bool* has_coord) {
  *has_coord = false;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return Status::InvalidArgument("Request decode failed: EOF");
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec) return Status::InvalidArgument("Request decode failed: " + ec.message());
  if (v.is_null()) return Status::OK();
  if (!v.is_object())
    return Status::InvalidArgument("Request decode failed: json: cannot unmarshal " + GoKind(v) +
                                   " into Go value of type structs.CoordinateUpdateRequest");
  const auto& o = v.as_object();
  for (auto [name, dst] : {std::pair{"Node", &out->node}, std::pair{"Segment", &out->segment}}) {
    const boost::json::value* f = Field(o, name);
    if (f == nullptr || f->is_null()) continue;
    if (!f->is_string())
      return TypeError(*f, std::string("CoordinateUpdateRequest.") + name, "string");
    *dst = std::string(f->as_string());
  }
  const boost::json::value* c = Field(o, "Coord");
  if (c == nullptr || c->is_null()) return Status::OK();
  if (!c->is_object())
    return TypeError(*c, "CoordinateUpdateRequest.Coord", "coordinate.Coordinate");
  *has_coord = true;
  const auto& co = c->as_object();
  out->coord = state::Coordinate{};
  if (const boost::json::value* vec = Field(co, "Vec"); vec != nullptr && !vec->is_null()) {
    if (!vec->is_array()) return TypeError(*vec, "Coordinate.Vec", "[]float64");
    for (const auto& x : vec->as_array()) {
      double d = 0;
      if (Status s = DecodeDouble(&x, "Coordinate.Vec", &d); !s.ok()) return s;
      out->coord.vec.push_back(d);
    }
  }
  if (Status s = DecodeDouble(Field(co, "Error"), "Coordinate.Error", &out->coord.error); !s.ok())
    return s;
  if (Status s =
          DecodeDouble(Field(co, "Adjustment"), "Coordinate.Adjustment", &out->coord.adjustment);
      !s.ok())
    return s;
  return DecodeDouble(Field(co, "Height"), "Coordinate.Height", &out->coord.height);
}

// Validates an update as Consul's Coordinate.Update does and encodes the command; on a bad update
// fills in the response and returns an empty string.
std::string PrepareUpdate(Call& call) {
  state::CoordinateEntry e;
  bool has_coord = false;
  if (Status s = DecodeCoordinateUpdate(call.req.body, &e, &has_coord); !s.ok()) {
    call.resp.Error(400, s.message());
    return {};
  }
  // Consul dereferences a missing coordinate and drops the connection; an error is kinder.
  if (!has_coord || !e.coord.IsValid()) {
    call.resp.Error(500, "invalid coordinate");
    return {};
  }
  // Coordinates from elsewhere must match the dimensionality of ours.
  state::Coordinate ours = state::NewCoordinate();
  if (call.api.lan != nullptr) {
    std::vector<double> v = call.api.lan->CoordinateVec();
    if (v.size() >= 4) ours.vec.assign(v.size() - 3, 0.0);
  }
  if (!ours.IsCompatibleWith(e.coord)) {
    call.resp.Error(500, "incompatible coordinate");
    return {};
  }
  return fsm::EncodeCoordinateBatchUpdate({std::move(e)});
}
}  // namespace

Task<void> HandleCoordinateDatacenters(Call& call) {
  if (!RequireGet(call)) co_return;
  RenderDatacenters(call);
}

Task<void> HandleCoordinateNodes(Call& call) {
  if (!RequireGet(call)) co_return;
  QueryOptions q;
  if (!call.ParseQueryOptions(&q)) co_return;
  CoordinatesQuery query{&call.api.server->state(), {}};
  auto* qp = &query;
  uint64_t idx = co_await call.Blocking(q, [qp](state::WatchSet* ws) { return qp->Run(ws); });
  if (call.aborted()) co_return;
  call.SetMeta(idx);
  RenderCoordinates(call, query.out);
}

Task<void> HandleCoordinateNode(Call& call) {
  if (!RequireGet(call)) co_return;
  QueryOptions q;
  if (!call.ParseQueryOptions(&q)) co_return;
  NodeCoordinatesQuery query{
      &call.api.server->state(), call.req.path.substr(kPrefixNode.size()), {}};
  auto* qp = &query;
  uint64_t idx = co_await call.Blocking(q, [qp](state::WatchSet* ws) { return qp->Run(ws); });
  if (call.aborted()) co_return;
  RenderNodeCoordinates(call, idx, query.node, query.out);
}

Task<void> HandleCoordinateUpdate(Call& call) {
  if (call.req.method != "PUT") {
    MethodNotAllowed(call, "OPTIONS,PUT");
    co_return;
  }
  std::string command = PrepareUpdate(call);
  if (command.empty()) co_return;
  fsm::ApplyResult r = co_await call.Apply(std::move(command));
  if (!r.status.ok()) {
    call.resp.Error(500, r.status.message());
    co_return;
  }
  call.resp.content_type = "";
  call.resp.body.clear();
}

}  // namespace consulate::http
