// The HTTP API flags shared by the commands that talk to an agent (Consul's HTTPFlags):
//   client flags: -http-addr -token -token-file -ca-file -ca-path -client-cert -client-key
//                 -tls-server-name
//   server flags: -datacenter -stale
//   namespace:    -namespace (listed with the command's own options)
// Flags given on the command line win over the CONSUL_HTTP_* environment.
#pragma once

#include <optional>
#include <string>

#include "api/client.h"
#include "base/result.h"
#include "cli/command.h"
#include "cli/flags.h"

namespace consulate::cli {

class HttpFlags {
 public:
  void AddClientFlags(Flags* flags);
  void AddServerFlags(Flags* flags);
  void AddNamespaceFlag(Flags* flags);

  // The client configuration: the environment, then the flags that were set.
  api::Config BuildConfig() const;
  // A client for BuildConfig(). Errors are the Go client's text; commands print them as
  // "Error connecting to Consul agent: <text>".
  Result<api::Client> NewClient() const;
  // NewClient(), or nullopt after writing "<prefix><error>" to ui.err (the commands' usual
  // "Error connecting to Consul agent: ..."; exit code 1 is the caller's).
  std::optional<api::Client> NewClientOrReport(
      const Ui& ui, std::string_view prefix = "Error connecting to Consul agent: ") const;

  bool stale() const { return stale_.value_or(false); }

 private:
  std::optional<std::string> address_;
  std::optional<std::string> token_;
  std::optional<std::string> token_file_;
  std::optional<std::string> ca_file_;
  std::optional<std::string> ca_path_;
  std::optional<std::string> client_cert_;
  std::optional<std::string> client_key_;
  std::optional<std::string> tls_server_name_;
  std::optional<std::string> datacenter_;
  std::optional<bool> stale_;
  std::optional<std::string> namespace_;
};

}  // namespace consulate::cli
