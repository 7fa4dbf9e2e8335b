// HTTP(S) checks (Consul's CheckHTTP on Go's net/http client): one request per run with the
// check's method, headers and body, "User-Agent: Consul Health Check" and
// "Accept: text/plain, text/*, */*" unless the check sets them, keep-alives off, redirects
// followed as Go's client follows them (at most 9), the whole exchange bounded by the timeout
// (default 10s). 2xx is passing, 429 warning, anything else critical; the output is
// "HTTP <method> <url>: <status> Output: <last output_max_size bytes of the body>". A failed
// request is critical with Go's error text (`Get "<url>": dial tcp ...: connection refused`).
#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/url.hpp>
#include <exception>
#include <utility>
#include <vector>

#include "base/base64.h"
#include "checks/http_response.h"
#include "checks/net.h"
#include "checks/probe.h"

namespace consulate::checks {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace urls = boost::urls;
using tcp = asio::ip::tcp;

namespace {

constexpr Duration kDefaultHttpTimeout = std::chrono::seconds(10);
constexpr int kMaxRedirectVia = 10;  // Go's defaultCheckRedirect: "stopped after 10 redirects"
constexpr const char* kUserAgent = "Consul Health Check";
constexpr const char* kAccept = "text/plain, text/*, */*";
// Go 1.14's texts when http.Client.Timeout expires (Consul 1.8 was built with Go 1.14).
constexpr const char* kTimeoutWaitingConnection =
    "net/http: request canceled while waiting for connection (Client.Timeout exceeded while "
    "awaiting headers)";
constexpr const char* kTimeoutAwaitingHeaders =
    "net/http: request canceled (Client.Timeout exceeded while awaiting headers)";
constexpr const char* kTimeoutReadingBody =
    "net/http: request canceled (Client.Timeout exceeded while reading body)";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

bool EqualFold(std::string_view a, std::string_view b) { return Lower(a) == Lower(b); }

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// url.Error's Op: the method with only its first letter upper-case ("Get", "Post").
std::string UrlErrorOp(std::string_view method) {
  if (method.empty()) return "Get";
  std::string op = Lower(method);
  op[0] = method[0];
  return op;
}

bool ValidMethod(std::string_view method) {
  if (method.empty()) return false;
  for (unsigned char c : method) {
    if (c <= 0x20 || c >= 0x7f) return false;
    if (std::string_view("()<>@,;:\\\"/[]?={}").find(static_cast<char>(c)) !=
        std::string_view::npos)
      return false;
  }
  return true;
}

// Go strips CR/LF from header values when writing them.
std::string HeaderValue(std::string_view value) {
  std::string out(value);
  for (char& c : out) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  size_t b = out.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = out.find_last_not_of(" \t");
  return out.substr(b, e - b + 1);
}

// Where one request goes, from its URL.
struct Target {
  std::string url;  // as given (the url.Error text quotes it)
  bool tls = false;
  std::string host;  // unbracketed, for dialing and SNI
  std::string port;
  std::string authority;    // the Host header: host[:port] as written
  std::string request_uri;  // escaped path (or "/") plus ?query
  bool has_userinfo = false;
  std::string user, password;
  std::string referer;  // the URL without userinfo, for a redirected request's Referer
};

// Parses `url` for a request. On failure returns Go's error text: `parse "<url>": ...` for a URL
// Go could not parse, `<Op> "<url>": unsupported protocol scheme ...` for one it cannot fetch.
bool ParseTarget(const std::string& url, const std::string& op, Target* target,
                 std::string* error) {
  auto parsed = urls::parse_uri_reference(url);
  if (!parsed) {
    *error = "parse " + Quote(url) + ": invalid URI for request";
    return false;
  }
  urls::url_view u = *parsed;
  const std::string scheme = Lower(u.scheme());
  if (scheme != "http" && scheme != "https") {
    *error = op + " " + Quote(url) + ": unsupported protocol scheme " + Quote(scheme);
    return false;
  }
  std::string host(u.encoded_host_address());
  if (!u.has_authority() || host.empty()) {
    *error = op + " " + Quote(url) + ": http: no Host in request URL";
    return false;
  }
  target->url = url;
  target->tls = scheme == "https";
  target->host = host;
  target->port =
      u.has_port() && !u.port().empty() ? std::string(u.port()) : (target->tls ? "443" : "80");
  target->authority = std::string(u.encoded_host_and_port());
  if (!target->authority.empty() && target->authority.back() == ':') target->authority.pop_back();
  target->request_uri = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  if (u.has_query()) target->request_uri += "?" + std::string(u.encoded_query());
  target->has_userinfo = u.has_userinfo();
  if (target->has_userinfo) {
    target->user = std::string(u.user());
    target->password = std::string(u.password());
  }
  urls::url referer(u);
  referer.remove_userinfo();
  referer.remove_fragment();
  target->referer = std::string(referer.buffer());
  return true;
}

// Go's shouldCopyHeaderOnRedirect: credentials follow a redirect only to the same host or a
// subdomain of it.
bool IsSubdomainOrSame(std::string_view host, std::string_view original) {
  if (EqualFold(host, original)) return true;
  if (host.size() > original.size() + 1) {
    std::string_view tail = host.substr(host.size() - original.size());
    return host[host.size() - original.size() - 1] == '.' && EqualFold(tail, original);
  }
  return false;
}

using HeaderList = std::vector<std::pair<std::string, std::string>>;

const std::string* FindHeader(const HeaderList& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (EqualFold(k, name)) return &v;
  }
  return nullptr;
}

// The request bytes, in Go's Request.write order: request line, Host, User-Agent,
// Content-Length, the other headers sorted by name, then "Connection: close".
std::string BuildRequest(const std::string& method, const Target& target,
                         const std::string& host_header, const HeaderList& headers,
                         const std::string& body) {
  std::string out = method + " " + target.request_uri + " HTTP/1.1\r\n";
  out += "Host: " + HeaderValue(host_header) + "\r\n";
  if (const std::string* ua = FindHeader(headers, "User-Agent")) {
    if (!ua->empty()) out += "User-Agent: " + HeaderValue(*ua) + "\r\n";
  }
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  HeaderList rest;
  for (const auto& [k, v] : headers) {
    std::string lower = Lower(k);
    if (lower == "host" || lower == "user-agent" || lower == "content-length" ||
        lower == "transfer-encoding" || lower == "trailer") {
      continue;
    }
    rest.emplace_back(k, v);
  }
  std::stable_sort(rest.begin(), rest.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [k, v] : rest) out += k + ": " + HeaderValue(v) + "\r\n";
  if (!FindHeader(headers, "Connection")) out += "Connection: close\r\n";
  out += "\r\n";
  out += body;
  return out;
}

std::string TlsErrorText(const boost::system::error_code& ec, SSL* ssl, const std::string& host) {
  long verify = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
  switch (verify) {
    case X509_V_OK:
      break;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      return "x509: certificate signed by unknown authority";
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "x509: certificate has expired or is not yet valid";
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return "x509: certificate is not valid for " + host;
    default:
      return std::string("x509: ") + X509_verify_cert_error_string(verify);
  }
  if (ec == asio::error::eof || ec == ssl::error::stream_truncated) return "EOF";
  if (ec.category() == asio::error::get_ssl_category() &&
      ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_WRONG_VERSION_NUMBER) {
    return "tls: first record does not look like a TLS handshake";
  }
  if (ec.category() == asio::error::get_ssl_category()) return "tls: " + ec.message();
  return GoErrorText(ec);
}

class HttpAttempt : public Attempt {
 public:
  using Attempt::Attempt;
  std::unique_ptr<ssl::stream<tcp::socket>> tls;
  std::string buffer;
  std::string connection_text;

