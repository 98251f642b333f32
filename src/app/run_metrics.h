#pragma once
// RunMetrics: the metrics of `sightline run` (docs/ref/metrics.md, docs/design/metrics.md).
// Two instruments count what nothing else counts: HTTP responses by route pattern and status
// (through http::ServerOptions::on_response) and the index commit time (through
// store::StoreOptions::on_commit). Everything else is read at scrape time from the statistics
// the components already keep: the RTSP clients, recorders and live hubs (Site), the motion
// analysers, the index writer, the storage directories and the audit log.
//
// Lifetime: create it before the store and the server; every object given to Watch* must
// outlive the HTTP server that scrapes. Threads: the observers and scrapes from any thread.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "app/motion_analysis.h"
#include "app/camera_events.h"
#include "app/onvif_streams.h"
#include "app/site.h"
#include "app/webhook_link.h"
#include "auth/account_store.h"
#include "base/result.h"
#include "config/config.h"
#include "metrics/registry.h"
#include "store/store.h"

namespace sightline::app {

class RunMetrics {
 public:
  // Registers the instruments; `version` becomes sightline_build_info's label.
  static Result<std::unique_ptr<RunMetrics>> Create(std::string_view version);

  const metrics::Registry& registry() const { return registry_; }
  // For http::ServerOptions::on_response and store::StoreOptions::on_commit.
  std::function<void(std::string_view route, int status)> ResponseObserver();
  std::function<void(std::chrono::microseconds)> CommitObserver();

  // Collectors over what these objects count.
  void WatchSite(const Site& site);
  void WatchAnalysis(const MotionAnalysis& analysis);
  void WatchStore(const store::Store& store, const std::vector<config::StorageDir>& dirs);
  void WatchAudit(auth::AccountStore& accounts);
  // Null without webhooks: the families are there, without series.
  void WatchWebhooks(const WebhookLink* webhooks);
  // The `onvif:` cameras: whether their streams are known, their clock offsets, and their
  // event subscriptions.
  void WatchOnvif(const OnvifStreams& onvif, const CameraEvents& events);

 private:
  RunMetrics() = default;
  Status Register(std::string_view version);

  metrics::Registry registry_;
  metrics::Family<metrics::Counter, 2>* http_requests_ = nullptr;
  metrics::Histogram* commit_seconds_ = nullptr;
};

}  // namespace sightline::app
