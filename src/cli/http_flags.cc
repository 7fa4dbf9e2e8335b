#include "cli/http_flags.h"

namespace consulate::cli {

void HttpFlags::AddClientFlags(Flags* flags) {
  using G = Flags::Group;
  flags->OptionalString(
      "http-addr", &address_,
      "The `address` and port of the agent's HTTP API: an IP address or a DNS name, with the "
      "port. Defaults to http://127.0.0.1:8500, or the CONSUL_HTTP_ADDR environment variable. "
      "Use an https:// address, or set CONSUL_HTTP_SSL=true, for HTTPS.",
      G::kHttpApi);
  flags->OptionalString(
      "token", &token_,
      "ACL token to send with each request. Defaults to the CONSUL_HTTP_TOKEN environment "
      "variable; without either, the agent applies its own default token.",
      G::kHttpApi);
  flags->OptionalString(
      "token-file", &token_file_,
      "File whose contents are the ACL token to send, taking precedence over -token and "
      "CONSUL_HTTP_TOKEN. Defaults to the CONSUL_HTTP_TOKEN_FILE environment variable.",
      G::kHttpApi);
  flags->OptionalString(
      "ca-file", &ca_file_,
      "CA certificate file for verifying the agent's TLS certificate. Defaults to the "
      "CONSUL_CACERT environment variable.",
      G::kHttpApi);
  flags->OptionalString(
      "ca-path", &ca_path_,
      "Directory of CA certificates for verifying the agent's TLS certificate. Defaults to the "
      "CONSUL_CAPATH environment variable.",
      G::kHttpApi);
  flags->OptionalString(
      "client-cert", &client_cert_,
      "Client certificate file, for agents that set 'verify_incoming'. Defaults to the "
      "CONSUL_CLIENT_CERT environment variable.",
      G::kHttpApi);
  flags->OptionalString(
      "client-key", &client_key_,
      "Client private key file, for agents that set 'verify_incoming'. Defaults to the "
      "CONSUL_CLIENT_KEY environment variable.",
      G::kHttpApi);
  flags->OptionalString(
      "tls-server-name", &tls_server_name_,
      "Server name (SNI) to use for TLS connections to the agent. Defaults to the "
      "CONSUL_TLS_SERVER_NAME environment variable.",
      G::kHttpApi);
}

void HttpFlags::AddServerFlags(Flags* flags) {
  using G = Flags::Group;
  flags->OptionalString("datacenter", &datacenter_,
                        "Datacenter to query. Defaults to the datacenter of the agent being asked.",
                        G::kHttpApi);
  flags->OptionalBool(
      "stale", &stale_,
      "Let any server answer reads, not only the leader: faster and more scalable, but the "
      "answer may be out of date. Writes ignore it. The default value is false.",
      G::kHttpApi);
}

void HttpFlags::AddNamespaceFlag(Flags* flags) {
  flags->OptionalString(
      "namespace", &namespace_,
      "Namespace to use. Without it, the namespace comes from the ACL token, or is the "
      "`default` namespace. Namespaces are a Consul Enterprise feature.");
}

api::Config HttpFlags::BuildConfig() const {
  api::Config config = api::Config::FromEnvironment();
  if (address_) config.address = *address_;
  if (token_) config.token = *token_;
  if (token_file_) config.token_file = *token_file_;
  if (datacenter_) config.datacenter = *datacenter_;
  if (namespace_) config.namespace_name = *namespace_;
  config.stale = stale();
  // TLS settings are accepted for compatibility; this client speaks plain HTTP only.
  return config;
}

Result<api::Client> HttpFlags::NewClient() const { return api::Client::Create(BuildConfig()); }

std::optional<api::Client> HttpFlags::NewClientOrReport(const Ui& ui,
                                                        std::string_view prefix) const {
  Result<api::Client> client = NewClient();
  if (!client.ok()) {
    ui.Error(std::string(prefix) + client.status().message());
    return std::nullopt;
  }
  return std::move(client).value();
}

}  // namespace consulate::cli
