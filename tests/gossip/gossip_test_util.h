// Helpers for the in-process memberlist/serf tests: start Serf instances on 127.0.0.x loopback
// addresses with ephemeral ports, record their events, and wait for conditions.
//
// Set CONSULATE_GOSSIP_TEST_LOG=debug (or info, warn, ...) to see the instances' logs.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/log.h"
#include "gossip/serf.h"

namespace consulate::gossip::testing {

inline Logger TestLogger(const std::string& name) {
  static std::shared_ptr<LogSink> sink = [] {
    LogLevel level = LogLevel::kOff;
    if (const char* env = std::getenv("CONSULATE_GOSSIP_TEST_LOG")) ParseLogLevel(env, &level);
    return std::make_shared<LogSink>(level);
  }();
  return Logger(sink, name);
}

// Waits up to `timeout` for `pred`, polling every 20 ms.
inline bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

struct TestNode {
  std::string name;
  std::string ip;
  std::unique_ptr<Serf> serf;
  mutable std::mutex mu;
  std::vector<MemberEvent> member_events;  // GUARDED_BY(mu)
  std::vector<UserEvent> user_events;      // GUARDED_BY(mu)

  uint16_t port() const { return serf->LocalMember().port; }
  std::string address() const { return ip + ":" + std::to_string(port()); }

  MemberStatus StatusOf(const std::string& node) const {
    for (const Member& m : serf->Members()) {
      if (m.name == node) return m.status;
    }
    return MemberStatus::kNone;
  }
  int CountStatus(MemberStatus status) const {
    int n = 0;
    for (const Member& m : serf->Members()) n += m.status == status;
    return n;
  }
  std::vector<UserEvent> UserEvents() const {
    std::lock_guard lock(mu);
    return user_events;
  }
  int CountMemberEvents(MemberEvent::Kind kind, const std::string& node) const {
    std::lock_guard lock(mu);
    int n = 0;
    for (const auto& e : member_events) {
      if (e.kind != kind) continue;
      for (const auto& m : e.members) n += m.name == node;
    }
    return n;
  }
};

struct NodeOptions {
  double time_scale = 0.1;
  uint16_t port = 0;
  std::vector<std::string> keys;
  std::map<std::string, std::string> tags;
  std::chrono::milliseconds reconnect_timeout{std::chrono::hours(72)};
};

inline std::unique_ptr<TestNode> StartNode(const std::string& name, const std::string& ip,
                                           const NodeOptions& options = {}) {
  auto node = std::make_unique<TestNode>();
  node->name = name;
  node->ip = ip;
  SerfConfig config;
  config.node_name = name;
  config.bind_addr = ip;
  config.bind_port = options.port;
  config.time_scale = options.time_scale;
  config.keys = options.keys;
  config.tags = options.tags;
  config.reconnect_timeout = options.reconnect_timeout;
  TestNode* raw = node.get();
  Serf::Handlers handlers;
  handlers.on_member = [raw](const MemberEvent& e) {
    std::lock_guard lock(raw->mu);
    raw->member_events.push_back(e);
  };
  handlers.on_user_event = [raw](const UserEvent& e) {
    std::lock_guard lock(raw->mu);
    raw->user_events.push_back(e);
  };
  auto serf = Serf::Start(config, handlers, TestLogger(name));
  if (!serf.ok()) {
    ADD_FAILURE() << "Start " << name << ": " << serf.status().ToString();
    return nullptr;
  }
  node->serf = std::move(serf).value();
  return node;
}

}  // namespace consulate::gossip::testing
