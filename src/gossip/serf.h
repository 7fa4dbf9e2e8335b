// serf on top of memberlist (hashicorp/serf 0.9's serf package): member statuses with Lamport
// times for join/leave intents, user events, serf's push/pull state, reconnecting to failed
// members and reaping old ones, Vivaldi coordinates in ping acks, and answers to serf's internal
// queries (ping, conflict, keyring). Wire-compatible with stock serf 0.9 (protocol 5) and
// Consul's LAN/WAN pools.
//
// A Serf owns one thread running its own io_context; all state lives on that thread. Public
// methods are thread-safe: they hop onto that thread and wait. Handlers run on that thread; they
// may call the non-blocking methods (Members, LocalMember, SetTags, FireUserEvent) but not Join,
// Leave, ForceLeave or Shutdown.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/result.h"
#include "base/status.h"

namespace consulate::gossip {

// Values as Consul's /v1/agent/members "Status".
enum class MemberStatus : int { kNone = 0, kAlive = 1, kLeaving = 2, kLeft = 3, kFailed = 4 };
const char* MemberStatusName(MemberStatus status);  // "none", "alive", "leaving", "left", "failed"

struct Member {
  std::string name;
  std::string addr;  // IP address text
  uint16_t port = 0;
  std::map<std::string, std::string> tags;
  MemberStatus status = MemberStatus::kNone;
  uint8_t protocol_min = 0, protocol_max = 0, protocol_cur = 0;
  uint8_t delegate_min = 0, delegate_max = 0, delegate_cur = 0;
};

struct SerfConfig {
  std::string node_name;
  std::string bind_addr = "0.0.0.0";
  uint16_t bind_port = 7946;    // 0: an ephemeral port (tests)
  std::string advertise_addr;   // empty: bind_addr
  uint16_t advertise_port = 0;  // 0: the bound port
  std::map<std::string, std::string> tags;
  bool wan = false;               // memberlist's WAN timing profile
  std::vector<std::string> keys;  // raw key bytes (16/24/32), first is primary; empty = none
  bool verify_incoming = true, verify_outgoing = true;
  // serf's KeyringFile: when set, rewritten (keyring_file.h) after every successful key install,
  // use or removal, so a restart keeps the keys.
  std::string keyring_file;
  std::chrono::milliseconds reconnect_timeout{std::chrono::hours(72)};
  std::chrono::milliseconds tombstone_timeout{std::chrono::hours(24)};
  // Multiplies every protocol interval and timeout (probe, gossip, push/pull, suspicion,
  // broadcast and leave waits, reap and reconnect intervals); 0.1 runs 10x faster. Tests only.
  double time_scale = 1.0;
};

struct MemberEvent {
  enum Kind { kJoin, kLeave, kFailed, kUpdate, kReap } kind;
  std::vector<Member> members;
};
const char* MemberEventName(MemberEvent::Kind kind);  // "member-join", ...

struct UserEvent {
  std::string name;
  std::string payload;
  uint64_t ltime = 0;
  bool coalesce = false;
};

// An outgoing query's parameters (serf's QueryParam).
struct QueryParams {
  std::vector<std::string> filter_nodes;           // only these members answer (empty: all)
  std::map<std::string, std::string> filter_tags;  // tag name -> regexp its value must match
  bool request_ack = false;                        // ask every member that passes to ack
  uint8_t relay_factor = 0;  // responders also relay their answer through this many members
  std::chrono::milliseconds timeout{0};  // 0: DefaultQueryTimeout()
};

// One member's answer to a query.
struct QueryResponse {
  std::string from;
  std::string payload;
};

// What a query collected by the time it closed.
struct QueryResult {
  int num_members = 0;                   // memberlist's live members when the query was sent
  std::vector<std::string> acks;         // member names, in arrival order, no duplicates
  std::vector<QueryResponse> responses;  // in arrival order, one per member
};

class Serf {
 public:
  struct Handlers {
    std::function<void(const MemberEvent&)> on_member;
    std::function<void(const UserEvent&)> on_user_event;
  };

  // Binds the gossip address and starts the protocol. The local member's own join event is
  // delivered before Start returns.
  static Result<std::unique_ptr<Serf>> Start(SerfConfig config, Handlers handlers, Logger logger);

  // Joins through each address ("host" or "host:port"; default port: our bind port), with a
  // push/pull each. Returns how many were contacted; an error when none was. ignore_old: do not
  // replay user events that happened before the join.
  Result<int> Join(const std::vector<std::string>& addrs, bool ignore_old);
  // Graceful leave: broadcasts the leave intent and a dead message about ourselves, waits for
  // them to go out (bounded), then lets them propagate. Peers see us as left. Shutdown() after.
  Status Leave();
  // Marks a failed member left (prune: forget it at once) and tells the cluster.
  Status ForceLeave(const std::string& node, bool prune);
  // Replaces our tags and gossips them (bounded wait).
  Status SetTags(std::map<std::string, std::string> tags);
  // Fires a user event (name + payload at most 512 bytes); delivered to us too.
  Status FireUserEvent(const std::string& name, const std::string& payload, bool coalesce);
  // Sends a query to the pool (ourselves included, as serf does) and collects acks and responses
  // until its timeout passes or `finished` (called on the serf thread after each ack or response)
  // returns true. Blocks the caller; not callable from a handler. InvalidArgument when the encoded
  // query exceeds serf's 1024-byte limit ("query exceeds limit of 1024 bytes").
  Result<QueryResult> Query(const std::string& name, const std::string& payload,
                            const QueryParams& params,
                            std::function<bool(const QueryResult&)> finished = nullptr);
  // serf's DefaultQueryTimeout: gossip interval x 16 x ceil(log10(live members + 1)).
  std::chrono::milliseconds DefaultQueryTimeout() const;
  // Memberlist's count of members not dead or left (serf's memberlist.NumMembers()).
  int NumLiveMembers() const;
  // Every known member, including left and failed ones until reaped.
  std::vector<Member> Members() const;
  Member LocalMember() const;
  // Keyring operations on this member only (serf's internal keyring queries use them). Keys are
  // raw bytes.
  Status InstallKey(const std::string& key);
  Status UseKey(const std::string& key);
  Status RemoveKey(const std::string& key);
  std::vector<std::string> ListKeys() const;  // primary first
  // Our Vivaldi coordinate estimate in serf's encoding: {vec, error, adjustment, height}.
  std::vector<double> CoordinateVec() const;
  // serf's coordinate cache (GetCachedCoordinate): the coordinate `node` last sent us in a ping
  // ack, in the same encoding; ours for our own name; nullopt for a node we hold none for (never
  // pinged, or reaped).
  std::optional<std::vector<double>> CachedCoordinate(const std::string& node) const;
  // Memberlist's local health score (0 = healthy).
  int HealthScore() const;
  // Stops the thread and closes the sockets, without leaving: peers will see us fail.
  void Shutdown();
  ~Serf();

  struct Impl;

 private:
  explicit Serf(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace consulate::gossip
