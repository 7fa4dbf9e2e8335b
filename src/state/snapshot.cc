// Snapshot encoding of the state store: a versioned sequence of tables. The snapshot file itself
// (CRC, atomic rename) is raft/snapshot_store's business; this is only the payload.
#include <mutex>

#include "base/coding.h"
#include "state/store.h"

namespace consulate::state {

namespace {
constexpr std::string_view kMagic = "CSTATE";
constexpr uint64_t kVersion = 1;
enum : uint8_t {
  kTableEnd = 0,
  kTableKVS = 1,
  kTableTombstones = 2,
  kTableNodes = 3,
  kTableServices = 4,
  kTableChecks = 5,
  kTableCatalogIndexes = 6,
  kTableCoordinates = 7,  // n entries, then the table index (absent in older snapshots)
};

void PutStringMap(std::string* out, const StringMap& m) {
  PutVarint64(out, m.size());
  for (const auto& [k, v] : m) {
    PutLengthPrefixedString(out, k);
    PutLengthPrefixedString(out, v);
  }
}

bool GetString(std::string_view* in, std::string* out) {
  std::string_view v;
  if (!GetLengthPrefixedString(in, &v)) return false;
  *out = std::string(v);
  return true;
}

bool GetStringMap(std::string_view* in, StringMap* m) {
  uint64_t n;
  if (!GetVarint64(in, &n) || n > in->size()) return false;
  for (uint64_t i = 0; i < n; ++i) {
    std::string k, v;
    if (!GetString(in, &k) || !GetString(in, &v)) return false;
    (*m)[k] = v;
  }
  return true;
}

void PutStrings(std::string* out, const std::vector<std::string>& v) {
  PutVarint64(out, v.size());
  for (const auto& s : v) PutLengthPrefixedString(out, s);
}

bool GetStrings(std::string_view* in, std::vector<std::string>* v) {
  uint64_t n;
  if (!GetVarint64(in, &n) || n > in->size()) return false;
  v->resize(n);
  for (auto& s : *v)
    if (!GetString(in, &s)) return false;
  return true;
}

// Zigzag for the few signed fields (ports, weights).
void PutInt(std::string* out, int64_t v) {
  PutVarint64(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}
bool GetInt(std::string_view* in, int* v) {
  uint64_t u;
  if (!GetVarint64(in, &u)) return false;
  *v = static_cast<int>(static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1)));
  return true;
}
}  // namespace

void EncodeNode(std::string* out, const Node& n) {
  for (const auto* s : {&n.id, &n.node, &n.address, &n.datacenter})
    PutLengthPrefixedString(out, *s);
  PutStringMap(out, n.tagged_addresses);
  PutStringMap(out, n.meta);
  PutVarint64(out, n.create_index);
  PutVarint64(out, n.modify_index);
}

bool DecodeNode(std::string_view* in, Node* n) {
  return GetString(in, &n->id) && GetString(in, &n->node) && GetString(in, &n->address) &&
         GetString(in, &n->datacenter) && GetStringMap(in, &n->tagged_addresses) &&
         GetStringMap(in, &n->meta) && GetVarint64(in, &n->create_index) &&
         GetVarint64(in, &n->modify_index);
}

void EncodeNodeService(std::string* out, const NodeService& s) {
  for (const auto* f : {&s.kind, &s.id, &s.service, &s.address}) PutLengthPrefixedString(out, *f);
  PutStrings(out, s.tags);
  PutVarint64(out, s.tagged_addresses.size());
  for (const auto& [k, a] : s.tagged_addresses) {
    PutLengthPrefixedString(out, k);
    PutLengthPrefixedString(out, a.address);
    PutInt(out, a.port);
  }
  PutStringMap(out, s.meta);
  PutInt(out, s.port);
  PutInt(out, s.weights.passing);
  PutInt(out, s.weights.warning);
  out->push_back(s.enable_tag_override ? 1 : 0);
  PutVarint64(out, s.create_index);
  PutVarint64(out, s.modify_index);
}

bool DecodeNodeService(std::string_view* in, NodeService* s) {
  if (!GetString(in, &s->kind) || !GetString(in, &s->id) || !GetString(in, &s->service) ||
      !GetString(in, &s->address) || !GetStrings(in, &s->tags))
    return false;
  uint64_t n;
  if (!GetVarint64(in, &n) || n > in->size()) return false;
  for (uint64_t i = 0; i < n; ++i) {
    std::string k;
    ServiceAddress a;
    if (!GetString(in, &k) || !GetString(in, &a.address) || !GetInt(in, &a.port)) return false;
    s->tagged_addresses[k] = a;
  }
  if (!GetStringMap(in, &s->meta) || !GetInt(in, &s->port) || !GetInt(in, &s->weights.passing) ||
      !GetInt(in, &s->weights.warning) || in->empty())
    return false;
  s->enable_tag_override = (*in)[0] != 0;
  in->remove_prefix(1);
  return GetVarint64(in, &s->create_index) && GetVarint64(in, &s->modify_index);
}

