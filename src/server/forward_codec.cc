#include "server/forward_codec.h"

#include "base/coding.h"
#include "server/server.h"

namespace consulate::server {

namespace {

void PutStatus(std::string* dst, const Status& s) {
  dst->push_back(static_cast<char>(s.code()));
  PutLengthPrefixedString(dst, s.ok() ? std::string_view() : std::string_view(s.message()));
}

bool GetStatus(std::string_view* in, Status* out) {
  if (in->empty()) return false;
  const int code = static_cast<uint8_t>((*in)[0]);
  in->remove_prefix(1);
  std::string_view msg;
  if (!GetLengthPrefixedString(in, &msg)) return false;
  if (code > static_cast<int>(Status::Code::kInternal)) return false;
  *out = Status::FromCode(static_cast<Status::Code>(code), msg);
  return true;
}

}  // namespace

std::string EncodeApplyResult(const fsm::ApplyResult& r) {
  std::string out;
  PutStatus(&out, r.status);
  out.push_back(r.ok ? 1 : 0);
  PutVarint32(&out, static_cast<uint32_t>(r.txn.kv.size()));
  for (const auto& e : r.txn.kv) {
    PutVarint64(&out, e.lock_index);
    PutLengthPrefixedString(&out, e.key);
    PutVarint64(&out, e.flags);
    PutLengthPrefixedString(&out, e.value);
    PutLengthPrefixedString(&out, e.session);
    PutVarint64(&out, e.create_index);
    PutVarint64(&out, e.modify_index);
  }
  PutVarint32(&out, static_cast<uint32_t>(r.txn.errors.size()));
  for (const auto& e : r.txn.errors) {
    PutVarint32(&out, e.op_index);
    PutLengthPrefixedString(&out, e.what);
  }
  return out;
}

Status DecodeApplyResult(std::string_view in, fsm::ApplyResult* out) {
  const Status bad = Status::Corruption("malformed forwarded apply result");
  fsm::ApplyResult r;
  if (!GetStatus(&in, &r.status) || in.empty()) return bad;
  r.ok = in[0] != 0;
  in.remove_prefix(1);
  uint32_t n = 0;
  if (!GetVarint32(&in, &n) || n > in.size()) return bad;
  r.txn.kv.resize(n);
  for (auto& e : r.txn.kv) {
    std::string_view key, value, session;
    if (!GetVarint64(&in, &e.lock_index) || !GetLengthPrefixedString(&in, &key) ||
        !GetVarint64(&in, &e.flags) || !GetLengthPrefixedString(&in, &value) ||
        !GetLengthPrefixedString(&in, &session) || !GetVarint64(&in, &e.create_index) ||
        !GetVarint64(&in, &e.modify_index)) {
      return bad;
    }
    e.key = key;
    e.value = value;
    e.session = session;
  }
  if (!GetVarint32(&in, &n) || n > in.size()) return bad;
  r.txn.errors.resize(n);
  for (auto& e : r.txn.errors) {
    std::string_view what;
    if (!GetVarint32(&in, &e.op_index) || !GetLengthPrefixedString(&in, &what)) return bad;
    e.what = what;
  }
  if (!in.empty()) return bad;
  *out = std::move(r);
  return Status::OK();
}

std::string EncodeNodeRead(const std::optional<state::Node>& node,
                           const std::vector<state::NodeService>& services,
                           const std::vector<state::HealthCheck>& checks) {
  std::string out;
  if (!node) {
    PutVarint32(&out, 0);
    return out;
  }
  PutVarint32(&out, static_cast<uint32_t>(2 + services.size()));
  state::RegisterRequest r;
  r.node = *node;
  PutLengthPrefixedString(&out, fsm::EncodeRegister(r));
  for (const auto& s : services) {
    state::RegisterRequest rs;
    rs.node = *node;
    rs.service = s;
    PutLengthPrefixedString(&out, fsm::EncodeRegister(rs));
  }
  state::RegisterRequest rc;
  rc.node = *node;
  rc.checks = checks;
  PutLengthPrefixedString(&out, fsm::EncodeRegister(rc));
  return out;
}

Status DecodeNodeRead(std::string_view in, std::optional<state::Node>* node,
                      std::vector<state::NodeService>* services,
                      std::vector<state::HealthCheck>* checks) {
  const Status bad = Status::Corruption("malformed node read");
  node->reset();
  services->clear();
  checks->clear();
  uint32_t n = 0;
  if (!GetVarint32(&in, &n) || n > in.size() || n == 1) return bad;
  for (uint32_t i = 0; i < n; ++i) {
    std::string_view part;
    if (!GetLengthPrefixedString(&in, &part)) return bad;
    auto r = fsm::DecodeRegister(part);
    if (!r.ok()) return r.status();
    if (i == 0) {
      *node = r->node;
    } else if (i + 1 < n) {
      if (!r->service) return bad;
      services->push_back(*r->service);
    } else {
      *checks = r->checks;
    }
  }
  return in.empty() ? Status::OK() : bad;
}

void PutAutopilotConfig(std::string* dst, const AutopilotConfig& c) {
  dst->push_back(c.cleanup_dead_servers ? 1 : 0);
  PutVarint64(dst, static_cast<uint64_t>(c.last_contact_threshold.count()));
  PutVarint64(dst, c.max_trailing_logs);
  PutVarint64(dst, c.min_quorum);
  PutVarint64(dst, static_cast<uint64_t>(c.server_stabilization_time.count()));
  PutLengthPrefixedString(dst, c.redundancy_zone_tag);
  dst->push_back(c.disable_upgrade_migration ? 1 : 0);
  PutLengthPrefixedString(dst, c.upgrade_version_tag);
  PutVarint64(dst, c.create_index);
  PutVarint64(dst, c.modify_index);
}

bool GetAutopilotConfig(std::string_view* in, AutopilotConfig* c) {
  auto get_bool = [in](bool* b) {
    if (in->empty() || static_cast<uint8_t>((*in)[0]) > 1) return false;
    *b = (*in)[0] == 1;
    in->remove_prefix(1);
    return true;
  };
  uint64_t lct = 0, sst = 0;
  std::string_view zone, upgrade;
  if (!get_bool(&c->cleanup_dead_servers) || !GetVarint64(in, &lct) ||
      !GetVarint64(in, &c->max_trailing_logs) || !GetVarint64(in, &c->min_quorum) ||
      !GetVarint64(in, &sst) || !GetLengthPrefixedString(in, &zone) ||
      !get_bool(&c->disable_upgrade_migration) || !GetLengthPrefixedString(in, &upgrade) ||
      !GetVarint64(in, &c->create_index) || !GetVarint64(in, &c->modify_index)) {
    return false;
  }
  c->last_contact_threshold = std::chrono::nanoseconds(static_cast<int64_t>(lct));
  c->server_stabilization_time = std::chrono::nanoseconds(static_cast<int64_t>(sst));
  c->redundancy_zone_tag = zone;
  c->upgrade_version_tag = upgrade;
  return true;
}

std::string EncodeAutopilotSet(const AutopilotConfig& c, bool cas, uint64_t cas_index) {
  std::string out(1, static_cast<char>(kAutopilotMessageType));
  out.push_back(cas ? 1 : 0);
  PutVarint64(&out, cas_index);
  PutAutopilotConfig(&out, c);
  return out;
}

Status DecodeAutopilotSet(std::string_view in, AutopilotConfig* c, bool* cas, uint64_t* cas_index) {
  const Status bad = Status::Corruption("malformed autopilot command");
  if (in.size() < 2 || static_cast<uint8_t>(in[0]) != kAutopilotMessageType) return bad;
  *cas = in[1] != 0;
  in.remove_prefix(2);
  if (!GetVarint64(&in, cas_index) || !GetAutopilotConfig(&in, c) || !in.empty()) return bad;
  return Status::OK();
}

std::string EncodeStatus(const Status& s) {
  std::string out;
  PutStatus(&out, s);
  return out;
}

Status DecodeStatus(std::string_view in) {
  Status s;
  if (!GetStatus(&in, &s) || !in.empty()) return Status::Corruption("malformed forwarded status");
  return s;
}

}  // namespace consulate::server
