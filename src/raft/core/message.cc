#include "raft/core/message.h"

#include <type_traits>

namespace consulate::raft::core {

namespace {

template <typename T>
constexpr const char* NameOf() {
  if constexpr (std::is_same_v<T, VoteRequest>) return "VoteRequest";
  if constexpr (std::is_same_v<T, VoteResponse>) return "VoteResponse";
  if constexpr (std::is_same_v<T, PreVoteRequest>) return "PreVoteRequest";
  if constexpr (std::is_same_v<T, PreVoteResponse>) return "PreVoteResponse";
  if constexpr (std::is_same_v<T, AppendEntriesRequest>) return "AppendEntriesRequest";
  if constexpr (std::is_same_v<T, AppendEntriesResponse>) return "AppendEntriesResponse";
  if constexpr (std::is_same_v<T, HeartbeatRequest>) return "HeartbeatRequest";
  if constexpr (std::is_same_v<T, HeartbeatResponse>) return "HeartbeatResponse";
  if constexpr (std::is_same_v<T, InstallSnapshotRequest>) return "InstallSnapshotRequest";
  if constexpr (std::is_same_v<T, InstallSnapshotResponse>) return "InstallSnapshotResponse";
  if constexpr (std::is_same_v<T, TimeoutNowRequest>) return "TimeoutNowRequest";
  if constexpr (std::is_same_v<T, ReadIndexRequest>) return "ReadIndexRequest";
  if constexpr (std::is_same_v<T, ReadIndexResponse>) return "ReadIndexResponse";
  return "Unknown";
}

std::string N(uint64_t v) { return std::to_string(v); }

std::string Details(const VoteRequest& b) {
  return "last=" + N(b.last_log_index) + "@" + N(b.last_log_term) +
         (b.leadership_transfer ? " transfer" : "");
}
std::string Details(const PreVoteRequest& b) {
  return "last=" + N(b.last_log_index) + "@" + N(b.last_log_term);
}
std::string Details(const VoteResponse& b) { return b.granted ? "granted" : "rejected"; }
std::string Details(const PreVoteResponse& b) { return b.granted ? "granted" : "rejected"; }
std::string Details(const AppendEntriesRequest& b) {
  std::string out = "prev=" + N(b.prev_log_index) + "@" + N(b.prev_log_term) +
                    " commit=" + N(b.commit_index) + " entries=" + N(b.entries.size());
  if (!b.entries.empty()) {
    out += " [" + N(b.entries.front().index) + ".." + N(b.entries.back().index) + "]";
  }
  return out;
}
std::string Details(const AppendEntriesResponse& b) {
  if (!b.rejected) return "index=" + N(b.index);
  return "rejected index=" + N(b.index) + " hint=" + N(b.hint_index) + "@" + N(b.hint_term);
}
std::string Details(const HeartbeatRequest& b) {
  return "commit=" + N(b.commit_index) + (b.context.empty() ? "" : " ctx=" + b.context);
}
std::string Details(const HeartbeatResponse& b) {
  return b.context.empty() ? "" : "ctx=" + b.context;
}
std::string Details(const InstallSnapshotRequest& b) {
  return "snapshot=" + N(b.metadata.index) + "@" + N(b.metadata.term) + " offset=" + N(b.offset) +
         " bytes=" + N(b.data.size()) + (b.done ? " done" : "");
}
std::string Details(const InstallSnapshotResponse& b) {
  return "snapshot=" + N(b.snapshot_index) + " next_offset=" + N(b.next_offset) +
         (b.done ? " done last=" + N(b.last_index) : "");
}
std::string Details(const TimeoutNowRequest&) { return ""; }
std::string Details(const ReadIndexRequest& b) { return "ctx=" + b.context; }
std::string Details(const ReadIndexResponse& b) {
  return "index=" + N(b.index) + " ctx=" + b.context;
}

}  // namespace

const char* MessageTypeName(const MessageBody& body) {
  return std::visit([](const auto& b) { return NameOf<std::decay_t<decltype(b)>>(); }, body);
}

std::string DescribeMessage(const Message& message) {
  std::string details = std::visit([](const auto& b) { return Details(b); }, message.body);
  return ToString(message.from) + "->" + ToString(message.to) + " t" + N(message.term) + " " +
         MessageTypeName(message.body) + (details.empty() ? "" : " " + details);
}

}  // namespace consulate::raft::core
