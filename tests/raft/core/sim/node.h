// Simulator::Node, shared by the simulator's source files: one server's disk (what survives a
// crash) and process (what does not).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/simulator.h"

namespace consulate::raft::core::sim {

struct Simulator::Node {
  uint64_t id = 0;
  bool up = false;
  uint64_t incarnation = 0;
  Configuration bootstrap;

  // The disk: what survives a crash.
  HardState hard_state_synced;
  std::optional<HardState> hard_state_unsynced;  // written without sync: may be lost
  Snapshot disk_snapshot;                        // snapshots are written atomically and synced
  std::vector<LogEntry> disk_entries;            // consecutive; may start at or before snapshot+1
  size_t disk_synced = 0;                        // disk_entries[0, disk_synced) are durable
  uint64_t truncations = 0;                      // times disk_entries lost a suffix or all

  // The process: lost on a crash.
  std::unique_ptr<MemoryStorage> storage;
  std::unique_ptr<RawNode> raft;
  std::optional<CrashPoint> armed_crash;
  LogIndex applied = 0;
  uint64_t hash = 0;
  Configuration fsm_configuration;
  std::vector<std::string> commands;
  std::vector<ReadState> reads;
};

}  // namespace consulate::raft::core::sim
