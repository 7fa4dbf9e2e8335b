// Logging in Consul's (hclog's) text format:
//   2026-11-23T10:00:00.000Z [INFO]  agent: Started HTTP server: address=127.0.0.1:8500 network=tcp
// A LogSink owns the outputs (stderr and an optional rotating file) and is shared; a Logger is a
// cheap value naming a subsystem ("agent", "agent.http"). Nothing here is global: the agent owns
// the sink.
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/status.h"

namespace consulate {

enum class LogLevel : int { kTrace = 0, kDebug = 1, kInfo = 2, kWarn = 3, kError = 4, kOff = 5 };

// Parses Consul's level names (trace, debug, info, warn, err/error), case-insensitive.
bool ParseLogLevel(std::string_view name, LogLevel* out);

class LogSink {
 public:
  struct FileOptions {
    std::string path;  // a file or a directory ("consul-<unix>.log" inside)
    std::chrono::seconds rotate_duration{86400};
    uint64_t rotate_bytes = 0;  // 0: no size limit
    int rotate_max_files = 0;   // 0: keep all
  };

  explicit LogSink(LogLevel level, bool to_stderr = true);
  ~LogSink();
  LogSink(const LogSink&) = delete;
  LogSink& operator=(const LogSink&) = delete;

  Status OpenFile(const FileOptions& options);
  void set_level(LogLevel level) { level_ = level; }
  LogLevel level() const { return level_; }
  // Writes one formatted line (already ending in '\n') to every output.
  void Write(std::string_view line);

 private:
  void RotateLocked();

  LogLevel level_;
  bool to_stderr_;
  std::mutex mu_;
  FILE* file_ = nullptr;                               // GUARDED_BY(mu_)
  FileOptions file_options_;                           // GUARDED_BY(mu_)
  std::string file_path_;                              // GUARDED_BY(mu_)
  uint64_t file_bytes_ = 0;                            // GUARDED_BY(mu_)
  std::chrono::system_clock::time_point file_opened_;  // GUARDED_BY(mu_)
};

class Logger {
 public:
  Logger() = default;  // a logger that drops everything
  Logger(std::shared_ptr<LogSink> sink, std::string name)
      : sink_(std::move(sink)), name_(std::move(name)) {}

  // A child logger: "agent" -> "agent.http".
  Logger Named(std::string_view child) const {
    return Logger(sink_, name_.empty() ? std::string(child) : name_ + "." + std::string(child));
  }
  bool Enabled(LogLevel level) const { return sink_ && level >= sink_->level(); }

  template <typename... Args>
  void Trace(fmt::format_string<Args...> f, Args&&... args) const {
    Log(LogLevel::kTrace, f, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void Debug(fmt::format_string<Args...> f, Args&&... args) const {
    Log(LogLevel::kDebug, f, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void Info(fmt::format_string<Args...> f, Args&&... args) const {
    Log(LogLevel::kInfo, f, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void Warn(fmt::format_string<Args...> f, Args&&... args) const {
    Log(LogLevel::kWarn, f, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void Error(fmt::format_string<Args...> f, Args&&... args) const {
    Log(LogLevel::kError, f, std::forward<Args>(args)...);
  }

  template <typename... Args>
  void Log(LogLevel level, fmt::format_string<Args...> f, Args&&... args) const {
    if (!Enabled(level)) return;
    Emit(level, fmt::format(f, std::forward<Args>(args)...));
  }
  void Emit(LogLevel level, std::string_view message) const;

 private:
  std::shared_ptr<LogSink> sink_;
  std::string name_;
};

// "2026-11-23T10:00:00.000Z"
std::string FormatLogTime(std::chrono::system_clock::time_point t);

}  // namespace consulate
