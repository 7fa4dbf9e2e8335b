// Internal to the checks module: one check run ("probe") per check type, driven by the runner's
// io_context. Probers live on the runner thread; nothing here is thread-safe.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "base/log.h"
#include "base/result.h"
#include "checks/check_definition.h"
#include "checks/runner.h"

namespace consulate::checks {

struct ProbeOutcome {
  HealthStatus status = HealthStatus::kCritical;
  std::string output;
  // Reported as is, not through the StatusHandler (Consul's script runner reports setup failures
  // and timeouts straight to the agent).
  bool bypass_status_handler = false;
};

class Prober {
 public:
  virtual ~Prober() = default;
  // One run of the check; completes on the io thread.
  virtual boost::asio::awaitable<ProbeOutcome> Run() = 0;
  // Abandons a run in progress (closes its sockets, kills its process); Run() then completes
  // promptly with an outcome the caller drops.
  virtual void Abort() = 0;
};

struct ProbeOptions {
  Logger logger;
  size_t output_max_size = 4096;  // the effective limit (agent's, lowered by the check's)
  CheckTlsOptions tls;            // HTTPS checks only
};

// REQUIRES: definition.Kind() is kHttp / kTcp / kScript respectively.
Result<std::unique_ptr<Prober>> MakeHttpProber(boost::asio::io_context& io,
                                               const CheckDefinition& definition,
                                               const ProbeOptions& options);
std::unique_ptr<Prober> MakeTcpProber(boost::asio::io_context& io,
                                      const CheckDefinition& definition,
                                      const ProbeOptions& options);
std::unique_ptr<Prober> MakeScriptProber(boost::asio::io_context& io,
                                         const CheckDefinition& definition,
                                         const ProbeOptions& options);

// ---- Go-style network error text, shared by the HTTP and TCP probes ----

// Go's text for an errno ("connection refused", "no route to host", ...).
std::string GoErrnoText(int err);
// Go's text for an Asio/system error.
std::string GoErrorText(const boost::system::error_code& ec);
// "host:port", bracketing IPv6 literals (net.JoinHostPort).
std::string JoinHostPort(std::string_view host, std::string_view port);
// net.SplitHostPort: fails with Go's "address X: missing port in address" and friends.
Status SplitHostPort(std::string_view address, std::string* host, std::string* port);

}  // namespace consulate::checks
