// URL encoding as Go's net/url does it, so the requests we send and the URLs we print in errors
// read exactly as the Go client's: Get "http://127.0.0.1:8500/v1/kv/a%20b?keys=&separator=%2F".
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace consulate::api {

// Query parameters in insertion order; EncodeQuery sorts them by key like Go's url.Values.Encode.
using Params = std::vector<std::pair<std::string, std::string>>;

// Escapes a path as url.URL.EscapedPath does: unreserved characters and $&+,/:;=@ stay, the rest
// (including '?', '%', ' ' and non-ASCII bytes) become %XX.
std::string EscapePath(std::string_view path);

// Go's url.QueryEscape: space becomes '+', only unreserved characters stay.
std::string QueryEscape(std::string_view text);

// Go's url.Values.Encode: "k=v&k2=" sorted by key (stable for repeated keys); "" when empty.
std::string EncodeQuery(const Params& params);

// Escapes a URL host as Go prints it (used for unix socket paths: "/tmp/c.sock" ->
// "%2Ftmp%2Fc.sock").
std::string EscapeHost(std::string_view host);

}  // namespace consulate::api
