#pragma once
// EventSubscriber: keeps a pull-point subscription to one camera's Events service alive and
// hands on what it reports, for as long as it runs (docs/design/onvif.md, "Camera events").
//
// Run() loops until its Cancellation is cancelled:
//   1. a session: the camera's clock (to put its notifications on ours), GetServices (where
//      the Events service is), CreatePullPointSubscription;
//   2. PullMessages with `pull_timeout`, again and again, each ending a second before the
//      subscription runs out (by the lifetime the camera last reported); Renew once a third of
//      the lifetime is left (a camera without Renew gets a new subscription);
//   3. any failure (the camera rebooted and forgot the subscription: a fault or 404; it is
//      unreachable; a pull held far beyond its Timeout) ends the session; the next starts
//      after `retry_min`, doubling up to `retry_max` while sessions keep failing.
// A pull answered at once with nothing (firmware that ignores Timeout) is followed by a pause
// until `min_pull_interval` has passed, so such a camera costs one request a second, not a
// busy loop. A pull may take `pull_timeout` + `hold_margin` before it is given up.
//
// Threads: Run blocks its thread (one per camera; the app's CameraEvents owns them); the
// callbacks run on it. Stop it with options.client.cancellation->Cancel().

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "onvif/client.h"
#include "onvif/events.h"

namespace sightline::onvif {

struct EventSubscriberOptions {
  ClientOptions client;  // credentials, timeouts of calls other than pulls, the cancellation
  std::chrono::milliseconds lifetime{60000};  // InitialTerminationTime and each Renew
  std::chrono::milliseconds pull_timeout{10000};
  int message_limit = 100;
  std::chrono::milliseconds min_pull_interval{1000};
  std::chrono::milliseconds hold_margin{10000};
  std::chrono::milliseconds retry_min{1000};
  std::chrono::milliseconds retry_max{10000};
};

struct EventSubscriberStats {
  uint64_t sessions = 0;       // subscriptions created
  uint64_t failures = 0;       // sessions that could not start or ended by an error
  uint64_t pulls = 0;
  uint64_t renewals = 0;
  uint64_t notifications = 0;  // read, kept or not
  uint64_t signals = 0;        // kept (Classify)
};

class EventSubscriber {
 public:
  struct Callbacks {
    // After every pull, with the kept signals and each one's time on our clock (the camera's
    // UtcTime less its clock offset, clamped to the pull's span; the time of receipt when it
    // gave none); also with none after a failure, so that the caller can expire states.
    std::function<void(const std::vector<std::pair<CameraSignal, WallTime>>&, WallTime now)> on_pull;
    // A subscription was made (OK) or a session ended or could not start (why).
    std::function<void(const Status&)> on_session;
  };

  EventSubscriber(HttpUrl device_url, EventSubscriberOptions options, Callbacks callbacks);

  // Returns when cancelled, after an Unsubscribe of the live subscription (best effort, 2 s).
  void Run();
  EventSubscriberStats stats() const;  // any thread

 private:
  // One session, until it fails (the Status says why) or is cancelled.
  Status Session();
  Status PullLoop(Device& device, PullPointSubscription& subscription);
  // Renew, or a new subscription where the camera has no Renew.
  Status Renew(Device& device, PullPointSubscription& subscription, std::chrono::steady_clock::time_point* expires_at);
  void Deliver(const PullMessagesResult& result, const Device& device, WallTime sent, WallTime received);
  void Unsubscribe(const PullPointSubscription& subscription);
  // Now plus `lifetime` (the requested one when the camera did not say).
  std::chrono::steady_clock::time_point ExpiresAt(std::optional<std::chrono::milliseconds> lifetime) const;
  bool cancelled() const;

  const HttpUrl url_;
  const EventSubscriberOptions options_;
  const Callbacks callbacks_;
  HttpUrl events_;  // the Events service, from the last session's GetServices
  std::optional<PullPointSubscription> live_;
  std::optional<std::chrono::milliseconds> offset_;  // the camera's clock, last measured
  mutable Mutex mu_;
  EventSubscriberStats stats_ SL_GUARDED_BY(mu_);
};

}  // namespace sightline::onvif
