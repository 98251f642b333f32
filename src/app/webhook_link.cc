#include "app/webhook_link.h"

#include "app/version.h"
#include "base/logging.h"
#include "webhook/http_post.h"
#include "webhook/payload.h"

namespace sightline::app {
namespace {

}  // namespace

WebhookLink::WebhookLink(const config::Config& config, const Clock& clock) : clock_(clock), started_(clock.Now()) {
  for (size_t i = 0; i < config.webhooks.size(); ++i) {
    const config::WebhookConfig& w = config.webhooks[i];
    webhook::EndpointOptions o;
    o.name = "webhooks[" + std::to_string(i) + "]";
    o.url = w.url;
    o.secret = w.secret;
    o.filter = {.events = w.events, .cameras = w.cameras};
    o.user_agent = "sightline/" + std::string(kVersion);
    o.timeout = std::chrono::milliseconds(w.timeout_ms);
    o.max_queue = static_cast<size_t>(w.max_queue);
    o.clock = &clock;
    endpoints_.push_back(webhook::Endpoint::Start(std::move(o)));
    base_urls_.push_back(w.base_url);
    SL_LOG(kInfo) << "webhook " << endpoints_.back()->options().name << ": delivering to "
                  << webhook::RedactUrl(w.url);
  }
}

std::unique_ptr<WebhookLink> WebhookLink::Start(const config::Config& config, const Clock& clock) {
  if (config.webhooks.empty()) return nullptr;
  return std::unique_ptr<WebhookLink>(new WebhookLink(config, clock));
}

WebhookLink::~WebhookLink() { Stop(); }

void WebhookLink::Stop() {
  for (const auto& e : endpoints_) e->Stop();
}

std::vector<webhook::EndpointStats> WebhookLink::stats() const {
  std::vector<webhook::EndpointStats> out;
  for (const auto& e : endpoints_) out.push_back(e->stats());
  return out;
}

void WebhookLink::Publish(const webhook::Event& e) {
  for (const auto& endpoint : endpoints_) endpoint->Offer(e);
}

void WebhookLink::OnMotionEvent(const std::string& camera, int64_t id, const store::MotionEventUpdate& update) {
  static constexpr const char* kTypes[] = {"motion_event.new", "motion_event.update",
                                           "motion_event.end"};  // by EventPhase
  const std::string type = kTypes[static_cast<int>(phases_.Next(camera, id, update.ended))];
  const int64_t when = update.ended ? update.end_us : type == "motion_event.new" ? update.start_us
                                                                                  : UnixMicros(clock_.WallNow());
  const int64_t end_us = update.ended ? update.end_us : 0;
  // Thumbnail links differ by endpoint (base_url), so each gets its own data.
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    endpoints_[i]->Offer({type, camera, when,
                          webhook::MotionEventData(id, update.start_us, end_us, update.zones, base_urls_[i])});
  }
}

void WebhookLink::Supervise(const std::vector<api::CameraStatus>& cameras) {
  const int64_t now_us = UnixMicros(clock_.WallNow());
  const bool grace_over = clock_.Now() - started_ >= kWebhookOfflineGrace;
  for (const api::CameraStatus& cam : cameras) {
    CameraSeen& seen = cameras_[cam.name];
    const bool online = CameraOnline(cam);
    if (online) {
      if (seen.offline_told) Publish({"camera.online", cam.name, now_us, webhook::CameraStatusData(seen.last_online_us)});
      seen.offline_told = false;
      seen.last_online_us = now_us;
    } else if (!seen.offline_told && (seen.online || grace_over)) {
      // Went offline, or never came online since start.
      Publish({"camera.offline", cam.name, now_us, webhook::CameraStatusData(seen.last_online_us)});
      seen.offline_told = true;
    }
    seen.online = online;
  }
}

}  // namespace sightline::app
