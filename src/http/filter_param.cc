// The adapter between ?filter= and the filter module (Consul's go-bexpr language): candidates are
// rendered as Consul's JSON and the expression is evaluated against that, with the schema of the
// Consul type the endpoint returns.
#include <boost/json.hpp>

#include "filter/consul_schemas.h"
#include "filter/filter.h"
#include "http/request_decode.h"

namespace consulate::http {

namespace {
filter::SchemaPtr SchemaFor(FilterTarget target) {
  switch (target) {
    case FilterTarget::kNode:
      return filter::NodeSchema();
    case FilterTarget::kServiceNode:
      return filter::ServiceNodeSchema();
    case FilterTarget::kCheckServiceNode:
      return filter::CheckServiceNodeSchema();
    case FilterTarget::kHealthCheck:
      return filter::HealthCheckSchema();
    case FilterTarget::kAgentService:
      return filter::AgentServiceSchema();
    case FilterTarget::kAgentCheck:
      return filter::AgentCheckSchema();
  }
  return filter::NodeSchema();
}
}  // namespace

struct Filter::Impl {
  std::optional<filter::Filter> compiled;
};

// The implementation is allocated only for requests that carry ?filter=, so a parked blocking query
// without one pays nothing for it.
Filter::Filter() = default;
Filter::~Filter() = default;
Filter::Filter(Filter&&) noexcept = default;
Filter& Filter::operator=(Filter&&) noexcept = default;

bool Filter::Matches(const std::function<void(JsonWriter&)>& write) {
  if (!impl_ || !impl_->compiled || impl_->compiled->empty() || !error_.empty())
    return error_.empty();
  std::string json;
  JsonWriter w(false, &json);
  write(w);
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(json, ec);
  if (ec) {
    error_ = "filter: " + ec.message();
    return false;
  }
  auto r = impl_->compiled->Matches(v);
  if (!r.ok()) {
    error_ = r.status().message();
    return false;
  }
  return *r;
}

bool ParseFilterParam(Call& call, FilterTarget target, Filter* out) {
  if (!call.req.Has("filter")) return true;
  auto f = filter::Filter::Create(call.req.Query("filter"), SchemaFor(target));
  if (!f.ok()) {
    // Consul 1.8.7 answers 500 here; a bad expression is the client's error
    // (docs/compatibility.md).
    call.resp.Error(400, f.status().message());
    return false;
  }
  out->impl_ = std::make_unique<Filter::Impl>();
  out->impl_->compiled = std::move(*f);
  return true;
}

}  // namespace consulate::http
