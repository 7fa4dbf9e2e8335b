// Transactions over the KV table (Consul's state/txn.go): every operation runs in order inside one
// exclusive section; if any fails, all changes are rolled back and every error is reported.
#include <cassert>
#include <mutex>

#include "state/store.h"

namespace consulate::state {

namespace {
std::string Quote(std::string_view s) {
  // Go's %q for the printable ASCII keys Consul reports; escapes quotes and backslashes.
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

DirEntry WithoutValue(const DirEntry& e) {
  DirEntry copy = e;
  copy.value.clear();
  return copy;
}
}  // namespace

void StateStore::RecordUndoInTxn(std::string_view key) {
  for (const auto& u : *undo_)
    if (u.key == key) return;
  Undo u;
  u.key = std::string(key);
  if (auto it = kvs_.find(key); it != kvs_.end()) u.entry = it->second;
  if (auto it = tombstones_.find(key); it != tombstones_.end()) u.tombstone = it->second;
  undo_->push_back(std::move(u));
}

Status StateStore::TxnOpInTxn(uint64_t idx, const TxnKVOp& op, bool read_only, TxnResult* out,
                              std::vector<std::string>* touched) {
  const DirEntry& d = op.entry;
  const DirEntry* existing = nullptr;
  if (auto it = kvs_.find(d.key); it != kvs_.end()) existing = &it->second;
  if (read_only && !IsReadOnlyKVOp(op.verb))
    return Status::InvalidArgument("cannot run a write operation in a read-only transaction");

  switch (op.verb) {
    case KVOp::kSet:
      KVSSetInTxn(idx, d, false, touched);
      out->kv.push_back(WithoutValue(kvs_.find(d.key)->second));
      return Status::OK();
    case KVOp::kCAS: {
      bool ok = existing ? d.modify_index == existing->modify_index : d.modify_index == 0;
      if (!ok) return Status::Conflict("failed to set key " + Quote(d.key) + ", index is stale");
      KVSSetInTxn(idx, d, false, touched);
      out->kv.push_back(WithoutValue(kvs_.find(d.key)->second));
      return Status::OK();
    }
    case KVOp::kLock:
    case KVOp::kUnlock:
      // Sessions are not implemented yet, so no session can be valid.
      if (d.session.empty()) return Status::InvalidArgument("missing session");
      return Status::InvalidArgument("invalid session " + Quote(d.session));
    case KVOp::kGet:
      if (!existing) return Status::NotFound("key " + Quote(d.key) + " doesn't exist");
      out->kv.push_back(*existing);
      return Status::OK();
    case KVOp::kGetTree:
      for (auto it = kvs_.lower_bound(d.key);
           it != kvs_.end() && it->first.compare(0, d.key.size(), d.key) == 0; ++it)
        out->kv.push_back(it->second);
      return Status::OK();
    case KVOp::kCheckSession:
      if (!existing) return Status::NotFound("key " + Quote(d.key) + " doesn't exist");
      if (existing->session != d.session)
        return Status::Conflict("failed session check for key " + Quote(d.key) +
                                ", current session " + Quote(existing->session) +
                                " != " + Quote(d.session));
      out->kv.push_back(WithoutValue(*existing));
      return Status::OK();
    case KVOp::kCheckIndex:
      if (!existing) return Status::NotFound("key " + Quote(d.key) + " doesn't exist");
      if (existing->modify_index != d.modify_index)
        return Status::Conflict("failed index check for key " + Quote(d.key) +
                                ", current modify index " + std::to_string(existing->modify_index) +
                                " != " + std::to_string(d.modify_index));
      out->kv.push_back(WithoutValue(*existing));
      return Status::OK();
    case KVOp::kCheckNotExists:
      if (existing) return Status::Conflict("key " + Quote(d.key) + " exists");
      return Status::OK();
    case KVOp::kDelete:
      KVSDeleteInTxn(idx, d.key, touched);
      return Status::OK();
    case KVOp::kDeleteCAS:
      if (existing && existing->modify_index != d.modify_index)
        return Status::Conflict("failed to delete key " + Quote(d.key) + ", index is stale");
      KVSDeleteInTxn(idx, d.key, touched);
      return Status::OK();
    case KVOp::kDeleteTree:
      KVSDeleteTreeInTxn(idx, d.key, touched);
      return Status::OK();
  }
  return Status::InvalidArgument("unknown KV verb " + Quote(KVOpName(op.verb)));
}

TxnResult StateStore::Txn(uint64_t idx, const std::vector<TxnKVOp>& ops) {
  std::unique_lock lock(mu_);
  std::vector<Undo> undo;
  undo_ = &undo;
  const uint64_t kvs_index = kvs_index_, tombstones_index = tombstones_index_;
  std::vector<std::string> touched;
  TxnResult result;
  for (size_t i = 0; i < ops.size(); ++i) {
    Status s = TxnOpInTxn(idx, ops[i], false, &result, &touched);
    if (!s.ok()) result.errors.push_back(TxnError{static_cast<uint32_t>(i), s.message()});
  }
  undo_ = nullptr;
  last_index_ = std::max(last_index_, idx);
  if (!result.errors.empty()) {
    for (auto it = undo.rbegin(); it != undo.rend(); ++it) {
      if (it->entry)
        kvs_[it->key] = *it->entry;
      else
        kvs_.erase(it->key);
      if (it->tombstone)
        tombstones_[it->key] = *it->tombstone;
      else
        tombstones_.erase(it->key);
    }
    kvs_index_ = kvs_index;
    tombstones_index_ = tombstones_index;
    result.kv.clear();
    touched.clear();
  }
  FinishWrite(lock, touched);
  return result;
}

uint64_t StateStore::ReadTxn(const std::vector<TxnKVOp>& ops, TxnResult* out) const {
  std::shared_lock lock(mu_);
  std::vector<std::string> touched;
  for (size_t i = 0; i < ops.size(); ++i) {
    // Read-only verbs never mutate, so the const_cast is only to share TxnOpInTxn.
    Status s = const_cast<StateStore*>(this)->TxnOpInTxn(0, ops[i], true, out, &touched);
    if (!s.ok()) out->errors.push_back(TxnError{static_cast<uint32_t>(i), s.message()});
  }
  assert(touched.empty());
  if (!out->errors.empty()) out->kv.clear();
  return KVSMaxIndexInTxn();
}

}  // namespace consulate::state