void EncodeHealthCheck(std::string* out, const HealthCheck& c) {
  for (const auto* f : {&c.node, &c.check_id, &c.name, &c.status, &c.notes, &c.output,
                        &c.service_id, &c.service_name, &c.type, &c.definition_json})
    PutLengthPrefixedString(out, *f);
  PutStrings(out, c.service_tags);
  PutVarint64(out, c.create_index);
  PutVarint64(out, c.modify_index);
}

bool DecodeHealthCheck(std::string_view* in, HealthCheck* c) {
  for (auto* f : {&c->node, &c->check_id, &c->name, &c->status, &c->notes, &c->output,
                  &c->service_id, &c->service_name, &c->type, &c->definition_json})
    if (!GetString(in, f)) return false;
  return GetStrings(in, &c->service_tags) && GetVarint64(in, &c->create_index) &&
         GetVarint64(in, &c->modify_index);
}

namespace {
void EncodeDirEntry(std::string* out, const DirEntry& e) {
  PutLengthPrefixedString(out, e.key);
  PutLengthPrefixedString(out, e.value);
  PutLengthPrefixedString(out, e.session);
  PutVarint64(out, e.flags);
  PutVarint64(out, e.lock_index);
  PutVarint64(out, e.create_index);
  PutVarint64(out, e.modify_index);
}

bool DecodeDirEntry(std::string_view* in, DirEntry* e) {
  std::string_view key, value, session;
  if (!GetLengthPrefixedString(in, &key) || !GetLengthPrefixedString(in, &value) ||
      !GetLengthPrefixedString(in, &session) || !GetVarint64(in, &e->flags) ||
      !GetVarint64(in, &e->lock_index) || !GetVarint64(in, &e->create_index) ||
      !GetVarint64(in, &e->modify_index))
    return false;
  e->key = std::string(key);
  e->value = std::string(value);
  e->session = std::string(session);
  return true;
}
}  // namespace

std::string StateStore::EncodeSnapshot() const {
  std::shared_lock lock(mu_);
  std::string out(kMagic);
  PutVarint64(&out, kVersion);
  PutVarint64(&out, last_index_);
  PutVarint64(&out, kvs_index_);
  PutVarint64(&out, tombstones_index_);
  out.push_back(static_cast<char>(kTableKVS));
  PutVarint64(&out, kvs_.size());
  for (const auto& [k, e] : kvs_) EncodeDirEntry(&out, e);
  out.push_back(static_cast<char>(kTableTombstones));
  PutVarint64(&out, tombstones_.size());
  for (const auto& [k, idx] : tombstones_) {
    PutLengthPrefixedString(&out, k);
    PutVarint64(&out, idx);
  }
  out.push_back(static_cast<char>(kTableNodes));
  PutVarint64(&out, nodes_.size());
  for (const auto& [name, n] : nodes_) EncodeNode(&out, n);
  size_t nservices = 0, nchecks = 0;
  for (const auto& [node, m] : services_) nservices += m.size();
  for (const auto& [node, m] : checks_) nchecks += m.size();
  out.push_back(static_cast<char>(kTableServices));
  PutVarint64(&out, nservices);
  for (const auto& [node, m] : services_) {
    for (const auto& [id, svc] : m) {
      PutLengthPrefixedString(&out, node);
      EncodeNodeService(&out, svc);
    }
  }
  out.push_back(static_cast<char>(kTableChecks));
  PutVarint64(&out, nchecks);
  for (const auto& [node, m] : checks_)
    for (const auto& [id, c] : m) EncodeHealthCheck(&out, c);
  out.push_back(static_cast<char>(kTableCatalogIndexes));
  PutVarint64(&out, 4 + service_indexes_.size());
  for (uint64_t v : {nodes_index_, services_index_, checks_index_, service_extinction_index_})
    PutVarint64(&out, v);
  for (const auto& [name, idx] : service_indexes_) {
    PutLengthPrefixedString(&out, name);
    PutVarint64(&out, idx);
  }
  out.push_back(static_cast<char>(kTableCoordinates));
  PutVarint64(&out, coordinates_.size());
  for (const auto& [key, coord] : coordinates_)
    EncodeCoordinateEntry(&out, CoordinateEntry{key.first, key.second, coord});
  PutVarint64(&out, coordinates_index_);
  out.push_back(static_cast<char>(kTableEnd));
  return out;
}

