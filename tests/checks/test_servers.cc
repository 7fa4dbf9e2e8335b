#include "test_servers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace consulate::checks::testing {

namespace {

int Listen(int port, int backlog, int* bound_port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(fd, backlog) != 0) {
    ::close(fd);
    return -1;
  }
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *bound_port = ntohs(addr.sin_port);
  return fd;
}

// Whether `request` holds its header block and as many body bytes as its Content-Length says.
bool RequestComplete(const std::string& request) {
  size_t end = request.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  size_t length = 0;
  std::string lower = request.substr(0, end);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t at = lower.find("\r\ncontent-length:");
  if (at != std::string::npos) length = std::stoul(lower.substr(at + 17));
  return request.size() >= end + 4 + length;
}

}  // namespace

std::string HttpResponse(int code, const std::string& reason, const std::string& body,
                         const std::string& extra_headers) {
  return "HTTP/1.1 " + std::to_string(code) + " " + reason +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n" +
         extra_headers + "\r\n" + body;
}

TestHttpServer::TestHttpServer(Handler handler, int port, SSL_CTX* tls)
    : handler_(std::move(handler)), tls_(tls) {
  listen_fd_ = Listen(port, 16, &port_);
  if (listen_fd_ >= 0) thread_ = std::thread([this] { Serve(); });
}

TestHttpServer::~TestHttpServer() { Stop(); }

void TestHttpServer::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
}

std::vector<std::string> TestHttpServer::Requests() {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

void TestHttpServer::Serve() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    HandleConnection(fd);
    ::close(fd);
  }
}

void TestHttpServer::HandleConnection(int fd) {
  SSL* ssl = nullptr;
  if (tls_) {
    ssl = SSL_new(tls_);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) != 1) {
      SSL_free(ssl);
      return;
    }
  }
  std::string request;
  char buffer[4096];
  while (!RequestComplete(request)) {
    pollfd p{fd, POLLIN, 0};
    if (!ssl || SSL_pending(ssl) == 0) {
      if (::poll(&p, 1, 2000) <= 0) break;
    }
    int n = ssl ? SSL_read(ssl, buffer, sizeof(buffer))
                : static_cast<int>(::read(fd, buffer, sizeof(buffer)));
    if (n <= 0) break;
    request.append(buffer, static_cast<size_t>(n));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(request);
  }
  std::string response = handler_(request);
  size_t sent = 0;
  while (sent < response.size()) {
    int n = ssl ? SSL_write(ssl, response.data() + sent, static_cast<int>(response.size() - sent))
                : static_cast<int>(
                      ::send(fd, response.data() + sent, response.size() - sent, MSG_NOSIGNAL));
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  if (ssl) {
    SSL_shutdown(ssl);
    SSL_free(ssl);
  }
}

TestTcpListener::TestTcpListener(int port) { fd_ = Listen(port, 16, &port_); }
TestTcpListener::~TestTcpListener() { Stop(); }
void TestTcpListener::Stop() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

SSL_CTX* MakeSelfSignedServerContext(std::string* cert_pem) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* san =
      X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  X509_add_ext(cert, san, -1);
  X509_EXTENSION_free(san);
  X509_sign(cert, key, EVP_sha256());
  if (cert_pem) {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert);
    char* data = nullptr;
    long length = BIO_get_mem_data(bio, &data);
    cert_pem->assign(data, static_cast<size_t>(length));
    BIO_free(bio);
  }
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  SSL_CTX_use_certificate(ctx, cert);
  SSL_CTX_use_PrivateKey(ctx, key);
  X509_free(cert);
  EVP_PKEY_free(key);
  return ctx;
}

}  // namespace consulate::checks::testing
