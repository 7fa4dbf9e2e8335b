// Bounded check output, worded as Consul's runners word it. Script and HTTP checks capture into a
// circular buffer (armon/circbuf) that keeps the LAST max bytes; TTL updates keep the FIRST max
// bytes. Each notes truncation differently, and the texts here are Consul's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace consulate::checks {

// Consul's checks.DefaultBufSize: the output limit when none is configured.
inline constexpr int kDefaultOutputMaxSize = 4096;

// Keeps the last `capacity` bytes written and counts every byte (circbuf.Buffer).
class TailBuffer {
 public:
  // REQUIRES: capacity > 0.
  explicit TailBuffer(size_t capacity) : capacity_(capacity) {}

  void Write(std::string_view data);
  // The retained bytes, oldest first (at most capacity()).
  std::string Contents() const;
  size_t capacity() const { return capacity_; }
  size_t size() const { return total_ < capacity_ ? static_cast<size_t>(total_) : capacity_; }
  uint64_t total_written() const { return total_; }

 private:
  size_t capacity_;
  std::string ring_;  // grows to capacity_, then wraps
  size_t next_ = 0;   // where the next byte goes once ring_ is full
  uint64_t total_ = 0;
};

// A script check's output: the retained bytes, prefixed with "Captured N of M bytes\n...\n" when
// some were dropped (CheckMonitor's truncateAndLogOutput).
std::string ScriptOutput(const TailBuffer& buffer);

// A TTL update's output: cut to its first `max_size` bytes plus " ... (captured N of M bytes)"
// when longer (CheckTTL.SetStatus).
std::string TruncateTtlOutput(std::string output, size_t max_size);

}  // namespace consulate::checks
