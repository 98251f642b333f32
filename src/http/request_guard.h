#pragma once
// GuardRequest: refusals every route shares, decided from the request's header alone before a
// handler runs (docs/design/security.md).
//
// - Cross-site requests (security-review-1 L1). A browser attaches the user's cookie to a
//   request another site makes it send: a form POST, an <img> of a URL with side effects.
//   SameSite=Strict stops only other *sites*, and a camera's web UI on a sibling host name or
//   another port of the same host is the same site. So: a request whose `Sec-Fetch-Site` is
//   neither "same-origin" nor "none" (typed by the user), or whose `Origin` names another
//   origin than `Host`, is refused with 403 when its method is not safe (RFC 9110 section
//   9.2.1) or its path is under one of `same_origin_prefixes` (the API: every API call of our
//   UI is same-origin; its GETs have side effects too, such as audit rows). Clients that send
//   neither field (curl, scripts) are not browsers riding on a cookie, and pass.
// - DNS rebinding (I3). With `allowed_hosts` set, a request whose Host is not one of them
//   (compared without the port, case-insensitively) gets 421 Misdirected Request.
//
// Pure; thread-safe.

#include <optional>
#include <string>
#include <vector>

#include "http/request.h"

namespace sightline::http {

struct RequestGuardOptions {
  std::vector<std::string> same_origin_prefixes{"/api/"};
  std::vector<std::string> allowed_hosts;  // empty: any Host
};

// nullopt: the request may go on; otherwise the response that refuses it.
std::optional<Response> GuardRequest(const Request& request, const RequestGuardOptions& options);

// The host of a Host field without its port: "example.com:8080" -> "example.com",
// "[::1]:80" -> "::1".
std::string_view HostWithoutPort(std::string_view host);

}  // namespace sightline::http
