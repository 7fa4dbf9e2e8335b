// Script checks (Consul's CheckMonitor): run "args" directly, or "script" through `$SHELL -c`
// (default /bin/sh), in a new process group with stdin from /dev/null and stdout+stderr captured
// together into a circular buffer. Exit 0 is passing, 1 warning, anything else critical. After the
// timeout (default 30s) the whole process group is killed and the check is critical with
// "Timed out (30s) running check". Failures to start ("exec: ...") and timeouts are reported
// directly, bypassing success_before_passing/failures_before_critical, as Consul does.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <cstdlib>
#include <vector>

#include "checks/output.h"
#include "checks/probe.h"

extern char** environ;

namespace consulate::checks {

namespace asio = boost::asio;

namespace {

constexpr Duration kDefaultScriptTimeout = std::chrono::seconds(30);

// Go's exec.LookPath on Unix: names with a slash are used as they are; others are searched for
// in $PATH (an empty entry meaning the current directory) as executable regular files.
bool LookPath(const std::string& name, std::string* path, std::string* error) {
  if (name.find('/') != std::string::npos) {
    *path = name;
    return true;
  }
  const char* env = std::getenv("PATH");
  std::string dirs = env ? env : "";
  size_t start = 0;
  while (!name.empty() && start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && !S_ISDIR(st.st_mode) && (st.st_mode & 0111) != 0) {
      *path = candidate;
      return true;
    }
    start = end + 1;
  }
  *error = "exec: \"" + name + "\": executable file not found in $PATH";
  return false;
}

// One run's child process. The destructor kills and reaps a child still running (a check removed
// mid-run, or the runner stopping).
class ScriptRun : public std::enable_shared_from_this<ScriptRun> {
 public:
  explicit ScriptRun(asio::io_context& io) : output(io), exit_notice(io), deadline(io), poll(io) {}
  ~ScriptRun() {
    if (pid > 0 && !reaped) {
      Kill();
      int status = 0;
      ::waitpid(pid, &status, 0);
    }
  }

  // Kills the process group (KillCommandSubtree). Returns errno, 0 on success.
  int Kill() {
    if (pid <= 0 || reaped) return 0;
    int rc = ::kill(-pid, SIGKILL);
    int err = rc == 0 ? 0 : errno;
    ::kill(pid, SIGKILL);  // in case it left its group
    return err;
  }

  // Stops the run: kills the child and stops reading (a grandchild may hold the pipe open).
  void Abort() {
    aborted = true;
    Kill();
    boost::system::error_code ignored;
    output.close(ignored);
    poll.cancel();
  }

  pid_t pid = -1;
  bool reaped = false;
  bool aborted = false;
  bool timed_out = false;
  int kill_error = 0;
  asio::posix::stream_descriptor output;       // the read end of the stdout+stderr pipe
  asio::posix::stream_descriptor exit_notice;  // a pidfd: readable once the child exits
  asio::steady_timer deadline;
  asio::steady_timer poll;  // fallback when pidfds are unavailable
  std::string chunk;
};

// Starts argv[0] (already looked up as `path`). Returns "" or Go's error text.
std::string Spawn(const std::string& path, const std::vector<std::string>& args, ScriptRun& run) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return "pipe: " + GoErrnoText(errno);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);  // only stdio reaches the check
#endif
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);  // its own group, so a timeout kills its children too
  sigset_t signals;
  sigemptyset(&signals);
  posix_spawnattr_setsigmask(&attr, &signals);
  sigfillset(&signals);
  posix_spawnattr_setsigdefault(&attr, &signals);

  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, path.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    return "fork/exec " + path + ": " + GoErrnoText(rc);
  }
  run.pid = pid;
  run.output.assign(fds[0]);
#ifdef SYS_pidfd_open
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd >= 0) {
    ::fcntl(pidfd, F_SETFD, FD_CLOEXEC);
    run.exit_notice.assign(pidfd);
  }
#endif
  return "";
}

// Waits for the child to exit and reaps it. Returns its wait status, or -1 when it could not be
// reaped (someone else reaped it).
asio::awaitable<int> WaitForExit(ScriptRun& run) {
  boost::system::error_code ec;
  auto poll_wait = std::chrono::milliseconds(1);
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(run.pid, &status, WNOHANG);
    if (r == run.pid) {
      run.reaped = true;
      co_return status;
    }
    if (r < 0 && errno != EINTR) {
      run.reaped = true;
      co_return -1;
    }
    if (run.exit_notice.is_open()) {
      co_await run.exit_notice.async_wait(asio::posix::stream_descriptor::wait_read,
                                          asio::redirect_error(asio::use_awaitable, ec));
    } else {
      run.poll.expires_after(poll_wait);
      co_await run.poll.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (poll_wait < std::chrono::milliseconds(50)) poll_wait *= 2;
    }
  }
}