Status StateStore::RestoreSnapshot(std::string_view data) {
  auto corrupt = [](const char* what) {
    return Status::Corruption(std::string("state snapshot: ") + what);
  };
  if (data.substr(0, kMagic.size()) != kMagic) return corrupt("bad magic");
  data.remove_prefix(kMagic.size());
  uint64_t version, last_index, kvs_index, tombstones_index;
  if (!GetVarint64(&data, &version) || version != kVersion) return corrupt("unknown version");
  if (!GetVarint64(&data, &last_index) || !GetVarint64(&data, &kvs_index) ||
      !GetVarint64(&data, &tombstones_index))
    return corrupt("truncated header");
  KVMap kvs;
  std::map<std::string, uint64_t, std::less<>> tombstones;
  ByName<Node> nodes;
  ByName<ByName<NodeService>> services;
  ByName<ByName<HealthCheck>> checks;
  ByName<std::map<std::pair<std::string, std::string>, bool>> instances;
  ByName<uint64_t> service_indexes;
  uint64_t cat_indexes[4] = {0, 0, 0, 0};
  std::map<std::pair<std::string, std::string>, Coordinate> coordinates;
  uint64_t coordinates_index = 0;
  while (true) {
    if (data.empty()) return corrupt("truncated");
    uint8_t table = static_cast<uint8_t>(data[0]);
    data.remove_prefix(1);
    if (table == kTableEnd) break;
    uint64_t n;
    if (!GetVarint64(&data, &n)) return corrupt("truncated table");
    if (table == kTableKVS) {
      for (uint64_t i = 0; i < n; ++i) {
        DirEntry e;
        if (!DecodeDirEntry(&data, &e)) return corrupt("bad kv entry");
        std::string key = e.key;
        kvs.emplace(std::move(key), std::move(e));
      }
    } else if (table == kTableTombstones) {
      for (uint64_t i = 0; i < n; ++i) {
        std::string_view key;
        uint64_t idx;
        if (!GetLengthPrefixedString(&data, &key) || !GetVarint64(&data, &idx))
          return corrupt("bad tombstone");
        tombstones.emplace(std::string(key), idx);
      }
    } else if (table == kTableNodes) {
      for (uint64_t i = 0; i < n; ++i) {
        Node node;
        if (!DecodeNode(&data, &node)) return corrupt("bad node");
        nodes[node.node] = std::move(node);
      }
    } else if (table == kTableServices) {
      for (uint64_t i = 0; i < n; ++i) {
        std::string node;
        NodeService svc;
        if (!GetString(&data, &node) || !DecodeNodeService(&data, &svc))
          return corrupt("bad service");
        instances[svc.service][{node, svc.id}] = true;
        services[node][svc.id] = std::move(svc);
      }
    } else if (table == kTableChecks) {
      for (uint64_t i = 0; i < n; ++i) {
        HealthCheck c;
        if (!DecodeHealthCheck(&data, &c)) return corrupt("bad check");
        checks[c.node][c.check_id] = std::move(c);
      }
    } else if (table == kTableCatalogIndexes) {
      if (n < 4) return corrupt("bad catalog indexes");
      for (auto& v : cat_indexes)
        if (!GetVarint64(&data, &v)) return corrupt("bad catalog indexes");
      for (uint64_t i = 4; i < n; ++i) {
        std::string name;
        uint64_t idx;
        if (!GetString(&data, &name) || !GetVarint64(&data, &idx))
          return corrupt("bad service index");
        service_indexes[name] = idx;
      }
    } else if (table == kTableCoordinates) {
      for (uint64_t i = 0; i < n; ++i) {
        CoordinateEntry e;
        if (!DecodeCoordinateEntry(&data, &e)) return corrupt("bad coordinate");
        // Bad data from an old client is dropped on restore too (Consul's Restore.Coordinates).
        if (e.coord.IsValid()) coordinates[{e.node, e.segment}] = std::move(e.coord);
      }
      if (!GetVarint64(&data, &coordinates_index)) return corrupt("bad coordinates index");
    } else {
      return corrupt("unknown table");
    }
  }
  std::vector<std::shared_ptr<Waiter>> waiters;
  {
    std::unique_lock lock(mu_);
    kvs_ = std::move(kvs);
    tombstones_ = std::move(tombstones);
    last_index_ = last_index;
    kvs_index_ = kvs_index;
    tombstones_index_ = tombstones_index;
    nodes_ = std::move(nodes);
    services_ = std::move(services);
    checks_ = std::move(checks);
    instances_ = std::move(instances);
    service_indexes_ = std::move(service_indexes);
    nodes_index_ = cat_indexes[0];
    services_index_ = cat_indexes[1];
    checks_index_ = cat_indexes[2];
    service_extinction_index_ = cat_indexes[3];
    coordinates_ = std::move(coordinates);
    coordinates_index_ = coordinates_index;
  }
  kv_watches_.CollectAll(&waiters);
  catalog_watches_.CollectAll(&waiters);
  FireAll(waiters);
  return Status::OK();
}

}  // namespace consulate::state
