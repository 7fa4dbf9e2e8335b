// Consul's user events (agent/user_event.go) on top of serf's: an event named N travels as the
// serf user event "consul:event:N" whose payload is the msgpack of Consul's UserEvent struct (ID,
// Name, Payload, filters, Version). Serf events without that prefix (e.g. from `serf event`) are
// not Consul events and are ignored, as Consul does.
//
// Each agent keeps the last 256 events that passed its filters (node name, and local service
// name/tag regexps) in a ring, which /v1/event/list reads; every new event fires the ring's watch
// so that blocking lists wake up.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.h"
#include "base/status.h"
#include "gossip/serf.h"
#include "state/catalog.h"
#include "state/watch.h"

namespace consulate::agent {

inline constexpr std::string_view kUserEventPrefix = "consul:event:";
inline constexpr int kUserEventMaxVersion = 1;
inline constexpr size_t kUserEventRingSize = 256;

// Consul's UserEvent. `payload` is a Go []byte: nullopt is nil (JSON null).
struct UserEventRecord {
  std::string id;
  std::string name;
  std::optional<std::string> payload;
  std::string node_filter;
  std::string service_filter;
  std::string tag_filter;
  int64_t version = 0;
  uint64_t ltime = 0;  // the serf Lamport time (not encoded)
};

// Consul's validateUserEventParams: "User event missing name", "Cannot provide tag filter without
// service filter", "Invalid node filter: error parsing regexp: ..." (InvalidArgument).
Status ValidateUserEvent(const UserEventRecord& event);
// The msgpack Consul puts in the serf event's payload (keys ID, n, p, nf, sf, tf, v; empty
// optional fields left out).
std::string EncodeUserEvent(const UserEventRecord& event);
Status DecodeUserEvent(std::string_view payload, UserEventRecord* event);
// A random UUID as go-uuid's GenerateUUID writes it (8-4-4-4-12 lowercase hex).
std::string GenerateUUID();
// Consul's uuidToUint64: the UUID's two 64-bit halves XORed; the event list's index.
uint64_t UuidToUint64(std::string_view uuid);

class UserEventRing {
 public:
  using ServicesFn = std::function<std::vector<state::NodeService>()>;

  UserEventRing(std::string node_name, Logger logger);
  UserEventRing(const UserEventRing&) = delete;
  UserEventRing& operator=(const UserEventRing&) = delete;

  // Where the service filter looks (the agent's local services). Until set, an event with a
  // service filter is not processed.
  void set_services(ServicesFn fn);

  // A serf user event from the LAN pool (any thread). Non-Consul events are ignored.
  void HandleSerfEvent(const gossip::UserEvent& e);
  // Consul's shouldProcessUserEvent against this agent.
  bool ShouldProcess(const UserEventRecord& event) const;
  // Adds an event that passed the filters and wakes the watchers.
  void Ingest(UserEventRecord event);

  // The ring's events, oldest first.
  std::vector<UserEventRecord> Events() const;
  // Watches on kWatchKey fire on every Ingest.
  state::WatchHub* hub() { return &hub_; }
  static constexpr std::string_view kWatchKey = "events";

 private:
  const std::string node_name_;
  Logger logger_;
  mutable std::mutex mu_;
  ServicesFn services_;                // GUARDED_BY(mu_)
  std::vector<UserEventRecord> ring_;  // GUARDED_BY(mu_); kUserEventRingSize slots once full
  size_t next_ = 0;                    // GUARDED_BY(mu_); the slot the next event goes to
  state::WatchHub hub_;
};

}  // namespace consulate::agent
