// Internal to the checks module: a network attempt bounded by a deadline, and a dialer that fails
// with Go's net.Dialer error texts. Runner thread only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>

#include "base/duration.h"

namespace consulate::checks {

// One probe's sockets and deadline. Held by shared_ptr: the deadline's handler keeps it alive.
// When the deadline fires, or Abort() is called (the check was removed), every pending operation
// is cancelled and timed_out()/aborted() tell the probe why its operations failed.
class Attempt : public std::enable_shared_from_this<Attempt> {
 public:
  explicit Attempt(boost::asio::io_context& io) : resolver(io), socket(io), deadline(io) {}
  virtual ~Attempt() = default;

  void StartDeadline(Duration timeout);
  // The probe is over: stops the deadline.
  void Finish();
  void Abort();
  bool aborted() const { return aborted_; }
  bool timed_out() const { return timed_out_; }

  boost::asio::ip::tcp::resolver resolver;
  boost::asio::ip::tcp::socket socket;
  boost::asio::steady_timer deadline;

 protected:
  // Closes what a subclass adds (a TLS stream).
  virtual void CloseMore() {}

 private:
  bool aborted_ = false;
  bool timed_out_ = false;
};

// Connects attempt.socket to host:port as Go's Dialer.Dial("tcp", ...) does: literal addresses
// directly, names through the resolver, each resolved address in turn. Returns "" once
// connected, else Go's error text: "dial tcp 127.0.0.1:1: connect: connection refused",
// "dial tcp: lookup nohost.invalid: no such host", "dial tcp 10.0.0.1:80: i/o timeout" (the
// deadline fired).
boost::asio::awaitable<std::string> Dial(Attempt& attempt, std::string host, std::string port);

// "tcp 127.0.0.1:5000->127.0.0.1:80" for Go's read/write error texts.
std::string ConnectionText(const boost::asio::ip::tcp::socket& socket);

}  // namespace consulate::checks
