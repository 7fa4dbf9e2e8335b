// The unit of the Raft log.
#pragma once

#include <cstdint>
#include <string>

namespace consulate::raft {

// Aliases for now; they name intent in signatures. Index 0 and term 0 mean "none": the first
// real entry has index 1.
using LogIndex = uint64_t;
using TermId = uint64_t;

// Stored on disk as one byte: the numbers are stable and never reused.
enum class EntryType : uint8_t {
  kCommand = 0,        // an FSM command
  kNoop = 1,           // appended by a new leader to commit entries from earlier terms
  kConfiguration = 2,  // a cluster membership change
};
inline constexpr uint8_t kMaxEntryType = 2;

struct LogEntry {
  LogIndex index = 0;
  TermId term = 0;
  EntryType type = EntryType::kCommand;
  std::string data;

  friend bool operator==(const LogEntry&, const LogEntry&) = default;
};

}  // namespace consulate::raft
