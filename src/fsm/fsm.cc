#include "fsm/fsm.h"

namespace consulate::fsm {

ApplyResult FSM::Apply(uint64_t index, std::string_view data) {
  if (data.empty()) {
    store_->MarkApplied(index);
    return {};
  }
  switch (TypeOf(data)) {
    case MessageType::kKVS:
      return ApplyKVS(index, data);
    case MessageType::kTxn:
      return ApplyTxn(index, data);
    case MessageType::kRegister: {
      ApplyResult r;
      auto req = DecodeRegister(data);
      if (!req.ok()) {
        store_->MarkApplied(index);
        r.status = req.status();
      } else {
        r.status = store_->EnsureRegistration(index, *req);
      }
      r.ok = r.status.ok();
      return r;
    }
    case MessageType::kDeregister: {
      ApplyResult r;
      auto req = DecodeDeregister(data);
      if (!req.ok()) {
        store_->MarkApplied(index);
        r.status = req.status();
      } else {
        r.status = store_->Deregister(index, *req);
      }
      r.ok = r.status.ok();
      return r;
    }
    case MessageType::kCoordinateBatchUpdate: {
      ApplyResult r;
      auto updates = DecodeCoordinateBatchUpdate(data);
      if (!updates.ok()) {
        store_->MarkApplied(index);
        r.status = updates.status();
        r.ok = false;
      } else {
        store_->CoordinateBatchUpdate(index, *updates);
      }
      return r;
    }
    default: {
      // Unknown types are skipped (as Consul does for types with the ignore flag) so that a
      // newer log stays readable; the index still advances.
      store_->MarkApplied(index);
      ApplyResult r;
      r.status = Status::InvalidArgument("unknown command type " +
                                         std::to_string(static_cast<int>(TypeOf(data))));
      return r;
    }
  }
}

ApplyResult FSM::ApplyKVS(uint64_t index, std::string_view data) {
  ApplyResult r;
  auto cmd = DecodeKVS(data);
  if (!cmd.ok()) {
    store_->MarkApplied(index);
    r.status = cmd.status();
    return r;
  }
  const state::DirEntry& e = cmd->entry;
  switch (cmd->op) {
    case state::KVOp::kSet:
      store_->KVSSet(index, e);
      break;
    case state::KVOp::kCAS:
      r.ok = store_->KVSSetCAS(index, e);
      break;
    case state::KVOp::kDelete:
      store_->KVSDelete(index, e.key);
      break;
    case state::KVOp::kDeleteCAS:
      r.ok = store_->KVSDeleteCAS(index, e.modify_index, e.key);
      break;
    case state::KVOp::kDeleteTree:
      store_->KVSDeleteTree(index, e.key);
      break;
    default:
      store_->MarkApplied(index);
      r.status = Status::InvalidArgument("Invalid KVS operation '" +
                                         std::string(state::KVOpName(cmd->op)) + "'");
      break;
  }
  return r;
}

ApplyResult FSM::ApplyTxn(uint64_t index, std::string_view data) {
  ApplyResult r;
  auto cmd = DecodeTxn(data);
  if (!cmd.ok()) {
    store_->MarkApplied(index);
    r.status = cmd.status();
    return r;
  }
  r.txn = store_->Txn(index, cmd->ops);
  r.ok = r.txn.ok();
  return r;
}

}  // namespace consulate::fsm
