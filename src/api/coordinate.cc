#include "api/coordinate.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "api/json_fields.h"

namespace consulate::api {

namespace {

namespace json = boost::json;

double NumberField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_number() ? v->to_number<double>() : 0.0;
}

CoordinateEntry EntryFrom(const json::object& o) {
  CoordinateEntry e;
  e.node = StringField(o, "Node");
  e.segment = StringField(o, "Segment");
  const json::value* c = o.if_contains("Coord");
  if (c == nullptr || !c->is_object()) return e;
  const json::object& co = c->as_object();
  e.has_coord = true;
  if (const json::value* vec = co.if_contains("Vec"); vec != nullptr && vec->is_array()) {
    for (const json::value& x : vec->as_array())
      e.coord.vec.push_back(x.is_number() ? x.to_number<double>() : 0.0);
  }
  e.coord.error = NumberField(co, "Error");
  e.coord.adjustment = NumberField(co, "Adjustment");
  e.coord.height = NumberField(co, "Height");
  return e;
}

Result<std::vector<CoordinateEntry>> EntriesFrom(const json::value& v, std::string_view what) {
  std::vector<CoordinateEntry> out;
  if (v.is_null()) return out;
  if (!v.is_array())
    return Status::Corruption(std::string(what) + ": response is not a JSON array");
  for (const json::value& item : v.as_array())
    if (item.is_object()) out.push_back(EntryFrom(item.as_object()));
  return out;
}

Result<std::string> Get(const Client* client, std::string_view path) {
  CONSULATE_ASSIGN_OR_RETURN(Response resp, client->Send("GET", path));
  if (resp.status != 200) return UnexpectedResponseError(resp);
  return std::move(resp.body);
}

}  // namespace

Result<std::vector<CoordinateEntry>> DecodeCoordinateEntries(std::string_view body) {
  CONSULATE_ASSIGN_OR_RETURN(json::value v, ParseBody(body));
  return EntriesFrom(v, "coordinate nodes");
}

Result<std::vector<CoordinateDatacenterMap>> DecodeCoordinateDatacenters(std::string_view body) {
  CONSULATE_ASSIGN_OR_RETURN(json::value v, ParseBody(body));
  std::vector<CoordinateDatacenterMap> out;
  if (v.is_null()) return out;
  if (!v.is_array())
    return Status::Corruption("coordinate datacenters: response is not a JSON array");
  for (const json::value& item : v.as_array()) {
    if (!item.is_object()) continue;
    const json::object& o = item.as_object();
    CoordinateDatacenterMap m;
    m.datacenter = StringField(o, "Datacenter");
    m.area_id = StringField(o, "AreaID");
    if (const json::value* coords = o.if_contains("Coordinates")) {
      CONSULATE_ASSIGN_OR_RETURN(m.coordinates, EntriesFrom(*coords, "coordinate datacenters"));
    }
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<CoordinateDatacenterMap>> Coordinate::Datacenters() const {
  CONSULATE_ASSIGN_OR_RETURN(std::string body, Get(client_, "/v1/coordinate/datacenters"));
  return DecodeCoordinateDatacenters(body);
}

Result<std::vector<CoordinateEntry>> Coordinate::Nodes() const {
  CONSULATE_ASSIGN_OR_RETURN(std::string body, Get(client_, "/v1/coordinate/nodes"));
  return DecodeCoordinateEntries(body);
}

}  // namespace consulate::api
