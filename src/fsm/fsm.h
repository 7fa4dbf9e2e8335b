// The FSM: applies committed log entries to the state store, deterministically: a handler uses only
// the command and its log index (no clock, no ACL checks; those happen before proposing).
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "fsm/command.h"
#include "state/store.h"

namespace consulate::fsm {

// What applying one entry produced, handed back to the proposer.
struct ApplyResult {
  Status status;         // not OK: the entry could not be decoded or applied
  bool ok = true;        // the boolean answer of KV writes (false: a CAS failed)
  state::TxnResult txn;  // for transactions
};

class FSM {
 public:
  explicit FSM(state::StateStore* store) : store_(store) {}

  // Applies the command `data` committed at `index`. An empty `data` is a no-op entry.
  ApplyResult Apply(uint64_t index, std::string_view data);

  std::string Snapshot() const { return store_->EncodeSnapshot(); }
  Status Restore(std::string_view data) { return store_->RestoreSnapshot(data); }

 private:
  ApplyResult ApplyKVS(uint64_t index, std::string_view data);
  ApplyResult ApplyTxn(uint64_t index, std::string_view data);

  state::StateStore* store_;  // not owned
};

}  // namespace consulate::fsm
