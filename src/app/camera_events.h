#pragma once
// CameraEvents: the events `onvif:` cameras report themselves (motion, tamper, digital inputs)
// as Sightline events. Per camera with `events` on (the default), a thread runs an
// onvif::EventSubscriber (a pull-point subscription that survives reboots and lost
// subscriptions), its signals go through an onvif::EventTracker (one event per kind, states
// never set back ended by `event_timeout`, `invert_events`), and each start and end goes to
// the store as a motion event with its source ("onvif:motion", ...; store::MotionSink), so
// that the timeline, retention's motion tier, the API and the uplink treat it as any event.
// docs/design/onvif.md, "Camera events".
//
// Threads: Start and Stop on one thread; States from any. Stop cancels every subscription
// (at once, even in the middle of a pull), joins the threads and ends the open events.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/mutex.h"
#include "config/config.h"
#include "onvif/event_subscriber.h"
#include "onvif/event_tracker.h"
#include "store/store.h"

namespace sightline::app {

class CameraEvents {
 public:
  struct Options {
    onvif::EventSubscriberOptions subscriber;  // credentials and cancellation are set per camera
  };

  // What is known of one camera's subscription (metrics, log).
  struct CameraState {
    std::string camera;
    bool subscribed = false;
    std::string last_error;  // why the last session ended or could not start; "" while subscribed
    uint64_t events = 0;     // events started since Start
    onvif::EventSubscriberStats stats;
  };

  // The `onvif:` cameras of `config` with events on; `store` must outlive this object.
  CameraEvents(const config::Config& config, store::Store& store, const Clock& clock, Options options = {});
  ~CameraEvents();  // Stop()
  CameraEvents(const CameraEvents&) = delete;
  CameraEvents& operator=(const CameraEvents&) = delete;

  bool empty() const { return cameras_.empty(); }
  void Start();
  void Stop();
  std::vector<CameraState> States() const;

 private:
  struct Camera;
  // Stores what the tracker made of a pull; the camera's thread.
  void Record(Camera& camera, const std::vector<onvif::CameraEventChange>& changes);

  store::Store& store_;
  const Clock& clock_;
  std::vector<std::unique_ptr<Camera>> cameras_;
  std::vector<std::thread> threads_;
  bool stopped_ = false;
};

}  // namespace sightline::app
