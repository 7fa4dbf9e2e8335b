#include "base/status.h"

#include <cstring>

namespace consulate {

namespace {
const std::string kEmpty;

const char* CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk:
      return "OK";
    case Status::Code::kNotFound:
      return "NotFound";
    case Status::Code::kCorruption:
      return "Corruption";
    case Status::Code::kIOError:
      return "IO error";
    case Status::Code::kInvalidArgument:
      return "Invalid argument";
    case Status::Code::kConflict:
      return "Conflict";
    case Status::Code::kTooLarge:
      return "Too large";
    case Status::Code::kPermissionDenied:
      return "Permission denied";
    case Status::Code::kUnavailable:
      return "Unavailable";
    case Status::Code::kAborted:
      return "Aborted";
    case Status::Code::kInternal:
      return "Internal";
  }
  return "Unknown";
}
}  // namespace

Status Status::IOErrorFromErrno(std::string_view context, int err) {
  std::string msg(context);
  msg += ": ";
  msg += std::strerror(err);
  return Status(Code::kIOError, msg);
}

const std::string& Status::message() const { return rep_ ? rep_->message : kEmpty; }

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string s = CodeName(rep_->code);
  s += ": ";
  s += rep_->message;
  return s;
}

}  // namespace consulate
