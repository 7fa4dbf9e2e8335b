#include "server/forward_codec.h"

#include "base/coding.h"

namespace consulate::server {

namespace {

Status MakeStatus(int code, std::string_view msg) {
  using C = Status::Code;
  switch (static_cast<C>(code)) {
    case C::kOk:
      return Status::OK();
    case C::kNotFound:
      return Status::NotFound(msg);
    case C::kCorruption:
      return Status::Corruption(msg);
    case C::kIOError:
      return Status::IOError(msg);
    case C::kInvalidArgument:
      return Status::InvalidArgument(msg);
    case C::kConflict:
      return Status::Conflict(msg);
    case C::kTooLarge:
      return Status::TooLarge(msg);
    case C::kPermissionDenied:
      return Status::PermissionDenied(msg);
    case C::kUnavailable:
      return Status::Unavailable(msg);
    case C::kAborted:
      return Status::Aborted(msg);
    case C::kInternal:
      return Status::Internal(msg);
  }
  return Status::Internal(msg);
}

void PutStatus(std::string* dst, const Status& s) {
  dst->push_back(static_cast<char>(s.code()));
  PutLengthPrefixedString(dst, s.ok() ? std::string_view() : std::string_view(s.message()));
}

bool GetStatus(std::string_view* in, Status* out) {
  if (in->empty()) return false;
  const int code = static_cast<uint8_t>((*in)[0]);
  in->remove_prefix(1);
  std::string_view msg;
  if (!GetLengthPrefixedString(in, &msg)) return false;
  if (code > static_cast<int>(Status::Code::kInternal)) return false;
  *out = MakeStatus(code, msg);
  return true;
}

}  // namespace

std::string EncodeApplyResult(const fsm::ApplyResult& r) {
  std::string out;
  PutStatus(&out, r.status);
  out.push_back(r.ok ? 1 : 0);
  PutVarint32(&out, static_cast<uint32_t>(r.txn.kv.size()));
  for (const auto& e : r.txn.kv) {
    PutVarint64(&out, e.lock_index);
    PutLengthPrefixedString(&out, e.key);
    PutVarint64(&out, e.flags);
    PutLengthPrefixedString(&out, e.value);
    PutLengthPrefixedString(&out, e.session);
    PutVarint64(&out, e.create_index);
    PutVarint64(&out, e.modify_index);
  }
  PutVarint32(&out, static_cast<uint32_t>(r.txn.errors.size()));
  for (const auto& e : r.txn.errors) {
    PutVarint32(&out, e.op_index);
    PutLengthPrefixedString(&out, e.what);
  }
  return out;
}

Status DecodeApplyResult(std::string_view in, fsm::ApplyResult* out) {
  const Status bad = Status::Corruption("malformed forwarded apply result");
  fsm::ApplyResult r;
  if (!GetStatus(&in, &r.status) || in.empty()) return bad;
  r.ok = in[0] != 0;
  in.remove_prefix(1);
  uint32_t n = 0;
  if (!GetVarint32(&in, &n) || n > in.size()) return bad;
  r.txn.kv.resize(n);
  for (auto& e : r.txn.kv) {
    std::string_view key, value, session;
    if (!GetVarint64(&in, &e.lock_index) || !GetLengthPrefixedString(&in, &key) ||
        !GetVarint64(&in, &e.flags) || !GetLengthPrefixedString(&in, &value) ||
        !GetLengthPrefixedString(&in, &session) || !GetVarint64(&in, &e.create_index) ||
        !GetVarint64(&in, &e.modify_index)) {
      return bad;
    }
    e.key = key;
    e.value = value;
    e.session = session;
  }
  if (!GetVarint32(&in, &n) || n > in.size()) return bad;
  r.txn.errors.resize(n);
  for (auto& e : r.txn.errors) {
    std::string_view what;
    if (!GetVarint32(&in, &e.op_index) || !GetLengthPrefixedString(&in, &what)) return bad;
    e.what = what;
  }
  if (!in.empty()) return bad;
  *out = std::move(r);
  return Status::OK();
}

std::string EncodeStatus(const Status& s) {
  std::string out;
  PutStatus(&out, s);
  return out;
}

Status DecodeStatus(std::string_view in) {
  Status s;
  if (!GetStatus(&in, &s) || !in.empty()) return Status::Corruption("malformed forwarded status");
  return s;
}

}  // namespace consulate::server
