#include "base/log.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

namespace consulate {

bool ParseLogLevel(std::string_view name, LogLevel* out) {
  std::string n;
  for (char c : name) n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (n == "trace")
    *out = LogLevel::kTrace;
  else if (n == "debug")
    *out = LogLevel::kDebug;
  else if (n == "info")
    *out = LogLevel::kInfo;
  else if (n == "warn" || n == "warning")
    *out = LogLevel::kWarn;
  else if (n == "err" || n == "error")
    *out = LogLevel::kError;
  else if (n == "off")
    *out = LogLevel::kOff;
  else
    return false;
  return true;
}

std::string FormatLogTime(std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

LogSink::LogSink(LogLevel level, bool to_stderr) : level_(level), to_stderr_(to_stderr) {}

LogSink::~LogSink() {
  if (file_) std::fclose(file_);
}

Status LogSink::OpenFile(const FileOptions& options) {
  std::lock_guard<std::mutex> lock(mu_);
  file_options_ = options;
  RotateLocked();
  if (!file_) return Status::IOErrorFromErrno("open log file " + file_path_, errno);
  return Status::OK();
}

// Consul names rotated files "<prefix>-<unix nanos>.log"; the active one is the path given (or
// "consul.log" inside a directory).
void LogSink::RotateLocked() {
  std::string path = file_options_.path;
  struct stat st {};
  bool is_dir = !path.empty() &&
                (path.back() == '/' || (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)));
  std::string dir = ".", base = "consul", ext = ".log";
  if (is_dir) {
    dir = path;
  } else {
    auto slash = path.rfind('/');
    if (slash != std::string::npos) {
      dir = path.substr(0, slash);
      base = path.substr(slash + 1);
    } else {
      base = path;
    }
    auto dot = base.rfind('.');
    if (dot != std::string::npos && dot > 0) {
      ext = base.substr(dot);
      base = base.substr(0, dot);
    }
  }
  if (file_) {
    std::fclose(file_);
    file_ = nullptr;
    auto now = std::chrono::system_clock::now().time_since_epoch();
    std::string rotated =
        dir + "/" + base + "-" +
        std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count()) + ext;
    ::rename(file_path_.c_str(), rotated.c_str());
  }
  file_path_ = dir + "/" + base + ext;
  file_ = std::fopen(file_path_.c_str(), "a");
  file_bytes_ = 0;
  if (file_) {
    std::fseek(file_, 0, SEEK_END);
    long pos = std::ftell(file_);
    file_bytes_ = pos > 0 ? static_cast<uint64_t>(pos) : 0;
  }
  file_opened_ = std::chrono::system_clock::now();
}

void LogSink::Write(std::string_view line) {
  std::lock_guard<std::mutex> lock(mu_);
  if (to_stderr_) {
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  if (file_) {
    bool too_old = file_options_.rotate_duration.count() > 0 &&
                   std::chrono::system_clock::now() - file_opened_ > file_options_.rotate_duration;
    bool too_big =
        file_options_.rotate_bytes > 0 && file_bytes_ + line.size() > file_options_.rotate_bytes;
    if (too_old || too_big) RotateLocked();
    if (file_) {
      std::fwrite(line.data(), 1, line.size(), file_);
      std::fflush(file_);
      file_bytes_ += line.size();
    }
  }
}

void Logger::Emit(LogLevel level, std::string_view message) const {
  static constexpr const char* kTags[] = {"[TRACE] ", "[DEBUG] ", "[INFO]  ", "[WARN]  ",
                                          "[ERROR] "};
  std::string line = FormatLogTime(std::chrono::system_clock::now());
  line += ' ';
  line += kTags[static_cast<int>(level)];
  if (!name_.empty()) {
    line += name_;
    line += ": ";
  }
  line += message;
  line += '\n';
  sink_->Write(line);
}

}  // namespace consulate
