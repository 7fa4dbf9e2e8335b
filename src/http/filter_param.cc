// The adapter between ?filter= and the filter module (Consul's go-bexpr language).
#include "http/request_decode.h"

namespace consulate::http {

struct Filter::Impl {};

Filter::Filter() = default;
Filter::~Filter() = default;
Filter::Filter(Filter&&) noexcept = default;
Filter& Filter::operator=(Filter&&) noexcept = default;

bool Filter::Matches(const std::function<void(JsonWriter&)>& write) {
  (void)write;
  return true;
}

bool ParseFilterParam(Call& call, FilterTarget target, Filter* out) {
  (void)target;
  (void)out;
  if (!call.req.Has("filter")) return true;
  call.resp.Error(400, "filter expressions are not supported by this build yet");
  return false;
}

}  // namespace consulate::http
