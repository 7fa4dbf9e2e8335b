// The coordinate endpoints (/v1/coordinate), as Consul's Go api.Coordinate exposes them. Errors
// carry the Go client's wording (see client.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/client.h"
#include "base/result.h"

namespace consulate::api {

// One network coordinate as the endpoints return it (serf's coordinate.Coordinate).
struct CoordinateValue {
  std::vector<double> vec;
  double error = 0;
  double adjustment = 0;
  double height = 0;
};

// One entry of GET /v1/coordinate/nodes (api.CoordinateEntry).
struct CoordinateEntry {
  std::string node;
  std::string segment;
  bool has_coord = false;  // false when "Coord" was null or absent
  CoordinateValue coord;
};

// One entry of GET /v1/coordinate/datacenters (api.CoordinateDatacenterMap).
struct CoordinateDatacenterMap {
  std::string datacenter;
  std::string area_id;
  std::vector<CoordinateEntry> coordinates;
};

class Coordinate {
 public:
  // `client` must outlive this object.
  explicit Coordinate(const Client* client) : client_(client) {}

  // GET /v1/coordinate/datacenters: the servers' WAN coordinates by datacenter.
  Result<std::vector<CoordinateDatacenterMap>> Datacenters() const;
  // GET /v1/coordinate/nodes: the LAN coordinates of every node.
  Result<std::vector<CoordinateEntry>> Nodes() const;

 private:
  const Client* client_;
};

// Decoders for the answers above. Exposed for tests.
Result<std::vector<CoordinateEntry>> DecodeCoordinateEntries(std::string_view json);
Result<std::vector<CoordinateDatacenterMap>> DecodeCoordinateDatacenters(std::string_view json);

}  // namespace consulate::api