  // Closes the current connection (between redirects).
  void CloseConnection() {
    boost::system::error_code ignored;
    socket.close(ignored);
    if (tls) tls->lowest_layer().close(ignored);
    tls.reset();
  }

 protected:
  void CloseMore() override {
    boost::system::error_code ignored;
    if (tls) tls->lowest_layer().close(ignored);
  }
};

// The outcome of one request on an open connection.
struct Exchange {
  std::string error;       // the request failed (Go's text, without the url.Error wrapping)
  std::string body_error;  // the response arrived but reading its body failed (only logged)
};

// Writes `request` and reads the response into `parser`.
template <typename Stream>
asio::awaitable<void> Transfer(Stream& stream, HttpAttempt& attempt, const std::string& request,
                               HttpResponseParser& parser, Exchange& result) {
  boost::system::error_code ec;
  co_await asio::async_write(stream, asio::buffer(request),
                             asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    if (attempt.timed_out())
      result.error = kTimeoutAwaitingHeaders;
    else
      result.error = "write " + attempt.connection_text + ": write: " + GoErrorText(ec);
    co_return;
  }
  attempt.buffer.resize(16 * 1024);
  for (;;) {
    size_t n = co_await stream.async_read_some(asio::buffer(attempt.buffer),
                                               asio::redirect_error(asio::use_awaitable, ec));
    HttpResponseParser::State state = HttpResponseParser::State::kNeedMore;
    if (n > 0) state = parser.Feed(std::string_view(attempt.buffer.data(), n));
    if (state == HttpResponseParser::State::kError) {
      result.error = "net/http: HTTP/1.x transport connection broken: " + parser.error();
      co_return;
    }
    if (state == HttpResponseParser::State::kDone) co_return;
    if (!ec) continue;
    if (ec == asio::error::eof || ec == ssl::error::stream_truncated) {
      if (parser.FinishAtEof() == HttpResponseParser::State::kError) result.error = parser.error();
      co_return;
    }
    if (parser.headers_complete()) {
      result.body_error = attempt.timed_out()
                              ? std::string(kTimeoutReadingBody)
                              : "read " + attempt.connection_text + ": read: " + GoErrorText(ec);
      co_return;
    }
    result.error = attempt.timed_out()
                       ? std::string(kTimeoutAwaitingHeaders)
                       : "read " + attempt.connection_text + ": read: " + GoErrorText(ec);
    co_return;
  }
}

class HttpProber : public Prober {
 public:
  HttpProber(asio::io_context& io, const CheckDefinition& def, const ProbeOptions& options,
             std::unique_ptr<ssl::context> tls_context, bool tls_verify)
      : io_(io),
        check_id_(def.id),
        url_(def.http),
        method_(def.method.empty() ? "GET" : def.method),
        body_(def.body),
        timeout_(def.timeout.count() > 0 ? def.timeout : kDefaultHttpTimeout),
        output_max_size_(options.output_max_size),
        logger_(options.logger),
        tls_context_(std::move(tls_context)),
        tls_verify_(tls_verify) {
    for (const auto& [name, values] : def.header) {
      for (const std::string& value : values) headers_.emplace_back(name, value);
    }
    // Consul sets these on the request's header map, so they survive redirects too.
    if (!FindHeader(headers_, "User-Agent")) headers_.emplace_back("User-Agent", kUserAgent);
    if (!FindHeader(headers_, "Accept")) headers_.emplace_back("Accept", kAccept);
  }

