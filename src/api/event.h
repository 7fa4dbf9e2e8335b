// Consul's Go api.Event: firing user events (/v1/event/fire/<name>).
#pragma once

#include <optional>
#include <string>

#include "api/client.h"
#include "base/result.h"

namespace consulate::api {

// api.UserEvent (the fields a caller sets).
struct UserEventParams {
  std::string name;
  std::optional<std::string> payload;  // sent as the body when set
  std::string node_filter;
  std::string service_filter;
  std::string tag_filter;
};

class Event {
 public:
  explicit Event(const Client* client) : client_(client) {}

  // PUT /v1/event/fire/<name>?node=&service=&tag=; returns the new event's ID.
  Result<std::string> Fire(const UserEventParams& params) const;

 private:
  const Client* client_;
};

}  // namespace consulate::api
