// Measures SegmentLog group-commit throughput: Append a batch of ~150-byte entries, then Sync,
// repeated. Usage: raft_log_bench [dir] (default: a fresh directory under /tmp; use a directory on
// the disk you care about). Prints entries/s and microseconds per Sync for each configuration.
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "raft/segment_log.h"

namespace consulate::raft {
namespace {

int Run(const std::string& base) {
  struct Config {
    const char* name;
    uint64_t prefill;
    size_t batch;
    int batches;
  };
  const Config configs[] = {
      {"no prefill", 0, 1, 3000},
      {"prefill 1MiB", 1 << 20, 1, 3000},
      {"no prefill", 0, 32, 2000},
      {"prefill 1MiB", 1 << 20, 32, 2000},
  };
  for (const Config& c : configs) {
    const std::string dir = base + "/run";
    std::filesystem::remove_all(dir);
    SegmentLog::Options o;
    o.prefill_bytes = c.prefill;
    auto opened = SegmentLog::Open(dir, o);
    if (!opened.ok()) {
      std::fprintf(stderr, "open: %s\n", opened.status().ToString().c_str());
      return 1;
    }
    SegmentLog& log = **opened;
    std::vector<LogEntry> batch(c.batch);
    uint64_t next = 1;
    const auto start = std::chrono::steady_clock::now();
    for (int b = 0; b < c.batches; ++b) {
      for (LogEntry& e : batch) e = LogEntry{next++, 1, EntryType::kCommand, std::string(150, 'x')};
      Status s = log.Append(batch);
      if (s.ok()) s = log.Sync();
      if (!s.ok()) {
        std::fprintf(stderr, "write: %s\n", s.ToString().c_str());
        return 1;
      }
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%-13s batch %2zu: %9.0f entries/s  %7.1f us per Append+Sync\n", c.name, c.batch,
                static_cast<double>(next - 1) / secs, secs / c.batches * 1e6);
  }
  std::filesystem::remove_all(base + "/run");
  return 0;
}

}  // namespace
}  // namespace consulate::raft

int main(int argc, char** argv) {
  std::string base;
  if (argc > 1) {
    base = argv[1];
  } else {
    std::string templ = "/tmp/raft-log-bench-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) return 1;
    base = templ;
  }
  const int rc = consulate::raft::Run(base);
  if (argc <= 1) std::filesystem::remove_all(base);
  return rc;
}