  asio::awaitable<ProbeOutcome> Run() override {
    std::shared_ptr<HttpAttempt> attempt = std::make_shared<HttpAttempt>(io_);
    current_ = attempt;
    attempt->StartDeadline(timeout_);
    ProbeOutcome outcome = co_await RunRequests(attempt);
    attempt->Finish();
    attempt->CloseConnection();
    if (current_ == attempt) current_.reset();
    co_return outcome;
  }

  void Abort() override {
    if (current_) current_->Abort();
  }

 private:
  ProbeOutcome Critical(std::string output) {
    ProbeOutcome outcome;
    outcome.status = HealthStatus::kCritical;
    outcome.output = std::move(output);
    return outcome;
  }

  asio::awaitable<ProbeOutcome> RunRequests(std::shared_ptr<HttpAttempt> attempt) {
    const std::string op = UrlErrorOp(method_);
    if (!ValidMethod(method_)) co_return Critical("net/http: invalid method " + Quote(method_));
    Target target;
    std::string error;
    if (!ParseTarget(url_, op, &target, &error)) co_return Critical(error);
    const std::string original_host = target.host;
    const std::string* host_override = FindHeader(headers_, "Host");
    std::string method = method_;
    std::string body = body_;
    std::string referer;
    bool keep_host_override = host_override != nullptr && !host_override->empty();
    for (int via = 1;; ++via) {
      // Connect.
      error = co_await Dial(*attempt, target.host, target.port);
      if (!error.empty()) {
        if (attempt->timed_out()) error = kTimeoutWaitingConnection;
        co_return Critical(op + " " + Quote(target.url) + ": " + error);
      }
      attempt->connection_text = ConnectionText(attempt->socket);
      if (target.tls) {
        error = co_await Handshake(*attempt, target.host);
        if (!error.empty()) co_return Critical(op + " " + Quote(target.url) + ": " + error);
      }

      // The request's headers: the check's, minus credentials when redirected to another host,
      // plus Referer and basic auth from the URL.
      HeaderList headers;
      for (const auto& [k, v] : headers_) {
        if (via > 1 && !IsSubdomainOrSame(target.host, original_host)) {
          std::string lower = Lower(k);
          if (lower == "authorization" || lower == "www-authenticate" || lower == "cookie" ||
              lower == "cookie2") {
            continue;
          }
        }
        headers.emplace_back(k, v);
      }
      if (!referer.empty()) headers.emplace_back("Referer", referer);
      if (target.has_userinfo && !FindHeader(headers, "Authorization")) {
        headers.emplace_back("Authorization",
                             "Basic " + Base64Encode(target.user + ":" + target.password));
      }
      const std::string host_header = keep_host_override ? *host_override : target.authority;
      const std::string request = BuildRequest(method, target, host_header, headers, body);

      HttpResponseParser parser(output_max_size_, method == "HEAD");
      Exchange exchange;
      if (attempt->tls) {
        co_await Transfer(*attempt->tls, *attempt, request, parser, exchange);
      } else {
        co_await Transfer(attempt->socket, *attempt, request, parser, exchange);
      }
      attempt->CloseConnection();
      if (!exchange.error.empty())
        co_return Critical(op + " " + Quote(target.url) + ": " + exchange.error);
      if (!exchange.body_error.empty()) {
        logger_.Warn("Check error while reading body: check={} error=\"{}\"", check_id_,
                     exchange.body_error);
      }

      // Redirects, as Go's Client.Do follows them.
      const int code = parser.status_code();
      bool redirect = false;
      bool include_body = false;
      std::string next_method = method;
      const std::string location = parser.Header("Location");
      if (code == 301 || code == 302 || code == 303) {
        redirect = true;
        if (method != "GET" && method != "HEAD") next_method = "GET";
      } else if (code == 307 || code == 308) {
        redirect = !location.empty();
        include_body = true;
      }
      if (!redirect) co_return Outcome(parser);
      if (location.empty()) {
        co_return Critical(
            fmt::format("{} {}: {} response missing Location header", op, Quote(target.url), code));
      }
      urls::url next_url;
      auto base = urls::parse_uri_reference(target.url);
      auto reference = urls::parse_uri_reference(location);
      if (!base || !reference || !urls::resolve(*base, *reference, next_url)) {
        co_return Critical(op + " " + Quote(target.url) + ": failed to parse Location header " +
                           Quote(location) + ": invalid URI");
      }
      if (via >= kMaxRedirectVia)
        co_return Critical(op + " " + Quote(location) + ": stopped after 10 redirects");
      // Go keeps a Host override only for relative redirects, and sends no Referer from https to
      // http.
      keep_host_override = keep_host_override && !reference->has_scheme();
      const bool was_tls = target.tls;
      referer = target.referer;
      Target next;
      if (!ParseTarget(std::string(next_url.buffer()), op, &next, &error))
        co_return Critical(error);
      if (was_tls && !next.tls) referer.clear();
      target = std::move(next);
      method = next_method;
      if (!include_body) body.clear();
    }
  }

