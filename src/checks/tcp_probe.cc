// TCP checks (Consul's CheckTCP): passing once a connection is established within the timeout
// (default 10s), critical with the dialer's error otherwise.
#include <fmt/format.h>

#include <boost/asio/use_awaitable.hpp>

#include "checks/net.h"
#include "checks/probe.h"

namespace consulate::checks {

namespace asio = boost::asio;

namespace {

constexpr Duration kDefaultTcpTimeout = std::chrono::seconds(10);

class TcpProber : public Prober {
 public:
  TcpProber(asio::io_context& io, const CheckDefinition& def, const ProbeOptions& options)
      : io_(io),
        check_id_(def.id),
        address_(def.tcp),
        timeout_(def.timeout.count() > 0 ? def.timeout : kDefaultTcpTimeout),
        logger_(options.logger) {}

  asio::awaitable<ProbeOutcome> Run() override {
    std::shared_ptr<Attempt> attempt = std::make_shared<Attempt>(io_);
    current_ = attempt;
    attempt->StartDeadline(timeout_);
    std::string error;
    std::string host, port;
    Status split = SplitHostPort(address_, &host, &port);
    if (!split.ok()) {
      error = "dial tcp: " + split.message();
    } else {
      error = co_await Dial(*attempt, host, port);
    }
    attempt->Finish();
    boost::system::error_code ignored;
    attempt->socket.close(ignored);
    if (current_ == attempt) current_.reset();
    ProbeOutcome outcome;
    if (!error.empty()) {
      logger_.Warn("Check socket connection failed: check={} error=\"{}\"", check_id_, error);
      outcome.status = HealthStatus::kCritical;
      outcome.output = std::move(error);
    } else {
      outcome.status = HealthStatus::kPassing;
      outcome.output = fmt::format("TCP connect {}: Success", address_);
    }
    co_return outcome;
  }

  void Abort() override {
    if (current_) current_->Abort();
  }

 private:
  asio::io_context& io_;
  const std::string check_id_;
  const std::string address_;
  const Duration timeout_;
  Logger logger_;
  std::shared_ptr<Attempt> current_;
};

}  // namespace

std::unique_ptr<Prober> MakeTcpProber(asio::io_context& io, const CheckDefinition& def,
                                      const ProbeOptions& options) {
  return std::make_unique<TcpProber>(io, def, options);
}

}  // namespace consulate::checks
