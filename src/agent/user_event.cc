#include "agent/user_event.h"

#include <charconv>
#include <random>

#include "filter/regex.h"
#include "gossip/msgpack.h"

namespace consulate::agent {

namespace msgpack = gossip::msgpack;

Status ValidateUserEvent(const UserEventRecord& event) {
  if (event.name.empty()) return Status::InvalidArgument("User event missing name");
  if (!event.tag_filter.empty() && event.service_filter.empty())
    return Status::InvalidArgument("Cannot provide tag filter without service filter");
  const std::pair<const std::string*, const char*> filters[] = {
      {&event.node_filter, "node"}, {&event.service_filter, "service"}, {&event.tag_filter, "tag"}};
  for (const auto& [expr, what] : filters) {
    if (expr->empty()) continue;
    auto re = filter::Regex::Compile(*expr);
    if (!re.ok())
      return Status::InvalidArgument(std::string("Invalid ") + what +
                                     " filter: " + re.status().message());
  }
  return Status::OK();
}

std::string EncodeUserEvent(const UserEventRecord& event) {
  std::string out;
  msgpack::Writer w(&out);
  msgpack::StructWriter s(&w);
  s.Field("ID").Str(event.id);
  s.Field("n").Str(event.name);
  if (event.payload && !event.payload->empty()) s.Field("p").Raw(*event.payload);
  if (!event.node_filter.empty()) s.Field("nf").Str(event.node_filter);
  if (!event.service_filter.empty()) s.Field("sf").Str(event.service_filter);
  if (!event.tag_filter.empty()) s.Field("tf").Str(event.tag_filter);
  s.Field("v").Int(event.version);
  s.Finish();
  return out;
}

Status DecodeUserEvent(std::string_view payload, UserEventRecord* event) {
  *event = UserEventRecord();
  msgpack::Value v;
  CONSULATE_RETURN_IF_ERROR(msgpack::Decode(&payload, &v));
  return msgpack::DecodeStruct(
      v, "UserEvent", [event](std::string_view name, const msgpack::Value& value) -> Status {
        if (name == "ID") return msgpack::Get(value, &event->id, "ID");
        if (name == "n") return msgpack::Get(value, &event->name, "n");
        if (name == "p") {
          msgpack::Bytes b;
          CONSULATE_RETURN_IF_ERROR(msgpack::Get(value, &b, "p"));
          if (!b.is_nil()) event->payload = b.str();
          return Status::OK();
        }
        if (name == "nf") return msgpack::Get(value, &event->node_filter, "nf");
        if (name == "sf") return msgpack::Get(value, &event->service_filter, "sf");
        if (name == "tf") return msgpack::Get(value, &event->tag_filter, "tf");
        if (name == "v") return msgpack::Get(value, &event->version, "v");
        return Status::OK();
      });
}

std::string GenerateUUID() {
  std::random_device rd;
  unsigned char b[16];
  for (size_t i = 0; i < sizeof(b); i += 4) {
    const uint32_t r = rd();
    for (size_t j = 0; j < 4; ++j) b[i + j] = static_cast<unsigned char>(r >> (8 * j));
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < sizeof(b); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0xf]);
  }
  return out;
}

uint64_t UuidToUint64(std::string_view uuid) {
  if (uuid.size() < 36) return 0;
  const std::string low = std::string(uuid.substr(0, 8)) + std::string(uuid.substr(9, 4)) +
                          std::string(uuid.substr(14, 4));
  const std::string high = std::string(uuid.substr(19, 4)) + std::string(uuid.substr(24, 12));
  uint64_t a = 0, b = 0;
  std::from_chars(low.data(), low.data() + low.size(), a, 16);
  std::from_chars(high.data(), high.data() + high.size(), b, 16);
  return a ^ b;
}

UserEventRing::UserEventRing(std::string node_name, Logger logger)
    : node_name_(std::move(node_name)), logger_(std::move(logger)) {}

void UserEventRing::set_services(ServicesFn fn) {
  std::lock_guard<std::mutex> lock(mu_);
  services_ = std::move(fn);
}

void UserEventRing::HandleSerfEvent(const gossip::UserEvent& e) {
  if (e.name.rfind(kUserEventPrefix, 0) != 0) return;  // not a Consul user event
  UserEventRecord event;
  if (Status s = DecodeUserEvent(e.payload, &event); !s.ok()) {
    logger_.Error("Failed to decode event: error=\"{}\"", s.message());
    return;
  }
  event.ltime = e.ltime;
  if (!ShouldProcess(event)) return;
  Ingest(std::move(event));
}

bool UserEventRing::ShouldProcess(const UserEventRecord& event) const {
  if (event.version > kUserEventMaxVersion) {
    logger_.Warn("Event version may have unsupported features: version={} event={}", event.version,
                 event.name);
  }
  if (!event.node_filter.empty()) {
    auto re = filter::Regex::Compile(event.node_filter);
    if (!re.ok()) {
      logger_.Error("Failed to parse node filter for event: filter={} event={} error=\"{}\"",
                    event.node_filter, event.name, re.status().message());
      return false;
    }
    if (!re->Search(node_name_)) return false;
  }
  if (!event.service_filter.empty()) {
    auto re = filter::Regex::Compile(event.service_filter);
    if (!re.ok()) {
      logger_.Error("Failed to parse service filter for event: filter={} event={} error=\"{}\"",
                    event.service_filter, event.name, re.status().message());
      return false;
    }
    std::optional<filter::Regex> tag_re;
    if (!event.tag_filter.empty()) {
      auto t = filter::Regex::Compile(event.tag_filter);
      if (!t.ok()) {
        logger_.Error("Failed to parse tag filter for event: filter={} event={} error=\"{}\"",
                      event.tag_filter, event.name, t.status().message());
        return false;
      }
      tag_re = std::move(*t);
    }
    ServicesFn services;
    {
      std::lock_guard<std::mutex> lock(mu_);
      services = services_;
    }
    if (!services) return false;
    bool found = false;
    for (const state::NodeService& svc : services()) {
      // Consul matches the service's ID (the key of the agent's service map).
      if (!re->Search(svc.id)) continue;
      if (!tag_re) {
        found = true;
        break;
      }
      for (const std::string& tag : svc.tags) {
        if (tag_re->Search(tag)) {
          found = true;
          break;
        }
      }
      if (found) break;
    }
    if (!found) return false;
  }
  return true;
}

void UserEventRing::Ingest(UserEventRecord event) {
  logger_.Debug("new event: event_name={} event_id={}", event.name, event.id);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (ring_.size() < kUserEventRingSize) {
      ring_.push_back(std::move(event));
    } else {
      ring_[next_] = std::move(event);
    }
    next_ = (next_ + 1) % kUserEventRingSize;
  }
  std::vector<std::shared_ptr<state::Waiter>> waiters;
  hub_.Collect(kWatchKey, &waiters);
  state::FireAll(waiters);
}

std::vector<UserEventRecord> UserEventRing::Events() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (ring_.size() < kUserEventRingSize) return ring_;
  std::vector<UserEventRecord> out;
  out.reserve(ring_.size());
  for (size_t i = 0; i < ring_.size(); ++i) out.push_back(ring_[(next_ + i) % ring_.size()]);
  return out;
}

}  // namespace consulate::agent
