#include "api/metrics_route.h"

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <optional>

#include "auth/crypto.h"
#include "base/logging.h"
#include "metrics/exposition.h"

namespace sightline::api {
namespace {

constexpr std::string_view kBearer = "bearer";

// The credentials after the "Bearer" scheme (case-insensitive, RFC 9110 section 11.1; "" for a
// bare "Bearer"), or nullopt without such a header.
std::optional<std::string_view> BearerToken(const http::Request& request) {
  std::string_view value = request.Header("Authorization");
  if (value.size() < kBearer.size() || (value.size() > kBearer.size() && value[kBearer.size()] != ' ')) {
    return std::nullopt;
  }
  if (!boost::beast::iequals(value.substr(0, kBearer.size()), kBearer)) return std::nullopt;
  value.remove_prefix(kBearer.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  return value;
}

http::Response Refusal(ScrapeVerdict verdict, const MetricsAccess& access, const http::Request& request) {
  if (verdict == ScrapeVerdict::kForbidden) {
    return http::Response::Error(
        403, "metrics: client address " + request.remote_address + " is not in metrics.allow");
  }
  http::Response r = http::Response::Error(
      401, BearerToken(request) ? "metrics: the bearer token is not metrics.token"
                                : "metrics: send Authorization: Bearer with metrics.token");
  if (!access.token.empty()) r.headers.Set("WWW-Authenticate", "Bearer realm=\"sightline metrics\"");
  return r;
}

http::Response Scrape(const metrics::Registry& registry) {
  Result<std::string> text = metrics::RenderText(registry.Collect());
  if (!text.ok()) {
    SL_LOG(kError) << "metrics: cannot render the scrape: " << text.status();
    return http::Response::Error(500, "metrics: internal error");
  }
  http::Response r;
  r.status = 200;
  r.body = std::move(*text);
  r.content_type = std::string(metrics::kTextContentType);
  r.headers.Set("Cache-Control", "no-store");
  return r;
}

}  // namespace

ScrapeVerdict CheckScrape(const MetricsAccess& access, const http::Request& request) {
  if (std::optional<std::string_view> token = BearerToken(request)) {
    // Digests compared: the time taken says nothing about how much of the token was right.
    const bool right = !access.token.empty() && auth::TokenDigest(*token) == auth::TokenDigest(access.token);
    return right ? ScrapeVerdict::kAllowed : ScrapeVerdict::kUnauthenticated;
  }
  const bool allowed = std::any_of(access.allow.begin(), access.allow.end(),
                                   [&](const Cidr& c) { return c.Contains(request.remote_address); });
  if (allowed) return ScrapeVerdict::kAllowed;
  return access.token.empty() ? ScrapeVerdict::kForbidden : ScrapeVerdict::kUnauthenticated;
}

void AddMetricsRoute(http::Router& router, const metrics::Registry& registry, MetricsAccess access) {
  router.Add("GET", "/metrics", [&registry, access = std::move(access)](http::Request& request) {
    const ScrapeVerdict verdict = CheckScrape(access, request);
    if (verdict != ScrapeVerdict::kAllowed) return Refusal(verdict, access, request);
    return Scrape(registry);
  });
}

}  // namespace sightline::api
