#include "checks/net.h"

#include <boost/asio/error.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>
#include <cstring>
#include <vector>

#include "checks/probe.h"

namespace consulate::checks {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string GoErrnoText(int err) {
  // Go's syscall error strings are glibc's with a lower-case first letter.
  std::string text = std::strerror(err);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

std::string GoErrorText(const boost::system::error_code& ec) {
  if (ec == asio::error::eof) return "EOF";
  if (ec.category() == boost::system::system_category() ||
      ec.category() == boost::system::generic_category()) {
    return GoErrnoText(ec.value());
  }
  if (ec == asio::error::host_not_found || ec == asio::error::host_not_found_try_again)
    return "no such host";
  return ec.message();
}

std::string JoinHostPort(std::string_view host, std::string_view port) {
  if (host.find(':') != std::string_view::npos)
    return "[" + std::string(host) + "]:" + std::string(port);
  return std::string(host) + ":" + std::string(port);
}

Status SplitHostPort(std::string_view address, std::string* host, std::string* port) {
  auto fail = [&](std::string_view why) {
    return Status::InvalidArgument("address " + std::string(address) + ": " + std::string(why));
  };
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return fail("missing port in address");
  size_t j = 0, k = 0;
  if (!address.empty() && address[0] == '[') {
    size_t end = address.find(']');
    if (end == std::string_view::npos) return fail("missing ']' in address");
    if (end + 1 == address.size()) return fail("missing port in address");
    if (end + 1 != colon) {
      if (address[end + 1] == ':') return fail("too many colons in address");
      return fail("missing port in address");
    }
    *host = std::string(address.substr(1, end - 1));
    j = 1;
    k = end + 1;
  } else {
    *host = std::string(address.substr(0, colon));
    if (host->find(':') != std::string::npos) return fail("too many colons in address");
  }
  if (address.substr(j).find('[') != std::string_view::npos)
    return fail("unexpected '[' in address");
  if (address.substr(k).find(']') != std::string_view::npos)
    return fail("unexpected ']' in address");
  *port = std::string(address.substr(colon + 1));
  return Status::OK();
}

void Attempt::StartDeadline(Duration timeout) {
  deadline.expires_after(timeout);
  deadline.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->aborted_) return;
    self->timed_out_ = true;
    self->Abort();
  });
}

void Attempt::Finish() { deadline.cancel(); }

void Attempt::Abort() {
  aborted_ = true;
  boost::system::error_code ignored;
  resolver.cancel();
  socket.close(ignored);
  CloseMore();
  deadline.cancel();
}

std::string ConnectionText(const tcp::socket& socket) {
  boost::system::error_code ec;
  tcp::endpoint local = socket.local_endpoint(ec);
  std::string local_text =
      ec ? "" : JoinHostPort(local.address().to_string(), std::to_string(local.port()));
  tcp::endpoint remote = socket.remote_endpoint(ec);
  std::string remote_text =
      ec ? "" : JoinHostPort(remote.address().to_string(), std::to_string(remote.port()));
  return "tcp " + local_text + "->" + remote_text;
}

namespace {

bool ParsePortNumber(std::string_view port, unsigned short* out) {
  if (port.empty() || port.size() > 5) return false;
  unsigned value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > 65535) return false;
  *out = static_cast<unsigned short>(value);
  return true;
}

std::string EndpointText(const tcp::endpoint& endpoint) {
  return JoinHostPort(endpoint.address().to_string(), std::to_string(endpoint.port()));
}

}  // namespace

asio::awaitable<std::string> Dial(Attempt& attempt, std::string host, std::string port) {
  boost::system::error_code ec;
  if (host.empty()) host = "127.0.0.1";  // Go: an empty host dials the local system
  if (port.empty()) port = "0";
  std::vector<tcp::endpoint> endpoints;
  unsigned short port_number = 0;
  asio::ip::address literal = asio::ip::make_address(host, ec);
  if (!ec && ParsePortNumber(port, &port_number)) {
    endpoints.emplace_back(literal, port_number);
  } else {
    tcp::resolver::results_type results = co_await attempt.resolver.async_resolve(
        host, port, asio::redirect_error(asio::use_awaitable, ec));
    if (attempt.timed_out()) co_return "dial tcp: lookup " + host + ": i/o timeout";
    if (ec == asio::error::service_not_found)
      co_return "dial tcp: lookup tcp/" + port + ": unknown port";
    if (ec) co_return "dial tcp: lookup " + host + ": " + GoErrorText(ec);
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
    if (endpoints.empty()) co_return "dial tcp: lookup " + host + ": no such host";
  }
  std::string first_error;
  for (const tcp::endpoint& endpoint : endpoints) {
    if (attempt.aborted()) break;
    attempt.socket.close(ec);
    attempt.socket.open(endpoint.protocol(), ec);
    if (ec) {
      if (first_error.empty())
        first_error = "dial tcp " + EndpointText(endpoint) + ": socket: " + GoErrorText(ec);
      continue;
    }
    co_await attempt.socket.async_connect(endpoint, asio::redirect_error(asio::use_awaitable, ec));
    if (!ec && !attempt.aborted()) co_return std::string();
    if (attempt.timed_out()) co_return "dial tcp " + EndpointText(endpoint) + ": i/o timeout";
    if (first_error.empty())
      first_error = "dial tcp " + EndpointText(endpoint) + ": connect: " + GoErrorText(ec);
  }
  if (attempt.timed_out()) co_return "dial tcp " + JoinHostPort(host, port) + ": i/o timeout";
  if (first_error.empty())
    first_error = "dial tcp " + JoinHostPort(host, port) + ": operation was canceled";
  co_return first_error;
}

}  // namespace consulate::checks
