#include "http/request_guard.h"

#include <boost/beast/core/string.hpp>

#include "http/wire.h"

namespace sightline::http {
namespace {

bool IsSafeMethod(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

bool UnderAnyPrefix(std::string_view path, const std::vector<std::string>& prefixes) {
  for (const std::string& p : prefixes) {
    if (path.starts_with(p)) return true;
  }
  return false;
}

// Fetch Metadata (W3C): "same-origin", "same-site", "cross-site" or "none".
bool CrossSiteByFetchMetadata(const Request& request) {
  const std::optional<std::string_view> site = request.headers.Find("Sec-Fetch-Site");
  return site && !boost::beast::iequals(*site, "same-origin") && !boost::beast::iequals(*site, "none");
}

bool CrossSiteByOrigin(const Request& request) {
  const std::optional<std::string_view> origin = request.headers.Find("Origin");
  return origin && !OriginMatchesHost(*origin, request.headers.Get("Host"));
}

}  // namespace

std::string_view HostWithoutPort(std::string_view host) {
  if (host.starts_with('[')) {
    const size_t close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(1, close - 1);
  }
  const size_t colon = host.find(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

std::optional<Response> GuardRequest(const Request& request, const RequestGuardOptions& options) {
  if (!options.allowed_hosts.empty()) {
    const std::string_view host = HostWithoutPort(request.headers.Get("Host"));
    bool allowed = false;
    for (const std::string& h : options.allowed_hosts) allowed |= boost::beast::iequals(host, h);
    if (!allowed) {
      return Response::Error(421, "This server does not answer to the host name \"" +
                                      std::string(host.substr(0, 100)) + "\" (http.allowed_hosts).");
    }
  }
  if (!IsSafeMethod(request.method) || UnderAnyPrefix(request.path, options.same_origin_prefixes)) {
    if (CrossSiteByFetchMetadata(request) || CrossSiteByOrigin(request)) {
      return Response::Error(403, "Requests from another site are refused.");
    }
  }
  return std::nullopt;
}

}  // namespace sightline::http
