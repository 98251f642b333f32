#include "app/camera_events.h"

#include "base/logging.h"

namespace sightline::app {

struct CameraEvents::Camera {
  std::string name;
  std::unique_ptr<onvif::EventSubscriber> subscriber;
  std::shared_ptr<onvif::Cancellation> cancellation = std::make_shared<onvif::Cancellation>();
  onvif::EventTracker tracker;  // the camera's thread; after the join, Stop's
  mutable Mutex mu;
  bool subscribed SL_GUARDED_BY(mu) = false;
  std::string last_error SL_GUARDED_BY(mu);
  uint64_t events SL_GUARDED_BY(mu) = 0;

  explicit Camera(onvif::EventTrackerOptions options) : tracker(std::move(options)) {}
};

namespace {

onvif::EventTrackerOptions TrackerOptions(const config::OnvifSource& source) {
  onvif::EventTrackerOptions o;
  o.timeout = std::chrono::milliseconds(source.event_timeout_ms);
  for (const std::string& kind : source.inverted_events) {
    if (Result<onvif::CameraEventKind> k = onvif::ParseCameraEventKind(kind); k.ok()) o.inverted.insert(*k);
  }
  return o;
}

}  // namespace

CameraEvents::CameraEvents(const config::Config& config, store::Store& store, const Clock& clock, Options options)
    : store_(store), clock_(clock) {
  for (const config::CameraConfig& cam : config.cameras) {
    if (!cam.enabled || !cam.onvif || !cam.onvif->events) continue;
    Result<onvif::HttpUrl> url = onvif::ParseHttpUrl(cam.onvif->device_url);
    if (!url.ok()) continue;  // the config checked it; OnvifStreams reports it
    auto camera = std::make_unique<Camera>(TrackerOptions(*cam.onvif));
    camera->name = cam.name;
    onvif::EventSubscriberOptions o = options.subscriber;
    o.client.credentials = {cam.onvif->user, cam.onvif->password};
    o.client.cancellation = camera->cancellation;
    Camera* c = camera.get();
    onvif::EventSubscriber::Callbacks callbacks;
    callbacks.on_pull = [this, c](const std::vector<std::pair<onvif::CameraSignal, WallTime>>& signals, WallTime now) {
      std::vector<onvif::CameraEventChange> changes;
      for (const auto& [signal, time] : signals) {
        std::vector<onvif::CameraEventChange> more = c->tracker.Apply(signal, UnixMicros(time));
        changes.insert(changes.end(), more.begin(), more.end());
      }
      std::vector<onvif::CameraEventChange> expired = c->tracker.Expire(UnixMicros(now));
      changes.insert(changes.end(), expired.begin(), expired.end());
      Record(*c, changes);
    };
    callbacks.on_session = [c](const Status& s) {
      MutexLock lock(c->mu);
      if (s.ok() != c->subscribed || (!s.ok() && s.message() != c->last_error)) {
        if (s.ok()) {
          SL_LOG(kInfo) << "camera=" << c->name << " ONVIF events: subscribed";
        } else {
          SL_LOG(kWarning) << "camera=" << c->name << " ONVIF events: " << s.message();
        }
      }
      c->subscribed = s.ok();
      c->last_error = s.ok() ? "" : s.message();
    };
    camera->subscriber = std::make_unique<onvif::EventSubscriber>(*url, o, std::move(callbacks));
    cameras_.push_back(std::move(camera));
  }
}

CameraEvents::~CameraEvents() { Stop(); }

void CameraEvents::Start() {
  for (auto& c : cameras_) {
    Camera* camera = c.get();
    threads_.emplace_back([camera] { camera->subscriber->Run(); });
  }
}

void CameraEvents::Stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& c : cameras_) c->cancellation->Cancel();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  const int64_t now = UnixMicros(clock_.WallNow());
  for (auto& c : cameras_) Record(*c, c->tracker.EndAll(now));
}

void CameraEvents::Record(Camera& camera, const std::vector<onvif::CameraEventChange>& changes) {
  for (const onvif::CameraEventChange& change : changes) {
    const std::string source = onvif::CameraEventSource(change.kind, change.input);
    store::MotionEventUpdate update;
    update.start_us = change.start_us;
    update.end_us = change.end_us;
    update.ended = change.ended;
    update.peak_us = change.start_us;
    store_.camera_event_sink(camera.name, source)->OnEvent(update);
    if (!change.ended) {
      MutexLock lock(camera.mu);
      ++camera.events;
    }
  }
}

std::vector<CameraEvents::CameraState> CameraEvents::States() const {
  std::vector<CameraState> out;
  for (const auto& c : cameras_) {
    CameraState s;
    s.camera = c->name;
    s.stats = c->subscriber->stats();
    MutexLock lock(c->mu);
    s.subscribed = c->subscribed;
    s.last_error = c->last_error;
    s.events = c->events;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace sightline::app
