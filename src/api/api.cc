#include "api/api.h"

#include "api/context.h"
#include "http/static_files.h"

namespace sightline::api {

void SetRouteLimits(http::ServerOptions& options) {
  options.body_limit_by_path["/api/login"] = kLoginBodyLimitBytes;
}

http::Router MakeRouter(const ApiDeps& deps) {
  auto ctx = std::make_shared<Context>(deps);
  http::Router router;
  AddSessionRoutes(ctx, router);
  AddCameraRoutes(ctx, router);
  AddRecordingRoutes(ctx, router);
  AddLiveRoutes(ctx, router);
  AddAdminRoutes(ctx, router);
  AddTokenRoutes(ctx, router);
  AddMotionRoutes(ctx, router);
  AddPtzRoutes(ctx, router);
  AddCameraSetupRoutes(ctx, router);
  if (deps.metrics != nullptr) {
    AddMetricsRoute(router, *deps.metrics, deps.metrics_access);
  } else {
    // Not the UI's index.html: a scraper pointed here should see why it gets nothing.
    router.Add("GET", "/metrics", [](http::Request&) {
      return http::Response::Error(404, "metrics are off (metrics.enabled in sightline.yaml)");
    });
  }
  // Unknown /api/ paths are JSON 404s, not the UI's index.html.
  router.AddPrefix("GET", "/api", [](http::Request&) {
    return http::Response::Error(404, "There is no such API route.");
  });
  if (!deps.ui_dir.empty()) {
    router.AddPrefix("GET", "/", [dir = deps.ui_dir](http::Request& r) {
      return http::ServeStatic(dir, r);
    });
  }
  return router;
}

}  // namespace sightline::api
