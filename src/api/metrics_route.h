#pragma once
// GET /metrics: the Prometheus scrape (docs/ref/metrics.md), in the text exposition format.
// It names cameras, disks and traffic, so it is registered only when the config enables it,
// and answers only a client with the bearer token or an address in the allow-list:
//
//   Authorization: Bearer <token>, right token  -> 200
//   Authorization: Bearer <anything else>       -> 401 (also from an allowed address: a wrong
//                                                   credential is a mistake worth seeing)
//   no Authorization, address in `allow`        -> 200
//   no Authorization, otherwise                 -> 401 with WWW-Authenticate when a token is
//                                                   configured, else 403
//
// Threads: the handler runs on the HTTP server's blocking pool; the registry must outlive the
// router.

#include <string>
#include <vector>

#include "base/cidr.h"
#include "http/router.h"
#include "metrics/registry.h"

namespace sightline::api {

struct MetricsAccess {
  std::string token;        // empty: no token opens the scrape
  std::vector<Cidr> allow;  // client networks that may scrape without the token
};

enum class ScrapeVerdict { kAllowed, kUnauthenticated, kForbidden };

// The rules above, for one request.
ScrapeVerdict CheckScrape(const MetricsAccess& access, const http::Request& request);

void AddMetricsRoute(http::Router& router, const metrics::Registry& registry, MetricsAccess access);

}  // namespace sightline::api
