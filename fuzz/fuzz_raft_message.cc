// Feeds arbitrary bytes to the Raft message decoder, then to the Raft core itself.
//   * DecodeMessage must return OK or Corruption, never crash; whatever decodes must re-encode
//     and decode to the same message.
//   * A decoded message (readdressed to the node under test) is stepped into a follower and a
//     leader of a small cluster, whose Readies are then handled as a driver would. Hostile input
//     may be refused (InvalidArgument) or recorded as a fatal protocol error, but must never
//     crash the core or make it break its own invariants (checked with FUZZ_CHECK).
#include <stdlib.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string_view>

#include "raft/core/memory_storage.h"
#include "raft/core/message_codec.h"
#include "raft/core/raw_node.h"

namespace {

using namespace consulate::raft::core;  // NOLINT(build/namespaces)
using consulate::raft::EntryType;
using consulate::raft::LogEntry;
using consulate::raft::TermId;

#define FUZZ_CHECK(cond)                                                            \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      abort();                                                                      \
    }                                                                               \
  } while (0)

Configuration ThreeVoters() {
  Configuration c;
  c.voters = {NodeId(1), NodeId(2), NodeId(3)};
  return c;
}

// Handles every Ready as a driver would (persist into storage, drop messages, apply nothing).
void Drain(RawNode* node, MemoryStorage* storage) {
  for (int i = 0; i < 8 && node->HasReady(); ++i) {
    Ready rd = node->GetReady();
    if (rd.snapshot) FUZZ_CHECK(storage->ApplySnapshot(*rd.snapshot).ok());
    FUZZ_CHECK(storage->Append(rd.entries).ok());
    if (rd.hard_state) storage->SetHardState(*rd.hard_state);
    for (const Message& m : rd.messages) FUZZ_CHECK(m.from == node->id() && m.to != node->id());
    node->Advance();
  }
}

// A node with a few committed entries, as follower (id 1) or leader (id 1 after campaigning).
void StepInto(const Message& message, bool leader) {
  MemoryStorage storage(ThreeVoters());
  std::vector<LogEntry> log;
  for (uint64_t i = 1; i <= 3; ++i) log.push_back(LogEntry{i, 1, EntryType::kCommand, "e"});
  FUZZ_CHECK(storage.Append(log).ok());
  storage.SetHardState(HardState{1, NodeId(2), 2});
  RaftOptions options;
  options.id = NodeId(1);
  options.snapshot_chunk_bytes = 4;
  auto created = RawNode::Create(options, &storage);
  FUZZ_CHECK(created.ok());
  std::unique_ptr<RawNode> node = std::move(created).value();
  if (leader) {
    FUZZ_CHECK(node->Campaign().ok());
    Drain(node.get(), &storage);
    for (uint64_t voter : {2, 3}) {
      const TermId term = node->term();
      (void)node->Step(Message{NodeId(voter), NodeId(1), term + 1, PreVoteResponse{true}});
      (void)node->Step(Message{NodeId(voter), NodeId(1), node->term(), VoteResponse{true}});
    }
    Drain(node.get(), &storage);
    FUZZ_CHECK(node->role() == Role::kLeader);
  }
  Message m = message;
  m.to = NodeId(1);
  if (m.from == NodeId(1)) m.from = NodeId(2);
  consulate::Status s = node->Step(m);
  FUZZ_CHECK(s.ok() || s.IsInvalidArgument() || !node->fatal_error().ok());
  Drain(node.get(), &storage);
  node->Tick();
  Drain(node.get(), &storage);
  // The core's own invariants, whatever it was fed.
  const RaftLog& l = node->raft().log();
  FUZZ_CHECK(l.applied() <= l.committed());
  FUZZ_CHECK(l.committed() <= l.LastIndex());
  FUZZ_CHECK(l.FirstIndex() <= l.LastIndex() + 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Message message;
  consulate::Status s = DecodeMessage(input, &message);
  Configuration configuration;
  consulate::Status cs = DecodeConfiguration(input, &configuration);
  FUZZ_CHECK(cs.ok() || cs.IsCorruption());
  if (!s.ok()) {
    FUZZ_CHECK(s.IsCorruption());
    return 0;
  }
  Message again;
  FUZZ_CHECK(DecodeMessage(EncodeMessage(message), &again).ok());
  FUZZ_CHECK(again == message);
  StepInto(message, /*leader=*/false);
  StepInto(message, /*leader=*/true);
  return 0;
}
