#include "checks/runner.h"

#include <fmt/format.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "base/thread_name.h"
#include "checks/output.h"
#include "checks/probe.h"
#include "checks/status_handler.h"

namespace consulate::checks {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

namespace {

// Consul's CheckAlias refreshes at least this often even without notifications.
constexpr Duration kAliasRefresh = std::chrono::minutes(1);
// How long Stop() waits for running checks to wind down before abandoning them.
constexpr auto kStopGrace = std::chrono::seconds(5);

// lib.RandomStagger: uniformly random in [0, interval).
Duration RandomStagger(Duration interval) {
  if (interval.count() <= 0) return Duration(0);
  thread_local std::mt19937_64 generator{std::random_device{}()};
  std::uniform_int_distribution<int64_t> distribution(0, interval.count() - 1);
  return Duration(distribution(generator));
}

}  // namespace

class Monitor;

struct Runner::Impl {
  Impl(Logger logger_in, UpdateFn update_in, RunnerOptions options_in)
      : logger(std::move(logger_in)),
        update(std::move(update_in)),
        options(std::move(options_in)) {}

  // Hands a result to `update`, one at a time; drops results of a stopped (removed or replaced)
  // check. REQUIRES: mu not held (UpdateFn may take locks the agent holds while calling Add).
  void Report(const Monitor& monitor, HealthStatus status, std::string output);

  // Constant after construction.
  const Logger logger;
  const UpdateFn update;
  const RunnerOptions options;

  // Lock order: mu and deliver_mu are never held together.
  mutable std::mutex mu;
  std::mutex deliver_mu;                                     // serializes calls to `update`
  std::map<std::string, std::shared_ptr<Monitor>> monitors;  // GUARDED_BY(mu)
  bool stopped = false;                                      // GUARDED_BY(mu)

  std::mutex done_mu;
  std::condition_variable done_cv;
  bool io_done = false;  // GUARDED_BY(done_mu): the io thread's run() returned

  // Declared last: destroying it destroys any abandoned coroutine frames while the members
  // above still exist.
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::thread thread;
};

// One running check. Created by Add(), started and cancelled on the io thread.
class Monitor : public std::enable_shared_from_this<Monitor> {
 public:
  Monitor(Runner::Impl* runner, CheckDefinition definition)
      : runner_(runner), definition_(std::move(definition)) {}
  virtual ~Monitor() = default;

  // io thread.
  virtual void Start() = 0;
  // io thread, after `stopped` was set: cancels timers and abandons a run in progress.
  virtual void Cancel() = 0;

  const CheckDefinition& definition() const { return definition_; }

  // Set under runner->mu by Remove/Add/Stop; read anywhere (Report drops results once set).
  std::atomic<bool> stopped{false};

 protected:
  Runner::Impl* const runner_;
  const CheckDefinition definition_;
};

void Runner::Impl::Report(const Monitor& monitor, HealthStatus status, std::string output) {
  std::lock_guard<std::mutex> lock(deliver_mu);
  if (monitor.stopped) return;
  update(monitor.definition().id, status, std::move(output));
}

namespace {

void LogCoroutineFailure(const Logger& logger, const std::string& check_id,
                         std::exception_ptr error) {
  if (!error) return;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    logger.Error("Check runner failed: check={} error=\"{}\"", check_id, e.what());
  } catch (...) {
    logger.Error("Check runner failed: check={}", check_id);
  }
}

// HTTP, TCP and script checks: a probe every interval, gated by the StatusHandler.
class IntervalMonitor : public Monitor {
 public:
  IntervalMonitor(Runner::Impl* runner, CheckDefinition definition, std::unique_ptr<Prober> prober,
                  Duration interval, Duration first_wait)
      : Monitor(runner, std::move(definition)),
        prober_(std::move(prober)),
        handler_(definition_.success_before_passing, definition_.failures_before_critical),
        timer_(runner->io),
        interval_(interval),
        first_wait_(first_wait) {}

  void Start() override {
    auto self = std::static_pointer_cast<IntervalMonitor>(shared_from_this());
    asio::co_spawn(runner_->io, Loop(self),
                   [logger = runner_->logger, id = definition_.id](std::exception_ptr e) {
                     LogCoroutineFailure(logger, id, e);
                   });
  }