class ScriptProber : public Prober {
 public:
  ScriptProber(asio::io_context& io, const CheckDefinition& def, const ProbeOptions& options)
      : io_(io),
        check_id_(def.id),
        timeout_(def.timeout.count() > 0 ? def.timeout : kDefaultScriptTimeout),
        output_max_size_(options.output_max_size == 0 ? 1 : options.output_max_size),
        logger_(options.logger) {
    if (!def.args.empty()) {
      args_ = def.args;
    } else {
      const char* shell = std::getenv("SHELL");
      args_ = {shell && *shell ? shell : "/bin/sh", "-c", def.script_shell_command};
    }
  }

  asio::awaitable<ProbeOutcome> Run() override {
    ProbeOutcome outcome;
    outcome.status = HealthStatus::kCritical;
    std::string path;
    std::string error;
    if (!LookPath(args_[0], &path, &error)) {
      logger_.Error("Check failed to invoke: check={} error=\"{}\"", check_id_, error);
      outcome.output = std::move(error);
      outcome.bypass_status_handler = true;
      co_return outcome;
    }
    std::shared_ptr<ScriptRun> run = std::make_shared<ScriptRun>(io_);
    error = Spawn(path, args_, *run);
    if (!error.empty()) {
      logger_.Error("Check failed to invoke: check={} error=\"{}\"", check_id_, error);
      outcome.output = std::move(error);
      outcome.bypass_status_handler = true;
      co_return outcome;
    }
    current_ = run;
    StartDeadline(run);

    TailBuffer captured(output_max_size_);
    run->chunk.resize(4096);
    boost::system::error_code ec;
    while (!ec) {
      size_t n = co_await run->output.async_read_some(
          asio::buffer(run->chunk), asio::redirect_error(asio::use_awaitable, ec));
      captured.Write(std::string_view(run->chunk.data(), n));
    }
    const int wait_status = co_await WaitForExit(*run);
    run->deadline.cancel();
    if (current_ == run) current_.reset();

    std::string text = ScriptOutput(captured);
    logger_.Trace("Check output: check={} output=\"{}\"", check_id_, text);
    if (run->timed_out) {
      if (run->kill_error != 0) {
        logger_.Warn("Check failed to kill after timeout: check={} error=\"{}\"", check_id_,
                     GoErrnoText(run->kill_error));
      }
      const std::string timeout_text = FormatGoDuration(timeout_);
      logger_.Warn("Timed out running check: check={} timeout={}", check_id_, timeout_text);
      outcome.output = "Timed out (" + timeout_text + ") running check";
      if (!text.empty()) outcome.output += "\n\n" + text;
      outcome.bypass_status_handler = true;
      co_return outcome;
    }
    outcome.output = std::move(text);
    if (wait_status >= 0 && WIFEXITED(wait_status)) {
      const int code = WEXITSTATUS(wait_status);
      if (code == 0)
        outcome.status = HealthStatus::kPassing;
      else if (code == 1)
        outcome.status = HealthStatus::kWarning;
    }
    co_return outcome;
  }

  void Abort() override {
    if (current_) current_->Abort();
  }

 private:
  void StartDeadline(const std::shared_ptr<ScriptRun>& run) {
    run->deadline.expires_after(timeout_);
    run->deadline.async_wait([run](const boost::system::error_code& ec) {
      if (ec || run->reaped || run->aborted) return;
      run->timed_out = true;
      run->kill_error = run->Kill();
      boost::system::error_code ignored;
      run->output.close(ignored);
    });
  }

  asio::io_context& io_;
  const std::string check_id_;
  const Duration timeout_;
  const size_t output_max_size_;
  Logger logger_;
  std::vector<std::string> args_;
  std::shared_ptr<ScriptRun> current_;
};

}  // namespace

std::unique_ptr<Prober> MakeScriptProber(asio::io_context& io, const CheckDefinition& def,
                                         const ProbeOptions& options) {
  return std::make_unique<ScriptProber>(io, def, options);
}

}  // namespace consulate::checks
