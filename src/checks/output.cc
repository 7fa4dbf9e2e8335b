#include "checks/output.h"

#include <fmt/format.h>

namespace consulate::checks {

void TailBuffer::Write(std::string_view data) {
  total_ += data.size();
  if (data.size() >= capacity_) {
    // Only the tail of this write survives.
    ring_.assign(data.substr(data.size() - capacity_));
    next_ = 0;
    return;
  }
  while (!data.empty()) {
    if (ring_.size() < capacity_) {
      size_t n = std::min(capacity_ - ring_.size(), data.size());
      ring_.append(data.substr(0, n));
      data.remove_prefix(n);
      next_ = ring_.size() % capacity_;
      continue;
    }
    size_t n = std::min(capacity_ - next_, data.size());
    ring_.replace(next_, n, data.substr(0, n));
    data.remove_prefix(n);
    next_ = (next_ + n) % capacity_;
  }
}

std::string TailBuffer::Contents() const {
  if (ring_.size() < capacity_) return ring_;
  return ring_.substr(next_) + ring_.substr(0, next_);
}

std::string ScriptOutput(const TailBuffer& buffer) {
  std::string out = buffer.Contents();
  if (buffer.total_written() > buffer.size()) {
    out =
        fmt::format("Captured {} of {} bytes\n...\n{}", buffer.size(), buffer.total_written(), out);
  }
  return out;
}

std::string TruncateTtlOutput(std::string output, size_t max_size) {
  const size_t total = output.size();
  if (total <= max_size) return output;
  output.resize(max_size);
  return fmt::format("{} ... (captured {} of {} bytes)", output, max_size, total);
}

}  // namespace consulate::checks
