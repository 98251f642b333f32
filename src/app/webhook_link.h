#pragma once
// WebhookLink: what `sightline run` tells the `webhooks:` endpoints (docs/ref/webhooks.md):
// each motion event as the analysis stores it (new, update, end), and each camera that goes
// offline or comes back. One webhook::Endpoint per configured URL, each with its own queue and
// thread: a receiver that is slow or down delays nobody else.
//
// Threads: OnMotionEvent from the analysis threads; Supervise from the io_context (once a
// second); Start and Stop from main.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/motion_analysis.h"
#include "app/site.h"
#include "base/clock.h"
#include "base/mutex.h"
#include "config/config.h"
#include "webhook/endpoint.h"

namespace sightline::app {

// How long a camera may take to come online at start before it is reported offline.
inline constexpr std::chrono::seconds kWebhookOfflineGrace{30};

class WebhookLink final : public MotionAnalysis::Observer {
 public:
  // Null when the config has no webhooks. `clock` must outlive the link.
  static std::unique_ptr<WebhookLink> Start(const config::Config& config, const Clock& clock);
  ~WebhookLink() override;  // Stop()

  void OnMotionEvent(const std::string& camera, int64_t id, const store::MotionEventUpdate& update) override;
  // Reports cameras that went offline (or never came online within kWebhookOfflineGrace of
  // start) and those that came back.
  void Supervise(const std::vector<api::CameraStatus>& cameras);
  // Gives each endpoint a moment to deliver what is queued, then stops it (after the analysis,
  // so that its last events go out first). Idempotent.
  void Stop();

  std::vector<webhook::EndpointStats> stats() const;

 private:
  struct CameraSeen {
    bool online = false;
    bool offline_told = false;  // an offline event went out and no online since
    int64_t last_online_us = 0;
  };
  WebhookLink(const config::Config& config, const Clock& clock);
  void Publish(const webhook::Event& e);

  const Clock& clock_;
  const MonoTime started_;
  std::vector<std::unique_ptr<webhook::Endpoint>> endpoints_;
  std::vector<std::string> base_urls_;  // by endpoint
  EventPhases phases_;
  std::map<std::string, CameraSeen> cameras_;  // Supervise's only
};

}  // namespace sightline::app