  ProbeOutcome Outcome(const HttpResponseParser& parser) {
    ProbeOutcome outcome;
    const int code = parser.status_code();
    if (code >= 200 && code <= 299)
      outcome.status = HealthStatus::kPassing;
    else if (code == 429)
      outcome.status = HealthStatus::kWarning;  // 429 Too Many Requests (RFC 6585)
    else
      outcome.status = HealthStatus::kCritical;
    outcome.output = fmt::format("HTTP {} {}: {} Output: {}", method_, url_, parser.status(),
                                 parser.body().Contents());
    return outcome;
  }

  // Wraps the connected socket in TLS and handshakes; "" or Go-like error text.
  asio::awaitable<std::string> Handshake(HttpAttempt& attempt, std::string host) {
    attempt.tls =
        std::make_unique<ssl::stream<tcp::socket>>(std::move(attempt.socket), *tls_context_);
    attempt.socket = tcp::socket(io_);
    SSL* native = attempt.tls->native_handle();
    boost::system::error_code ec;
    asio::ip::make_address(host, ec);
    const bool literal = !ec;
    if (!literal) SSL_set_tlsext_host_name(native, host.c_str());
    if (tls_verify_) {
      X509_VERIFY_PARAM* param = SSL_get0_param(native);
      if (literal)
        X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
      else
        X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
    }
    co_await attempt.tls->async_handshake(ssl::stream_base::client,
                                          asio::redirect_error(asio::use_awaitable, ec));
    if (!ec && !attempt.aborted()) co_return std::string();
    if (attempt.timed_out()) co_return std::string(kTimeoutAwaitingHeaders);
    co_return TlsErrorText(ec, native, host);
  }

