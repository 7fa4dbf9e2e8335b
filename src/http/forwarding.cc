#include "http/forwarding.h"

#include "base/coding.h"

namespace consulate::http {

namespace {

void PutPairs(std::string* dst, const std::vector<std::pair<std::string, std::string>>& v) {
  PutVarint32(dst, static_cast<uint32_t>(v.size()));
  for (const auto& [k, val] : v) {
    PutLengthPrefixedString(dst, k);
    PutLengthPrefixedString(dst, val);
  }
}

bool GetString(std::string_view* in, std::string* out) {
  std::string_view v;
  if (!GetLengthPrefixedString(in, &v)) return false;
  out->assign(v);
  return true;
}

bool GetPairs(std::string_view* in, std::vector<std::pair<std::string, std::string>>* out) {
  uint32_t n = 0;
  if (!GetVarint32(in, &n) || n > in->size()) return false;
  out->resize(n);
  for (auto& [k, v] : *out)
    if (!GetString(in, &k) || !GetString(in, &v)) return false;
  return true;
}

}  // namespace

std::string EncodeForwardedRequest(const Request& req) {
  std::string out;
  PutLengthPrefixedString(&out, req.method);
  PutLengthPrefixedString(&out, req.path);
  PutPairs(&out, req.query);
  PutPairs(&out, req.headers);
  PutLengthPrefixedString(&out, req.body);
  PutLengthPrefixedString(&out, req.remote_ip);
  return out;
}

Status DecodeForwardedRequest(std::string_view in, Request* out) {
  Request r;
  if (!GetString(&in, &r.method) || !GetString(&in, &r.path) || !GetPairs(&in, &r.query) ||
      !GetPairs(&in, &r.headers) || !GetString(&in, &r.body) || !GetString(&in, &r.remote_ip) ||
      !in.empty()) {
    return Status::Corruption("malformed forwarded HTTP request");
  }
  *out = std::move(r);
  return Status::OK();
}

std::string EncodeForwardedResponse(const Response& resp) {
  std::string out;
  PutVarint32(&out, static_cast<uint32_t>(resp.status));
  PutLengthPrefixedString(&out, resp.content_type);
  PutPairs(&out, resp.headers);
  PutLengthPrefixedString(&out, resp.body);
  return out;
}

Status DecodeForwardedResponse(std::string_view in, Response* out) {
  Response r;
  uint32_t status = 0;
  std::string ctype;
  if (!GetVarint32(&in, &status) || status < 100 || status > 999 || !GetString(&in, &ctype) ||
      !GetPairs(&in, &r.headers) || !GetString(&in, &r.body) || !in.empty()) {
    return Status::Corruption("malformed forwarded HTTP response");
  }
  r.status = static_cast<int>(status);
  static constexpr std::string_view kKnown[] = {"application/json", "text/plain; charset=utf-8",
                                                "text/plain", "application/octet-stream", ""};
  r.content_type = "text/plain; charset=utf-8";
  for (std::string_view k : kKnown)
    if (ctype == k) r.content_type = k;
  *out = std::move(r);
  return Status::OK();
}

bool IsForwardedPath(std::string_view path) {
  if (path == "/v1/kv" || path == "/v1/txn") return true;
  for (std::string_view p : {"/v1/kv/", "/v1/txn", "/v1/catalog/", "/v1/health/", "/v1/status/",
                             "/v1/operator/raft/", "/v1/operator/autopilot/", "/v1/coordinate/"}) {
    if (path.substr(0, p.size()) == p) return true;
  }
  return false;
}

}  // namespace consulate::http