  void Cancel() override {
    timer_.cancel();
    prober_->Abort();
  }

 private:
  static asio::awaitable<void> Loop(std::shared_ptr<IntervalMonitor> self) {
    boost::system::error_code ec;
    self->timer_.expires_after(self->first_wait_);
    if (self->stopped) co_return;
    co_await self->timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    while (!self->stopped) {
      ProbeOutcome outcome = co_await self->prober_->Run();
      if (self->stopped) break;
      if (outcome.bypass_status_handler ||
          self->handler_.Update(self->definition_.id, outcome.status, self->runner_->logger)) {
        self->runner_->Report(*self, outcome.status, std::move(outcome.output));
      }
      self->timer_.expires_after(self->interval_);
      if (self->stopped) break;
      co_await self->timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  std::unique_ptr<Prober> prober_;
  StatusHandler handler_;  // io thread only
  asio::steady_timer timer_;
  const Duration interval_;
  const Duration first_wait_;
};

// TTL checks (CheckTTL): critical once the TTL passes without an update.
class TtlMonitor : public Monitor {
 public:
  TtlMonitor(Runner::Impl* runner, CheckDefinition definition, size_t output_max_size)
      : Monitor(runner, std::move(definition)),
        output_max_size_(output_max_size),
        timer_(runner->io),
        deadline_(SteadyClock::now() + definition_.ttl) {}

  void Start() override { ArmAtDeadline(); }
  void Cancel() override { timer_.cancel(); }

  // Records an update and restarts the TTL; returns the output to report (cut to the limit).
  // REQUIRES: runner->mu held.
  std::string SetStatusLocked(HealthStatus status, std::string output) {
    runner_->logger.Debug("Check status updated: check={} status={}", definition_.id,
                          HealthStatusName(status));
    output = TruncateTtlOutput(std::move(output), output_max_size_);
    last_output_ = output;
    deadline_ = SteadyClock::now() + definition_.ttl;
    if (!armed_) {
      armed_ = true;
      auto self = std::static_pointer_cast<TtlMonitor>(shared_from_this());
      asio::post(runner_->io, [self] { self->ArmAtDeadline(); });
    }
    return output;
  }

 private:
  // io thread. The timer only ever waits for the latest deadline: updates move deadline_ and the
  // expiry handler re-arms instead of reporting while it lies ahead, so a late expiry can never
  // override a fresh update.
  void ArmAtDeadline() {
    SteadyClock::time_point when;
    {
      std::lock_guard<std::mutex> lock(runner_->mu);
      if (stopped) return;
      when = deadline_;
    }
    timer_.expires_at(when);
    auto self = std::static_pointer_cast<TtlMonitor>(shared_from_this());
    timer_.async_wait([self](const boost::system::error_code& ec) {
      if (!ec) self->Expired();
    });
  }

  void Expired() {
    std::string output;
    {
      std::lock_guard<std::mutex> lock(runner_->mu);
      if (stopped) return;
      const bool updated_since = SteadyClock::now() < deadline_;
      if (!updated_since) {
        armed_ = false;
        output = last_output_.empty()
                     ? std::string("TTL expired")
                     : "TTL expired (last output before timeout follows): " + last_output_;
      }
    }
    if (output.empty()) {  // updated since the timer was set: wait for the new deadline
      ArmAtDeadline();
      return;
    }
    runner_->logger.Warn("Check missed TTL, is now critical: check={}", definition_.id);
    runner_->Report(*this, HealthStatus::kCritical, std::move(output));
  }

  const size_t output_max_size_;
  asio::steady_timer timer_;          // io thread only
  SteadyClock::time_point deadline_;  // GUARDED_BY(runner->mu)
  bool armed_ = true;                 // GUARDED_BY(runner->mu): an expiry is pending
  std::string last_output_;           // GUARDED_BY(runner->mu)
};

// Alias checks: evaluated when started, when the agent signals a change, and every minute.
class AliasMonitor : public Monitor {
 public:
  AliasMonitor(Runner::Impl* runner, CheckDefinition definition)
      : Monitor(runner, std::move(definition)), refresh_(runner->io) {}

  void Start() override { Evaluate(); }
  void Cancel() override { refresh_.cancel(); }

  // REQUIRES: runner->mu held.
  void NotifyLocked() {
    if (pending_ || stopped) return;
    pending_ = true;
    auto self = std::static_pointer_cast<AliasMonitor>(shared_from_this());
    asio::post(runner_->io, [self] { self->Evaluate(); });
  }

 private:
  void Evaluate() {
    {
      std::lock_guard<std::mutex> lock(runner_->mu);
      pending_ = false;
      if (stopped) return;
    }
    AliasInput input =
        runner_->options.alias_source(definition_.alias_node, definition_.alias_service);
    AliasResult result = EvaluateAlias(definition_.alias_node, definition_.alias_service, input);
    runner_->Report(*this, result.status, std::move(result.output));
    refresh_.expires_after(kAliasRefresh);
    auto self = std::static_pointer_cast<AliasMonitor>(shared_from_this());
    refresh_.async_wait([self](const boost::system::error_code& ec) {
      if (!ec) self->Evaluate();
    });
  }

  asio::steady_timer refresh_;  // io thread only
  bool pending_ = false;        // GUARDED_BY(runner->mu): an evaluation is posted
};

}  // namespace

Runner::Runner(Logger logger, UpdateFn update, bool enable_script_checks)
    : Runner(std::move(logger), std::move(update), [&] {
        RunnerOptions options;
        options.enable_script_checks = enable_script_checks;
        options.enable_local_script_checks = enable_script_checks;
        return options;
      }()) {}

Runner::Runner(Logger logger, UpdateFn update, RunnerOptions options)
    : impl_(std::make_unique<Impl>(std::move(logger), std::move(update), std::move(options))) {
  Impl* impl = impl_.get();
  impl_->thread = std::thread([impl] {
    SetThreadName("checks");
    impl->io.run();
    std::lock_guard<std::mutex> lock(impl->done_mu);
    impl->io_done = true;
    impl->done_cv.notify_all();
  });
}

Runner::~Runner() { Stop(); }

Status Runner::Add(const CheckDefinition& definition, CheckSource source) {
  Impl& impl = *impl_;
  if (definition.id.empty()) return Status::InvalidArgument("Check is not valid: missing check ID");
  Status valid = ValidateCheckDefinition(definition);
  if (!valid.ok()) return Status::InvalidArgument("Check is not valid: " + valid.message());
  if (definition.IsScript()) {
    const bool remote_allowed = impl.options.enable_script_checks;
    const bool local_allowed = remote_allowed || impl.options.enable_local_script_checks;
    if (source == CheckSource::kLocal && !local_allowed) {
      return Status::InvalidArgument(
          "Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or "
          "'enable_local_script_checks' to true");
    }
    if (source == CheckSource::kRemote && !remote_allowed) {
      return Status::InvalidArgument(
          "Scripts are disabled on this agent from remote calls; to enable, configure "
          "'enable_script_checks' to true");
    }
  }

  size_t output_max_size = impl.options.output_max_size > 0
                               ? static_cast<size_t>(impl.options.output_max_size)
                               : static_cast<size_t>(kDefaultOutputMaxSize);
  if (definition.output_max_size > 0 &&
      static_cast<size_t>(definition.output_max_size) < output_max_size) {
    output_max_size = static_cast<size_t>(definition.output_max_size);
  }
  ProbeOptions probe_options;
  probe_options.logger = impl.logger;
  probe_options.output_max_size = output_max_size;
  probe_options.tls = impl.options.tls;

  std::shared_ptr<Monitor> monitor;
  const CheckKind kind = definition.Kind();
  switch (kind) {
    case CheckKind::kHttp:
    case CheckKind::kTcp:
    case CheckKind::kScript: {
      Duration interval = definition.interval;
      if (interval < impl.options.min_interval) {
        impl.logger.Warn("check has interval below minimum: check={} minimum_interval={}",
                         definition.id, FormatGoDuration(impl.options.min_interval));
        interval = impl.options.min_interval;
      }
      std::unique_ptr<Prober> prober;
      if (kind == CheckKind::kHttp) {
        Result<std::unique_ptr<Prober>> made = MakeHttpProber(impl.io, definition, probe_options);
        if (!made.ok()) return made.status();
        prober = std::move(made).value();
      } else if (kind == CheckKind::kTcp) {
        prober = MakeTcpProber(impl.io, definition, probe_options);
      } else {
        prober = MakeScriptProber(impl.io, definition, probe_options);
      }
      const Duration first_wait = impl.options.stagger ? RandomStagger(interval) : Duration(0);
      monitor = std::make_shared<IntervalMonitor>(&impl, definition, std::move(prober), interval,
                                                  first_wait);
      break;
    }
    case CheckKind::kTtl:
      monitor = std::make_shared<TtlMonitor>(&impl, definition, output_max_size);
      break;
    case CheckKind::kAlias:
      if (!impl.options.alias_source) {
        return Status::InvalidArgument(
            "Check is not valid: alias checks need the agent's check state");
      }
      monitor = std::make_shared<AliasMonitor>(&impl, definition);
      break;
    case CheckKind::kGrpc:
    case CheckKind::kDocker:
      return Status::InvalidArgument(
          fmt::format("{} checks are not supported by this agent", CheckKindName(kind)));
    case CheckKind::kNone:
      return Status::InvalidArgument("Check is not valid: unknown check type");
  }

  std::shared_ptr<Monitor> replaced;
  {
    std::lock_guard<std::mutex> lock(impl.mu);
    if (impl.stopped) return Status::Unavailable("check runner is stopped");
    std::shared_ptr<Monitor>& slot = impl.monitors[definition.id];
    replaced = std::move(slot);
    if (replaced) replaced->stopped = true;
    slot = monitor;
  }
  asio::post(impl.io, [replaced, monitor] {
    if (replaced) replaced->Cancel();
    monitor->Start();
  });
  return Status::OK();
}

void Runner::Remove(const std::string& id) {
  Impl& impl = *impl_;
  std::shared_ptr<Monitor> monitor;
  {
    std::lock_guard<std::mutex> lock(impl.mu);
    auto it = impl.monitors.find(id);
    if (it == impl.monitors.end()) return;
    monitor = std::move(it->second);
    impl.monitors.erase(it);
    monitor->stopped = true;
  }
  asio::post(impl.io, [monitor] { monitor->Cancel(); });
}

Status Runner::UpdateTTL(const std::string& id, HealthStatus status, std::string output) {
  Impl& impl = *impl_;
  std::shared_ptr<TtlMonitor> ttl;
  {
    std::lock_guard<std::mutex> lock(impl.mu);
    auto it = impl.monitors.find(id);
    if (it != impl.monitors.end()) ttl = std::dynamic_pointer_cast<TtlMonitor>(it->second);
    if (!ttl)
      return Status::NotFound(fmt::format("CheckID \"{}\" does not have associated TTL", id));
    output = ttl->SetStatusLocked(status, std::move(output));
  }
  impl.Report(*ttl, status, std::move(output));
  return Status::OK();
}

void Runner::AliasStateChanged() {
  Impl& impl = *impl_;
  std::lock_guard<std::mutex> lock(impl.mu);
  for (auto& [id, monitor] : impl.monitors) {
    if (auto* alias = dynamic_cast<AliasMonitor*>(monitor.get())) alias->NotifyLocked();
  }
}

bool Runner::Has(const std::string& id) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->monitors.count(id) > 0;
}

void Runner::Stop() {
  Impl& impl = *impl_;
  std::vector<std::shared_ptr<Monitor>> monitors;
  {
    std::lock_guard<std::mutex> lock(impl.mu);
    if (impl.stopped) return;
    impl.stopped = true;
    for (auto& [id, monitor] : impl.monitors) {
      monitor->stopped = true;
      monitors.push_back(std::move(monitor));
    }
    impl.monitors.clear();
  }
  asio::post(impl.io, [monitors] {
    for (const auto& monitor : monitors) monitor->Cancel();
  });
  monitors.clear();
  impl.work.reset();
  {
    // Cancelled checks wind down on their own (a killed script is reaped); one stuck in a name
    // lookup is abandoned after a grace period and destroyed with the io_context.
    std::unique_lock<std::mutex> lock(impl.done_mu);
    if (!impl.done_cv.wait_for(lock, kStopGrace, [&] { return impl.io_done; })) impl.io.stop();
  }
  if (impl.thread.joinable()) impl.thread.join();
}

}  // namespace consulate::checks