  asio::io_context& io_;
  const std::string check_id_;
  const std::string url_;
  const std::string method_;
  const std::string body_;
  const Duration timeout_;
  const size_t output_max_size_;
  Logger logger_;
  std::unique_ptr<ssl::context> tls_context_;
  const bool tls_verify_;
  HeaderList headers_;
  std::shared_ptr<HttpAttempt> current_;
};

}  // namespace

Result<std::unique_ptr<Prober>> MakeHttpProber(asio::io_context& io, const CheckDefinition& def,
                                               const ProbeOptions& options) {
  std::unique_ptr<ssl::context> context;
  try {
    context = std::make_unique<ssl::context>(ssl::context::tls_client);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("creating the TLS context: ") + e.what());
  }
  boost::system::error_code ec;
  const CheckTlsOptions& tls = options.tls;
  if (def.tls_skip_verify) {
    context->set_verify_mode(ssl::verify_none, ec);
  } else {
    if (tls.enable_agent_tls_for_checks && (!tls.ca_file.empty() || !tls.ca_path.empty())) {
      if (!tls.ca_file.empty()) context->load_verify_file(tls.ca_file, ec);
      if (!ec && !tls.ca_path.empty()) context->add_verify_path(tls.ca_path, ec);
      if (ec)
        return Status::InvalidArgument("loading the agent's CA certificates: " + ec.message());
    } else {
      context->set_default_verify_paths(ec);
      if (ec) return Status::Internal("loading the system CA certificates: " + ec.message());
    }
    context->set_verify_mode(ssl::verify_peer, ec);
  }
  if (!ec && tls.enable_agent_tls_for_checks && !tls.cert_file.empty() && !tls.key_file.empty()) {
    context->use_certificate_chain_file(tls.cert_file, ec);
    if (!ec) context->use_private_key_file(tls.key_file, ssl::context::pem, ec);
    if (ec) return Status::InvalidArgument("loading the agent's TLS certificate: " + ec.message());
  }
  if (ec) return Status::Internal("configuring TLS: " + ec.message());
  return std::unique_ptr<Prober>(
      std::make_unique<HttpProber>(io, def, options, std::move(context), !def.tls_skip_verify));
}

}  // namespace consulate::checks
