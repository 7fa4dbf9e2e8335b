// Requests a client agent forwards to a server (Consul's client agents answer /v1/kv, /v1/catalog,
// /v1/health, ... by RPC to a server). We forward the HTTP request itself over the server port
// (rpc::Transport method server::RpcMethod::kHttp); the server runs it through its own route table
// and returns the response, so every endpoint behaves the same on a client as on a server,
// blocking queries included.
//
//   request  = method string | path string | count v32 | (name string | value string) x count
//              (query) | count v32 | (name | value) x count (headers) | body string | remote_ip
//   response = status v32 | content_type string | count v32 | (name | value) x count | body
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "http/request.h"

namespace consulate::http {

std::string EncodeForwardedRequest(const Request& req);
Status DecodeForwardedRequest(std::string_view in, Request* out);
std::string EncodeForwardedResponse(const Response& resp);
// The content type is mapped back onto the literals the endpoints use (Response keeps a view).
Status DecodeForwardedResponse(std::string_view in, Response* out);

// Paths a client agent forwards to a server; everything under /v1/agent/ stays local.
bool IsForwardedPath(std::string_view path);

}  // namespace consulate::http
