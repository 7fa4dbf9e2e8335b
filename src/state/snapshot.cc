// Snapshot encoding of the state store: a versioned sequence of tables. The snapshot file itself
// (CRC, atomic rename) is raft/snapshot_store's business; this is only the payload.
#include <mutex>

#include "base/coding.h"
#include "state/store.h"

namespace consulate::state {

namespace {
constexpr std::string_view kMagic = "CSTATE";
constexpr uint64_t kVersion = 1;
enum : uint8_t { kTableEnd = 0, kTableKVS = 1, kTableTombstones = 2 };

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
  out.push_back(static_cast<char>(kTableEnd));
  return out;
}

Status StateStore::RestoreSnapshot(std::string_view data) {
  auto corrupt = [](const char* what) { return Status::Corruption(std::string("state snapshot: ") + what); };
  if (data.substr(0, kMagic.size()) != kMagic) return corrupt("bad magic");
  data.remove_prefix(kMagic.size());
  uint64_t version, last_index, kvs_index, tombstones_index;
  if (!GetVarint64(&data, &version) || version != kVersion) return corrupt("unknown version");
  if (!GetVarint64(&data, &last_index) || !GetVarint64(&data, &kvs_index) ||
      !GetVarint64(&data, &tombstones_index))
    return corrupt("truncated header");
  KVMap kvs;
  std::map<std::string, uint64_t, std::less<>> tombstones;
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
        if (!GetLengthPrefixedString(&data, &key) || !GetVarint64(&data, &idx)) return corrupt("bad tombstone");
        tombstones.emplace(std::string(key), idx);
      }
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
  }
  kv_watches_.CollectAll(&waiters);
  FireAll(waiters);
  return Status::OK();
}

}  // namespace consulate::state
