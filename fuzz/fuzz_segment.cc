// Feeds arbitrary bytes to the Raft storage readers. The bytes are taken as a segment file:
// ScanSegment must classify them without crashing, and SegmentLog::Open on a directory holding
// just that file must either fail with Corruption or recover exactly the prefix of complete
// records the scanner found (and then accept the next entry). The same bytes also go through the
// snapshot-file and hard-state decoders.
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/coding.h"
#include "raft/segment_format.h"
#include "raft/segment_log.h"
#include "raft/snapshot_store.h"
#include "raft/stable_store.h"

namespace {

using consulate::DecodeFixed64;
using consulate::Status;
using namespace consulate::raft;  // NOLINT(build/namespaces)

#define FUZZ_CHECK(cond)                                                            \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      abort();                                                                      \
    }                                                                               \
  } while (0)

// Created once per process and removed at exit. Never destroyed, so the exit handler can use it.
const std::string& WorkDir() {
  static const std::string* dir = [] {
    std::string templ = std::filesystem::exists("/dev/shm") ? "/dev/shm/fuzz-segment-XXXXXX"
                                                            : "/tmp/fuzz-segment-XXXXXX";
    FUZZ_CHECK(::mkdtemp(templ.data()) != nullptr);
    auto* path = new std::string(templ);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(WorkDir(), ec);
    });
    return path;
  }();
  return *dir;
}

void ClearDir(const std::string& dir) {
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename() != "LOCK") std::filesystem::remove(e.path());
  }
}

void CheckScan(std::string_view input, uint64_t first, const segment::ScanResult& scan) {
  FUZZ_CHECK(scan.valid_end <= input.size());
  FUZZ_CHECK(scan.offsets.size() == 0 || scan.valid_end >= segment::kFileHeaderSize);
  uint64_t prev = 0;
  for (size_t k = 0; k < scan.offsets.size(); ++k) {
    FUZZ_CHECK(scan.offsets[k] >= prev && scan.offsets[k] < scan.valid_end);
    prev = scan.offsets[k] + 1;
    const size_t end = k + 1 < scan.offsets.size() ? scan.offsets[k + 1] : scan.valid_end;
    std::string_view record = input.substr(scan.offsets[k], end - scan.offsets[k]);
    LogEntry entry;
    FUZZ_CHECK(segment::DecodeRecord(&record, &entry).ok());
    FUZZ_CHECK(record.empty());
    FUZZ_CHECK(entry.index == first + k);
  }
  if (scan.tail.ok()) {
    for (size_t i = scan.valid_end; i < input.size(); ++i) FUZZ_CHECK(input[i] == 0);
  }
}

void FuzzSegmentLog(std::string_view input, uint64_t first, const segment::ScanResult& scan,
                    bool scan_ok) {
  const std::string& dir = WorkDir();
  ClearDir(dir);
  {
    FILE* f = std::fopen((dir + "/" + segment::SegmentFileName(first)).c_str(), "wb");
    FUZZ_CHECK(f != nullptr);
    FUZZ_CHECK(std::fwrite(input.data(), 1, input.size(), f) == input.size());
    FUZZ_CHECK(std::fclose(f) == 0);
  }
  SegmentLog::Options options;
  options.sync = false;
  options.prefill_bytes = 0;
  auto opened = SegmentLog::Open(dir, options);
  if (!opened.ok()) {
    FUZZ_CHECK(opened.status().IsCorruption());
    FUZZ_CHECK(!scan_ok);
    return;
  }
  FUZZ_CHECK(scan_ok);
  SegmentLog& log = **opened;
  FUZZ_CHECK(log.FirstIndex() == first);
  FUZZ_CHECK(log.LastIndex() == first + scan.offsets.size() - 1);
  std::vector<LogEntry> entries;
  FUZZ_CHECK(log.Entries(log.FirstIndex(), log.LastIndex() + 1, UINT64_MAX, &entries).ok());
  FUZZ_CHECK(entries.size() == scan.offsets.size());
  const LogEntry next{log.LastIndex() + 1, log.LastTerm() + 1, EntryType::kNoop, "x"};
  FUZZ_CHECK(log.Append({next}).ok());
  FUZZ_CHECK(log.Term(next.index).ok() && *log.Term(next.index) == next.term);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // Take the first index from the header when it is plausible, so the fuzzer can reach records.
  uint64_t first = 1;
  if (size >= segment::kFileHeaderSize) {
    const uint64_t header_index = DecodeFixed64(input.data() + segment::kMagic.size());
    if (header_index >= 1 && header_index <= SegmentLog::kMaxIndex) first = header_index;
  }
  segment::ScanResult scan;
  const Status s = segment::ScanSegment(input, first, 0, &scan);
  if (s.ok()) {
    CheckScan(input, first, scan);
  } else {
    FUZZ_CHECK(s.IsCorruption());
  }
  FuzzSegmentLog(input, first, scan, s.ok());

  Snapshot snapshot;
  const Status snap = DecodeSnapshotFile(input, &snapshot);
  FUZZ_CHECK(snap.ok() || snap.IsCorruption());
  HardState hard_state;
  const Status hs = DecodeHardState(input, &hard_state);
  FUZZ_CHECK(hs.ok() || hs.IsCorruption());
  if (hs.ok()) {
    HardState again;
    FUZZ_CHECK(DecodeHardState(EncodeHardState(hard_state), &again).ok() && again == hard_state);
  }
  return 0;
}
