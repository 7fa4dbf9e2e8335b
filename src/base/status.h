// Status: the outcome of an operation, as a value. OK costs nothing (no allocation); an error
// carries a code and a message. Used at every module border instead of exceptions (house rule 3).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace consulate {

class Status {
 public:
  enum class Code : int {
    kOk = 0,
    kNotFound = 1,
    kCorruption = 2,
    kIOError = 3,
    kInvalidArgument = 4,
    kConflict = 5,  // a CAS or a check failed; nothing was applied
    kTooLarge = 6,  // a value or request over a configured limit
    kPermissionDenied = 7,
    kUnavailable = 8,  // no leader, shutting down, ...
    kAborted = 9,
    kInternal = 10,
  };

  Status() noexcept = default;
  static Status OK() { return Status(); }
  static Status NotFound(std::string_view msg) { return Status(Code::kNotFound, msg); }
  static Status Corruption(std::string_view msg) { return Status(Code::kCorruption, msg); }
  static Status IOError(std::string_view msg) { return Status(Code::kIOError, msg); }
  static Status InvalidArgument(std::string_view msg) {
    return Status(Code::kInvalidArgument, msg);
  }
  static Status Conflict(std::string_view msg) { return Status(Code::kConflict, msg); }
  static Status TooLarge(std::string_view msg) { return Status(Code::kTooLarge, msg); }
  static Status PermissionDenied(std::string_view msg) {
    return Status(Code::kPermissionDenied, msg);
  }
  static Status Unavailable(std::string_view msg) { return Status(Code::kUnavailable, msg); }
  static Status Aborted(std::string_view msg) { return Status(Code::kAborted, msg); }
  static Status Internal(std::string_view msg) { return Status(Code::kInternal, msg); }
  // A status with a code read back from a serialized form (kOk ignores the message).
  static Status FromCode(Code code, std::string_view msg) {
    return code == Code::kOk ? Status() : Status(code, msg);
  }
  // An I/O error from errno, e.g. IOErrorFromErrno("open /x/y", errno).
  static Status IOErrorFromErrno(std::string_view context, int err);

  Status(const Status& o) : rep_(o.rep_ ? std::make_unique<Rep>(*o.rep_) : nullptr) {}
  Status& operator=(const Status& o) {
    if (this != &o) rep_ = o.rep_ ? std::make_unique<Rep>(*o.rep_) : nullptr;
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  bool ok() const { return rep_ == nullptr; }
  Code code() const { return rep_ ? rep_->code : Code::kOk; }
  bool IsNotFound() const { return code() == Code::kNotFound; }
  bool IsCorruption() const { return code() == Code::kCorruption; }
  bool IsIOError() const { return code() == Code::kIOError; }
  bool IsInvalidArgument() const { return code() == Code::kInvalidArgument; }
  bool IsConflict() const { return code() == Code::kConflict; }
  bool IsTooLarge() const { return code() == Code::kTooLarge; }
  // The message alone ("" when OK).
  const std::string& message() const;
  // "OK" or "<code name>: <message>".
  std::string ToString() const;

 private:
  struct Rep {
    Code code;
    std::string message;
  };
  Status(Code code, std::string_view msg)
      : rep_(std::make_unique<Rep>(Rep{code, std::string(msg)})) {}
  std::unique_ptr<Rep> rep_;
};

// Returns early from the enclosing function when `expr` is not OK.
#define CONSULATE_RETURN_IF_ERROR(expr) \
  do {                                  \
    ::consulate::Status _st = (expr);   \
    if (!_st.ok()) return _st;          \
  } while (0)

}  // namespace consulate
