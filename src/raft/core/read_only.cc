#include "raft/core/read_only.h"

#include <utility>

namespace consulate::raft::core {

void ReadOnly::AddRequest(LogIndex commit_index, NodeId requester, std::string context) {
  if (pending_.count(context) != 0) return;
  queue_.push_back(context);
  ReadIndexStatus status;
  status.index = commit_index;
  status.requester = requester;
  status.context = context;
  pending_.emplace(std::move(context), std::move(status));
}

const std::set<NodeId>* ReadOnly::RecvAck(NodeId from, const std::string& context) {
  auto it = pending_.find(context);
  if (it == pending_.end()) return nullptr;
  it->second.acks.insert(from);
  return &it->second.acks;
}

std::vector<ReadIndexStatus> ReadOnly::Advance(const std::string& context) {
  std::vector<ReadIndexStatus> out;
  if (pending_.count(context) == 0) return out;
  while (!queue_.empty()) {
    std::string ctx = std::move(queue_.front());
    queue_.pop_front();
    auto it = pending_.find(ctx);
    out.push_back(std::move(it->second));
    pending_.erase(it);
    if (ctx == context) break;
  }
  return out;
}

}  // namespace consulate::raft::core
